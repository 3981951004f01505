/**
 * A named connection that lives in the Workbench server (its settings in
 * the metadata store, its credential encrypted there), used from the SQL
 * kernel without the credential ever reaching the kernel: each statement
 * goes to the gateway's `POST /api/connections/{name}/query`, signed with
 * the kernel's own Jupyter key (core/kernel-signature.ts), and runs there
 * as the kernel's owner, audited, on the connection's pool.
 *
 * Completion reads the server's catalog of that connection.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { kernelAuthorization } from '@workbench/core';
import { PgError, type PgColumn, type PgQueryResult } from './engine-postgres';

/** What the kernel needs to call its gateway: the API's URL, its own id and signing key. */
export interface GatewayAccess {
  /** Ends with "/" (the server's base URL), e.g. http://127.0.0.1:8888/. */
  apiUrl: string;
  kernelId: string;
  key: string;
  fetch?: typeof fetch;
}

/** The gateway access of this kernel process: WORKBENCH_API_URL, and the id and key of its connection file (`kernel-<id>.json`). */
export function gatewayAccessFrom(env: NodeJS.ProcessEnv, connectionFile: string | undefined): GatewayAccess | undefined {
  const apiUrl = env.WORKBENCH_API_URL;
  if (!apiUrl || !connectionFile) return undefined;
  const id = env.KERNEL_ID || /^kernel-(.+)\.json$/.exec(basename(connectionFile))?.[1];
  if (!id) return undefined;
  const key = (JSON.parse(readFileSync(connectionFile, 'utf8')) as { key?: unknown }).key;
  if (typeof key !== 'string' || key === '') return undefined;
  return { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`, kernelId: id, key };
}

/** Rows one statement may return from the gateway (its own cap is 100,000). */
const PULL_ROWS = 100_000;

export class GatewayEngine implements AsyncDisposable {
  constructor(
    readonly name: string,
    private readonly access: GatewayAccess,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const url = new URL(path, this.access.apiUrl);
    const text = body === undefined ? '' : JSON.stringify(body);
    const authorization = kernelAuthorization({ kernelId: this.access.kernelId, key: this.access.key, unixSeconds: Math.floor(Date.now() / 1000), method, path: url.pathname + url.search, body: text });
    let res: Response;
    try {
      res = await (this.access.fetch ?? fetch)(url, { method, headers: { Authorization: authorization, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : text, signal });
    } catch (err) {
      if (signal?.aborted) throw new PgError('canceling statement due to user request', undefined, undefined, undefined, '57014');
      throw new PgError(`Cannot reach the Workbench server for connection ${this.name}: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as { message?: string; sqlstate?: string; position?: number | null };
    if (!res.ok) {
      const message = (answer.message ?? `HTTP ${res.status}`).replace(/^Cannot run the query: /, '').replace(/ \(at character \d+\)$/, '');
      throw new PgError(message, answer.position ?? undefined, undefined, undefined, answer.sqlstate);
    }
    return answer as T;
  }

  async query(sql: string, params: readonly unknown[], opts: { maxRows: number; signal?: AbortSignal }): Promise<PgQueryResult> {
    const started = performance.now();
    const r = await this.call<{ columns: PgColumn[]; rows: unknown[][]; row_count: number; truncated: boolean; command: string | null }>('POST', `api/connections/${encodeURIComponent(this.name)}/query`, { sql, params, max_rows: Math.max(1, Math.floor(opts.maxRows)) }, opts.signal);
    return { columns: r.columns, rows: r.rows, rowCount: r.row_count, truncated: r.truncated, elapsedMs: performance.now() - started, ...(r.command ? { command: r.command } : {}) };
  }

  /** For `%%sql -> name` (pull into the warehouse): one request of at most 100,000 rows. */
  async *batches(sql: string, params: readonly unknown[], opts: { signal?: AbortSignal } = {}): AsyncGenerator<{ columns: PgColumn[]; rows: unknown[][] }> {
    const r = await this.query(sql, params, { maxRows: PULL_ROWS, signal: opts.signal });
    if (r.truncated) throw new PgError(`Cannot keep more than ${PULL_ROWS.toLocaleString('en')} rows from server connection ${this.name}: narrow the query, or pull it in parts`);
    yield { columns: r.columns, rows: r.rows };
  }

  private async tables(): Promise<{ schema: string; name: string }[]> {
    return this.call<{ schema: string; name: string }[]>('GET', `api/catalog/tables/${encodeURIComponent(this.name)}`, undefined).catch(() => []);
  }

  async listSchemas(): Promise<string[]> {
    return [...new Set((await this.tables()).map((t) => t.schema))].sort();
  }

  async listTables(schema?: string): Promise<{ schema: string; name: string }[]> {
    return (await this.tables()).filter((t) => schema === undefined || t.schema === schema).map((t) => ({ schema: t.schema, name: t.name }));
  }

  async listColumns(table: string, schema = 'public'): Promise<PgColumn[]> {
    const t = await this.call<{ columns: { name: string; type: string }[] }>('GET', `api/catalog/tables/${[this.name, schema, table].map(encodeURIComponent).join('/')}`, undefined).catch(() => ({ columns: [] }));
    return t.columns.map((c) => ({ name: c.name, type: c.type }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Nothing held: each statement is one request.
  }
}
