/**
 * A notebook's cells in, each cell's defined and read names out (issue 17,
 * PRD NB-006). `DependencyAnalyzer` owns what is worth keeping between
 * calls (the python3 child, the DuckDB instance of the SQL fallback, the
 * parsed TypeScript library); `analyzeNotebook` makes one for a single
 * call when none is given.
 *
 * Per cell, nothing throws for the cell's content: code that does not
 * parse, a source over the size limit, a missing or dead python3 all land
 * in that cell's `errors`. Only an abort (or a bug) rejects the call.
 */
import { abortError, AppError, isAppError } from '@workbench/core';
import { buildGraph, type DependencyGraph } from './graph';
import { hashSource } from './metadata';
import { NameCollector, tableName, WAREHOUSE, type TableParts } from './names';
import { PythonAnalyzer, type PythonAnalyzerOptions, type PythonCellResult } from './python-analyzer';
import { newSqlSession, SqlAnalyzer, type ReadModels } from './sql-analyzer';
import type { AnalyzeRequest } from './request';
import type { CellAnalysis, NameAnalysis, NotebookCellSource } from './types';
import { TypeScriptAnalyzer } from './typescript-analyzer';

/** Default cap on a cell's source (UTF-8 bytes): bigger cells are not analysed. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export interface DependencyAnalyzerOptions {
  python?: PythonAnalyzerOptions;
  /** Reads a `%build_models` folder (its workspace path; see `contentsModelReader`); without it such a cell says so in `errors`. */
  readModels?: ReadModels;
  /** Per-cell cap on the source size in UTF-8 bytes (default 1 MiB). */
  maxSourceBytes?: number;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  /** The notebook's workspace path: `%build_models` folders are read relative to its directory (without it, they are not read). */
  path?: string;
}

/** The answer of `POST /api/dependencies/analyze`. */
export interface AnalyzeResponse {
  cells: CellAnalysis[];
  graph: DependencyGraph;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export class DependencyAnalyzer implements AsyncDisposable {
  private readonly python: PythonAnalyzer;
  private readonly sql: SqlAnalyzer;
  private readonly typescript = new TypeScriptAnalyzer();
  private readonly maxSourceBytes: number;
  private disposed: Promise<void> | undefined;

  constructor(options: DependencyAnalyzerOptions = {}) {
    this.python = new PythonAnalyzer(options.python);
    this.sql = new SqlAnalyzer({ readModels: options.readModels });
    this.maxSourceBytes = options.maxSourceBytes ?? MAX_SOURCE_BYTES;
  }

  /** The names of every cell, in the order given (the notebook's). */
  async analyzeNotebook(cells: readonly NotebookCellSource[], options: AnalyzeOptions = {}): Promise<CellAnalysis[]> {
    if (this.disposed) throw new AppError('unavailable', 'Cannot analyse the notebook: the dependency analyzer is closed');
    const { signal } = options;
    const results: (NameAnalysis | undefined)[] = cells.map((c) => this.tooBig(c.source));
    const todo = (language: NotebookCellSource['language']) => cells.flatMap((c, i) => (c.language === language && !results[i] ? [i] : []));

    const ts = todo('typescript');
    this.typescript.analyze(ts.map((i) => cells[i]!.source)).forEach((r, k) => (results[ts[k]!] = r));

    const sqlCells = async () => {
      const session = newSqlSession(options.path);
      for (const i of todo('sql')) {
        if (signal?.aborted) throw abortError(signal, 'analyse the notebook');
        results[i] = await this.sql.analyzeCell(cells[i]!.source, session, signal);
      }
    };
    const pythonCells = async () => {
      const aliases: Record<string, string | null> = {};
      const builtins = new Map<number, string[]>();
      for (const i of todo('python')) {
        if (signal?.aborted) throw abortError(signal, 'analyse the notebook');
        results[i] = await this.pythonCell(cells[i]!.source, aliases, signal, (names) => builtins.set(i, names));
      }
      // A builtin name some cell rebinds (`id = 3`, `input = ...`) is a name of the notebook after all.
      const rebound = new Set([...builtins.keys()].flatMap((i) => results[i]!.defines));
      for (const [i, names] of builtins) {
        const r = results[i]!;
        const extra = names.filter((n) => rebound.has(n) && !r.reads.includes(n));
        if (extra.length) results[i] = { ...r, reads: [...r.reads, ...extra].sort() };
      }
    };
    await Promise.all([sqlCells(), pythonCells()]);
    return Promise.all(cells.map(async (c, i) => ({ id: c.id, sourceHash: await hashSource(c.source), ...results[i]! })));
  }

  /** A checked request (request.ts): every cell's names, and the graph over them and the runs the request gives. */
  async analyze(request: AnalyzeRequest, options: AnalyzeOptions = {}): Promise<AnalyzeResponse> {
    const cells = await this.analyzeNotebook(request.cells, { ...options, ...(request.path !== undefined ? { path: request.path } : {}) });
    const graph = buildGraph(
      request.cells.map((c, i) => ({ id: c.id, language: c.language, sourceHash: cells[i]!.sourceHash, analysis: cells[i]!, ...(c.execution ? { execution: c.execution } : {}) })),
      request.kernelSession !== undefined ? { kernelSession: request.kernelSession } : {},
    );
    return { cells, graph };
  }

  private tooBig(source: string): NameAnalysis | undefined {
    const bytes = Buffer.byteLength(source, 'utf8');
    if (bytes <= this.maxSourceBytes) return undefined;
    return { defines: [], reads: [], errors: `Cannot analyse the cell: its source is ${megabytes(bytes)}, over the ${megabytes(this.maxSourceBytes)} limit` };
  }

  private async pythonCell(source: string, aliases: Record<string, string | null>, signal: AbortSignal | undefined, onBuiltins: (names: string[]) => void): Promise<NameAnalysis> {
    let r: PythonCellResult;
    try {
      r = await this.python.analyze(source, { aliases, signal });
    } catch (err) {
      if (signal?.aborted || !isAppError(err)) throw err;
      return { defines: [], reads: [], errors: err.message };
    }
    Object.assign(aliases, r.aliases);
    onBuiltins(r.builtins);
    // Tables, in the order the calls appear; a table the cell created and then reads is its own.
    const tables = new NameCollector();
    const variables = new Set<string>();
    const calls = [...r.sql.map((s) => ({ line: s.line, sql: s })), ...r.tables.map((t) => ({ line: t.line, table: t }))].sort((a, b) => a.line - b.line);
    for (const call of calls) {
      if ('sql' in call && call.sql) {
        const s = call.sql;
        await this.sql.analyzeEmbedded(s.sql, s.connection, tables, `the SQL at line ${s.line}`, { signal, ...(s.scan ? { alsoVariables: variables } : {}) });
      } else if ('table' in call && call.table) {
        const t = call.table;
        const parts: TableParts = { ...(t.schema !== null ? { schema: t.schema } : {}), name: t.name };
        if (t.op === 'read') tables.use(tableName(parts, t.connection));
        else tables.define(tableName(parts, t.connection));
      }
    }
    const t = tables.result();
    const defines = new Set([...r.defines, ...t.defines]);
    // DuckDB resolves an unqualified name it has no table for to the Python variable of that name (a
    // replacement scan): a name the cell assigns is taken for its DataFrame, any other one may be either.
    const own = [...variables].filter((v) => r.defines.includes(v));
    const tableReads = t.reads.filter((name) => !own.some((v) => name === tableName({ name: v }, WAREHOUSE)));
    const reads = new Set([...r.reads, ...tableReads, ...[...variables].filter((v) => !defines.has(v) && /^[A-Za-z_]\w*$/.test(v))]);
    const errors = [...r.notes, ...(t.errors ? [t.errors] : [])];
    return { defines: [...defines].sort(), reads: [...reads].sort(), ...(errors.length ? { errors: errors.join('\n') } : {}) };
  }

  /** Stops the python3 child and closes the DuckDB instance; idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      const results = await Promise.allSettled([this.python[Symbol.asyncDispose](), this.sql[Symbol.asyncDispose]()]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) throw new AggregateError(failed.map((f) => f.reason), `Cannot close the dependency analyzer: ${plural(failed.length, 'part')} failed`);
    })();
    return this.disposed;
  }
}

/**
 * The names each cell defines and reads. With `analyzer`, that one is used
 * (and stays open); without, one is made for this call and closed after.
 */
export async function analyzeNotebook(cells: readonly NotebookCellSource[], options: AnalyzeOptions & DependencyAnalyzerOptions & { analyzer?: DependencyAnalyzer } = {}): Promise<CellAnalysis[]> {
  if (options.analyzer) return options.analyzer.analyzeNotebook(cells, options);
  const analyzer = new DependencyAnalyzer(options);
  try {
    return await analyzer.analyzeNotebook(cells, options);
  } finally {
    await analyzer[Symbol.asyncDispose]();
  }
}
