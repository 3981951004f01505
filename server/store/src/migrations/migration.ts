/**
 * A migration of the metadata schema. Migrations are forward-only and
 * append-only: a released migration is never edited, renamed or removed
 * (replicas and databases in the field have recorded its name); a change is
 * a new one with the next number. There is no `down`: going back is
 * restoring a backup.
 *
 * A migration sees `Kysely<any>`, not the current `Database` type: it runs
 * against the schema as it was when it was written.
 */
import type { Kysely } from '../kysely';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreMigration {
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}
