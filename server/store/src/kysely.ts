/**
 * kysely, as the rest of Workbench sees it. kysely is a dependency of this
 * package only (npm installs it under server/store), so other packages
 * (audit, secrets, later connections, catalog, pipelines) import its values
 * and types from `@workbench/store`, never from 'kysely': one version, one
 * module instance.
 */
export {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  DEFAULT_MIGRATION_TABLE,
} from 'kysely';
export type {
  ColumnType,
  DatabaseConnection,
  DialectAdapter,
  Driver,
  ExpressionBuilder,
  Generated,
  GeneratedAlways,
  Insertable,
  Migration,
  MigrationProvider,
  RawBuilder,
  Selectable,
  SqliteDialectConfig,
  Transaction,
  Updateable,
} from 'kysely';
