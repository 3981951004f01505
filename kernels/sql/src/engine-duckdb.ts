/**
 * DuckDB through @duckdb/node-api: the SQL kernel's built-in warehouse.
 *
 * Results stream chunk by chunk: only the first `maxRows` rows are turned
 * into JS values, the rest are counted, so a 10M-row SELECT costs the
 * kernel 1000 rows of memory. An abort interrupts the connection; DuckDB
 * then fails the running task (or ends the stream early, which is why an
 * aborted signal always wins over whatever the engine returned).
 *
 * Queries run one at a time on the main connection. Catalog lookups use it
 * when it is idle (so they see the session's temp tables and schema) and a
 * second connection while a query runs, so completion never waits on a
 * long query.
 */
import { AppError, type Clock } from '@workbench/core';
import {
  DuckDBInstance,
  DuckDBPendingResult,
  ResultReturnType,
  StatementType,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBResult,
  type DuckDBValue,
} from '@duckdb/node-api';
import { appendRows, quoteQualified, type AppendOptions } from './duckdb-append';
import { toSqlError } from './duckdb-error';
import { toBindValue } from './duckdb-values';
import { splitStatements } from './magics';
import type { ResultColumn, ResultSet } from './render';
import { SerialLane } from './serial-lane';
import { interruptedError, SqlError } from './sql-error';
import { significant, tokenize } from './sql-lexer';

export interface DuckDbEngineOptions {
  /** DuckDB settings for the instance, e.g. `{ threads: '4', memory_limit: '2GB' }`. */
  config?: Readonly<Record<string, string>>;
  /** Rows a query keeps when the call does not say (default 1000). */
  maxRows?: number;
  /** For elapsed times (default `performance`). */
  clock?: Clock;
}

export interface QueryOptions {
  maxRows?: number;
  signal?: AbortSignal;
  /** Called once the (last) statement runs in DuckDB: from then on an abort interrupts it. */
  onStarted?: () => void;
  /**
   * Called at most once, as soon as the result is known to have more than
   * `maxRows` rows, with those rows (`counting: true`), while the rest are
   * still being counted: a big result shows its first rows at once.
   */
  onPreview?: (preview: QueryResult) => void;
}

export interface QueryResult extends ResultSet {
  columns: ResultColumn[];
  rows: unknown[][];
  elapsedMs: number;
}

export interface TableInfo {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  temporary: boolean;
}

export interface CatalogTable extends TableInfo {
  columns: ResultColumn[];
}

/** Everything completion needs, in one snapshot. */
export interface CatalogSnapshot {
  defaultSchema: string;
  schemas: string[];
  tables: CatalogTable[];
}

export type InsertOptions = AppendOptions;

const KEEP_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** A minor GC if the process exposes gc (node --expose-gc); otherwise nothing. */
function collectYoung(): void {
  const gc = (globalThis as { gc?: (opts?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void }).gc;
  gc?.({ type: 'minor', execution: 'sync' });
}

const performanceClock: Clock = { now: () => performance.now() };

export class DuckDbEngine implements AsyncDisposable {
  private readonly main = new SerialLane();
  private readonly side = new SerialLane();
  private readonly maxRows: number;
  private readonly clock: Clock;
  private disposed: Promise<void> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly meta: DuckDBConnection,
    readonly path: string,
    opts: DuckDbEngineOptions,
  ) {
    this.maxRows = opts.maxRows ?? 1000;
    this.clock = opts.clock ?? performanceClock;
  }

  /** Open (or create) a database file, or `:memory:`. */
  static async open(path: string, opts: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(path, { ...opts.config, errors_as_json: 'true' });
      const conn = await instance.connect();
      const meta = await instance.connect();
      return new DuckDbEngine(instance, conn, meta, path, opts);
    } catch (err) {
      instance?.closeSync();
      throw new AppError('unavailable', `Cannot open DuckDB database ${path}: ${toSqlError(err, '').message}`, { cause: err });
    }
  }

  private assertOpen(): void {
    if (this.disposed) throw new AppError('unavailable', 'Cannot use DuckDB engine: it is closed');
  }

  /**
   * Run SQL and return the first `maxRows` rows (default 1000) with the
   * total count. Several statements run in order; the last one's result is
   * returned and takes `params` (`$1..$n`).
   */
  async query(sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    return this.main.run(() => this.execute(this.conn, sql, params, opts), opts.signal);
  }

  /**
   * `%%sql -> name`: CREATE OR REPLACE TABLE name AS (one statement), then a
   * preview of the table as the result.
   */
  async keepAs(name: string, sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    if (!KEEP_NAME.test(name)) {
      throw new SqlError(`Cannot keep the result as ${JSON.stringify(name)}: use a name of letters, digits and _ (optionally schema.name)`, { kind: 'magic' });
    }
    const statements = splitStatements(sql);
    if (statements.length !== 1) throw new SqlError(`Cannot keep the result as ${name}: it takes a single statement, not ${statements.length}`, { kind: 'magic' });
    const { text: body, start: offset } = statements[0]!;
    const prefix = `CREATE OR REPLACE TABLE ${quoteQualified(name)} AS `;
    return this.main.run(async () => {
      const started = this.clock.now();
      try {
        await this.execute(this.conn, prefix + body, params, { ...opts, maxRows: 0 });
      } catch (err) {
        throw err instanceof SqlError ? err.relocate(sql, (p) => offset + Math.max(0, p - prefix.length)) : err;
      }
      const preview = await this.execute(this.conn, `FROM ${quoteQualified(name)}`, [], opts);
      return { ...preview, elapsedMs: this.clock.now() - started };
    }, opts.signal);
  }

  private async execute(conn: DuckDBConnection, sql: string, params: readonly unknown[], opts: QueryOptions): Promise<QueryResult> {
    this.assertOpen(); // a call queued behind dispose
    const started = this.clock.now();
    const maxRows = Math.max(0, opts.maxRows ?? this.maxRows);
    const signal = opts.signal;
    if (signal?.aborted) throw interruptedError(signal);
    const tokens = significant(tokenize(sql));
    if (tokens.length === 0) return { columns: [], rows: [], rowCount: 0, truncated: false, elapsedMs: 0 };
    // One statement: no `;` before its last token.
    const single = !tokens.slice(0, -1).some((t) => t.kind === 'punct' && t.text === ';');
    const onAbort = () => conn.interrupt();
    signal?.addEventListener('abort', onAbort);
    try {
      let prepared: DuckDBPreparedStatement;
      if (single) {
        // One statement (what the kernel sends): prepared in one call to DuckDB, not two.
        prepared = await conn.prepare(sql);
      } else {
        const extracted = await conn.extractStatements(sql);
        for (let i = 0; i < extracted.count - 1; i++) {
          const earlier = await extracted.prepare(i);
          try {
            await this.start(conn, earlier, false, signal);
          } finally {
            earlier.destroySync();
          }
        }
        prepared = await extracted.prepare(extracted.count - 1);
      }
      let result: DuckDBResult;
      try {
        this.bind(prepared, params, sql);
        result = await this.start(conn, prepared, true, signal, opts.onStarted);
      } finally {
        prepared.destroySync();
      }
      return await this.read(result, maxRows, started, signal, opts.onPreview);
    } catch (err) {
      if (signal?.aborted) throw interruptedError(signal);
      throw toSqlError(err, sql);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private bind(prepared: DuckDBPreparedStatement, params: readonly unknown[], sql: string): void {
    if (params.length > prepared.parameterCount) {
      throw new SqlError(`Cannot bind parameters: the statement takes ${prepared.parameterCount}, ${params.length} were given`, { kind: 'parameter', text: sql });
    }
    params.forEach((p, i) => {
      const { value, type } = toBindValue(p);
      prepared.bindValue(i + 1, value, type);
    });
  }

  /**
   * Start a prepared statement as a pending result. Once pending, the query
   * is the connection's active one, so an interrupt from here on sticks (an
   * interrupt before it starts would be reset by DuckDB at query start).
   */
  private async start(conn: DuckDBConnection, prepared: DuckDBPreparedStatement, stream: boolean, signal: AbortSignal | undefined, onStarted?: () => void): Promise<DuckDBResult> {
    const pending: DuckDBPendingResult = stream ? prepared.startStream() : prepared.start();
    const result = pending.getResult();
    onStarted?.();
    if (signal?.aborted) conn.interrupt();
    return result;
  }

  private async read(result: DuckDBResult, maxRows: number, started: number, signal: AbortSignal | undefined, onPreview?: (preview: QueryResult) => void): Promise<QueryResult> {
    if (result.returnType !== ResultReturnType.QUERY_RESULT) {
      let changed = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        if (result.returnType === ResultReturnType.CHANGED_ROWS) changed += Number(chunk.getColumnValues(0).reduce<bigint>((a, v) => a + BigInt(v as number | bigint), 0n));
      }
      if (signal?.aborted) throw interruptedError(signal);
      const command = (StatementType[result.statementType] ?? 'OK').replace(/_/g, ' ');
      return { columns: [], rows: [], rowCount: changed, truncated: false, elapsedMs: this.clock.now() - started, command };
    }
    const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
    const rows: DuckDBValue[][] = [];
    let total = 0;
    let chunks = 0;
    while (!signal?.aborted) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      const need = maxRows - rows.length;
      if (need >= n) rows.push(...chunk.getRows());
      else for (let i = 0; i < need; i++) rows.push(chunk.getRowValues(i));
      total += n;
      if (onPreview && total > rows.length) {
        onPreview({ columns, rows: rows.slice(), rowCount: total, truncated: true, counting: true, elapsedMs: this.clock.now() - started });
        onPreview = undefined;
      }
      // Chunks past the kept rows are only counted, but each holds native memory until V8
      // collects its small wrapper, which it rarely does: a 10M-row count grew the kernel by
      // ~160 MiB. A young-generation GC every few chunks (when the kernel runs with
      // --expose-gc) releases them, keeping memory flat whatever the row count.
      if (++chunks % 16 === 0 && rows.length >= maxRows) collectYoung();
    }
    if (signal?.aborted) throw interruptedError(signal);
    return { columns, rows, rowCount: total, truncated: total > rows.length, elapsedMs: this.clock.now() - started };
  }

  /** Run a catalog query on the main connection when idle, else on the side one; `signal` stops the wait for a turn. */
  private introspect<T>(fn: (conn: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.assertOpen();
    if (this.main.pending === 0) return this.main.run(() => fn(this.conn), signal);
    return this.side.run(() => fn(this.meta), signal);
  }

  private async rows<T>(conn: DuckDBConnection, sql: string, params: Record<string, DuckDBValue> = {}): Promise<T[]> {
    this.assertOpen();
    try {
      const reader = await conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as T[];
    } catch (err) {
      throw toSqlError(err, sql);
    }
  }

  /** Schemas of the current database. */
  async listSchemas(opts: { signal?: AbortSignal } = {}): Promise<string[]> {
    return this.introspect(async (conn) => {
      const r = await this.rows<{ s: string }>(conn, 'SELECT DISTINCT schema_name AS s FROM duckdb_schemas() WHERE database_name = current_database() ORDER BY 1');
      return r.map((x) => x.s);
    }, opts.signal);
  }

  /** Tables and views of the current database (and the session's temp tables), optionally of one schema. */
  async listTables(schema?: string, opts: { signal?: AbortSignal } = {}): Promise<TableInfo[]> {
    return this.introspect(async (conn) => {
      const r = await this.rows<TableInfo>(
        conn,
        `SELECT schema_name AS schema, table_name AS name, 'table' AS kind, temporary FROM duckdb_tables()
           WHERE (database_name = current_database() OR temporary) AND NOT internal AND ($schema::VARCHAR IS NULL OR schema_name = $schema)
         UNION ALL
         SELECT schema_name, view_name, 'view', temporary FROM duckdb_views()
           WHERE (database_name = current_database() OR temporary) AND NOT internal AND ($schema::VARCHAR IS NULL OR schema_name = $schema)
         ORDER BY 1, 2`,
        { schema: schema ?? null },
      );
      return r;
    }, opts.signal);
  }

  /**
   * Columns of a table or view, in order. Without a schema the table is
   * looked up in the current schema first, then in any other.
   */
  async listColumns(table: string, schema?: string, opts: { signal?: AbortSignal } = {}): Promise<ResultColumn[]> {
    return this.introspect(async (conn) => {
      const r = await this.rows<{ schema: string; name: string; type: string; current: boolean }>(
        conn,
        `SELECT schema_name AS schema, column_name AS name, data_type AS type, schema_name = current_schema() AS current FROM duckdb_columns()
           WHERE database_name IN (current_database(), 'temp') AND NOT internal AND table_name = $table AND ($schema::VARCHAR IS NULL OR schema_name = $schema)
           ORDER BY current DESC, schema_name, column_index`,
        { table, schema: schema ?? null },
      );
      const first = r[0]?.schema;
      return r.filter((c) => c.schema === first).map((c) => ({ name: c.name, type: c.type }));
    }, opts.signal);
  }

  /** Schemas, tables and their columns in one go, for completion and inspection. */
  async catalog(opts: { signal?: AbortSignal } = {}): Promise<CatalogSnapshot> {
    return this.introspect(async (conn) => {
      const [cur] = await this.rows<{ s: string }>(conn, 'SELECT current_schema() AS s');
      const schemas = await this.rows<{ s: string }>(conn, 'SELECT DISTINCT schema_name AS s FROM duckdb_schemas() WHERE database_name = current_database() ORDER BY 1');
      const cols = await this.rows<{ schema: string; table: string; name: string; type: string; temporary: boolean }>(
        conn,
        `SELECT schema_name AS schema, table_name AS "table", column_name AS name, data_type AS type, database_name = 'temp' AS temporary FROM duckdb_columns()
           WHERE database_name IN (current_database(), 'temp') AND NOT internal ORDER BY schema_name, table_name, column_index`,
      );
      const views = new Set((await this.rows<{ k: string }>(conn, "SELECT schema_name || '.' || view_name AS k FROM duckdb_views() WHERE database_name IN (current_database(), 'temp') AND NOT internal")).map((v) => v.k));
      const tables = new Map<string, CatalogTable>();
      for (const c of cols) {
        const key = `${c.schema}.${c.table}`;
        let t = tables.get(key);
        if (!t) tables.set(key, (t = { schema: c.schema, name: c.table, kind: views.has(key) ? 'view' : 'table', temporary: c.temporary, columns: [] }));
        t.columns.push({ name: c.name, type: c.type });
      }
      return { defaultSchema: cur?.s ?? 'main', schemas: schemas.map((s) => s.s), tables: [...tables.values()] };
    }, opts.signal);
  }

  /**
   * Append rows through the DuckDB Appender (for pulling PostgreSQL results
   * in); see `appendRows`. With `create`, the table is created (or
   * replaced) from `columns` (DuckDB type names) first. All or nothing.
   * Returns the row count.
   */
  async insertRows(table: string, columns: readonly ResultColumn[], rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>, opts: InsertOptions = {}): Promise<number> {
    this.assertOpen();
    return this.main.run(() => appendRows(this.conn, table, columns, rows, opts), opts.signal);
  }

  /** Interrupt what runs, wait for it, close the connections and the database (file lock released). */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      this.conn.interrupt();
      this.meta.interrupt();
      await Promise.all([this.main.run(async () => undefined), this.side.run(async () => undefined)]);
      this.conn.closeSync();
      this.meta.closeSync();
      this.instance.closeSync();
    })();
    return this.disposed;
  }
}
