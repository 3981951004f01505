/**
 * Runs the git binary for one work tree: argument arrays, never a shell;
 * an environment that ignores the user's global and system configuration;
 * abort through `{ signal }`. A run settles only after the process has
 * exited, so an aborted git has released index.lock before the next one
 * starts.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { AppError, Logger, abortError } from '@workbench/core';

export interface GitRunnerOptions {
  /** Absolute, symlink-free path of the work tree's top directory. */
  root: string;
  binary: string;
  /** Base environment; every GIT_* variable in it is dropped (see `gitEnvironment`). */
  env: NodeJS.ProcessEnv;
  /** Set after the base environment is cleaned (the committer identity). */
  gitEnv?: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface GitRunOptions {
  /** `Cannot <action>: ...` in error messages. */
  action: string;
  input?: Buffer | string;
  signal?: AbortSignal;
  /** Exit codes that are answers rather than failures (e.g. 1 from `rev-parse --verify --quiet`). */
  okCodes?: readonly number[];
  /** Added to the environment for this run only (e.g. GIT_INDEX_FILE, GIT_AUTHOR_NAME). */
  env?: NodeJS.ProcessEnv;
}

export interface GitRunResult {
  code: number;
  stdout: Buffer;
}

const STDERR_LIMIT = 16 * 1024;

/**
 * The environment every git run gets. Inherited GIT_* variables are removed:
 * GIT_DIR, GIT_INDEX_FILE, GIT_WORK_TREE (set when the server runs inside a
 * git hook) or GIT_CONFIG_* would silently redirect or reconfigure the
 * repository.
 */
export function gitEnvironment(base: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (!k.startsWith('GIT_') && v !== undefined) env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Never discover a repository above the workspace: if root/.git vanishes, fail rather than commit to a parent.
    GIT_CEILING_DIRECTORIES: dirname(root),
    // Paths are file names, never glob or magic pathspecs.
    GIT_LITERAL_PATHSPECS: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
  };
}

/** `-c` options placed before every subcommand: behaviour that must not depend on configuration. */
export function gitConfigArgs(root: string): string[] {
  const config = [
    'core.hooksPath=/dev/null',
    'commit.gpgsign=false',
    'log.showSignature=false',
    'core.quotePath=false',
    'core.fsmonitor=false',
    // The defaults of these live under $XDG_CONFIG_HOME, i.e. user configuration.
    'core.excludesFile=/dev/null',
    'core.attributesFile=/dev/null',
    // The operator chose this directory as the workspace; trust it even if another uid owns it.
    `safe.directory=${root}`,
  ];
  return config.flatMap((c) => ['-c', c]);
}

export class GitRunner {
  private readonly env: NodeJS.ProcessEnv;
  private readonly prefix: readonly string[];

  constructor(private readonly options: GitRunnerOptions) {
    this.env = { ...gitEnvironment(options.env, options.root), ...options.gitEnv };
    this.prefix = gitConfigArgs(options.root);
  }

  get root(): string {
    return this.options.root;
  }

  /** Run `git <args>`; resolve with stdout, reject with an AppError on failure or abort. */
  run(args: readonly string[], opts: GitRunOptions): Promise<GitRunResult> {
    const { signal, action } = opts;
    if (signal?.aborted) return Promise.reject(abortError(signal, action));
    const started = Date.now();
    const logger = this.options.logger;
    return new Promise<GitRunResult>((resolve, reject) => {
      const child = spawn(this.options.binary, [...this.prefix, ...args], {
        cwd: this.options.root,
        env: opts.env ? { ...this.env, ...opts.env } : this.env,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const stdout: Buffer[] = [];
      let stderr = '';
      let aborted = false;
      let settled = false;
      const onAbort = () => {
        aborted = true;
        child.kill('SIGTERM');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (err: unknown, result?: GitRunResult) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(result!);
      };

      child.stdout!.on('data', (d: Buffer) => stdout.push(d));
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => {
        if (stderr.length < STDERR_LIMIT) stderr += d.slice(0, STDERR_LIMIT - stderr.length);
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        const missing = err.code === 'ENOENT';
        finish(
          new AppError(missing ? 'unavailable' : 'internal', `Cannot ${action}: ${missing ? `git binary ${this.options.binary} not found` : `git could not be started (${err.message})`}`, {
            cause: err,
          }),
        );
      });
      child.once('close', (code, killedBy) => {
        const ms = Date.now() - started;
        if (aborted && signal) {
          logger.debug({ args, ms, aborted: true }, 'git run aborted');
          finish(abortError(signal, action));
          return;
        }
        const exit = code ?? -1;
        if (exit === 0 || (code !== null && opts.okCodes?.includes(code))) {
          logger.debug({ args, code: exit, ms }, 'git run');
          finish(undefined, { code: exit, stdout: Buffer.concat(stdout) });
          return;
        }
        const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${exit}`;
        const detail = stderr.trim().split('\n').filter(Boolean).pop();
        logger.debug({ args, code: exit, signal: killedBy, ms, stderr }, 'git run failed');
        finish(
          new AppError('internal', `Cannot ${action}: git ${args[0] ?? ''} ${how}${detail ? ` (${detail})` : ''}`, {
            details: { args: [...args], code: exit, signal: killedBy, stderr },
          }),
        );
      });

      if (opts.input !== undefined) {
        // git may exit before reading all input (e.g. on a bad argument); the exit code reports that, not EPIPE.
        child.stdin!.on('error', () => {});
        child.stdin!.end(opts.input);
      }
    });
  }

  /** Run and return stdout as trimmed UTF-8 text. */
  async text(args: readonly string[], opts: GitRunOptions): Promise<string> {
    return (await this.run(args, opts)).stdout.toString('utf8').trim();
  }
}
