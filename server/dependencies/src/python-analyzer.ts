/**
 * The names a Python cell defines and reads, by Python's own parser (`ast`)
 * in a long-lived `/usr/bin/python3` child answering JSON lines
 * (python-script.ts holds the script and the line format). One request at a
 * time; each has a timeout, after which the child is killed (a parse cannot
 * be interrupted) and the next request starts a fresh one. A child that
 * dies mid-request fails that request only.
 *
 * Failures are AppErrors the caller turns into the cell's `errors`:
 * `bad_request` for code that does not parse, `unavailable` when python3 is
 * missing or died, `timeout`.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { abortError, AppError, deferred, type Deferred } from '@workbench/core';
import { PYTHON_ANALYZER_SCRIPT } from './python-script';

/** SQL the cell hands to DuckDB, pandas or a Workbench connection, as a string literal. */
export interface PythonSql {
  sql: string;
  /** 'warehouse' for DuckDB (and anything taken for it), else the Workbench connection's name. */
  connection: string;
  line: number;
  /** DuckDB may resolve an unqualified table name to a Python variable (a replacement scan). */
  scan: boolean;
}

/** A table named in a call (`duckdb.table("t")`, `conn.load(path, "t")`). */
export interface PythonTable {
  name: string;
  schema: string | null;
  connection: string;
  op: 'read' | 'create';
  line: number;
}

export interface PythonCellResult {
  defines: string[];
  reads: string[];
  /** Builtin (and IPython) names the cell uses: reads only when a cell of the notebook rebinds them (`id = 3`). */
  builtins: string[];
  sql: PythonSql[];
  tables: PythonTable[];
  /** Module-level names this cell binds to duckdb/pandas/workbench or a connection (null: no longer one); pass them on to later cells. */
  aliases: Record<string, string | null>;
  /** What could not be followed (SQL built at run time, `import *`). */
  notes: string[];
}

export type SpawnPython = (command: string, args: string[]) => ChildProcess;

export interface PythonAnalyzerOptions {
  /** Default: Debian's /usr/bin/python3. */
  python?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** How the child is started (tests start a failing one). */
  spawn?: SpawnPython;
}

interface Child {
  proc: ChildProcess;
  buffer: string;
  stderr: string;
  pending: { id: number; answer: Deferred<Record<string, unknown>> } | undefined;
  exited: Promise<void>;
  gone: boolean;
}

const MAX_STDERR = 4000;

export class PythonAnalyzer implements AsyncDisposable {
  private child: Child | undefined;
  /** Every child not yet reaped, the killed ones included: dispose waits for them all. */
  private readonly children = new Set<Child>();
  private nextId = 1;
  private lane: Promise<unknown> = Promise.resolve();
  private disposed: Promise<void> | undefined;
  private readonly python: string;
  private readonly timeoutMs: number;
  private readonly spawn: SpawnPython;

  constructor(options: PythonAnalyzerOptions = {}) {
    this.python = options.python ?? '/usr/bin/python3';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.spawn = options.spawn ?? ((command, args) => nodeSpawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' } }));
  }

  /** The running child's pid, if any. */
  get pid(): number | undefined {
    return this.child && !this.child.gone ? this.child.proc.pid : undefined;
  }

  /** Analyse one cell. `aliases`: those of the cells above (see PythonCellResult); `timeoutMs` overrides the analyzer's. */
  analyze(source: string, options: { aliases?: Record<string, string | null>; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PythonCellResult> {
    if (this.disposed) return Promise.reject(new AppError('unavailable', 'Cannot analyse the Python cell: the analyzer is closed'));
    const run = this.lane.then(() => this.request(source, options.aliases ?? {}, options.signal, options.timeoutMs ?? this.timeoutMs));
    this.lane = run.catch(() => undefined);
    return run;
  }

  private start(): Child {
    const proc = this.spawn(this.python, ['-I', '-c', PYTHON_ANALYZER_SCRIPT]);
    const child: Child = { proc, buffer: '', stderr: '', pending: undefined, exited: undefined as unknown as Promise<void>, gone: false };
    const fail = (err: AppError) => {
      child.gone = true;
      if (this.child === child) this.child = undefined;
      child.pending?.answer.reject(err);
      child.pending = undefined;
    };
    child.exited = new Promise<void>((resolve) => {
      proc.once('error', (err: NodeJS.ErrnoException) => {
        fail(
          err.code === 'ENOENT'
            ? new AppError('unavailable', `Cannot analyse the Python cell: ${this.python} is missing (install Debian's python3)`, { cause: err })
            : new AppError('unavailable', `Cannot analyse the Python cell: cannot start ${this.python}: ${err.message}`, { cause: err }),
        );
        resolve();
      });
      proc.once('exit', (code, signal) => {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = child.stderr.trim().split('\n').slice(-1)[0];
        fail(new AppError('unavailable', `Cannot analyse the Python cell: the python3 parser ${why}${tail ? `: ${tail}` : ''}`));
      });
      proc.once('close', () => resolve());
    });
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    // Writes to a child that died fail with EPIPE: the exit handler reports it.
    proc.stdin?.on('error', () => undefined);
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      child.buffer += chunk;
      let nl: number;
      while ((nl = child.buffer.indexOf('\n')) >= 0) {
        const line = child.buffer.slice(0, nl);
        child.buffer = child.buffer.slice(nl + 1);
        this.onLine(child, line);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      child.stderr = (child.stderr + chunk).slice(-MAX_STDERR);
    });
    return child;
  }

  private onLine(child: Child, line: string): void {
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (child.pending && answer.id === child.pending.id) {
      const p = child.pending;
      child.pending = undefined;
      p.answer.resolve(answer);
    }
  }

  private kill(child: Child): void {
    child.gone = true;
    if (this.child === child) this.child = undefined;
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  }

  private async request(source: string, aliases: Record<string, string | null>, signal: AbortSignal | undefined, timeoutMs: number): Promise<PythonCellResult> {
    if (signal?.aborted) throw abortError(signal, 'analyse the Python cell');
    if (this.disposed) throw new AppError('unavailable', 'Cannot analyse the Python cell: the analyzer is closed');
    const child = (this.child ??= this.start());
    const id = this.nextId++;
    const answer = deferred<Record<string, unknown>>();
    child.pending = { id, answer };
    const timer = setTimeout(() => {
      answer.reject(new AppError('timeout', `Cannot analyse the Python cell: the parser took longer than ${timeoutMs} ms`));
      this.kill(child);
    }, timeoutMs);
    const onAbort = () => {
      answer.reject(abortError(signal!, 'analyse the Python cell'));
      this.kill(child);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      child.proc.stdin?.write(`${JSON.stringify({ id, source, aliases })}\n`);
      const a = await answer.promise;
      if (typeof a.error === 'string') throw new AppError('bad_request', a.error);
      return toResult(a);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (child.pending?.id === id) child.pending = undefined;
    }
  }

  /** Kills the child and waits until every child it started is gone; idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      await this.lane;
      for (const child of this.children) this.kill(child);
      await Promise.all([...this.children].map((c) => c.exited));
    })();
    return this.disposed;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The child's answer, checked (it is another process's output). */
function toResult(a: Record<string, unknown>): PythonCellResult {
  const sql = (Array.isArray(a.sql) ? a.sql : []).flatMap((s: Record<string, unknown>) =>
    typeof s?.sql === 'string' && typeof s.connection === 'string' ? [{ sql: s.sql, connection: s.connection, line: Number(s.line) || 0, scan: s.scan === true }] : [],
  );
  const tables = (Array.isArray(a.tables) ? a.tables : []).flatMap((t: Record<string, unknown>): PythonTable[] =>
    typeof t?.name === 'string' && typeof t.connection === 'string' && (t.op === 'read' || t.op === 'create')
      ? [{ name: t.name, schema: typeof t.schema === 'string' ? t.schema : null, connection: t.connection, op: t.op, line: Number(t.line) || 0 }]
      : [],
  );
  const aliases: Record<string, string | null> = {};
  if (typeof a.aliases === 'object' && a.aliases !== null) {
    for (const [k, v] of Object.entries(a.aliases)) if (typeof v === 'string' || v === null) aliases[k] = v;
  }
  return { defines: strings(a.defines), reads: strings(a.reads), builtins: strings(a.builtins), sql, tables, aliases, notes: strings(a.notes) };
}
