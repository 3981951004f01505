/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/dependencies-extension:plugin';

/** Provides the notebook cell executor (JupyterLab's own, asking first about a cell that reads a later cell's name). */
export const EXECUTOR_PLUGIN_ID = '@workbench/dependencies-extension:cell-executor';

export const CommandIDs = {
  /** Runs a cell and every cell depending on it, in dependency order: `{cellId?, path?}`, default the active cell of the current notebook; answers whether all ran. */
  runDownstream: 'workbench-dependencies:run-downstream',
  /** Runs the stale or never-run cells a cell depends on, then the cell: `{cellId?, path?}`; answers whether all ran. */
  runUpstream: 'workbench-dependencies:run-upstream',
  /** Shows the Dependencies side panel. */
  panel: 'workbench-dependencies:panel',
  /** Analyses the notebook now (`{path?}`) and resolves once its graph is current. */
  analyze: 'workbench-dependencies:analyze',
} as const;

/** The side panel's DOM id. */
export const PANEL_ID = 'wb-dependencies';
