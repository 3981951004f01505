/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/review-extension:plugin';

export const CommandIDs = {
  /** The review queue: `{tab?: review|failed|posted|all}`; resolves once loaded. */
  queue: 'workbench-review:queue',
  /** A document's page: `{id}`; resolves once loaded. */
  open: 'workbench-review:open',
} as const;

/** Namespaces of the main-area screens (layout restoration, DOM ids). */
export const NAMESPACES = {
  queue: 'wb-review-queue',
  document: 'wb-review-document',
} as const;

/** The query parameter of a link to a document: /lab?document=<id>. */
export const DOCUMENT_PARAM = 'document';
