/**
 * 0011_audit_journal: how far the audit log's journal has been copied into
 * `audit_log` (issue 12). On the embedded store the server writes each
 * audit record to a journal file next to the database and flushes it to
 * disk before the action's answer, then copies records into `audit_log`
 * in batches; each batch's transaction moves `last_entry` (the journal's
 * own numbering) forward, so after a crash only the records not yet
 * copied are copied again, never twice.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('audit_journal')
      .addColumn('journal', 'text', (c) => c.primaryKey())
      .addColumn('last_entry', 'bigint', (c) => c.notNull())
      .execute();
  },
};
