/**
 * 0004_connections: the outside systems Workbench reads from (Odoo's and
 * internal PostgreSQL databases first). Settings that are not secret live
 * here as JSON; credentials live in `secrets` (encrypted), named
 * `connections/<id>/v<version>`. `credential_version` is the one in use;
 * `pending_version` a rotation staged and tested but not yet switched to
 * (the one in use keeps working until the switch).
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('credential_version', 'integer')
      .addColumn('pending_version', 'integer')
      // The highest version ever issued: versions are never reused, so an audit record's version names one credential.
      .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
  },
};
