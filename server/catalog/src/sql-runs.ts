/**
 * What the SQL that ran tells the catalog: which tables and columns were
 * used (usage statistics, each row tied to the audit record of the query)
 * and, for statements that write (CTAS, INSERT ... SELECT, CREATE VIEW),
 * column-level lineage edges stored with the run that produced them. SQL
 * that does not parse is recorded as "unparsed": no edges are guessed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, describeError, Emitter, silentLogger, type Logger } from '@workbench/core';
import type { Catalog } from './catalog';
import { displayName, parseKey, tableKey, WAREHOUSE_SOURCE, type TableName } from './keys';
import { LineageParser, openLineageEvent, type LineageDialect, type StatementLineage, type TableRef } from './lineage';

export interface SqlRunInput {
  /** `warehouse` or a connection's name. */
  source: string;
  dialect: LineageDialect;
  sql: string;
  actor: string | null;
  /** The audit record of the execute or query (usage rows point at it). */
  auditSeq: number | null;
  notebook?: string;
  /** A pipeline run, kernel execute, ... (OpenLineage job name). */
  job?: string;
}

export interface SqlRunResult {
  id: string;
  status: 'ok' | 'unparsed';
  message: string | null;
  tables: string[];
  edges: number;
}

export interface LineageNode {
  key: string;
  source: string;
  schema: string;
  name: string;
  qualified: string;
  in_catalog: boolean;
}

export interface LineageEdge {
  from: { key: string; column: string };
  to: { key: string; column: string };
  transform: string;
  run_id: string;
}

export interface UsageSummary {
  queries: number;
  last_used: string | null;
  users: { actor: string; queries: number; last_used: string }[];
  columns: { name: string; queries: number }[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const DEFAULT_SCHEMA: Record<LineageDialect, string> = { duckdb: 'main', postgres: 'public' };

export class SqlRuns implements AsyncDisposable {
  private readonly logger: Logger;
  readonly parser = new LineageParser();
  private readonly recorded = new Emitter<SqlRunResult & { input: SqlRunInput }>();
  /** Fires once a run is stored (its usage and lineage queryable). */
  readonly onRecorded = this.recorded.event;

  constructor(
    private readonly catalog: Catalog,
    options: { logger?: Logger; clock?: () => number } = {},
    private readonly now: () => number = options.clock ?? Date.now,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  private get db() {
    return this.catalog.store.db;
  }

  async record(input: SqlRunInput): Promise<SqlRunResult> {
    const id = randomUUID();
    const started = this.now();
    const columnsCache = new Map<string, string[] | undefined>();
    const known = await this.knownColumns(input.source);
    const toName = (t: TableRef): TableName => ({ source: t.catalog && t.catalog !== WAREHOUSE_SOURCE && t.catalog !== 'memory' ? t.catalog : input.source, schema: t.schema ?? DEFAULT_SCHEMA[input.dialect], name: t.name });
    const columnsOf = (t: TableRef) => {
      const k = tableKey(toName(t));
      if (!columnsCache.has(k)) columnsCache.set(k, known.get(k));
      return columnsCache.get(k);
    };
    let result;
    try {
      result = await this.parser.lineageOf(input.sql, input.dialect, { defaultSchema: DEFAULT_SCHEMA[input.dialect], columnsOf });
    } catch (err) {
      result = { status: 'unparsed' as const, dialect: input.dialect, error: describeError(err) };
    }
    const base = { notebook: input.notebook, job: input.job, audit_seq: input.auditSeq, dialect: input.dialect, sql_sha256: sha256(input.sql) };
    if (result.status === 'unparsed') {
      await this.db.insertInto('catalog_runs').values({ id, kind: 'sql', source: input.source, actor: input.actor, started_at: started, finished_at: started, status: 'unparsed', message: result.error.slice(0, 2000), detail: JSON.stringify({ ...base, tables: [] }) }).execute();
      return this.done(input, { id, status: 'unparsed', message: result.error, tables: [], edges: 0 });
    }
    const tables = new Set<string>();
    const usage = new Map<string, Set<string>>();
    const use = (key: string, column: string) => {
      if (!usage.has(key)) usage.set(key, new Set());
      usage.get(key)!.add(column);
    };
    const edges: { target_key: string; target_column: string; input_key: string; input_column: string; transform: string }[] = [];
    for (const st of result.statements) {
      for (const r of st.reads) {
        const k = tableKey(toName(r));
        tables.add(k);
        use(k, '');
      }
      const target = st.target ? tableKey(toName(st.target)) : undefined;
      if (target) tables.add(target);
      for (const c of st.columns) {
        for (const s of c.sources) {
          if (s.ref.table.name === '?' || s.ref.column === '*') continue;
          const ik = tableKey(toName(s.ref.table));
          use(ik, s.ref.column);
          if (target) edges.push({ target_key: target, target_column: c.target, input_key: ik, input_column: s.ref.column, transform: s.transform });
        }
      }
      for (const ref of st.indirect) {
        if (ref.table.name === '?') continue;
        const ik = tableKey(toName(ref.table));
        use(ik, ref.column);
        if (target) edges.push({ target_key: target, target_column: '', input_key: ik, input_column: ref.column, transform: 'indirect' });
      }
    }
    const statements = result.statements.map((s: StatementLineage) => ({ ...s, sql: s.sql.length > 20_000 ? `${s.sql.slice(0, 20_000)}…` : s.sql }));
    await this.catalog.store.transaction(async (trx) => {
      await trx.insertInto('catalog_runs').values({ id, kind: 'sql', source: input.source, actor: input.actor, started_at: started, finished_at: this.now(), status: 'ok', message: null, detail: JSON.stringify({ ...base, tables: [...tables], statements }) }).execute();
      const unique = new Map(edges.map((e) => [JSON.stringify(e), e]));
      let seq = 0;
      for (const e of unique.values()) await trx.insertInto('catalog_lineage').values({ run_id: id, seq: seq++, ...e }).execute();
      if (input.auditSeq !== null) {
        for (const [key, cols] of usage) for (const col of cols) await trx.insertInto('catalog_usage').values({ audit_seq: input.auditSeq, object_key: key, column_name: col, actor: input.actor, ts: started }).execute();
      }
    });
    if (input.notebook) await this.catalog.index.refreshGlossaryAndNotebooks().catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'catalog: notebook search documents not refreshed'));
    return this.done(input, { id, status: 'ok', message: null, tables: [...tables], edges: edges.length });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.parser[Symbol.asyncDispose]();
  }

  private done(input: SqlRunInput, result: SqlRunResult): SqlRunResult {
    this.recorded.fire({ ...result, input });
    return result;
  }

  /** Upstream and downstream of a table, `depth` hops each way (1-5); each target's edges come from the latest run that wrote it. */
  async lineage(t: TableName, depth = 2): Promise<{ nodes: LineageNode[]; edges: LineageEdge[]; unparsed_runs: number }> {
    if (!Number.isInteger(depth) || depth < 1 || depth > 5) throw new AppError('bad_request', 'Cannot show lineage: depth must be 1-5');
    const root = tableKey(t);
    const edges = new Map<string, LineageEdge>();
    const visit = async (keys: string[], dir: 'up' | 'down', left: number): Promise<void> => {
      if (left === 0 || keys.length === 0) return;
      const rows = await this.db.selectFrom('catalog_lineage').innerJoin('catalog_runs', 'catalog_runs.id', 'catalog_lineage.run_id').select(['catalog_lineage.run_id', 'target_key', 'target_column', 'input_key', 'input_column', 'transform', 'catalog_runs.started_at']).where(dir === 'up' ? 'target_key' : 'input_key', 'in', keys).execute();
      // Only the latest run that wrote each target counts (a table rebuilt differently has new lineage).
      const latest = new Map<string, { run: string; at: number }>();
      for (const r of rows) {
        const l = latest.get(r.target_key);
        if (!l || r.started_at > l.at || (r.started_at === l.at && r.run_id > l.run)) latest.set(r.target_key, { run: r.run_id, at: r.started_at });
      }
      const next = new Set<string>();
      for (const r of rows) {
        if (latest.get(r.target_key)?.run !== r.run_id) continue;
        const e: LineageEdge = { from: { key: r.input_key, column: r.input_column }, to: { key: r.target_key, column: r.target_column }, transform: r.transform, run_id: r.run_id };
        const id = JSON.stringify([e.from, e.to]);
        if (edges.has(id)) continue;
        edges.set(id, e);
        next.add(dir === 'up' ? r.input_key : r.target_key);
      }
      await visit([...next], dir, left - 1);
    };
    await visit([root], 'up', depth);
    await visit([root], 'down', depth);
    const keys = new Set([root]);
    for (const e of edges.values()) keys.add(e.from.key).add(e.to.key);
    const present = new Set((await this.db.selectFrom('catalog_tables').select('object_key').where('object_key', 'in', [...keys]).execute()).map((r) => r.object_key));
    const nodes = [...keys].map((key) => {
      const p = parseKey(key)!;
      return { key, source: p.source, schema: p.schema, name: p.name, qualified: displayName(p), in_catalog: present.has(key) };
    });
    const unparsed = await this.db.selectFrom('catalog_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'sql').where('status', '=', 'unparsed').where('source', '=', t.source).executeTakeFirst();
    return { nodes, edges: [...edges.values()], unparsed_runs: Number(unparsed?.n ?? 0) };
  }

  async usage(t: TableName, sinceMs?: number): Promise<UsageSummary> {
    const key = tableKey(t);
    let q = this.db.selectFrom('catalog_usage').select(['audit_seq', 'column_name', 'actor', 'ts']).where('object_key', '=', key);
    if (sinceMs !== undefined) q = q.where('ts', '>=', sinceMs);
    const rows = await q.execute();
    const queries = new Set<number>();
    const users = new Map<string, { seqs: Set<number>; last: number }>();
    const columns = new Map<string, Set<number>>();
    let last = 0;
    for (const r of rows) {
      const seq = Number(r.audit_seq);
      queries.add(seq);
      last = Math.max(last, r.ts);
      const u = users.get(r.actor ?? '(unknown)') ?? { seqs: new Set<number>(), last: 0 };
      u.seqs.add(seq);
      u.last = Math.max(u.last, r.ts);
      users.set(r.actor ?? '(unknown)', u);
      if (r.column_name) columns.set(r.column_name, (columns.get(r.column_name) ?? new Set()).add(seq));
    }
    return {
      queries: queries.size,
      last_used: last ? new Date(last).toISOString() : null,
      users: [...users].map(([actor, u]) => ({ actor, queries: u.seqs.size, last_used: new Date(u.last).toISOString() })).sort((a, b) => b.queries - a.queries || a.actor.localeCompare(b.actor)),
      columns: [...columns].map(([name, s]) => ({ name, queries: s.size })).sort((a, b) => b.queries - a.queries || a.name.localeCompare(b.name)),
    };
  }

  /** OpenLineage RunEvents (one per writing statement) of the SQL runs in [since, until). */
  async openLineage(options: { since?: number; until?: number; namespaceOf: (source: string) => string; producer: string }): Promise<object[]> {
    let q = this.db.selectFrom('catalog_runs').selectAll().where('kind', '=', 'sql').where('status', '=', 'ok');
    if (options.since !== undefined) q = q.where('started_at', '>=', options.since);
    if (options.until !== undefined) q = q.where('started_at', '<', options.until);
    const out: object[] = [];
    for (const r of await q.orderBy('started_at').execute()) {
      const d = JSON.parse(r.detail) as { statements?: StatementLineage[]; notebook?: string; job?: string };
      for (const st of d.statements ?? []) {
        if (!st.target) continue;
        out.push(openLineageEvent({ statement: st, namespace: options.namespaceOf(r.source), job: { namespace: 'workbench', name: d.job ?? d.notebook ?? `sql/${r.source}` }, runId: r.id, eventTime: new Date(r.finished_at ?? r.started_at).toISOString(), producer: options.producer }));
      }
    }
    return out;
  }

  /** Columns of every table of `source`, re-read only after a refresh changed what the catalog holds. */
  private readonly columnCache = new Map<string, { stamp: string; columns: Map<string, string[]> }>();

  private async knownColumns(source: string): Promise<Map<string, string[]>> {
    const s = await this.db.selectFrom('catalog_tables').select((eb) => [eb.fn.max('changed_at').as('at'), eb.fn.countAll<number>().as('n')]).where('source', '=', source).executeTakeFirst();
    const stamp = `${s?.at ?? 0}/${s?.n ?? 0}`;
    const cached = this.columnCache.get(source);
    if (cached?.stamp === stamp) return cached.columns;
    const rows = await this.db.selectFrom('catalog_columns').innerJoin('catalog_tables', 'catalog_tables.id', 'catalog_columns.table_id').select(['catalog_tables.object_key', 'catalog_columns.name', 'catalog_columns.position']).where('catalog_tables.source', '=', source).orderBy('catalog_columns.position').execute();
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.object_key);
      if (list) list.push(r.name);
      else out.set(r.object_key, [r.name]);
    }
    this.columnCache.set(source, { stamp, columns: out });
    return out;
  }
}

