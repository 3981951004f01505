/**
 * Running the schema migrations at open, with kysely's Migrator.
 *
 * Several gateway replicas may start at once on one PostgreSQL database:
 * kysely creates its bookkeeping tables tolerating the race, then runs the
 * pending migrations inside one transaction while holding a session-level
 * advisory lock, re-reading what is recorded after taking it; so exactly one
 * replica applies each migration and the others find nothing to do. On
 * SQLite the migration transaction is BEGIN IMMEDIATE (see store.ts), which
 * serialises processes sharing the file the same way.
 *
 * A database that has recorded a migration this code does not know was
 * upgraded by a newer Workbench: it is refused, never touched.
 */
import { AppError, describeError, type Logger } from '@workbench/core';
import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely, type Migration } from './kysely';
import type { StoreDialect, StoreMigration } from './migrations';

export type MigrationList = ReadonlyArray<{ readonly name: string; readonly migration: StoreMigration }>;

/** Applies the pending migrations; returns the names this call applied (empty when up to date). */
export async function migrate(
  db: Kysely<any>,
  dialect: StoreDialect,
  migrations: MigrationList,
  logger: Logger,
): Promise<string[]> {
  await refuseNewerSchema(db, dialect, migrations);
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(migrations.map(({ name, migration }) => [name, { up: (d: Kysely<any>) => migration.up(d, dialect) }]));
    },
  };
  const { error, results = [] } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    // A newer replica may have migrated between our check and kysely's.
    await refuseNewerSchema(db, dialect, migrations);
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new AppError(
      'unavailable',
      `Cannot migrate the metadata store${failed ? `: migration ${failed} failed` : ''}: ${describeError(error)}`,
      { cause: error },
    );
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length > 0) logger.info({ migrations: applied, dialect }, 'Metadata store migrated');
  return applied;
}

/** The migration names recorded in the database, oldest first by name; empty for a new database. */
export async function recordedMigrations(db: Kysely<any>, dialect: StoreDialect): Promise<string[]> {
  const exists =
    dialect === 'postgres'
      ? (await sql<{ found: boolean }>`select to_regclass(${DEFAULT_MIGRATION_TABLE}) is not null as found`.execute(db)).rows[0]?.found
      : (await sql<{ found: number }>`select count(*) as found from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`.execute(db))
          .rows[0]?.found === 1;
  if (!exists) return [];
  const rows = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => r.name as string);
}

async function refuseNewerSchema(db: Kysely<any>, dialect: StoreDialect, migrations: MigrationList): Promise<void> {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = (await recordedMigrations(db, dialect)).filter((name) => !known.has(name));
  if (unknown.length === 0) return;
  const latest = migrations.at(-1)?.name ?? '(none)';
  throw new AppError(
    'unavailable',
    `Cannot open the metadata store: its schema is newer than this Workbench (it has ${unknown.join(', ')}; ` +
      `this version knows up to ${latest}). Run the newer Workbench, or restore a backup taken before the upgrade`,
    { details: { unknownMigrations: unknown, latestKnown: latest } },
  );
}
