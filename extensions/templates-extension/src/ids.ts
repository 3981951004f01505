/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/templates-extension:plugin';

export const CommandIDs = {
  /** The install dialog: `{name?, pipelines?: boolean}` (a template, or a choice; pipelines: only templates holding one); resolves with the install or null. */
  install: 'workbench-templates:install',
  /** Save as Template…: `{paths?: string[]}` (default: the file browser's selection, else the current document); resolves with the template or null. */
  save: 'workbench-templates:save',
  /** Reloads the library (the launcher's cards). */
  refresh: 'workbench-templates:refresh',
} as const;

/** The launcher category of the template cards. */
export const CATEGORY = 'Templates';

/** Opens a pipeline's page (the pipelines extension's command), when it is there. */
export const OPEN_PIPELINE = 'workbench-pipelines:open';
