/**
 * 0003_role_overrides: where a user's roles come from. 'provider': the
 * identity provider's groups through the role mapping (refreshed at every
 * SSO login and refresh) or, for token users, what they were created with;
 * 'admin': set by an administrator (PATCH /api/users), kept across logins
 * until an administrator hands them back to the provider. provider_roles:
 * what the provider last said (JSON array), so handing back restores it at
 * once rather than at the user's next login.
 *
 * Append-only: once released, this file never changes.
 */
import { sql, type Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable('users')
      .addColumn('roles_source', 'text', (c) => c.notNull().defaultTo('provider'))
      .execute();
    await db.schema.alterTable('users').addColumn('provider_roles', 'text').execute();
    await db.updateTable('users').set({ provider_roles: sql`roles` }).execute();
  },
};
