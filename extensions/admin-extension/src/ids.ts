/** Stable names other code and the end-to-end tests rely on. */

export const PLUGIN_ID = '@workbench/admin-extension:plugin';

export const CommandIDs = {
  /** Opens "API tokens" (any signed-in user: their own tokens). */
  tokens: 'workbench-admin:tokens',
  /** Opens "Users and roles" (admins only). */
  users: 'workbench-admin:users',
  /** Opens "Audit log" (admins only). */
  audit: 'workbench-admin:audit',
} as const;

/** The main-area widgets' DOM ids. */
export const WIDGET_IDS = {
  tokens: 'wb-admin-tokens',
  users: 'wb-admin-users',
  audit: 'wb-admin-audit',
} as const;

export type ScreenName = keyof typeof CommandIDs;

/** The role that may see the Users and Audit screens (the server checks it again on every request). */
export const ADMIN_ROLE = 'admin';
