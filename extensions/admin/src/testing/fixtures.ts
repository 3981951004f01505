/** Data shared by the tests (not built: see tsconfig.json). */
import type { UserModel } from '../types';

/** A user as `api/users` answers: signed in with SSO, roles from the provider. */
export const USER: UserModel = {
  username: 'alice',
  display_name: 'Alice Archer',
  email: 'alice@example.com',
  roles: ['analyst'],
  roles_source: 'provider',
  source: 'oidc',
  disabled: null,
  created: '2026-03-10T11:00:00.000Z',
  updated: '2026-03-10T11:00:00.000Z',
};
