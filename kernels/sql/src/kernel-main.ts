/**
 * A kernel as a process: KernelServer behind argv, process signals, exit,
 * and logs as JSON lines on stderr (ipykernel's kernelapp, for the kernels
 * of this package; `main.ts` runs the SQL kernel with it).
 */
import { describeError, Logger } from '@workbench/core';
import { KernelHandlers, KernelServer, KernelServerOptions } from './kernel-server';
import { parseConnectionFileArg } from './kernel-sockets';

/** Warnings and errors as JSON lines on stderr, where launchers collect kernel logs. */
const stderrLogger = (bindings: object = {}): Logger => {
  const write = (level: string) => (fields: object, msg: string) => process.stderr.write(`${JSON.stringify({ level, ...bindings, ...fields, msg })}\n`);
  return { debug() {}, info() {}, warn: write('warn'), error: write('error'), child: (b) => stderrLogger({ ...bindings, ...b }) };
};

/**
 * The process entry of a kernel: parse argv, start the server, then
 * SIGINT -> interrupt (the process keeps running, as ipykernel), SIGTERM ->
 * handlers.shutdown(false) and exit 0, shutdown_request -> exit 0 once the
 * reply is out. Resolves once the kernel is serving.
 */
export async function runKernelMain(argv: string[], makeHandlers: (connectionFile: string) => KernelHandlers | Promise<KernelHandlers>, options: KernelServerOptions = {}): Promise<void> {
  const logger = options.logger ?? stderrLogger();
  const file = parseConnectionFileArg(argv);
  const handlers = await makeHandlers(file);
  const server = await KernelServer.start(file, handlers, { logger });
  let exiting = false;
  const exit = async (beforeClose?: () => Promise<void>) => {
    if (exiting) return;
    exiting = true;
    try {
      await beforeClose?.();
      await server[Symbol.asyncDispose]();
    } catch (err) {
      logger.error({ err: describeError(err) }, 'kernel shutdown failed');
    }
    process.exit(0);
  };
  // The handlers stay installed until exit: a SIGINT during shutdown must not kill the kernel mid-reply.
  process.on('SIGINT', () => void server.interrupt());
  process.on('SIGTERM', () => void exit(async () => handlers.shutdown?.(false)));
  server.onShutdown(() => void exit());
}
