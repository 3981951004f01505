/**
 * Terminals as jupyter_server_terminals manages them: named "1", "2", ...
 * (the lowest free number), listed with their last activity, deleted by
 * name (the whole process session dies), all ended when the manager is
 * disposed. Shells start in the workspace root (or a folder inside it)
 * with the clean environment the composition root hands in: never the
 * server's own variables wholesale, so its token and secrets stay out.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { AppError, Logger, silentLogger } from '@workbench/core';
import { Terminal, TerminalModel } from './terminal';

export interface TerminalManagerOptions {
  /** argv of the shell, e.g. ["/bin/bash", "-l"]. */
  shell: readonly string[];
  /** The workspace root: terminals start here and may not start outside it. */
  rootDir: string;
  /** The complete environment of every shell (TERM is set to xterm-256color if absent). */
  env: Readonly<Record<string, string>>;
  logger?: Logger;
  /** Characters of recent output replayed to a client that connects (default 100,000). */
  scrollbackChars?: number;
  /** Time between SIGHUP and SIGKILL when a terminal is deleted (default 1 s). */
  killGraceMs?: number;
  now?: () => number;
}

export interface CreateTerminalOptions {
  name?: string;
  /** Relative to the root, or absolute inside it; a folder that does not exist falls back to the root (as jupyter_server). */
  cwd?: string;
}

const NAME = /^\w{1,64}$/;

/** The shell to run: the configured one, else $SHELL, else /bin/bash, else /bin/sh (whichever is executable first). */
export function resolveShell(configured: string | undefined, envShell: string | undefined, login: boolean): string[] {
  if (configured) return configured.trim().split(/\s+/);
  for (const candidate of [envShell, '/bin/bash', '/bin/sh']) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      // Without a terminal around the server (systemd, a spawner), a login shell sets the user's environment up (as jupyter_server_terminals).
      return login ? [candidate, '-l'] : [candidate];
    } catch {
      /* try the next */
    }
  }
  return ['/bin/sh'];
}

export class TerminalManager implements AsyncDisposable {
  private readonly terminals = new Map<string, Terminal>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly realRoot: string;
  private disposed: Promise<void> | undefined;

  constructor(private readonly options: TerminalManagerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.realRoot = realpathSync(options.rootDir);
  }

  has(name: string): boolean {
    return this.terminals.has(name);
  }

  list(): TerminalModel[] {
    return [...this.terminals.values()].map((t) => t.model());
  }

  get(name: string): Terminal {
    const t = this.terminals.get(name);
    if (!t) throw new AppError('not_found', `Cannot find terminal ${name}: no such terminal`);
    return t;
  }

  create(opts: CreateTerminalOptions = {}): Terminal {
    if (this.disposed) throw new AppError('unavailable', 'Cannot create a terminal: the server is shutting down');
    if (opts.name !== undefined && !NAME.test(opts.name)) throw new AppError('bad_request', `Cannot create terminal ${JSON.stringify(opts.name)}: a name is letters, digits and "_"`);
    if (opts.name !== undefined && this.terminals.has(opts.name)) throw new AppError('conflict', `Cannot create terminal ${opts.name}: a terminal with that name exists`);
    const name = opts.name ?? this.nextName();
    const cwd = this.resolveCwd(opts.cwd);
    const env = { TERM: 'xterm-256color', ...this.options.env };
    const [file, ...args] = this.options.shell;
    let pty;
    try {
      pty = spawnPty(file!, args, { name: env.TERM, cols: 80, rows: 24, cwd, env });
    } catch (err) {
      throw new AppError('unavailable', `Cannot start terminal: ${file} failed to start (${(err as Error).message})`, { cause: err });
    }
    const terminal = new Terminal({ name, pty, scrollbackChars: this.options.scrollbackChars ?? 100_000, logger: this.logger, now: this.now });
    this.terminals.set(name, terminal);
    terminal.onDidExit(() => {
      if (this.terminals.get(name) === terminal) this.terminals.delete(name);
    });
    this.logger.info({ terminal: name, pid: pty.pid, cwd }, 'terminal started');
    return terminal;
  }

  /** Delete a terminal: its whole session gets SIGHUP, then SIGKILL. */
  async terminate(name: string): Promise<void> {
    const t = this.get(name);
    this.terminals.delete(name);
    await t.terminate(this.options.killGraceMs ?? 1000);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      const all = [...this.terminals.values()];
      this.terminals.clear();
      if (all.length) this.logger.info({ terminals: all.length }, 'shutting down terminals');
      await Promise.all(all.map((t) => t.terminate(this.options.killGraceMs ?? 1000)));
    })();
    return this.disposed;
  }

  private nextName(): string {
    for (let n = 1; ; n++) if (!this.terminals.has(String(n))) return String(n);
  }

  private resolveCwd(cwd: string | undefined): string {
    if (cwd === undefined || cwd === '' || cwd === '/') return this.realRoot;
    if (cwd.includes('\0')) throw new AppError('bad_request', 'Cannot open a terminal there: the folder name contains a NUL byte');
    let target = isAbsolute(cwd) ? cwd : resolve(this.realRoot, cwd);
    try {
      target = realpathSync(target);
    } catch {
      return this.realRoot; // jupyter_server opens the root when the folder does not exist
    }
    const rel = relative(this.realRoot, target);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new AppError('bad_request', `Cannot open a terminal in ${cwd}: it is outside the workspace root`);
    }
    try {
      if (!statSync(target).isDirectory()) return this.realRoot;
    } catch {
      return this.realRoot;
    }
    return target;
  }
}
