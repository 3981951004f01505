/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/connections-extension:plugin';

export const CommandIDs = {
  /** Shows the Connections side panel; resolves once its list is loaded. */
  open: 'workbench-connections:open',
} as const;

/** The side panel's DOM id. */
export const PANEL_ID = 'wb-connections';
