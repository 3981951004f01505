/**
 * Authorization by (resource, action), as jupyter_server's Authorizer
 * (`is_authorized(handler, user, action, resource)`): routes declare what
 * they touch, this table says which roles may touch it.
 *
 * Workbench has four roles, each including the one before it:
 * - viewer: read notebooks and files, their history, the catalog and run history;
 * - analyst: also run kernels and notebooks, edit notebooks, run pipelines by hand;
 * - engineer: also edit pipelines, connections and schedules;
 * - admin: everything, including users, roles, secrets, the audit log,
 *   terminals (a shell as the server's account) and server settings.
 *
 * Closed by default: a resource the policy does not name is open to admins
 * only, so a new route that forgets to say who may use it is not open to
 * everybody. The route table requires every non-public route to declare a
 * (resource, action), and the role sweep test checks each against this table.
 */
import type { User } from './identity';

/** jupyter_server's actions: read (GET), write (changes), execute (running code, sockets). */
export type Action = 'read' | 'write' | 'execute';

export const ROLES = ['viewer', 'analyst', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Resource -> roles allowed to use it (admin always is). Keys are "resource:action" or "resource" (every action). */
export type RolePolicy = Readonly<Record<string, readonly string[]>>;

/** The role and every role above it. */
export function atLeast(role: Role): readonly Role[] {
  return ROLES.slice(ROLES.indexOf(role));
}

const viewer = atLeast('viewer');
const analyst = atLeast('analyst');
const engineer = atLeast('engineer');

export const DEFAULT_ROLE_POLICY: RolePolicy = {
  // Who you are, your own API tokens, signing out: everybody signed in.
  identity: viewer,
  tokens: viewer,
  // The API description.
  api: viewer,
  // JupyterLab itself: its pages, settings, workspaces, themes, translations.
  lab: viewer,
  'contents:read': viewer,
  'contents:write': analyst,
  'history:read': viewer,
  'history:write': analyst,
  'nbconvert:read': viewer,
  'kernelspecs:read': viewer,
  // Kernels and sessions: listing shows only your own (admins: all), so a viewer sees an empty list.
  'kernels:read': viewer,
  'kernels:write': analyst,
  'kernels:execute': analyst,
  'sessions:read': viewer,
  'sessions:write': analyst,
  // Server events: listening is reading; emitting is running something.
  'events:execute': viewer,
  'events:write': analyst,
  // Front-end config sections (/api/config) are server-wide: changing one changes it for everybody.
  'config:read': viewer,
  'config:write': engineer,
  // Data work built on this (later issues): the catalog and run history are readable by all;
  // running a pipeline by hand is an analyst's; changing pipelines, connections, schedules an engineer's.
  'catalog:read': viewer,
  // Refreshing a source's discovery on demand: running something, an analyst's.
  'catalog:execute': analyst,
  'catalog:write': engineer,
  // Values of columns tagged as personal data (pii:*): masked in previews for the others.
  'pii:read': engineer,
  'runs:read': viewer,
  'pipelines:read': viewer,
  'pipelines:execute': analyst,
  'pipelines:write': engineer,
  'connections:read': viewer,
  'connections:execute': analyst,
  'connections:write': engineer,
  // The templates library: browsing is everybody's; installing (writing files) and saving your own an
  // analyst's (a template holding a pipeline also needs pipelines:write); replacing or deleting another
  // user's template is curating the library, an engineer's.
  'templates:read': viewer,
  'templates:execute': analyst,
  'templates:write': analyst,
  'templates-curate': engineer,
  // Projects' Python environments: which exist is an analyst's to see (they run kernels in them);
  // deleting or pruning them an engineer's.
  'environments:read': analyst,
  'environments:write': engineer,
  'schedules:read': viewer,
  'schedules:write': engineer,
  // Receipts and vendor bills: reviewing them (reading, correcting, approving, rejecting, uploading) is an
  // analyst's; who may send them by webhook (sources and their secrets) an engineer's.
  'documents:read': analyst,
  'documents:write': analyst,
  'intake:read': engineer,
  'intake:write': engineer,
  // Admin only (listed for clarity; unlisted resources are admin-only anyway):
  // users and roles, secrets, the audit log, terminals, shutting the server down.
  users: ['admin'],
  secrets: ['admin'],
  audit: ['admin'],
  terminals: ['admin'],
  server: ['admin'],
};

/** The roles that may take `action` on `resource` (admin always included). */
export function allowedRoles(resource: string, action: Action, policy: RolePolicy = DEFAULT_ROLE_POLICY): readonly string[] {
  const listed = policy[`${resource}:${action}`] ?? policy[resource] ?? [];
  return ['admin', ...listed.filter((r) => r !== 'admin')];
}

export function isAuthorized(user: Pick<User, 'roles'>, resource: string, action: Action, policy: RolePolicy = DEFAULT_ROLE_POLICY): boolean {
  return allowedRoles(resource, action, policy).some((role) => user.roles.includes(role));
}

export function isAdmin(user: Pick<User, 'roles'>): boolean {
  return user.roles.includes('admin');
}

/** "Cannot <action> <resource>: ..." for a refused request. */
export function forbiddenMessage(resource: string, action: Action, policy: RolePolicy = DEFAULT_ROLE_POLICY): string {
  const allowed = allowedRoles(resource, action, policy);
  const least = ROLES.find((r) => allowed.length === atLeast(r).length && atLeast(r).every((x) => allowed.includes(x)));
  const needs = least === 'admin' ? 'the admin role' : least ? `the ${least} role or higher` : `the ${allowed.join(' or ')} role`;
  return `Cannot ${action} ${resource}: requires ${needs}`;
}
