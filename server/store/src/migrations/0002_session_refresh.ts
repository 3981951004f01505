/**
 * 0002_session_refresh: when a login session's access token expires, so the
 * server knows when to refresh the session through the identity provider
 * (and re-derive the user's roles) without decrypting its refresh token on
 * every request. Null: nothing to refresh (no provider expiry known).
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('sessions').addColumn('access_expires_at', 'bigint').execute();
  },
};
