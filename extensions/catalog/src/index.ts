/**
 * @workbench/catalog-ui: client and widgets for Workbench's data catalog
 * (`{base}api/catalog`): the search side panel, table pages (columns,
 * preview, tags, lineage graph, usage) and the SELECT snippet notebooks
 * get. The server package is @workbench/catalog; the JupyterLab wiring
 * lives in @workbench/catalog-extension.
 */
export * from './types';
export { CatalogError, catalogErrors, errorFromResponse, errorText, isAbort, networkError } from './catalog-api';
export type { CatalogErrorKind } from './catalog-api';
export { CatalogClient } from './catalog-client';
export type { CatalogClientOptions, RequestOptions } from './catalog-client';
export {
  readAbilities,
  readClassifyResults,
  readGlossary,
  readLineage,
  readNote,
  readPreview,
  readRefreshRun,
  readSearchResult,
  readSources,
  readTable,
  readTableList,
  readUsage,
} from './validate';
export { hitTarget, parseKey, qualifiedName, sameTable, tableKey } from './keys';
export type { HitTarget } from './keys';
export * from './format';
export { fold, highlight, matchRanges, queryWords } from './highlight';
export type { Segment } from './highlight';
export { needsQuotes, selectSnippet, sqlIdent } from './sql-snippet';
export type { SelectSnippetOptions } from './sql-snippet';
export { edgePath, fitText, placeGraph, toElkGraph } from './lineage-graph';
export type { EdgeModel, GraphModel, MeasureText, NodeModel, PlacedEdge, PlacedGraph, PlacedNode } from './lineage-graph';
export { layoutLineage, loadElk } from './lineage-layout';
export type { LayoutOptions } from './lineage-layout';
export { kindIcon } from './icons';
export { tagList } from './tag-list';
export type { TagListOptions } from './tag-list';
export { InlineEdit } from './inline-edit';
export type { InlineEditOptions } from './inline-edit';
export { SourceList } from './source-list';
export type { SourceListOptions } from './source-list';
export { CatalogSidebar } from './catalog-sidebar';
export type { CatalogSidebarOptions, SidebarState } from './catalog-sidebar';
export { ColumnsView } from './columns-view';
export type { ColumnsViewOptions } from './columns-view';
export { PreviewView, PREVIEW_LIMITS } from './preview-view';
export { LineageView } from './lineage-view';
export type { LineageViewOptions } from './lineage-view';
export { UsageView } from './usage-view';
export { classifySummary, TablePage, TABS } from './table-page';
export type { TabName, TablePageOptions } from './table-page';
export { showGlossaryTerm } from './glossary-dialog';
export type { GlossaryDialogOptions } from './glossary-dialog';
