/**
 * Every migration, in order. Names are `NNNN_snake_case`, four digits, and
 * sort in the order they run (kysely sorts by name and refuses a database
 * whose recorded migrations are not a prefix of this list).
 *
 * To add one: create `NNNN_what.ts` beside these exporting `migration`,
 * append it here, update ../schema.ts, and add a test of what it changes.
 */
import { migration as m0001 } from './0001_identity';
import { migration as m0002 } from './0002_session_refresh';
import { migration as m0003 } from './0003_role_overrides';
import { migration as m0004 } from './0004_connections';
import { migration as m0005 } from './0005_catalog';
import { migration as m0006 } from './0006_pipelines';
import { migration as m0007 } from './0007_quality';
import { migration as m0008 } from './0008_check_impacts';
import { migration as m0009 } from './0009_documents';
import { migration as m0010 } from './0010_templates';
import { migration as m0011 } from './0011_audit_journal';
import { migration as m0012 } from './0012_template_versions';
import { migration as m0013 } from './0013_kernel_language_info';
import type { StoreMigration } from './migration';

export type { StoreDialect, StoreMigration } from './migration';

export const MIGRATIONS: ReadonlyArray<{ readonly name: string; readonly migration: StoreMigration }> = [
  { name: '0001_identity', migration: m0001 },
  { name: '0002_session_refresh', migration: m0002 },
  { name: '0003_role_overrides', migration: m0003 },
  { name: '0004_connections', migration: m0004 },
  { name: '0005_catalog', migration: m0005 },
  { name: '0006_pipelines', migration: m0006 },
  { name: '0007_quality', migration: m0007 },
  { name: '0008_check_impacts', migration: m0008 },
  { name: '0009_documents', migration: m0009 },
  { name: '0010_templates', migration: m0010 },
  { name: '0011_audit_journal', migration: m0011 },
  { name: '0012_template_versions', migration: m0012 },
  { name: '0013_kernel_language_info', migration: m0013 },
];
