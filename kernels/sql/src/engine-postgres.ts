/**
 * PostgreSQL through `pg`. Results stream through a server-side cursor:
 * only the first `maxRows` rows travel, the rest are counted with
 * `MOVE FORWARD ALL` (no rows sent), so a 10M-row query does not flood the
 * kernel. Cancel uses pg_cancel_backend from a second connection.
 */
import { Client, DatabaseError, types } from 'pg';
import type { PostgresConnection } from './connections';

export interface PgColumn {
  name: string;
  type: string;
}

export interface PgQueryResult {
  columns: PgColumn[];
  rows: unknown[][];
  /** All rows the query produced (or affected, for DML). */
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  /** The command tag for statements without rows ("CREATE TABLE", "INSERT 0 5"). */
  command?: string;
  /** A preview sent while the rest is being counted (rowCount is a lower bound). */
  counting?: boolean;
}

export class PgError extends Error {
  override readonly name = 'PgError';
  constructor(
    message: string,
    /** 1-based character position in the SQL, as PostgreSQL reports it. */
    readonly position?: number,
    readonly detail?: string,
    readonly hint?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Throw the cancel error when `signal` has aborted. Checked before every
 * statement of a query: pg_cancel_backend cancels only what runs when it
 * arrives, so an abort that falls between two statements would otherwise be
 * lost and the next one (the slow one, say) would run to its end.
 */
function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PgError('canceling statement due to user request', undefined, undefined, undefined, '57014');
}

const CURSOR_PREFIX = 'DECLARE wb_cursor NO SCROLL CURSOR FOR ';
const PULL_PREFIX = 'DECLARE wb_pull NO SCROLL CURSOR FOR ';

/** Error positions refer to the user's SQL, not to our DECLARE prefix. */
function shiftPosition(err: unknown, by: number): unknown {
  if (err instanceof DatabaseError && err.position) err.position = String(Math.max(1, Number(err.position) - by));
  return err;
}

const ROW_STATEMENT = /^\s*(?:(?:--[^\n]*\n)|(?:\/\*[\s\S]*?\*\/)|\s)*(select|with|values|table)\b/i;

/** Type names for the OIDs that matter; others by catalog lookup, cached. */
const KNOWN: Record<number, string> = { 16: 'boolean', 20: 'bigint', 21: 'smallint', 23: 'integer', 25: 'text', 700: 'real', 701: 'double precision', 1043: 'varchar', 1082: 'date', 1114: 'timestamp', 1184: 'timestamptz', 1700: 'numeric', 2950: 'uuid', 3802: 'jsonb', 114: 'json', 1042: 'char', 17: 'bytea', 1083: 'time' };

export class PostgresEngine {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly typeNames = new Map<number, string>(Object.entries(KNOWN).map(([k, v]) => [Number(k), v]));

  constructor(readonly connection: PostgresConnection) {}

  private config() {
    const c = this.connection;
    return { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, application_name: c.applicationName, ssl: c.ssl ? { rejectUnauthorized: true } : undefined, statement_timeout: c.statementTimeoutMs };
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new Client({ ...this.config(), types: { getTypeParser: ((oid: number, format?: string) => (oid === 20 || oid === 1700 ? (v: string) => v : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser } });
      client.on('error', () => {
        // A dropped connection is reported at the next query; reconnect then.
        this.client = undefined;
      });
      try {
        await client.connect();
      } catch (err) {
        this.connecting = undefined;
        throw new PgError(`Cannot connect to ${this.connection.name} (${this.connection.user}@${this.connection.host}:${this.connection.port}/${this.connection.database}): ${(err as Error).message}`);
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  /** Run one statement. `signal` cancels it on the server. */
  async query(sql: string, params: readonly unknown[], opts: { maxRows: number; signal?: AbortSignal; onPreview?: (preview: PgQueryResult) => void }): Promise<PgQueryResult> {
    const started = performance.now();
    const client = await this.connect();
    // A cancel still on its way must not reach the next statement on this connection: it is awaited before the client is reused.
    let cancelling: Promise<void> | undefined;
    const cancel = () => void (cancelling = this.cancel(client));
    opts.signal?.addEventListener('abort', cancel, { once: true });
    try {
      stopIfAborted(opts.signal);
      if (!ROW_STATEMENT.test(sql)) {
        const r = await client.query({ text: sql, values: params as unknown[] });
        const rows = (r.rows ?? []) as unknown[][];
        return { columns: await this.columnsOf(client, r.fields ?? []), rows: rows.slice(0, opts.maxRows).map((row) => (Array.isArray(row) ? row : Object.values(row as object))), rowCount: r.rowCount ?? rows.length, truncated: rows.length > opts.maxRows, elapsedMs: performance.now() - started, command: r.command };
      }
      await client.query('BEGIN READ ONLY');
      try {
        try {
          stopIfAborted(opts.signal);
          await client.query({ text: `${CURSOR_PREFIX}${sql}`, values: params as unknown[] });
        } catch (err) {
          throw shiftPosition(err, CURSOR_PREFIX.length);
        }
        // One row past maxRows says whether there are more (then the first rows are previewed while the rest are counted).
        const keep = Math.max(0, Math.floor(opts.maxRows));
        stopIfAborted(opts.signal);
        const first = await client.query({ text: `FETCH FORWARD ${keep + 1} FROM wb_cursor`, rowMode: 'array' });
        const columns = await this.columnsOf(client, first.fields);
        const rows = (first.rows as unknown[][]).slice(0, keep);
        let more = first.rows.length - rows.length;
        if (more > 0) {
          opts.onPreview?.({ columns, rows, rowCount: first.rows.length, truncated: true, counting: true, elapsedMs: performance.now() - started });
          stopIfAborted(opts.signal);
          const rest = await client.query('MOVE FORWARD ALL FROM wb_cursor');
          more += rest.rowCount ?? 0;
        }
        await client.query('COMMIT');
        return { columns, rows, rowCount: rows.length + more, truncated: more > 0, elapsedMs: performance.now() - started };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw toPgError(err);
    } finally {
      opts.signal?.removeEventListener('abort', cancel);
      await cancelling;
    }
  }

  /**
   * Every row of a query, in batches, for pulling a PostgreSQL result into
   * DuckDB (`CREATE TABLE x AS` over a PG query). Runs in its own
   * transaction with a cursor; `signal` cancels.
   */
  async *batches(sql: string, params: readonly unknown[], opts: { batchRows?: number; signal?: AbortSignal } = {}): AsyncGenerator<{ columns: PgColumn[]; rows: unknown[][] }> {
    const client = await this.connect();
    // A cancel still on its way must not reach the next statement on this connection: it is awaited before the client is reused.
    let cancelling: Promise<void> | undefined;
    const cancel = () => void (cancelling = this.cancel(client));
    opts.signal?.addEventListener('abort', cancel, { once: true });
    const n = opts.batchRows ?? 10_000;
    try {
      stopIfAborted(opts.signal);
      await client.query('BEGIN READ ONLY');
      try {
        stopIfAborted(opts.signal);
        await client.query({ text: `${PULL_PREFIX}${sql}`, values: params as unknown[] });
      } catch (err) {
        throw shiftPosition(err, PULL_PREFIX.length);
      }
      let columns: PgColumn[] | undefined;
      for (;;) {
        stopIfAborted(opts.signal);
        const r = await client.query({ text: `FETCH FORWARD ${n} FROM wb_pull`, rowMode: 'array' });
        columns ??= await this.columnsOf(client, r.fields);
        if (r.rows.length === 0) break;
        yield { columns, rows: r.rows as unknown[][] };
        if (r.rows.length < n) break;
      }
      await client.query('COMMIT');
    } catch (err) {
      // The cancel first: one landing on the ROLLBACK would leave the transaction open and aborted for the next user.
      await cancelling;
      await client.query('ROLLBACK').catch(() => undefined);
      throw toPgError(err);
    } finally {
      opts.signal?.removeEventListener('abort', cancel);
      await cancelling;
    }
  }

  private async columnsOf(client: Client, fields: readonly { name: string; dataTypeID: number }[]): Promise<PgColumn[]> {
    const unknown = fields.map((f) => f.dataTypeID).filter((oid) => !this.typeNames.has(oid));
    if (unknown.length > 0) {
      const r = await client.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])', [unknown]);
      for (const row of r.rows) this.typeNames.set(row.oid, row.typname);
    }
    return fields.map((f) => ({ name: f.name, type: this.typeNames.get(f.dataTypeID) ?? String(f.dataTypeID) }));
  }

  /** Ask the server to cancel whatever `client` runs, from a second connection. */
  private async cancel(client: Client): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    const c = new Client(this.config());
    try {
      await c.connect();
      await c.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      /* the query may have finished meanwhile */
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async listSchemas(): Promise<string[]> {
    const c = await this.connect();
    const r = await c.query<{ s: string }>("SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name NOT IN ('information_schema') AND schema_name NOT LIKE 'pg\\_%' ORDER BY 1");
    return r.rows.map((x) => x.s);
  }

  async listTables(schema?: string): Promise<{ schema: string; name: string }[]> {
    const c = await this.connect();
    const r = await c.query<{ schema: string; name: string }>(
      "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE ($1::text IS NULL OR table_schema = $1) AND table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2",
      [schema ?? null],
    );
    return r.rows;
  }

  async listColumns(table: string, schema?: string): Promise<PgColumn[]> {
    const c = await this.connect();
    const r = await c.query<PgColumn>(
      "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $1 AND ($2::text IS NULL OR table_schema = $2) AND table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY ordinal_position",
      [table, schema ?? null],
    );
    return r.rows;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const c = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    await c?.end().catch(() => undefined);
  }
}

function toPgError(err: unknown): PgError {
  if (err instanceof PgError) return err;
  if (err instanceof DatabaseError) {
    const msg = err.code === '57014' ? 'canceling statement due to user request' : err.message;
    return new PgError(msg, err.position ? Number(err.position) : undefined, err.detail, err.hint, err.code);
  }
  return new PgError(err instanceof Error ? err.message : String(err));
}
