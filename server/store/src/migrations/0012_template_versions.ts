/**
 * 0012_template_versions: every saved version of a user's template (issue
 * 17's library, with history). `templates` stays the current version's row
 * (name, manifest, `version`: the current one); each save writes its
 * version here, whole: the manifest as it was and every file's text, which
 * is where the current version's files are read from too. Replacing or
 * restoring a template adds a version and never rewrites one, so "what did
 * version 3 install" has an answer after version 7 is saved.
 * `restored_from` names the version a restore copied.
 *
 * Templates saved before this migration get their current version copied
 * in, so their history starts with what they are now; `template_files`
 * (0010), which held only the current files, is then dropped.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('template_versions')
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('folder', 'text', (c) => c.notNull())
      .addColumn('open', 'text')
      .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('file_count', 'integer', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('saved_by', 'text', (c) => c.notNull())
      .addColumn('saved_at', 'bigint', (c) => c.notNull())
      .addColumn('restored_from', 'integer')
      .addPrimaryKeyConstraint('template_versions_pk', ['template', 'version'])
      .execute();
    await db.schema
      .createTable('template_version_files')
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('template_version_files_pk', ['template', 'version', 'path'])
      .execute();
    await db
      .insertInto('template_versions')
      .columns(['template', 'version', 'title', 'description', 'folder', 'open', 'parameters', 'file_count', 'size_bytes', 'saved_by', 'saved_at'])
      .expression(db.selectFrom('templates').select(['name', 'version', 'title', 'description', 'folder', 'open', 'parameters', 'file_count', 'size_bytes', 'updated_by', 'updated_at']))
      .execute();
    await db
      .insertInto('template_version_files')
      .columns(['template', 'version', 'path', 'content'])
      .expression(db.selectFrom('template_files as f').innerJoin('templates as t', 't.name', 'f.template').select(['f.template', 't.version', 'f.path', 'f.content']))
      .execute();
    await db.schema.dropTable('template_files').execute();
  },
};
