/**
 * From an identity provider's groups to Workbench roles. Pure: no I/O.
 *
 * The contract (the "a mapping from groups to Workbench roles"):
 * - a user's roles are the union of the roles mapped from each of their
 *   groups, plus `defaultRoles`;
 * - groups match exactly (case-sensitive, as providers issue them); groups
 *   the mapping does not name are ignored;
 * - a user with no mapped group gets `defaultRoles` only, and with the
 *   default `defaultRoles: []` that is no role at all: the HTTP layer must
 *   then refuse the login (403) rather than let in a user who may do nothing.
 */
import { AppError } from '@workbench/core';
import { isRole, ROLES, type Role } from './permissions';

/** The four Workbench roles (permissions.ts), as the OIDC role mapping names them. */
export const OIDC_ROLES = ROLES;
export type OidcRole = Role;

/** Group name -> the roles its members get. */
export type RoleMapping = Readonly<Record<string, readonly OidcRole[]>>;

export const isOidcRole = isRole;

/** Refuse a mapping that names a role Workbench does not have (a typo would otherwise silently grant nothing). */
export function assertRoleMapping(mapping: unknown, defaultRoles: unknown = []): asserts mapping is RoleMapping {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw new AppError('bad_request', 'Cannot configure OIDC: roleMapping must be an object of group -> roles');
  }
  for (const [group, roles] of Object.entries(mapping)) {
    if (!Array.isArray(roles) || !roles.every(isOidcRole)) {
      throw new AppError('bad_request', `Cannot configure OIDC: group ${JSON.stringify(group)} maps to an unknown role (roles are ${OIDC_ROLES.join(', ')})`);
    }
  }
  if (!Array.isArray(defaultRoles) || !defaultRoles.every(isOidcRole)) {
    throw new AppError('bad_request', `Cannot configure OIDC: defaultRoles must be a list of ${OIDC_ROLES.join(', ')}`);
  }
}

/** Union of the roles of `groups`, plus `defaultRoles`; sorted least to most powerful, no duplicates. */
export function mapRoles(groups: readonly string[], mapping: RoleMapping, defaultRoles: readonly OidcRole[] = []): OidcRole[] {
  const roles = new Set<OidcRole>(defaultRoles);
  for (const group of groups) {
    // Own properties only: a group called "constructor" or "__proto__" maps to nothing.
    if (!Object.prototype.hasOwnProperty.call(mapping, group)) continue;
    for (const role of mapping[group] ?? []) roles.add(role);
  }
  return OIDC_ROLES.filter((r) => roles.has(r));
}

/**
 * The groups in a claim set. `claim` is first looked up as a plain name
 * (so namespaced claims such as "https://example.com/groups" work), then as
 * a dotted path (Keycloak's "realm_access.roles"). A string value is one
 * group; non-string entries are dropped.
 */
export function groupsFromClaims(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  let value: unknown = claims[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((obj, key) => (typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined), claims);
  }
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((g): g is string => typeof g === 'string' && g !== ''))];
}
