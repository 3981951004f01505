/**
 * The JSON of Workbench's catalog API, as the client sees it. Mirrors
 * `server/catalog/src/catalog.ts` (sources, refresh runs, tables, columns,
 * tags), `preview.ts`, `sql-runs.ts` (usage, lineage), `annotations.ts`
 * (notes, tags, classification, glossary) and `search/types.ts` (hits),
 * served by `server/http/src/routes/catalog.ts`. This package runs in the
 * browser, so it does not import them.
 */

/** `warehouse` is the DuckDB file the SQL kernels share; the others are connections. */
export type SourceKind = 'warehouse' | 'postgres' | 'duckdb';

/** The source the SQL kernels run on when a cell names no connection. */
export const WAREHOUSE_SOURCE = 'warehouse';

/** A table of the catalog: each part may hold any character (dots, slashes, quotes, Unicode). */
export interface TableRef {
  source: string;
  schema: string;
  name: string;
}

export interface RefreshCounts {
  tables: number;
  columns: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** One discovery of a source (`POST .../refresh` answers it; `last_refresh` of a source). */
export interface RefreshRun {
  id: string;
  source: string;
  status: 'running' | 'ok' | 'error';
  /** ISO 8601. */
  started: string;
  finished: string | null;
  /** "5 tables: 5 added, 0 changed, 0 removed", or why it failed. */
  message: string | null;
  counts: RefreshCounts | null;
  missing_schemas: string[];
}

/** `GET api/catalog/sources`. */
export interface SourceInfo {
  name: string;
  kind: SourceKind;
  tables: number;
  last_refresh: RefreshRun | null;
}

export type TagState = 'suggested' | 'confirmed' | 'rejected';

export interface TagInfo {
  /** e.g. `pii:email`, `gold`. */
  tag: string;
  state: TagState;
  /** 0..1 for suggestions of the detectors; null for tags set by hand. */
  confidence: number | null;
  /** Why the detectors suggested it. */
  reason: string | null;
  /** Who decided (or suggested) it. */
  by: string | null;
}

export interface ColumnInfo {
  position: number;
  name: string;
  type: string;
  nullable: boolean;
  /** The database's own comment. */
  comment: string | null;
  /** What people wrote in the catalog. */
  description: string | null;
  tags: TagInfo[];
}

/** A row of `GET api/catalog/tables/{source}`: no columns, tags or notes. */
export interface TableSummary extends TableRef {
  qualified: string;
  kind: 'table' | 'view';
  comment: string | null;
  row_count: number | null;
  size_bytes: number | null;
  first_seen: string;
  changed: string;
  refreshed: string;
}

/** `GET api/catalog/tables/{source}/{schema}/{table}`. */
export interface TableInfo extends TableSummary {
  description: string | null;
  owner: string | null;
  tags: TagInfo[];
  /** Glossary terms linked to the table. */
  terms: string[];
  columns: ColumnInfo[];
}

export type PreviewMode = 'first' | 'sample';

export interface PreviewColumn {
  name: string;
  type: string;
  /** Personal data the user may not read: every value is `MASK` (or null). */
  masked: boolean;
}

/** `GET .../preview?mode=&limit=`. */
export interface Preview {
  columns: PreviewColumn[];
  /** Cells as JSON: numbers, text (cut at the server's limit, ending in "…"), booleans, null. */
  rows: unknown[][];
  mode: PreviewMode;
  limit: number;
  /** Cells the server cut. */
  truncated_cells: number;
  elapsed_ms: number;
}

/** What a masked cell holds (`server/catalog/src/preview.ts`). */
export const MASK = '••••••';

/** `GET .../usage`. */
export interface UsageSummary {
  queries: number;
  last_used: string | null;
  users: { actor: string; queries: number; last_used: string }[];
  columns: { name: string; queries: number }[];
}

export interface LineageNode extends TableRef {
  /** The JSON array `[source, schema, name]`. */
  key: string;
  qualified: string;
  /** Whether the catalog knows the table (it can be opened). */
  in_catalog: boolean;
}

export interface LineageEdge {
  /** `column` is '' for a table-level (indirect) edge. */
  from: { key: string; column: string };
  to: { key: string; column: string };
  /** `identity`, `aggregate`, `expression`, `indirect`, ... */
  transform: string;
  run_id: string;
}

/** `GET .../lineage?depth=`. */
export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** SQL runs of the source that could not be parsed (their lineage is unknown). */
  unparsed_runs: number;
}

/** `PATCH .../{table}[?column=]`'s answer: the note after the change. */
export interface Note {
  description: string | null;
  owner: string | null;
}

export interface ClassificationSuggestion {
  tag: string;
  confidence: number;
  basis: 'name' | 'values' | 'name+values';
  reason: string;
  matched: number;
  sampled: number;
}

/** One line of `POST .../classify`'s answer. */
export interface ClassifyResult {
  column: string;
  suggestion: ClassificationSuggestion;
  /** `kept`: a person had already decided that tag on that column. */
  stored: 'suggested' | 'kept';
}

export interface GlossaryTerm {
  term: string;
  definition: string;
  updated_by: string | null;
  /** Keys (`[source, schema, name]`) of the linked tables. */
  tables: string[];
}

export type SearchKind = 'table' | 'view' | 'column' | 'notebook' | 'glossary';

/** How a hit matched, best first. */
export type MatchClass = 'exact' | 'prefix' | 'word' | 'tag' | 'description' | 'fuzzy';

export type MatchField = 'name' | 'qualified' | 'tags' | 'terms' | 'description' | 'references';

/**
 * A search hit. `id` is `t:<table key>` (tables and views), `c:<column
 * key>` (columns), `n:<path>` (notebooks), `g:<term>` (glossary terms).
 */
export interface SearchHit {
  id: string;
  kind: SearchKind;
  name: string;
  qualified: string;
  score: number;
  match: MatchClass;
  /** The field that matched and the text: a name, a tag or term, a referenced id, or a normalised word. */
  matched: { field: MatchField; text: string };
}

/** `GET api/catalog/search`. */
export interface SearchResult {
  query: string;
  hits: SearchHit[];
}

export interface SearchParams {
  q: string;
  kinds?: readonly SearchKind[];
  source?: string;
  tags?: readonly string[];
  limit?: number;
}

/** What the signed-in user may do with the catalog (`GET api/me?permissions=`, the server's role policy). */
export interface CatalogAbilities {
  /** Search and read (viewer and up). */
  read: boolean;
  /** Refresh a source now (analyst and up). */
  refresh: boolean;
  /** Describe, tag, classify (engineer and up). */
  write: boolean;
  /** See values of columns tagged as personal data. */
  pii: boolean;
}
