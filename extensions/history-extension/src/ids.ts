/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/history-extension:plugin';

/** The side panel's DOM id (`#wb-history-panel`) and its ILayoutRestorer name. */
export const PANEL_ID = 'wb-history-panel';

export const CommandIDs = {
  /** Opens (activates) the panel. Args: `{ path?: string }` shows that file instead of the current document. */
  open: 'workbench-history:open',
  /** Reloads the versions of the file the panel shows. */
  refresh: 'workbench-history:refresh',
} as const;

/** Commands whose completion means a new version may have been committed (save creates a checkpoint). */
export const SAVE_COMMANDS: ReadonlySet<string> = new Set(['docmanager:save', 'docmanager:save-all', 'docmanager:save-as', 'docmanager:restore-checkpoint']);
