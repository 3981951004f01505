/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/environments-extension:plugin';

export const CommandIDs = {
  /** The Python Environments screen; resolves once loaded. */
  open: 'workbench-environments:open',
} as const;

export const NAMESPACE = 'wb-environments';
