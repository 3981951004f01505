/**
 * One terminal: a shell on a pseudo-terminal (node-pty), any number of
 * attached clients that all receive its output, and a bounded scrollback
 * a (re)connecting client gets first, as terminado's `read_buffer`.
 * The pty takes the smallest size any client asked for (terminado
 * `resize_to_smallest`), so no client sees wrapped garbage.
 */
import type { IPty } from 'node-pty';
import { DisposableLike, Emitter, Logger, toDisposable } from '@workbench/core';
import type { ServerMessage } from './protocol';
import { sessionEnded, sessionMembers, signalSession } from './process-session';

export interface TerminalModel {
  name: string;
  last_activity: string;
}

/** A connected client; `send` returns false when the client is gone or cannot keep up. */
export interface TerminalClient {
  send(msg: ServerMessage): boolean;
  close(code: number, reason: string): void;
}

export interface TerminalAttachment extends DisposableLike {
  write(data: string): void;
  setSize(rows: number, cols: number): void;
}

export interface TerminalOptions {
  name: string;
  pty: IPty;
  scrollbackChars: number;
  logger: Logger;
  now: () => number;
}

export class Terminal {
  readonly name: string;
  private readonly pty: IPty;
  private readonly clients = new Map<TerminalClient, { rows?: number; cols?: number }>();
  private scrollback: string[] = [];
  private scrollbackChars = 0;
  private lastActivityMs: number;
  private exitInfo: { exitCode: number; signal?: number } | undefined;
  private readonly exitEmitter = new Emitter<{ exitCode: number; signal?: number }>();
  /** Fires once when the shell has ended (and been reaped). */
  readonly onDidExit = this.exitEmitter.event;
  readonly exited: Promise<void>;

  constructor(private readonly options: TerminalOptions) {
    this.name = options.name;
    this.pty = options.pty;
    this.lastActivityMs = options.now();
    let resolveExited!: () => void;
    this.exited = new Promise((r) => (resolveExited = r));
    this.pty.onData((data) => this.output(data));
    this.pty.onExit((e) => {
      this.exitInfo = e;
      options.logger.info({ terminal: this.name, exit_code: e.exitCode, signal: e.signal }, 'terminal ended');
      for (const client of [...this.clients.keys()]) {
        client.send(['disconnect', 1]);
        client.close(1000, 'terminal ended');
      }
      this.clients.clear();
      this.exitEmitter.fire(e);
      this.exitEmitter.dispose();
      resolveExited();
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  get isRunning(): boolean {
    return this.exitInfo === undefined;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  model(): TerminalModel {
    return { name: this.name, last_activity: new Date(this.lastActivityMs).toISOString() };
  }

  /** Connect a client: it gets "setup", then the scrollback, then live output. */
  attach(client: TerminalClient): TerminalAttachment {
    if (!this.isRunning) {
      client.send(['disconnect', 1]);
      client.close(1000, 'terminal ended');
      return { write() {}, setSize() {}, [Symbol.dispose]() {} };
    }
    this.clients.set(client, {});
    client.send(['setup', {}]);
    if (this.scrollbackChars > 0) client.send(['stdout', this.scrollback.join('')]);
    this.touch();
    const detach = toDisposable(() => {
      if (this.clients.delete(client)) this.resizeToSmallest();
    });
    return {
      write: (data: string) => {
        if (!this.isRunning || !this.clients.has(client)) return;
        this.touch();
        this.pty.write(data);
      },
      setSize: (rows: number, cols: number) => {
        const size = this.clients.get(client);
        if (!size) return;
        size.rows = rows;
        size.cols = cols;
        this.resizeToSmallest();
      },
      [Symbol.dispose]: () => detach[Symbol.dispose](),
    };
  }

  /**
   * End the terminal: SIGHUP to its whole session (what closing a terminal
   * window does), then SIGKILL to whatever is left after `graceMs`.
   * Resolves once the shell has been reaped and nothing of its session is
   * left alive.
   */
  async terminate(graceMs: number): Promise<void> {
    const sid = this.pty.pid;
    if (this.isRunning) {
      signalSession(sid, 'SIGHUP');
      signalSession(sid, 'SIGCONT'); // stopped jobs must run to see the hangup
      const timer = setTimeout(() => signalSession(sid, 'SIGKILL'), graceMs);
      try {
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    // Jobs that ignored the hangup (nohup, trap) die with the terminal they belong to.
    if (sessionMembers(sid).length > 0) {
      signalSession(sid, 'SIGKILL');
      if (!(await sessionEnded(sid, 2000))) this.options.logger.warn({ terminal: this.name, session: sid }, 'processes of a deleted terminal are still alive');
    }
  }

  private output(data: string): void {
    this.touch();
    this.scrollback.push(data);
    this.scrollbackChars += data.length;
    const max = this.options.scrollbackChars;
    while (this.scrollbackChars > max && this.scrollback.length > 0) {
      const first = this.scrollback[0]!;
      const excess = this.scrollbackChars - max;
      if (first.length <= excess) {
        this.scrollback.shift();
        this.scrollbackChars -= first.length;
      } else {
        this.scrollback[0] = first.slice(excess);
        this.scrollbackChars -= excess;
      }
    }
    for (const client of [...this.clients.keys()]) {
      if (!client.send(['stdout', data])) this.clients.delete(client);
    }
  }

  private resizeToSmallest(): void {
    let rows = Infinity;
    let cols = Infinity;
    for (const s of this.clients.values()) {
      if (s.rows !== undefined && s.cols !== undefined) {
        rows = Math.min(rows, s.rows);
        cols = Math.min(cols, s.cols);
      }
    }
    if (!this.isRunning || rows === Infinity || (rows === this.pty.rows && cols === this.pty.cols)) return;
    try {
      this.pty.resize(cols, rows);
    } catch (err) {
      this.options.logger.warn({ terminal: this.name, err: String(err) }, 'could not resize terminal');
    }
  }

  private touch(): void {
    this.lastActivityMs = this.options.now();
  }
}
