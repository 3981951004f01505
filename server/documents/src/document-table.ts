/**
 * The documents' rows and history in the metadata store: every status
 * change is one UPDATE guarded by the row's version (so two workers or two
 * replicas never take the same step twice) with its document_events row in
 * the same transaction (the lineage), and the reads the service answers
 * with. The service decides; this only writes what it decided.
 */
import { AppError } from '@workbench/core';
import type { Database, MetadataStore, Transaction } from '@workbench/store';
import { summaryOf, UNSETTLED, type DocumentRow, type DocumentStatus, type DocumentSummary } from './document-rows';
import { FIELD_NAMES, type FieldName } from './validate/rules';

export interface DocumentEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export class DocumentTable {
  constructor(
    private readonly store: MetadataStore,
    private readonly now: () => number,
    /** Told of every status change, after its commit. */
    private readonly changed: (id: string, status: DocumentStatus) => void,
  ) {}

  get db() {
    return this.store.db;
  }

  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.store.transaction(fn);
  }

  async row(id: string, action: string): Promise<DocumentRow> {
    const r = await this.store.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('not_found', `Cannot ${action}: no document ${JSON.stringify(id.slice(0, 64))}`);
    return r;
  }

  rowBySha(sha: string): Promise<DocumentRow | undefined> {
    return this.store.db.selectFrom('documents').selectAll().where('sha256', '=', sha).executeTakeFirst();
  }

  findRow(id: string): Promise<DocumentRow | undefined> {
    return this.store.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(opts: { statuses?: DocumentStatus[]; limit?: number } = {}): Promise<DocumentSummary[]> {
    let q = this.store.db.selectFrom('documents').selectAll();
    if (opts.statuses?.length) q = q.where('status', 'in', opts.statuses);
    const rows = await q.orderBy('received_at', 'desc').orderBy('id').limit(opts.limit ?? 100).execute();
    return rows.map(summaryOf);
  }

  async events(id: string): Promise<DocumentEvent[]> {
    await this.row(id, 'read the document');
    const rows = await this.store.db.selectFrom('document_events').selectAll().where('document_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  async byOdoo(model: string, id: number): Promise<DocumentRow> {
    const row = await this.store.db.selectFrom('documents').selectAll().where('odoo_model', '=', model).where('odoo_id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', `Cannot find the document of ${model} ${id}: no document was posted as that record`);
    return row;
  }

  async deadLetters(): Promise<DocumentSummary[]> {
    const rows = await this.store.db.selectFrom('documents').selectAll().where('status', '=', 'failed').where('posting_key', 'is not', null).orderBy('updated_at', 'desc').execute();
    return rows.map(summaryOf);
  }

  /** The next document to read: received, or being read by a worker whose lease ran out. */
  nextToExtract(staleBefore: number): Promise<DocumentRow | undefined> {
    return this.store.db
      .selectFrom('documents')
      .selectAll()
      .where((eb) => eb.or([eb('status', '=', 'received'), eb.and([eb('status', '=', 'extracting'), eb('updated_at', '<', staleBefore)])]))
      .orderBy('received_at')
      .limit(1)
      .executeTakeFirst();
  }

  /** The next document to post: approved, or being posted by a worker whose lease ran out. */
  nextToPost(staleBefore: number): Promise<DocumentRow | undefined> {
    return this.store.db
      .selectFrom('documents')
      .selectAll()
      .where((eb) => eb.or([eb('status', '=', 'approved'), eb.and([eb('status', '=', 'posting'), eb('updated_at', '<', staleBefore)])]))
      .orderBy('updated_at')
      .limit(1)
      .executeTakeFirst();
  }

  /** Field accuracy from reviewers' corrections: per field, documents reviewed and fields corrected. */
  async accuracy(): Promise<{ documents: number; fields: { field: FieldName; corrected: number; accuracy: number }[] }> {
    const reviewed = await this.store.db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n')).where('extraction', 'is not', null).where('status', 'in', ['posted', 'approved', 'posting', 'rejected', 'failed']).executeTakeFirstOrThrow();
    const rows = await this.store.db.selectFrom('document_corrections').select(['field']).select((eb) => eb.fn.count<number>('document_id').distinct().as('n')).groupBy('field').execute();
    const n = Number(reviewed.n);
    const by = new Map(rows.map((r) => [r.field, Number(r.n)]));
    return { documents: n, fields: FIELD_NAMES.map((f) => ({ field: f, corrected: by.get(f) ?? 0, accuracy: n === 0 ? 1 : Math.max(0, 1 - (by.get(f) ?? 0) / n) })) };
  }

  /** Documents left to the workers. */
  async unsettled(): Promise<number> {
    const r = await this.store.db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', UNSETTLED).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** A worker takes `r` (false: another took it first). */
  async claim(r: DocumentRow, status: DocumentStatus, more: Partial<DocumentRow> = {}): Promise<boolean> {
    const res = await this.store.transaction(async (trx) => {
      const u = await trx.updateTable('documents').set({ ...more, status, updated_at: this.now(), version: r.version + 1 }).where('id', '=', r.id).where('version', '=', r.version).executeTakeFirst();
      if (Number(u.numUpdatedRows) === 1) await this.event(trx, r.id, 'system', status === 'posting' ? 'posting' : 'extracting', status === 'posting' ? { key: more.posting_key, attempt: more.posting_attempts } : {});
      return Number(u.numUpdatedRows) === 1;
    });
    if (res) this.changed(r.id, status);
    return res;
  }

  /** Moves `r` (as read) to `status`; a conflict when it changed since it was read. */
  async transition(r: DocumentRow, status: DocumentStatus, actor: string, action: string, detail: Record<string, unknown>, more: Partial<DocumentRow> = {}): Promise<void> {
    await this.store.transaction(async (trx) => {
      const u = await trx.updateTable('documents').set({ ...more, status, updated_at: this.now(), version: r.version + 1 }).where('id', '=', r.id).where('version', '=', r.version).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) throw new AppError('conflict', `Cannot ${action.replace(/_/g, ' ')} document ${r.id}: someone else changed it at the same moment; reload it`);
      await this.event(trx, r.id, actor, action, detail);
    });
    this.changed(r.id, status);
  }

  async event(trx: Transaction<Database>, id: string, actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
    const last = await trx.selectFrom('document_events').select((eb) => eb.fn.max('seq').as('seq')).where('document_id', '=', id).executeTakeFirst();
    await trx.insertInto('document_events').values({ document_id: id, seq: Number(last?.seq ?? 0) + 1, at: this.now(), actor, action, detail: JSON.stringify(detail) }).execute();
  }
}
