/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/catalog-extension:plugin';

export const CommandIDs = {
  /** Shows the Data Catalog side panel (`{query}` searches it); resolves once loaded. */
  open: 'workbench-catalog:open',
  /** Opens (or brings to the front) a table's page: `{source, schema, table, tab?, column?}`; resolves once loaded. */
  openTable: 'workbench-catalog:open-table',
  /** Puts a SELECT of a table into the active notebook: `{source, schema, table, columns?}`; answers `InsertResult`. */
  insertSelect: 'workbench-catalog:insert-select',
} as const;

/** The side panel's DOM id. */
export const PANEL_ID = 'wb-catalog';

/** The namespace of table pages (layout restoration, their DOM ids). */
export const PAGE_NAMESPACE = 'wb-catalog-table';
