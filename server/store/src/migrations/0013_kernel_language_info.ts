/**
 * 0013_kernel_language_info: the `language_info` the last kernel of each
 * kernelspec gave in its kernel_info reply, kept so that notebooks written
 * by the server (template installs) carry what JupyterLab writes when that
 * kernel connects, also after a restart and on every replica (issue 17).
 * One row per kernelspec name; `language_info` is JSON.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('kernel_language_info')
      .addColumn('kernelspec', 'text', (c) => c.primaryKey())
      .addColumn('language_info', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
