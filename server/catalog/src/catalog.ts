/**
 * The data catalog: what every source holds (discovered on demand and on a
 * schedule), what people say about it (descriptions, owners, tags, glossary
 * terms), a search index over all of it, and previews.
 *
 * Sources: `warehouse` (the DuckDB file the SQL kernels share) and every
 * connection of kind postgres or duckdb. Discovery of one source is one
 * read of its catalog and one store transaction (catalog-writer.ts).
 *
 * The search index lives in this process and is rebuilt from the store at
 * start and after each change made through this object. With several
 * gateway replicas on one PostgreSQL store, a replica sees another's
 * refresh at its own next refresh of that source (or restart).
 */
import { randomUUID } from 'node:crypto';
import { AppError, describeError, silentLogger, type Logger } from '@workbench/core';
import type { MetadataStore } from '@workbench/store';
import type { ConnectionManager } from '@workbench/connections';
import { applyDiscovery, forgetSource, type RefreshCounts } from './catalog-writer';
import { discoverDuckDb, discoverPostgres, type Discovery } from './discovery';
import { ATTACHED, DuckDbFiles } from './duckdb-file';
import { columnKey, displayName, tableKey, WAREHOUSE_SOURCE, type TableName } from './keys';
import { previewDuckDb, previewPostgres, type Preview, type PreviewMode } from './preview';
import { CatalogSearch } from './catalog-search';
import { Annotations } from './annotations';
import { SqlRuns } from './sql-runs';
import { scanWorkspace, type WorkspaceScan } from './workspace-references';
import type { SearchHit, SearchOptions } from './search';

export interface CatalogOptions {
  store: MetadataStore;
  connections?: ConnectionManager;
  /** The shared DuckDB warehouse file. */
  warehousePath?: string;
  logger?: Logger;
  clock?: () => number;
  /** Refresh every source this often (0: only on demand). */
  refreshIntervalMs?: number;
  /** The workspace, whose SQL files and SQL notebooks are read for the tables they mention (search). */
  workspaceRoot?: string;
}

export type SourceKind = 'warehouse' | 'postgres' | 'duckdb';

export interface SourceInfo {
  name: string;
  kind: SourceKind;
  tables: number;
  last_refresh: RefreshRun | null;
}

export interface RefreshRun {
  id: string;
  source: string;
  status: 'running' | 'ok' | 'error';
  started: string;
  finished: string | null;
  message: string | null;
  counts: RefreshCounts | null;
  missing_schemas: string[];
}

export interface ColumnInfo {
  position: number;
  name: string;
  type: string;
  nullable: boolean;
  comment: string | null;
  description: string | null;
  tags: TagInfo[];
}

export interface TagInfo {
  tag: string;
  state: 'suggested' | 'confirmed' | 'rejected';
  confidence: number | null;
  reason: string | null;
  by: string | null;
}

export interface TableInfo {
  source: string;
  schema: string;
  name: string;
  qualified: string;
  kind: 'table' | 'view';
  comment: string | null;
  description: string | null;
  owner: string | null;
  row_count: number | null;
  size_bytes: number | null;
  first_seen: string;
  changed: string;
  refreshed: string;
  tags: TagInfo[];
  terms: string[];
  columns: ColumnInfo[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Catalog implements AsyncDisposable {
  readonly store: MetadataStore;
  private readonly connections: ConnectionManager | undefined;
  private readonly warehousePath: string | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly index: CatalogSearch;
  /** Descriptions, owners, tags, classification, glossary. */
  readonly annotations: Annotations;
  /** Usage and lineage from the SQL that ran. */
  readonly sql: SqlRuns;
  /** Refreshes under way by source: a second request joins the first. */
  private readonly running = new Map<string, Promise<RefreshRun>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly duckFiles = new DuckDbFiles();
  private readonly workspaceRoot: string | undefined;
  private scanning: Promise<WorkspaceScan | undefined> | undefined;
  private readonly stop = new AbortController();

  constructor(options: CatalogOptions) {
    this.store = options.store;
    this.connections = options.connections;
    this.warehousePath = options.warehousePath;
    this.logger = options.logger ?? silentLogger;
    this.now = options.clock ?? Date.now;
    this.workspaceRoot = options.workspaceRoot;
    this.index = new CatalogSearch(this.store);
    this.annotations = new Annotations(this, this.now);
    this.sql = new SqlRuns(this, { logger: this.logger, clock: this.now });
    if (options.refreshIntervalMs) {
      this.timer = setInterval(() => void this.refreshAll('system').then(() => this.scanWorkspace()).catch(() => undefined), options.refreshIntervalMs);
      this.timer.unref();
    }
  }

  /** Build the search index from the store; the workspace is read in the background (scanWorkspace). */
  async start(): Promise<void> {
    await this.index.rebuild();
    void this.scanWorkspace().catch(() => undefined);
  }

  /**
   * Read the workspace's SQL files and SQL notebooks again for the tables
   * they mention; a scan under way is joined. Undefined without a workspace.
   */
  scanWorkspace(): Promise<WorkspaceScan | undefined> {
    if (!this.workspaceRoot) return Promise.resolve(undefined);
    this.scanning ??= (async () => {
      try {
        const kinds = new Map(((await this.connections?.list()) ?? []).map((c) => [c.name, c.kind as string]));
        const scan = await scanWorkspace(this.workspaceRoot!, this.sql.parser, (source) => (source === WAREHOUSE_SOURCE || kinds.get(source) === 'duckdb' ? 'duckdb' : 'postgres'), this.stop.signal);
        await this.index.setWorkspaceReferences(scan.references);
        return scan;
      } catch (err) {
        if (!this.stop.signal.aborted) this.logger.warn({ err: describeError(err) }, 'catalog: the workspace could not be read for table references');
        return undefined;
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  async sources(): Promise<SourceInfo[]> {
    const out: SourceInfo[] = [];
    const names: { name: string; kind: SourceKind }[] = [];
    if (this.warehousePath) names.push({ name: WAREHOUSE_SOURCE, kind: 'warehouse' });
    for (const c of (await this.connections?.list()) ?? []) if (c.kind === 'postgres' || (c.kind as string) === 'duckdb') names.push({ name: c.name, kind: c.kind as SourceKind });
    const counts = new Map((await this.store.db.selectFrom('catalog_tables').select(['source']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('source').execute()).map((r) => [r.source, Number(r.n)]));
    for (const s of names) out.push({ ...s, tables: counts.get(s.name) ?? 0, last_refresh: await this.lastRefresh(s.name) });
    return out;
  }

  async refreshAll(actor: string): Promise<RefreshRun[]> {
    const runs: RefreshRun[] = [];
    for (const s of await this.sources()) runs.push(await this.refresh(s.name, { actor }));
    return runs;
  }

  /** Discover `source` again; a refresh already running for it is joined. Never throws for the source's own failures: the run says what failed. */
  refresh(source: string, options: { actor: string; signal?: AbortSignal }): Promise<RefreshRun> {
    const running = this.running.get(source);
    if (running) return running;
    const run = this.doRefresh(source, options).finally(() => this.running.delete(source));
    this.running.set(source, run);
    return run;
  }

  private async doRefresh(source: string, options: { actor: string; signal?: AbortSignal }): Promise<RefreshRun> {
    const kind = await this.kindOf(source);
    const id = randomUUID();
    const started = this.now();
    await this.store.db.insertInto('catalog_runs').values({ id, kind: 'refresh', source, actor: options.actor, started_at: started, finished_at: null, status: 'running', message: null, detail: '{}' }).execute();
    const signal = options.signal ? AbortSignal.any([options.signal, this.stop.signal]) : this.stop.signal;
    let status: 'ok' | 'error' = 'ok';
    let message: string | null = null;
    let counts: RefreshCounts | null = null;
    let missing: string[] = [];
    try {
      const found = await this.discover(source, kind, signal);
      missing = found.missingSchemas;
      counts = await applyDiscovery(this.store, source, found.tables, this.now());
      message = `${counts.tables} tables: ${counts.added} added, ${counts.changed} changed, ${counts.removed} removed`;
      if (missing.length) message += `; schema${missing.length > 1 ? 's' : ''} ${missing.map((s) => JSON.stringify(s)).join(', ')} not found`;
      await this.index.rebuildSource(source);
    } catch (err) {
      status = 'error';
      message = `Cannot refresh ${source}: ${describeError(err)}`;
      this.logger.warn({ source, err: describeError(err) }, 'catalog refresh failed; the catalog keeps what it had');
    }
    const finished = this.now();
    await this.store.db.updateTable('catalog_runs').set({ finished_at: finished, status, message, detail: JSON.stringify({ counts, missing_schemas: missing }) }).where('id', '=', id).execute();
    return { id, source, status, started: iso(started), finished: iso(finished), message, counts, missing_schemas: missing };
  }

  private async discover(source: string, kind: SourceKind, signal: AbortSignal): Promise<Discovery> {
    if (kind === 'warehouse') return (await this.duckFiles.read(this.warehousePath!, { signal }, (conn) => discoverDuckDb(conn, ATTACHED))) ?? { tables: [], missingSchemas: [] };
    const c = await this.connections!.get(source);
    const settings = c.settings as unknown as { schemas?: string[]; path?: string };
    if (kind === 'duckdb') return (await this.duckFiles.read(settings.path!, { signal, waitMs: 0 }, (conn) => discoverDuckDb(conn, ATTACHED, settings.schemas))) ?? { tables: [], missingSchemas: settings.schemas ?? [] };
    return discoverPostgres(await this.connections!.pool(source), settings.schemas ?? ['public'], { signal });
  }

  /** A connection was deleted: its tables leave the catalog (what people wrote about them stays, keyed by name). */
  async forget(source: string): Promise<void> {
    await forgetSource(this.store, source);
    await this.index.rebuildSource(source);
  }

  async kindOf(source: string): Promise<SourceKind> {
    if (source === WAREHOUSE_SOURCE && this.warehousePath) return 'warehouse';
    const c = this.connections ? await this.connections.get(source).catch(() => undefined) : undefined;
    if (!c) throw new AppError('not_found', `Cannot use catalog source ${JSON.stringify(source.slice(0, 100))}: there is no such connection`);
    if (c.kind !== 'postgres' && (c.kind as string) !== 'duckdb') throw new AppError('bad_request', `Cannot use connection ${source} in the catalog: kind ${c.kind} has no tables`);
    return c.kind as SourceKind;
  }

  async lastRefresh(source: string): Promise<RefreshRun | null> {
    const r = await this.store.db.selectFrom('catalog_runs').selectAll().where('source', '=', source).where('kind', '=', 'refresh').orderBy('started_at', 'desc').limit(1).executeTakeFirst();
    if (!r) return null;
    const d = JSON.parse(r.detail) as { counts?: RefreshCounts | null; missing_schemas?: string[] };
    return { id: r.id, source, status: r.status as RefreshRun['status'], started: iso(r.started_at), finished: r.finished_at === null ? null : iso(r.finished_at), message: r.message, counts: d.counts ?? null, missing_schemas: d.missing_schemas ?? [] };
  }

  search(query: string, options?: SearchOptions): SearchHit[] {
    return this.index.search(query, options);
  }

  /** Tables of a source (optionally one schema), without columns. */
  async tables(source: string, schema?: string): Promise<Omit<TableInfo, 'columns' | 'tags' | 'terms' | 'description' | 'owner'>[]> {
    let q = this.store.db.selectFrom('catalog_tables').selectAll().where('source', '=', source);
    if (schema !== undefined) q = q.where('schema_name', '=', schema);
    const rows = await q.orderBy('schema_name').orderBy('name').execute();
    return rows.map((r) => ({ source: r.source, schema: r.schema_name, name: r.name, qualified: displayName({ source: r.source, schema: r.schema_name, name: r.name }), kind: r.kind as 'table' | 'view', comment: r.comment, row_count: r.row_count === null ? null : Number(r.row_count), size_bytes: r.size_bytes === null ? null : Number(r.size_bytes), first_seen: iso(r.first_seen_at), changed: iso(r.changed_at), refreshed: iso(r.refreshed_at) }));
  }

  async table(t: TableName): Promise<TableInfo> {
    const key = tableKey(t);
    const row = await this.store.db.selectFrom('catalog_tables').selectAll().where('object_key', '=', key).executeTakeFirst();
    if (!row) throw new AppError('not_found', `Cannot find table ${displayName(t)} in the catalog (refresh the source if it is new)`);
    const columns = await this.store.db.selectFrom('catalog_columns').selectAll().where('table_id', '=', row.id).orderBy('position').execute();
    const keys = [key, ...columns.map((c) => columnKey({ ...t, column: c.name }))];
    const notes = new Map((await this.store.db.selectFrom('catalog_notes').selectAll().where('object_key', 'in', keys).execute()).map((n) => [n.object_key, n]));
    const tags = new Map<string, TagInfo[]>();
    for (const r of await this.store.db.selectFrom('catalog_tags').selectAll().where('object_key', 'in', keys).orderBy('tag').execute()) {
      const list = tags.get(r.object_key) ?? [];
      list.push({ tag: r.tag, state: r.state, confidence: r.confidence, reason: r.reason, by: r.decided_by ?? r.created_by });
      tags.set(r.object_key, list);
    }
    const terms = (await this.store.db.selectFrom('catalog_term_links').select('term').where('object_key', '=', key).orderBy('term').execute()).map((r) => r.term);
    return {
      source: row.source,
      schema: row.schema_name,
      name: row.name,
      qualified: displayName(t),
      kind: row.kind as 'table' | 'view',
      comment: row.comment,
      description: notes.get(key)?.description ?? null,
      owner: notes.get(key)?.owner ?? null,
      row_count: row.row_count === null ? null : Number(row.row_count),
      size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
      first_seen: iso(row.first_seen_at),
      changed: iso(row.changed_at),
      refreshed: iso(row.refreshed_at),
      tags: tags.get(key) ?? [],
      terms,
      columns: columns.map((c) => {
        const k = columnKey({ ...t, column: c.name });
        return { position: c.position, name: c.name, type: c.data_type, nullable: c.nullable === 1, comment: c.comment, description: notes.get(k)?.description ?? null, tags: tags.get(k) ?? [] };
      }),
    };
  }

  /**
   * Rows of a table: the first ones or a sample, at most `limit` (1-1000),
   * cells cut at `maxCellChars`. Columns with a confirmed `pii:*` tag come
   * back masked unless `unmask` (the caller's role allows personal data).
   */
  async preview(t: TableName, options: { mode?: PreviewMode; limit?: number; unmask: boolean; maxCellChars?: number; signal?: AbortSignal }): Promise<Preview> {
    const info = await this.table(t);
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('bad_request', 'Cannot preview: limit must be a whole number from 1 to 1000');
    const mode = options.mode ?? 'first';
    const req = {
      schema: t.schema,
      name: t.name,
      columns: info.columns.map((c) => ({ name: c.name, type: c.type, mask: !options.unmask && c.tags.some((x) => x.state === 'confirmed' && x.tag.startsWith('pii:')) })),
      mode,
      limit,
      maxCellChars: options.maxCellChars ?? 2000,
      rowEstimate: info.row_count,
      signal: options.signal,
    };
    const kind = await this.kindOf(t.source);
    try {
      if (kind === 'postgres') return await previewPostgres(await this.connections!.pool(t.source), req);
      const path = kind === 'warehouse' ? this.warehousePath! : ((await this.connections!.get(t.source)).settings as unknown as { path: string }).path;
      const out = await this.duckFiles.read(path, { signal: options.signal, waitMs: kind === 'warehouse' ? undefined : 0 }, (conn) => previewDuckDb(conn, ATTACHED, req));
      if (!out) throw new AppError('not_found', `Cannot preview ${info.qualified}: the DuckDB file is gone`);
      return out;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('unavailable', `Cannot preview ${info.qualified}: ${describeError(err)}`, { cause: err });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stop.abort();
    await Promise.allSettled([...this.running.values(), this.scanning]);
    await this.sql[Symbol.asyncDispose]();
    await this.duckFiles[Symbol.asyncDispose]();
  }
}
