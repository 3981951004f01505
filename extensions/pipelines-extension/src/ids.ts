/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/pipelines-extension:plugin';

export const CommandIDs = {
  /** The pipelines dashboard (home); resolves once loaded. */
  dashboard: 'workbench-pipelines:dashboard',
  /** Every pipeline with its run-history matrix; resolves once loaded. */
  list: 'workbench-pipelines:list',
  /** A pipeline's page: `{id}` or `{path}` (its YAML's workspace path); resolves once loaded. */
  open: 'workbench-pipelines:open',
  /** A run's page: `{id}`; resolves once loaded. */
  openRun: 'workbench-pipelines:open-run',
  /** The Create job dialog for a notebook: `{path}`, default the current notebook; answers the pipeline created, or null. */
  createJob: 'workbench-pipelines:create-job',
  /** The "New pipeline from template" dialog; answers what was installed (and opens its pipeline's page), or null. */
  fromTemplate: 'workbench-pipelines:from-template',
  /** Shows the Pipelines side panel; resolves once loaded. */
  panel: 'workbench-pipelines:panel',
} as const;

/** The side panel's DOM id. */
export const PANEL_ID = 'wb-pipelines';

/** Namespaces of the main-area screens (layout restoration, DOM ids). */
export const NAMESPACES = {
  dashboard: 'wb-pipelines-dashboard',
  list: 'wb-pipelines-list',
  pipeline: 'wb-pipelines-pipeline',
  run: 'wb-pipelines-run',
} as const;
