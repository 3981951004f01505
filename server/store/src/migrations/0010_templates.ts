/**
 * 0010_templates: templates users add to the library (issue 17). Shipped
 * templates live in the repository's `templates/` folder and are not
 * stored; a user's template is a row here (its name, unique across both,
 * its manifest: title, description, default folder, the file opened after
 * install and its parameters as JSON) and its files as text, one row each.
 * `version` counts replacements, so an install names what it copied.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('templates')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('open', 'text')
      // JSON: the parameters [{name, type, label, description, default, required, choices, connection_kind}].
      .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('file_count', 'integer', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createTable('template_files')
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('template_files_pk', ['template', 'path'])
      .execute();
  },
};
