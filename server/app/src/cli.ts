/**
 * `workbench` command: parse config, start, print the URL like Jupyter,
 * and shut down cleanly on SIGINT/SIGTERM (every kernel stopped, exit 0).
 */
import { spawn } from 'node:child_process';
import { ConfigError, loadConfig, USAGE } from './config';
import { startWorkbench } from './app';
import { ADMIN_USAGE, runAdminCommand } from './admin-commands';
import { DEMO_USAGE, runDemoCommand } from './demo-commands';

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'audit' || argv[0] === 'secrets' || argv[0] === 'pipelines') {
    const code = await runAdminCommand(argv, process.env, process.cwd(), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).catch((err: unknown) => {
      process.stderr.write(`workbench: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    });
    process.exit(code);
  }
  if (argv[0] === 'demo') {
    // Ctrl-C stops the generation; the command drops the database it was filling.
    const stop = new AbortController();
    const abort = () => stop.abort(new Error('interrupted'));
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    const code = await runDemoCommand(argv, process.env, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, stop.signal).catch((err: unknown) => {
      process.stderr.write(`workbench: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    });
    process.exit(code);
  }
  let parsed;
  try {
    parsed = loadConfig(argv, process.env, process.cwd());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`workbench: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n${ADMIN_USAGE}${DEMO_USAGE}`);
    return;
  }
  const { config } = parsed;
  let wb;
  try {
    wb = await startWorkbench(config);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`workbench: Cannot start: ${e.code === 'EADDRINUSE' ? `port ${config.port} on ${config.ip} is already in use (try --port 0)` : e.message}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) {
      process.stderr.write('workbench: forced exit; killing kernels\n');
      wb.kernels.killAllNow();
      process.exit(1);
    }
    stopping = true;
    wb.logger.info({ why }, 'shutting down');
    try {
      await wb[Symbol.asyncDispose]();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`workbench: shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    }
  };
  // The last line, not a fix: every socket's errors are handled where the socket lives (server/http).
  // A bug that still escapes is logged with its stack and the process exits 1 after shutting kernels down,
  // rather than running on in a state nobody can reason about.
  const fatal = (kind: string) => (err: unknown) => {
    wb.logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, `${kind}; exiting`);
    process.stderr.write(`workbench: ${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    setTimeout(() => process.exit(1), 5000).unref();
    if (!stopping) {
      stopping = true;
      void Promise.resolve(wb[Symbol.asyncDispose]()).finally(() => process.exit(1));
    }
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  void wb.shutdownRequested.then(() => stop('POST /api/shutdown'));
  // Only now, with the handlers in place, tell the world where we are: a client
  // that reads the URL and signals at once must still get a clean shutdown.
  process.stdout.write(`[Workbench] Serving ${config.rootDir}\n[Workbench] To access the server, open this URL in a browser:\n    ${wb.url}\n`);
  if (config.tokenGenerated) process.stdout.write('[Workbench] The token was generated for this run; set --token or JUPYTER_TOKEN to keep one.\n');
  if (config.openBrowser) openBrowser(wb.url);
}

function openBrowser(url: string): void {
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
