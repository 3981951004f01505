/**
 * 0007_quality: the result of every data-quality expectation a pipeline
 * task evaluated (`%%expect` cells of the SQL kernel): one row per run,
 * task, attempt and check, with its verdict, how many rows offended, their
 * amount against the materiality threshold, and a sample of the offending
 * rows (JSON), so a close can show why it failed long after the run.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('quality_results')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('check_name', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('violations', 'bigint', (c) => c.notNull())
      // Decimal text (exact), null when the check has no amount column.
      .addColumn('impact', 'text')
      .addColumn('materiality', 'text')
      // JSON {columns, rows}.
      .addColumn('sample', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('sql_sha256', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('quality_results_pk', ['run_id', 'task_id', 'attempt', 'check_name'])
      .execute();
    await db.schema.createIndex('quality_results_check_idx').on('quality_results').columns(['check_name', 'at']).execute();
  },
};
