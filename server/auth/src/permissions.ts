/**
 * Authorization by (resource, action), as jupyter_server's Authorizer
 * (`is_authorized(handler, user, action, resource)`): routes declare what
 * they touch, this table says which roles may touch it.
 *
 * The `admin` role may do everything. A resource listed in the policy is
 * open only to the roles named there; any other resource is open to every
 * signed-in user. Denying a role something means listing the resource with
 * the roles that keep it.
 */
import type { User } from './identity';

/** jupyter_server's actions: read (GET), write (changes), execute (running code, sockets). */
export type Action = 'read' | 'write' | 'execute';

/** Resource -> roles allowed to use it (admin always is). */
export type RolePolicy = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_ROLE_POLICY: RolePolicy = {
  // A terminal is a shell under the server's account: the same power as the server itself.
  terminals: ['admin'],
  // Shutting the server down stops everybody's kernels.
  server: ['admin'],
};

export function isAuthorized(user: User, resource: string, action: Action, policy: RolePolicy = DEFAULT_ROLE_POLICY): boolean {
  if (user.roles.includes('admin')) return true;
  // "resource:action" narrows one action (e.g. "contents:write": who may change files), else "resource".
  const allowed = policy[`${resource}:${action}`] ?? policy[resource];
  return allowed === undefined || allowed.some((role) => user.roles.includes(role));
}

/** "Cannot <action> <resource>: ..." for a refused request. */
export function forbiddenMessage(resource: string, action: Action, policy: RolePolicy = DEFAULT_ROLE_POLICY): string {
  const roles = ['admin', ...(policy[`${resource}:${action}`] ?? policy[resource] ?? []).filter((r) => r !== 'admin')];
  return `Cannot ${action} ${resource}: requires the ${roles.join(' or ')} role`;
}
