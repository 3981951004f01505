/**
 * Trust boundary: the catalog API's JSON is checked here once, so the
 * widgets can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a CatalogError('invalid_response')
 * naming the first field that is wrong. Keys the screens do not know are
 * dropped.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { CatalogError } from './catalog-api';
import type {
  CatalogAbilities,
  ClassifyResult,
  ColumnInfo,
  GlossaryTerm,
  LineageGraph,
  MatchClass,
  MatchField,
  Note,
  Preview,
  PreviewMode,
  RefreshRun,
  SearchKind,
  SearchResult,
  SourceInfo,
  SourceKind,
  TableInfo,
  TableSummary,
  TagInfo,
  TagState,
  UsageSummary,
} from './types';

const SOURCE_KINDS = new Set(['warehouse', 'postgres', 'duckdb']);
const RUN_STATES = new Set(['running', 'ok', 'error']);
const TAG_STATES = new Set(['suggested', 'confirmed', 'rejected']);
const TABLE_KINDS = new Set(['table', 'view']);
const SEARCH_KINDS = new Set(['table', 'view', 'column', 'notebook', 'glossary']);
const MATCH_CLASSES = new Set(['exact', 'prefix', 'word', 'tag', 'description', 'fuzzy']);
const MATCH_FIELDS = new Set(['name', 'qualified', 'tags', 'terms', 'description', 'references']);
const PREVIEW_MODES = new Set(['first', 'sample']);
const BASES = new Set(['name', 'values', 'name+values']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, CatalogError);
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
  number(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'a number');
    return v;
  }
  /** Absent and null both read as null. */
  optString(v: unknown, where: string): string | null {
    return v === undefined ? null : this.stringOrNull(v, where);
  }
  countOrNull(v: unknown, where: string): number | null {
    return v === null || v === undefined ? null : this.count(v, where);
  }
  /** Counts above 2^53 arrive as numbers too; anything numeric and non-negative passes. */
  sizeOrNull(v: unknown, where: string): number | null {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) this.fail(where, 'a non-negative number or null');
    return v;
  }
}

function counts(r: Reader, v: unknown, at: string): RefreshRun['counts'] {
  if (v === null || v === undefined) return null;
  const o = r.object(v, at);
  return {
    tables: r.count(o.tables, `${at}.tables`),
    columns: o.columns === undefined ? 0 : r.count(o.columns, `${at}.columns`),
    added: r.count(o.added, `${at}.added`),
    changed: r.count(o.changed, `${at}.changed`),
    removed: r.count(o.removed, `${at}.removed`),
    unchanged: o.unchanged === undefined ? 0 : r.count(o.unchanged, `${at}.unchanged`),
  };
}

function run(r: Reader, v: unknown, at: string): RefreshRun {
  const o = r.object(v, at);
  return {
    id: r.string(o.id, `${at}.id`),
    source: r.string(o.source, `${at}.source`),
    status: r.oneOf<RefreshRun['status']>(o.status, RUN_STATES, `${at}.status`),
    started: r.time(o.started, `${at}.started`),
    finished: o.finished === undefined ? null : r.timeOrNull(o.finished, `${at}.finished`),
    message: r.optString(o.message, `${at}.message`),
    counts: counts(r, o.counts, `${at}.counts`),
    missing_schemas: o.missing_schemas === undefined ? [] : r.strings(o.missing_schemas, `${at}.missing_schemas`),
  };
}

function tag(r: Reader, v: unknown, at: string): TagInfo {
  const o = r.object(v, at);
  return {
    tag: r.string(o.tag, `${at}.tag`),
    state: r.oneOf<TagState>(o.state, TAG_STATES, `${at}.state`),
    confidence: o.confidence === null || o.confidence === undefined ? null : r.number(o.confidence, `${at}.confidence`),
    reason: r.optString(o.reason, `${at}.reason`),
    by: r.optString(o.by, `${at}.by`),
  };
}

function tags(r: Reader, v: unknown, at: string): TagInfo[] {
  return v === undefined ? [] : r.array(v, at).map((t, i) => tag(r, t, `${at}[${i}]`));
}

function summary(r: Reader, o: Json, at: string): TableSummary {
  return {
    source: r.string(o.source, `${at}.source`),
    schema: r.string(o.schema, `${at}.schema`),
    name: r.string(o.name, `${at}.name`),
    qualified: r.string(o.qualified, `${at}.qualified`),
    kind: r.oneOf<'table' | 'view'>(o.kind, TABLE_KINDS, `${at}.kind`),
    comment: r.optString(o.comment, `${at}.comment`),
    row_count: r.sizeOrNull(o.row_count, `${at}.row_count`),
    size_bytes: r.sizeOrNull(o.size_bytes, `${at}.size_bytes`),
    first_seen: r.time(o.first_seen, `${at}.first_seen`),
    changed: r.time(o.changed, `${at}.changed`),
    refreshed: r.time(o.refreshed, `${at}.refreshed`),
  };
}

function column(r: Reader, v: unknown, at: string): ColumnInfo {
  const o = r.object(v, at);
  return {
    position: r.count(o.position, `${at}.position`),
    name: r.string(o.name, `${at}.name`),
    type: r.string(o.type, `${at}.type`),
    nullable: r.boolean(o.nullable, `${at}.nullable`),
    comment: r.optString(o.comment, `${at}.comment`),
    description: r.optString(o.description, `${at}.description`),
    tags: tags(r, o.tags, `${at}.tags`),
  };
}

export function readSources(json: unknown): SourceInfo[] {
  const r = new Reader('the catalog sources');
  return r.array(json, 'the answer').map((v, i) => {
    const o = r.object(v, `[${i}]`);
    return {
      name: r.string(o.name, `[${i}].name`),
      kind: r.oneOf<SourceKind>(o.kind, SOURCE_KINDS, `[${i}].kind`),
      tables: r.count(o.tables, `[${i}].tables`),
      last_refresh: o.last_refresh === null || o.last_refresh === undefined ? null : run(r, o.last_refresh, `[${i}].last_refresh`),
    };
  });
}

export function readRefreshRun(json: unknown): RefreshRun {
  return run(new Reader('the refresh'), json, 'the answer');
}

export function readSearchResult(json: unknown): SearchResult {
  const r = new Reader('the search results');
  const o = r.object(json, 'the answer');
  return {
    query: r.string(o.query, 'query'),
    hits: r.array(o.hits, 'hits').map((v, i) => {
      const h = r.object(v, `hits[${i}]`);
      const m = r.object(h.matched, `hits[${i}].matched`);
      return {
        id: r.string(h.id, `hits[${i}].id`),
        kind: r.oneOf<SearchKind>(h.kind, SEARCH_KINDS, `hits[${i}].kind`),
        name: r.string(h.name, `hits[${i}].name`),
        qualified: r.string(h.qualified, `hits[${i}].qualified`),
        score: r.number(h.score, `hits[${i}].score`),
        match: r.oneOf<MatchClass>(h.match, MATCH_CLASSES, `hits[${i}].match`),
        matched: { field: r.oneOf<MatchField>(m.field, MATCH_FIELDS, `hits[${i}].matched.field`), text: r.string(m.text, `hits[${i}].matched.text`) },
      };
    }),
  };
}

export function readTableList(json: unknown): TableSummary[] {
  const r = new Reader('the tables');
  return r.array(json, 'the answer').map((v, i) => summary(r, r.object(v, `[${i}]`), `[${i}]`));
}

export function readTable(json: unknown): TableInfo {
  const r = new Reader('the table');
  const o = r.object(json, 'the answer');
  return {
    ...summary(r, o, 'the answer'),
    description: r.optString(o.description, 'description'),
    owner: r.optString(o.owner, 'owner'),
    tags: tags(r, o.tags, 'tags'),
    terms: o.terms === undefined ? [] : r.strings(o.terms, 'terms'),
    columns: r.array(o.columns, 'columns').map((c, i) => column(r, c, `columns[${i}]`)),
  };
}

export function readPreview(json: unknown): Preview {
  const r = new Reader('the preview');
  const o = r.object(json, 'the answer');
  const columns = r.array(o.columns, 'columns').map((v, i) => {
    const c = r.object(v, `columns[${i}]`);
    return { name: r.string(c.name, `columns[${i}].name`), type: r.string(c.type, `columns[${i}].type`), masked: r.boolean(c.masked, `columns[${i}].masked`) };
  });
  const rows = r.array(o.rows, 'rows').map((row, i) => {
    const cells = r.array(row, `rows[${i}]`);
    if (cells.length !== columns.length) r.fail(`rows[${i}]`, `a row of ${columns.length} cells`);
    return cells;
  });
  return {
    columns,
    rows,
    mode: r.oneOf<PreviewMode>(o.mode, PREVIEW_MODES, 'mode'),
    limit: r.count(o.limit, 'limit'),
    truncated_cells: r.count(o.truncated_cells, 'truncated_cells'),
    elapsed_ms: r.count(o.elapsed_ms, 'elapsed_ms'),
  };
}

export function readUsage(json: unknown): UsageSummary {
  const r = new Reader('the usage');
  const o = r.object(json, 'the answer');
  return {
    queries: r.count(o.queries, 'queries'),
    last_used: o.last_used === undefined ? null : r.timeOrNull(o.last_used, 'last_used'),
    users: r.array(o.users, 'users').map((v, i) => {
      const u = r.object(v, `users[${i}]`);
      return { actor: r.string(u.actor, `users[${i}].actor`), queries: r.count(u.queries, `users[${i}].queries`), last_used: r.time(u.last_used, `users[${i}].last_used`) };
    }),
    columns: r.array(o.columns, 'columns').map((v, i) => {
      const c = r.object(v, `columns[${i}]`);
      return { name: r.string(c.name, `columns[${i}].name`), queries: r.count(c.queries, `columns[${i}].queries`) };
    }),
  };
}

export function readLineage(json: unknown): LineageGraph {
  const r = new Reader('the lineage');
  const o = r.object(json, 'the answer');
  const end = (v: unknown, at: string) => {
    const e = r.object(v, at);
    return { key: r.string(e.key, `${at}.key`), column: r.string(e.column, `${at}.column`) };
  };
  return {
    nodes: r.array(o.nodes, 'nodes').map((v, i) => {
      const n = r.object(v, `nodes[${i}]`);
      return {
        key: r.string(n.key, `nodes[${i}].key`),
        source: r.string(n.source, `nodes[${i}].source`),
        schema: r.string(n.schema, `nodes[${i}].schema`),
        name: r.string(n.name, `nodes[${i}].name`),
        qualified: r.string(n.qualified, `nodes[${i}].qualified`),
        in_catalog: r.boolean(n.in_catalog, `nodes[${i}].in_catalog`),
      };
    }),
    edges: r.array(o.edges, 'edges').map((v, i) => {
      const e = r.object(v, `edges[${i}]`);
      return { from: end(e.from, `edges[${i}].from`), to: end(e.to, `edges[${i}].to`), transform: r.string(e.transform, `edges[${i}].transform`), run_id: r.string(e.run_id, `edges[${i}].run_id`) };
    }),
    unparsed_runs: r.count(o.unparsed_runs, 'unparsed_runs'),
  };
}

export function readNote(json: unknown): Note {
  const r = new Reader('the description');
  const o = r.object(json, 'the answer');
  return { description: r.optString(o.description, 'description'), owner: r.optString(o.owner, 'owner') };
}

export function readClassifyResults(json: unknown): ClassifyResult[] {
  const r = new Reader('the classification');
  return r.array(json, 'the answer').map((v, i) => {
    const o = r.object(v, `[${i}]`);
    const s = r.object(o.suggestion, `[${i}].suggestion`);
    return {
      column: r.string(o.column, `[${i}].column`),
      suggestion: {
        tag: r.string(s.tag, `[${i}].suggestion.tag`),
        confidence: r.number(s.confidence, `[${i}].suggestion.confidence`),
        basis: r.oneOf<'name' | 'values' | 'name+values'>(s.basis, BASES, `[${i}].suggestion.basis`),
        reason: r.string(s.reason, `[${i}].suggestion.reason`),
        matched: r.count(s.matched, `[${i}].suggestion.matched`),
        sampled: r.count(s.sampled, `[${i}].suggestion.sampled`),
      },
      stored: r.oneOf<'suggested' | 'kept'>(o.stored, new Set(['suggested', 'kept']), `[${i}].stored`),
    };
  });
}

export function readGlossary(json: unknown): GlossaryTerm[] {
  const r = new Reader('the glossary');
  return r.array(json, 'the answer').map((v, i) => {
    const o = r.object(v, `[${i}]`);
    return {
      term: r.string(o.term, `[${i}].term`),
      definition: r.string(o.definition, `[${i}].definition`),
      updated_by: r.optString(o.updated_by, `[${i}].updated_by`),
      tables: o.tables === undefined ? [] : r.strings(o.tables, `[${i}].tables`),
    };
  });
}

/** `GET api/me?permissions={"catalog":["read","execute","write"],"pii":["read"]}`: the actions the server's role policy grants. */
export function readAbilities(json: unknown): CatalogAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const granted = (resource: string) => new Set(permissions[resource] === undefined ? [] : r.strings(permissions[resource], `permissions.${resource}`));
  const catalog = granted('catalog');
  return { read: catalog.has('read'), refresh: catalog.has('execute'), write: catalog.has('write'), pii: granted('pii').has('read') };
}
