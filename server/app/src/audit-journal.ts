import { join } from 'node:path';
import type { WorkbenchConfig } from './config';

/**
 * Where the audit log's journal of this configuration lives (the server
 * writes it; the operator commands take it when no server does): beside
 * the SQLite database, or on PostgreSQL each replica's own in its data_dir.
 */
export function auditJournalPath(config: WorkbenchConfig): string {
  return config.database.url ? join(config.dataDir, 'audit-journal') : `${config.database.sqlitePath}-audit`;
}
