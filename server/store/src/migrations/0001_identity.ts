/**
 * 0001_identity: users, API tokens, login sessions, the audit log and
 * secrets at rest (the identity-and-audit issue).
 *
 * Append-only: once released, this file never changes. A later change to
 * these tables is a new migration.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>, dialect): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('oidc_subject', 'text')
      .addColumn('oidc_issuer', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .addUniqueConstraint('users_oidc_identity_key', ['oidc_issuer', 'oidc_subject'])
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('api_tokens_user_id_idx').on('api_tokens').column('user_id').execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('refresh_token_ciphertext', 'text')
      .addColumn('id_token_hint_ciphertext', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('ip', 'text')
      .execute();
    await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();

    // seq is assigned by the writer (server/audit: last + 1 inside a
    // transaction holding the chain's lock), so it has no gaps; the primary
    // key refuses a second record with the same seq rather than forking the
    // chain. INTEGER PRIMARY KEY is SQLite's rowid alias.
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('actor_role', 'text')
      .addColumn('via', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    // Queries filter by a time range (since/until) plus at most a user, an
    // action or a resource; each index ends in ts so the range is a scan of
    // one index slice. Paging and the chain walk use the seq primary key.
    await db.schema.createIndex('audit_log_ts_idx').on('audit_log').column('ts').execute();
    await db.schema.createIndex('audit_log_actor_ts_idx').on('audit_log').columns(['actor', 'ts']).execute();
    await db.schema.createIndex('audit_log_action_ts_idx').on('audit_log').columns(['action', 'ts']).execute();
    await db.schema.createIndex('audit_log_resource_action_ts_idx').on('audit_log').columns(['resource', 'action', 'ts']).execute();

    await db.schema
      .createTable('secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();
    // Key rotation re-encrypts every secret still under an old key.
    await db.schema.createIndex('secrets_key_id_idx').on('secrets').column('key_id').execute();
  },
};
