/**
 * What a SQL cell of the SQL kernel (kernels/sql/README.md) defines and
 * reads: tables and views (created, changed, dropped, read), notebook
 * parameters (`%params`, `$name` / `:name`) and checks (`%%expect`,
 * `%expect_summary`). The cell is read with the kernel's own `parseCell`,
 * then each statement with libpg-query (pg-tables.ts); a warehouse
 * statement PostgreSQL cannot parse (DuckDB's `FROM 'file.parquet'`,
 * `CREATE TABLE t AS FROM s`, ...) falls back to DuckDB's own parser
 * through the catalog's LineageParser. A statement neither reads is noted
 * in `errors`; the cell's other statements still count.
 *
 * SQL found in Python cells (python-analyzer.ts) goes through
 * `analyzeEmbedded`.
 */
import { LineageParser, type StatementLineage } from '@workbench/catalog';
import { AppError, describeError, isAppError } from '@workbench/core';
import { parseCell, splitStatements } from '@workbench/sql-kernel/magics';
import { checkName, NameCollector, paramName, tableName, WAREHOUSE, type TableParts } from './names';
import { pgTables, type TableOp } from './pg-tables';
import type { NameAnalysis } from './types';

/** A model of a `%build_models` folder: its name and SQL as written (with `ref('x')`). */
export interface ModelSource {
  name: string;
  sql: string;
}

/**
 * Reads a `%build_models` folder; injected, as this package reads no files
 * (model-reader.ts reads through the Contents API). `folder` is the
 * folder's workspace path ('' for the root, `/`-separated, no `.` or `..`):
 * the analyzer resolves what the cell names against the notebook's
 * directory and never asks for a folder outside the workspace. Failures
 * are AppErrors; their message lands in the cell's `errors`.
 */
export type ReadModels = (folder: string, signal?: AbortSignal) => Promise<ModelSource[]>;

export interface SqlAnalyzerOptions {
  readModels?: ReadModels;
}

/** What carries over from cell to cell: `%connect` switches the session's connection; `%expect_summary` reads the checks before it. */
export interface SqlSession {
  connection: string;
  checks: string[];
  /** The notebook's directory (workspace path, '' for the root), against which `%build_models` folders resolve; unknown: not read. */
  notebookDir?: string;
}

/** A session for the cells of the notebook at `notebookPath` (its workspace path, when known). */
export const newSqlSession = (notebookPath?: string): SqlSession => ({
  connection: WAREHOUSE,
  checks: [],
  ...(notebookPath !== undefined ? { notebookDir: notebookPath.split('/').filter((p) => p !== '' && p !== '.').slice(0, -1).join('/') } : {}),
});

/** `folder` (as a cell names it) inside the notebook's directory `dir`, as a workspace path; undefined when it leaves the workspace. */
export function resolveModelFolder(dir: string, folder: string): string | undefined {
  const out: string[] = [];
  for (const p of [...dir.split('/'), ...folder.split('/')]) {
    if (p === '' || p === '.') continue;
    if (p !== '..') out.push(p);
    else if (out.pop() === undefined) return undefined;
  }
  return out.join('/');
}

const NAME_PART = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const QUALIFIED = String.raw`(${NAME_PART}(?:\s*\.\s*${NAME_PART}){0,2})`;
const CREATE_SHAPE = new RegExp(String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|persistent)\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?${QUALIFIED}`, 'i');
const DROP_SHAPE = new RegExp(String.raw`^drop\s+(?:table|view)\s+(?:if\s+exists\s+)?${QUALIFIED}`, 'i');
const READ_SHAPE = new RegExp(String.raw`^(?:summarize|describe|show)\s+(?:table\s+)?${QUALIFIED}\s*$`, 'i');
/** DuckDB statements that touch no table. */
const NO_TABLES = /^(?:install|load|force\s+install|set|reset|pragma|attach|detach|use|checkpoint|begin|commit|rollback|start\s+transaction|end|call|export|import|create\s+(?:or\s+replace\s+)?(?:temp\s+|temporary\s+)?(?:secret|macro|function|schema|sequence|type))\b/i;
const REF = /\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}|(?<![\w.])ref\(\s*['"]([^'"]+)['"]\s*\)/g;
const JINJA = /\{\{[^}]*\}\}/g;
const MODEL_REF = '__workbench_model_ref__';

function splitQualified(text: string): TableParts {
  const parts = text.match(new RegExp(NAME_PART, 'g'))!.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p));
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return { name };
  if (parts.length === 2) return { schema: parts[0]!, name };
  return { catalog: parts[0]!, schema: parts[1]!, name };
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

function lineageOps(st: StatementLineage): TableOp[] {
  const ops: TableOp[] = st.reads.map((table) => ({ op: 'read', table }));
  if (st.target) ops.push({ op: st.kind === 'create_table_as' || st.kind === 'create_view' ? 'create' : 'mutate', table: st.target });
  return ops;
}

export class SqlAnalyzer implements AsyncDisposable {
  private lineage: LineageParser | undefined;
  private disposed = false;

  constructor(private readonly options: SqlAnalyzerOptions = {}) {}

  /** One SQL-kernel cell; `session` is updated (`%connect`, checks). Never throws for bad SQL: that is in `errors`. */
  async analyzeCell(source: string, session: SqlSession, signal?: AbortSignal): Promise<NameAnalysis> {
    const c = new NameCollector();
    const trimmed = source.trimStart();
    if (trimmed.startsWith('%params')) {
      this.params(trimmed.slice('%params'.length), c);
      return c.result();
    }
    if (/^%expect_summary(?:\s|$)/.test(trimmed)) {
      for (const check of session.checks) c.use(check);
      return c.result();
    }
    if (/^%build_models(?:\s|$)/.test(trimmed)) {
      await this.models(trimmed, session, c, signal);
      return c.result();
    }
    let parsed: ReturnType<typeof parseCell>;
    try {
      parsed = parseCell(source);
    } catch (err) {
      if (!isAppError(err)) throw err;
      c.note(err.message);
      return c.result();
    }
    if (parsed.connect) session.connection = parsed.connect;
    const connection = parsed.connection ?? session.connection;
    for (const [i, st] of parsed.statements.entries()) {
      for (const p of st.parameters) c.use(paramName(p));
      await this.statement(st.sql, connection, c, `statement ${i + 1} (line ${lineOf(source, st.start)})`, signal);
    }
    // `%%sql -> name` keeps the last result in the warehouse, whatever connection ran it.
    if (parsed.keepAs) c.define(tableName(splitQualified(parsed.keepAs), WAREHOUSE));
    if (parsed.expect) {
      const check = checkName(parsed.expect.name);
      c.define(check);
      if (!session.checks.includes(check)) session.checks.push(check);
    }
    return c.result();
  }

  /**
   * SQL held in another language's cell (a Python string passed to DuckDB):
   * its table operations go into `into`. `pythonScan`: DuckDB in Python also
   * resolves an unqualified table name to a Python variable of that name (a
   * replacement scan of a DataFrame), so such a read is also reported as
   * the plain name, in `alsoVariables`.
   */
  async analyzeEmbedded(sql: string, connection: string, into: NameCollector, label: string, options: { signal?: AbortSignal; alsoVariables?: Set<string> } = {}): Promise<void> {
    const statements = splitStatements(sql);
    for (const [i, st] of statements.entries()) {
      const where = statements.length > 1 ? `${label}, statement ${i + 1}` : label;
      await this.statement(st.text, connection, into, where, options.signal, (t) => {
        if (options.alsoVariables && !t.schema && !t.catalog) options.alsoVariables.add(t.name);
      });
    }
  }

  private params(json: string, c: NameCollector): void {
    let value: unknown;
    try {
      value = JSON.parse(json.trim() || '{}');
    } catch (err) {
      c.note(`Cannot read %params: ${describeError(err)}`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      c.note('Cannot read %params: it must be a JSON object');
      return;
    }
    for (const key of Object.keys(value)) c.define(paramName(key));
  }

  /**
   * `%build_models FOLDER [schema=NAME]`: defines each model's table; reads
   * what the models read outside the folder. The folder is relative to the
   * notebook's directory, as the kernel (started there) reads it.
   */
  private async models(line: string, session: SqlSession, c: NameCollector, signal?: AbortSignal): Promise<void> {
    const words = line.trim().split(/\s+/).slice(1);
    const folder = words.find((w) => !w.startsWith('schema='));
    const schema = words.find((w) => w.startsWith('schema='))?.slice('schema='.length) || 'main';
    if (!folder || words.length > 2) {
      c.note('Cannot analyse %build_models: it takes a folder and an optional schema=NAME');
      return;
    }
    if (!this.options.readModels) {
      c.note(`Cannot analyse %build_models ${folder}: the model folder is not read here`);
      return;
    }
    if (session.notebookDir === undefined) {
      c.note(`Cannot analyse %build_models ${folder}: the notebook's path is not known, and the folder is relative to it`);
      return;
    }
    if (folder.startsWith('/') || folder.startsWith('\\')) {
      c.note(`Cannot analyse %build_models ${folder}: only a folder relative to the notebook is read`);
      return;
    }
    const path = resolveModelFolder(session.notebookDir, folder);
    if (path === undefined) {
      c.note(`Cannot analyse %build_models ${folder}: the folder is outside the workspace`);
      return;
    }
    let models: ModelSource[];
    try {
      models = await this.options.readModels(path, signal);
    } catch (err) {
      if (signal?.aborted || !isAppError(err) || err.code === 'timeout') throw err;
      c.note(`Cannot analyse %build_models ${folder}: ${err.message}`);
      return;
    }
    const reads = new NameCollector();
    for (const m of models) {
      const sql = m.sql.replace(REF, MODEL_REF).replace(JINJA, '');
      await this.analyzeEmbedded(sql, WAREHOUSE, reads, `model ${m.name}`, { signal });
    }
    const r = reads.result();
    for (const name of r.reads) if (name !== tableName({ name: MODEL_REF }, WAREHOUSE)) c.use(name);
    if (r.errors) for (const e of r.errors.split('\n')) c.note(e);
    for (const m of models) c.define(tableName({ schema, name: m.name }, WAREHOUSE));
  }

  private async statement(sql: string, connection: string, c: NameCollector, label: string, signal?: AbortSignal, onRead?: (t: TableParts) => void): Promise<void> {
    if (this.disposed) throw new AppError('unavailable', 'Cannot analyse SQL: the analyzer is closed');
    const ops = await this.opsOf(sql, connection, c, label, signal);
    // Reads before writes within a statement: `CREATE OR REPLACE TABLE t AS SELECT * FROM t` reads the old t.
    for (const o of ops) {
      const name = tableName(o.table, connection);
      if (o.op === 'read') {
        c.use(name);
        onRead?.(o.table);
      } else if (o.op === 'mutate') c.mutate(name);
      else c.define(name);
    }
  }

  private async opsOf(sql: string, connection: string, c: NameCollector, label: string, signal?: AbortSignal): Promise<TableOp[]> {
    const pg = await pgTables(sql);
    if (pg.ok) return pg.ops;
    if (connection !== WAREHOUSE) {
      c.note(`Cannot analyse ${label}: ${pg.error}`);
      return [];
    }
    // DuckDB syntax PostgreSQL does not know: DuckDB's own parser.
    signal?.throwIfAborted();
    this.lineage ??= new LineageParser();
    let result;
    try {
      // No default schema: an unqualified name stays unqualified (tableName treats it as `main`).
      result = await this.lineage.lineageOf(sql, 'duckdb', { defaultSchema: '', signal });
    } catch (err) {
      if (signal?.aborted || !(err instanceof Error)) throw err;
      c.note(`Cannot analyse ${label}: ${describeError(err)}`);
      return [];
    }
    if (result.status === 'unparsed') {
      c.note(`Cannot analyse ${label}: ${result.error}`);
      return [];
    }
    const ops: TableOp[] = [];
    for (const st of result.statements) {
      if (st.kind !== 'other') {
        ops.push(...lineageOps(st));
        continue;
      }
      const text = st.sql.trim();
      const m = CREATE_SHAPE.exec(text) ?? DROP_SHAPE.exec(text) ?? READ_SHAPE.exec(text);
      if (m) ops.push({ op: CREATE_SHAPE.test(text) ? 'create' : DROP_SHAPE.test(text) ? 'drop' : 'read', table: splitQualified(m[1]!) });
      else if (!NO_TABLES.test(text)) c.note(`Cannot analyse ${label}: the tables of this DuckDB statement are not followed`);
    }
    return ops;
  }

  /** Closes the DuckDB instance of the fallback parser; idempotent. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    const lineage = this.lineage;
    this.lineage = undefined;
    await lineage?.[Symbol.asyncDispose]();
  }
}
