export * from './keys';
export * from './catalog';
export type { RefreshCounts } from './catalog-writer';
export type { DiscoveredTable, DiscoveredColumn } from './discovery';
export type { Preview, PreviewColumn, PreviewMode } from './preview';
export { MASK } from './preview';
export type { Note } from './annotations';
export type { SqlRunInput, SqlRunResult, LineageNode, LineageEdge, UsageSummary } from './sql-runs';
export type { SearchHit, SearchKind, SearchOptions, MatchClass } from './search';
export type { ClassificationSuggestion } from './classify';
export type { WorkspaceScan } from './workspace-references';
// The SQL parsers behind lineage, for other analyses of SQL (server/dependencies).
export { LineageParser } from './lineage';
export type { LineageDialect, LineageResult, StatementLineage, TableRef } from './lineage';
