/**
 * 0005_catalog: what discovery found in each connection and the warehouse
 * (tables, views, columns), what people added to it (descriptions, owners,
 * tags with their classification suggestions, glossary terms), who used
 * which table (rows tied to the audit record of the query) and the
 * column-level lineage of the SQL that ran, as edges per run.
 *
 * Discovered rows belong to discovery and are replaced by each refresh;
 * what people add is keyed by the object's identity (source, schema,
 * table, column) as `object_key`, so a refresh, or a table dropped and
 * recreated, never loses it.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('catalog_tables')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('object_key', 'text', (c) => c.notNull().unique())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('schema_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('row_count', 'bigint')
      .addColumn('size_bytes', 'bigint')
      // A hash of the table's shape (kind, comment, columns): a refresh rewrites only the tables whose shape changed.
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('changed_at', 'bigint', (c) => c.notNull())
      .addColumn('refreshed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('catalog_tables_source_idx').on('catalog_tables').columns(['source', 'schema_name', 'name']).execute();
    await db.schema
      .createTable('catalog_columns')
      .addColumn('table_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('data_type', 'text', (c) => c.notNull())
      .addColumn('nullable', 'integer', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addPrimaryKeyConstraint('catalog_columns_pk', ['table_id', 'position'])
      .execute();
    await db.schema
      .createTable('catalog_notes')
      .addColumn('object_key', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text')
      .addColumn('owner', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema
      .createTable('catalog_tags')
      .addColumn('object_key', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      // suggested (by a detector, waiting for a person), confirmed, rejected (a detector will not suggest it again)
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('confidence', 'real')
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('decided_by', 'text')
      .addPrimaryKeyConstraint('catalog_tags_pk', ['object_key', 'tag'])
      .execute();
    await db.schema
      .createTable('catalog_glossary')
      .addColumn('term', 'text', (c) => c.primaryKey())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema
      .createTable('catalog_term_links')
      .addColumn('object_key', 'text', (c) => c.notNull())
      .addColumn('term', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_term_links_pk', ['object_key', 'term'])
      .execute();
    await db.schema
      .createTable('catalog_usage')
      .addColumn('audit_seq', 'bigint', (c) => c.notNull())
      .addColumn('object_key', 'text', (c) => c.notNull())
      // '' for the table as a whole
      .addColumn('column_name', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_usage_pk', ['audit_seq', 'object_key', 'column_name'])
      .execute();
    await db.schema.createIndex('catalog_usage_object_idx').on('catalog_usage').columns(['object_key', 'ts']).execute();
    await db.schema
      .createTable('catalog_lineage')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('target_key', 'text', (c) => c.notNull())
      .addColumn('target_column', 'text', (c) => c.notNull())
      .addColumn('input_key', 'text', (c) => c.notNull())
      .addColumn('input_column', 'text', (c) => c.notNull())
      .addColumn('transform', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_lineage_pk', ['run_id', 'seq'])
      .execute();
    await db.schema.createIndex('catalog_lineage_target_idx').on('catalog_lineage').column('target_key').execute();
    await db.schema.createIndex('catalog_lineage_input_idx').on('catalog_lineage').column('input_key').execute();
    await db.schema
      .createTable('catalog_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // 'refresh' (discovery of a source) or 'sql' (a statement whose lineage was recorded)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      // running, ok, error, unparsed
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      // JSON: counts of a refresh; the statement's hash, kind and target of a sql run; the audit seq
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('catalog_runs_source_idx').on('catalog_runs').columns(['source', 'started_at']).execute();
  },
};
