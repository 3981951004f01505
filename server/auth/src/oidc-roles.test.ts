import { AppError } from '@workbench/core';
import { assertRoleMapping, groupsFromClaims, mapRoles } from './oidc-roles';

describe('mapRoles', () => {
  const mapping = { analysts: ['analyst'], engineers: ['engineer', 'analyst'], admins: ['admin'] } as const;

  it('is the union of the mapped roles, least to most powerful, plus the default roles', () => {
    expect(mapRoles(['admins', 'analysts', 'engineers'], mapping)).toEqual(['analyst', 'engineer', 'admin']);
    expect(mapRoles(['analysts'], mapping, ['viewer'])).toEqual(['viewer', 'analyst']);
  });

  it('ignores unknown groups: no mapped group means the default roles, by default none', () => {
    expect(mapRoles(['marketing', 'Analysts'], mapping)).toEqual([]);
    expect(mapRoles([], mapping, ['viewer'])).toEqual(['viewer']);
    expect(mapRoles(['constructor', '__proto__', 'toString'], mapping)).toEqual([]);
  });

  it('refuses a mapping that names a role Workbench does not have', () => {
    expect(() => assertRoleMapping({ finance: ['analyst', 'owner'] })).toThrow(AppError);
    expect(() => assertRoleMapping({ finance: 'analyst' })).toThrow(/group "finance" maps to an unknown role/);
    expect(() => assertRoleMapping([])).toThrow(/roleMapping must be an object/);
    expect(() => assertRoleMapping({}, ['superuser'])).toThrow(/defaultRoles/);
    expect(() => assertRoleMapping({ finance: ['viewer'] }, ['viewer'])).not.toThrow();
  });
});

describe('groupsFromClaims', () => {
  it('reads a list, a single string, a namespaced claim or a dotted path', () => {
    expect(groupsFromClaims({ groups: ['a', 'b', 'a', 7, ''] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFromClaims({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(groupsFromClaims({ 'https://example.com/groups': ['x'] }, 'https://example.com/groups')).toEqual(['x']);
    expect(groupsFromClaims({ realm_access: { roles: ['finance'] } }, 'realm_access.roles')).toEqual(['finance']);
  });

  it('is empty when the claim is absent or not a list of strings', () => {
    expect(groupsFromClaims({}, 'groups')).toEqual([]);
    expect(groupsFromClaims({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(groupsFromClaims({ realm_access: null }, 'realm_access.roles')).toEqual([]);
    expect(groupsFromClaims({}, '__proto__.constructor')).toEqual([]);
  });
});
