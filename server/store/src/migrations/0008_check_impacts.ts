/**
 * 0008_check_impacts: a data-quality check that weighs its impact per
 * currency (`%%expect ... currency=COLUMN`, kernels/sql README) keeps each
 * currency's impact against that currency's materiality: JSON
 * `[{currency, impact, materiality, exceeded}]` (currency null for NULL,
 * decimals as text), ordered by currency. Null for checks without
 * `currency=` and for those recorded before this migration; their
 * `impact` and `materiality` columns say it all.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('quality_results').addColumn('impacts', 'text').execute();
  },
};
