/**
 * 0009_documents: receipts and vendor bills (issue 16). One row per file
 * received (unique by its sha256, so the same file twice is one document),
 * its extraction as read and its fields as they stand after reviewers'
 * corrections, the rule issues, the vendor match and duplicates found, the
 * review decision and the posting to Odoo: the posting key (unique: a
 * document is posted under one key, which Odoo's record carries too, so a
 * retry after a crash finds the record instead of creating a second), the
 * Odoo model and id, attempts and the last error (a dead letter).
 *
 * `document_events` is the document's history (received, extracted,
 * corrected, approved, rejected, posting, posted, failed, replayed) with who
 * and what: the lineage from file to record. `document_corrections` keeps
 * each field a reviewer changed (before, after, the engine's confidence) for
 * accuracy figures. `intake_sources` names the webhook senders (their HMAC
 * secrets live in the secret store); `intake_signatures` remembers the
 * signatures seen within the replay window so a delivery cannot be replayed.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sha256', 'text', (c) => c.notNull().unique())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('pages', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('uploaded_by', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      // JSON: the engine's reading (fields, lines, page sizes), never changed after.
      .addColumn('extraction', 'text')
      // JSON: fields and lines as they stand (extraction + corrections).
      .addColumn('fields', 'text')
      .addColumn('lines', 'text')
      .addColumn('confidence', 'real')
      // JSON: rule issues [{rule, field, message}], why it waits for a person [..], vendor match, duplicates.
      .addColumn('issues', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('review_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('vendor_match', 'text')
      .addColumn('duplicates', 'text', (c) => c.notNull().defaultTo('[]'))
      // Denormalised for the duplicate checks and the queue.
      .addColumn('partner_id', 'integer')
      .addColumn('invoice_number', 'text')
      .addColumn('invoice_date', 'text')
      .addColumn('currency', 'text')
      .addColumn('total', 'text')
      .addColumn('corrected_by', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('reject_reason', 'text')
      .addColumn('error', 'text')
      .addColumn('posting_key', 'text', (c) => c.unique())
      .addColumn('posting_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('posting_error', 'text')
      .addColumn('odoo_model', 'text')
      .addColumn('odoo_id', 'integer')
      .addColumn('posted_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('documents_status_idx').on('documents').columns(['status', 'received_at']).execute();
    await db.schema.createIndex('documents_partner_ref_idx').on('documents').columns(['partner_id', 'invoice_number']).execute();
    await db.schema.createIndex('documents_odoo_idx').on('documents').columns(['odoo_model', 'odoo_id']).execute();

    await db.schema
      .createTable('document_events')
      .addColumn('document_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('document_events_pk', ['document_id', 'seq'])
      .execute();

    await db.schema
      .createTable('document_corrections')
      .addColumn('document_id', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('confidence', 'real')
      .addColumn('engine', 'text')
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('document_corrections_doc_idx').on('document_corrections').column('document_id').execute();

    await db.schema
      .createTable('intake_sources')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('rotated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('intake_signatures')
      .addColumn('signature', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
