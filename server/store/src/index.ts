/**
 * @workbench/store: the metadata database shared by auth, audit, secrets and
 * (later) connections, catalog and pipelines. One schema with versioned,
 * append-only migrations; embedded SQLite by default, PostgreSQL when
 * `database.url` is set; one query builder (kysely) for both. Times are
 * epoch milliseconds as JS numbers on both dialects. See README.md.
 *
 * Import kysely's values and types from here, not from 'kysely' (see kysely.ts).
 */
export { openStore, type MetadataStore, type StoreOptions } from './store';
export type { ReleaseLock } from './held-lock';
export type { DeferredFlushWriter, RawSql } from './wal-flush';
export { GroupFsync } from './group-fsync';
export type { Database, UsersTable, ApiTokensTable, SessionsTable, AuditLogTable, SecretsTable, ConnectionsTable, CatalogTablesTable, CatalogColumnsTable, CatalogNotesTable, CatalogTagsTable, CatalogTagState, CatalogGlossaryTable, CatalogTermLinksTable, CatalogUsageTable, CatalogLineageTable, CatalogRunsTable, PipelinesTable, PipelineRunsTable, PipelineTasksTable, PipelineTaskAttemptsTable, PipelineLogsTable, PipelineNotificationsTable, QualityResultsTable, DocumentsTable, DocumentEventsTable, DocumentCorrectionsTable, IntakeSourcesTable, IntakeSignaturesTable, TemplatesTable, TemplateVersionsTable, TemplateVersionFilesTable, KernelLanguageInfoTable, AuditJournalTable, EpochMs, UserSource, RolesSource, AuditVia, AuditOutcome } from './schema';
export { MIGRATIONS, type StoreDialect, type StoreMigration } from './migrations';
export type { MigrationList } from './migrate';
export { isUniqueViolation, isForeignKeyViolation } from './db-errors';
export { UserRepository, type User, type NewUser, type RepositoryOptions } from './user-repository';
export { KernelLanguageInfoRepository } from './kernel-language-info';
export { SessionRepository, sessionIdOf, type Session, type NewSession } from './session-repository';
export {
  ApiTokenRepository,
  API_TOKEN_PREFIX,
  hashApiToken,
  type ApiToken,
  type ApiTokenMatch,
  type ApiTokenStatus,
  type ApiTokenRepositoryOptions,
  type CreatedApiToken,
} from './api-token-repository';
export { sql } from './kysely';
export { createTrackedPool, type StorePool } from './postgres';
export type { ColumnType, ExpressionBuilder, Generated, GeneratedAlways, Insertable, Kysely, RawBuilder, Selectable, Transaction, Updateable } from './kysely';
