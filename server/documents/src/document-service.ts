/**
 * Receipts and vendor bills from arrival to Odoo (README.md).
 *
 *   intake ── received ──(extraction worker)── extracting ─┬─ approved (confident, clean: auto)
 *                                                          └─ needs_review ── correct* ── approve | reject
 *   approved ──(posting worker)── posting ── posted | failed (a dead letter: replay)
 *
 * Every transition is one UPDATE guarded by the row version
 * (document-table.ts), so two workers or two replicas never take the same
 * step twice; every step leaves a document_events row (the lineage: who
 * did what, from the file to the Odoo record) and the decisions an audit
 * record. Work left half-done by a crash is taken up again: `received` and
 * `approved` at once, `extracting` and `posting` once their lease ran out
 * (or, for a posting, when a person replays it); posting is idempotent
 * (posting/odoo-poster.ts), so taking it up again never makes a second
 * bill.
 */
import { randomUUID } from 'node:crypto';
import { AppError, deferred, describeError, Emitter, type Logger } from '@workbench/core';
import type { MetadataStore } from '@workbench/store';
import type { AuditLog } from '@workbench/audit';
import { BlobStore, sha256Hex } from './intake/blob-store';
import { checkFile, DEFAULT_FILE_LIMITS, type FileLimits } from './intake/file-check';
import type { ExtractedField, OcrEngine } from './ocr/types';
import { OdooPoster, type OdooCaller } from './posting/odoo-poster';
import { viewOf, type DocumentLine, type DocumentRow, type DocumentStatus, type DocumentSummary, type DocumentView, type StoredExtraction } from './document-rows';
import { DocumentTable, type DocumentEvent } from './document-table';
import { DrainLoop } from './drain-loop';
import { OdooPartners } from './posting/odoo-partners';
import { assess, fourEyesLimit, type ReviewPolicy } from './review-policy';
import { findDuplicates } from './validate/duplicates';
import { FIELD_NAMES, type FieldName } from './validate/rules';
import type { Partner } from './validate/vendor-match';

export interface DocumentServiceOptions {
  store: MetadataStore;
  dir: string;
  engine: OcrEngine;
  /** Runs `fn` with an Odoo session (the configured connection); undefined: no Odoo, nothing is matched or posted. */
  withOdoo?: <T>(fn: (odoo: OdooCaller, companyId: number | undefined) => Promise<T>) => Promise<T>;
  audit?: AuditLog;
  logger: Logger;
  policy?: Partial<ReviewPolicy>;
  limits?: Partial<FileLimits>;
  /** Link to a document in the lab (written into the Odoo bill); e.g. https://wb.example.com/lab?document= */
  linkBase?: string;
  /** A posting older than this is taken over by another worker. Default 5 min. */
  postingLeaseMs?: number;
  /** A reading older than this (its worker died) is started again. Default 2 min. */
  extractionLeaseMs?: number;
  /** Process documents in the background (off: only tests drive the workers). Default true. */
  workers?: boolean;
  now?: () => number;
}

export interface IntakeInput {
  bytes: Buffer;
  contentType: string | undefined;
  filename: string | undefined;
  source: string;
  by: string;
}

const DEFAULT_POLICY: ReviewPolicy = { confidenceThreshold: 0.85, autoApprove: true, fourEyes: { '*': '1000' }, fuzzyReviewBelow: 0.9 };

export class DocumentService implements AsyncDisposable {
  readonly blobs: BlobStore;
  private readonly table: DocumentTable;
  private readonly policy: ReviewPolicy;
  private readonly limits: FileLimits;
  private readonly now: () => number;
  private readonly changed = new Emitter<{ id: string; status: DocumentStatus }>();
  /** Fires on every status change. */
  readonly onChange = this.changed.event;
  private readonly partners: OdooPartners;
  private readonly extracting = new DrainLoop(() => this.extractNext(), () => this.disposed, (err) => this.o.logger.error({ err: describeError(err) }, 'documents: the extraction worker stopped'));
  private readonly posting = new DrainLoop(() => this.postNext(), () => this.disposed, (err) => this.o.logger.error({ err: describeError(err) }, 'documents: the posting worker stopped'));
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly o: DocumentServiceOptions) {
    this.blobs = new BlobStore(o.dir);
    this.partners = new OdooPartners(o.withOdoo, o.now ?? Date.now, o.logger);
    this.table = new DocumentTable(o.store, o.now ?? Date.now, (id, status) => this.changed.fire({ id, status }));
    this.policy = { ...DEFAULT_POLICY, ...o.policy };
    this.limits = { ...DEFAULT_FILE_LIMITS, ...o.limits };
    this.now = o.now ?? Date.now;
  }

  get fileLimits(): FileLimits {
    return this.limits;
  }

  /** Sweeps temporary files and starts the workers (they take up what a crash left once its lease ran out). */
  async start(): Promise<void> {
    await this.blobs.sweep();
    if (this.o.workers !== false) {
      // Leases run out without anybody asking: look again now and then.
      this.timer = setInterval(() => this.kick(), 30_000);
      this.timer.unref();
    }
    this.kick();
  }

  /** Wakes the workers (after intake, approval, replay). */
  kick(): void {
    if (this.disposed || this.o.workers === false) return;
    void this.extracting.wake();
    void this.posting.wake();
  }

  // --- intake -----------------------------------------------------------------

  /** Checks and stores a file; the same bytes twice answer the document already there (`duplicate: true`). */
  async intake(input: IntakeInput): Promise<{ document: DocumentView; duplicate: boolean }> {
    const checked = await checkFile(input.bytes, input.contentType, this.limits);
    const sha = sha256Hex(input.bytes);
    const existing = await this.table.rowBySha(sha);
    if (existing) return { document: this.view(existing), duplicate: true };
    await this.blobs.putBlob(sha, input.bytes);
    const id = randomUUID();
    const at = this.now();
    const filename = cleanName(input.filename) ?? `${sha.slice(0, 12)}.${extensionOf(checked.mediaType)}`;
    try {
      await this.table.transaction(async (trx) => {
        await trx
          .insertInto('documents')
          .values({ id, sha256: sha, filename, media_type: checked.mediaType, size_bytes: input.bytes.length, pages: checked.pages, source: input.source, uploaded_by: input.by, received_at: at, status: 'received', updated_at: at })
          .execute();
        await this.table.event(trx, id, input.by, 'received', { sha256: sha, filename, mediaType: checked.mediaType, bytes: input.bytes.length, pages: checked.pages, source: input.source });
      });
    } catch (err) {
      // Two deliveries of the same file at once: the other one's row stands.
      const raced = await this.table.rowBySha(sha);
      if (raced) return { document: this.view(raced), duplicate: true };
      throw err;
    }
    this.changed.fire({ id, status: 'received' });
    this.kick();
    return { document: await this.get(id), duplicate: false };
  }

  // --- reading ----------------------------------------------------------------

  async get(id: string): Promise<DocumentView> {
    return this.view(await this.table.row(id, 'read the document'));
  }

  list(opts: { statuses?: DocumentStatus[]; limit?: number } = {}): Promise<DocumentSummary[]> {
    return this.table.list(opts);
  }

  events(id: string): Promise<DocumentEvent[]> {
    return this.table.events(id);
  }

  /** The document behind an Odoo record. */
  async byOdoo(model: string, id: number): Promise<DocumentView> {
    return this.view(await this.table.byOdoo(model, id));
  }

  /** A row as clients see it, with whom the four-eyes rule keeps from approving it. */
  private view(r: DocumentRow): DocumentView {
    const v = viewOf(r);
    const limit = fourEyesLimit(this.policy, r.currency);
    const applies = limit !== undefined && r.total !== null && Number(r.total) >= Number(limit);
    return { ...v, fourEyes: limit === undefined ? null : { limit, applies, excluded: applies ? [...new Set([r.uploaded_by, ...v.correctedBy])] : [] } };
  }

  /** Field accuracy from reviewers' corrections. */
  accuracy(): ReturnType<DocumentTable['accuracy']> {
    return this.table.accuracy();
  }

  /** Documents left to the workers (tests wait for none). */
  unsettled(): Promise<number> {
    return this.table.unsettled();
  }

  async file(id: string): Promise<{ bytes: Buffer; mediaType: string; filename: string }> {
    const r = await this.table.row(id, 'read the document');
    return { bytes: await this.blobs.getBlob(r.sha256), mediaType: r.media_type, filename: r.filename };
  }

  async page(id: string, page: number): Promise<{ bytes: Buffer; mediaType: string }> {
    const r = await this.table.row(id, 'read the page');
    const p = Number.isInteger(page) && page >= 1 && page <= r.pages ? await this.blobs.getPage(r.sha256, page) : undefined;
    if (!p) throw new AppError('not_found', `Cannot read page ${page} of document ${id}: ${r.status === 'received' || r.status === 'extracting' ? 'it is not read yet' : 'there is no such page'}`);
    return p;
  }

  /** Resolves with the document once `until(status)` holds (now or later); rejects on the signal. */
  async waitFor(id: string, until: (s: DocumentStatus) => boolean, signal: AbortSignal): Promise<DocumentView> {
    const { promise, resolve, reject } = deferred<void>();
    const sub = this.onChange((e) => e.id === id && until(e.status) && resolve());
    const onAbort = () => reject(new AppError('timeout', `Cannot wait for document ${id}: it did not settle in time`));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const now = await this.get(id);
      if (until(now.status)) return now;
      await promise;
      return await this.get(id);
    } finally {
      sub[Symbol.dispose]();
      signal.removeEventListener('abort', onAbort);
    }
  }

  // --- review -----------------------------------------------------------------

  async correct(id: string, by: string, change: { fields?: Partial<Record<FieldName, string | null>>; lines?: DocumentLine[]; partnerId?: number; version?: number }): Promise<DocumentView> {
    const r = await this.table.row(id, 'correct the document');
    if (r.status !== 'needs_review') throw new AppError('conflict', `Cannot correct document ${id}: it is ${r.status}, only documents waiting for review can be corrected`);
    if (change.version !== undefined && change.version !== r.version) throw new AppError('conflict', `Cannot correct document ${id}: it changed since you loaded it (version ${r.version}, yours ${change.version}); reload it`);
    const fields = JSON.parse(r.fields!) as Record<FieldName, ExtractedField>;
    const extraction = JSON.parse(r.extraction!) as StoredExtraction;
    const corrections: { field: string; before: string | null; after: string | null; confidence: number | null }[] = [];
    for (const [name, value] of Object.entries(change.fields ?? {}) as [FieldName, string | null][]) {
      if (!FIELD_NAMES.includes(name)) throw new AppError('bad_request', `Cannot correct document ${id}: unknown field ${JSON.stringify(name).slice(0, 40)} (one of ${FIELD_NAMES.join(', ')})`);
      const v = value === null || value.trim() === '' ? null : value.trim();
      if (v !== null && v.length > 500) throw new AppError('bad_request', `Cannot correct document ${id}: ${name} is longer than 500 characters`);
      const before = fields[name];
      if (before.value === v) continue;
      corrections.push({ field: name, before: before.value, after: v, confidence: extraction.fields[name]?.confidence ?? null });
      fields[name] = { value: v, confidence: 1, source: 'user', ...(before.box ? { box: before.box } : {}) };
    }
    let lines = JSON.parse(r.lines ?? '[]') as DocumentLine[];
    if (change.lines) {
      if (JSON.stringify(change.lines) !== JSON.stringify(lines)) corrections.push({ field: 'lines', before: JSON.stringify(lines), after: JSON.stringify(change.lines), confidence: null });
      lines = change.lines;
    }
    if (change.partnerId !== undefined && change.partnerId !== r.partner_id) corrections.push({ field: 'partner', before: r.partner_id === null ? null : String(r.partner_id), after: String(change.partnerId), confidence: null });
    if (corrections.length === 0) return this.view(r);
    const a = await this.assessFields(id, fields, lines, extraction, change.partnerId ?? (corrections.some((c) => c.field === 'vendor' || c.field === 'vendor_vat') ? undefined : r.partner_id ?? undefined), true);
    const correctedBy = [...new Set([...(JSON.parse(r.corrected_by) as string[]), by])];
    const at = this.now();
    await this.table.transaction(async (trx) => {
      const res = await trx
        .updateTable('documents')
        .set({ ...a.columns, fields: JSON.stringify(fields), lines: JSON.stringify(lines), corrected_by: JSON.stringify(correctedBy), updated_at: at, version: r.version + 1 })
        .where('id', '=', id)
        .where('version', '=', r.version)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new AppError('conflict', `Cannot correct document ${id}: someone else changed it at the same moment; reload it`);
      for (const c of corrections) await trx.insertInto('document_corrections').values({ document_id: id, ...c, engine: extraction.engine, by, at }).execute();
      await this.table.event(trx, id, by, 'corrected', { fields: corrections.map((c) => ({ field: c.field, before: c.before, after: c.after })) });
    });
    this.changed.fire({ id, status: 'needs_review' });
    return this.get(id);
  }

  async approve(id: string, by: string, opts: { version?: number } = {}): Promise<DocumentView> {
    const r = await this.table.row(id, 'approve the document');
    if (r.status !== 'needs_review') throw new AppError('conflict', `Cannot approve document ${id}: it is ${r.status}`);
    if (opts.version !== undefined && opts.version !== r.version) throw new AppError('conflict', `Cannot approve document ${id}: it changed since you loaded it; reload it`);
    const issues = JSON.parse(r.issues) as { severity: string; message: string }[];
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new AppError('conflict', `Cannot approve document ${id}: correct it first: ${errors.map((e) => e.message).join('; ')}`);
    if (r.partner_id === null) throw new AppError('conflict', `Cannot approve document ${id}: choose the Odoo vendor first (no partner matched "${viewOf(r).vendor ?? ''}")`);
    const limit = fourEyesLimit(this.policy, r.currency);
    const touched = [r.uploaded_by, ...(JSON.parse(r.corrected_by) as string[])];
    if (limit !== undefined && r.total !== null && Number(r.total) >= Number(limit) && touched.includes(by)) {
      throw new AppError('forbidden', `Cannot approve document ${id}: four-eyes rule: ${r.total} ${r.currency ?? ''} is at or over the limit of ${limit} ${r.currency ?? ''}, and you ${by === r.uploaded_by ? 'uploaded' : 'corrected'} it; another reviewer must approve it`, { details: { public: { rule: 'four_eyes', limit } } });
    }
    await this.table.transition(r, 'approved', by, 'approved', { total: r.total, currency: r.currency, fourEyesLimit: limit ?? null }, { decided_by: by, decided_at: this.now() });
    await this.o.audit?.record({ actor: by, actorRole: null, via: 'system', resource: 'documents', action: 'approve', target: id, outcome: 'ok', detail: { total: r.total, currency: r.currency, partner_id: r.partner_id, invoice_number: r.invoice_number } });
    this.kick();
    return this.get(id);
  }

  async reject(id: string, by: string, reason: string): Promise<DocumentView> {
    const why = reason.trim();
    if (why === '' || why.length > 1000) throw new AppError('bad_request', `Cannot reject document ${id}: give a reason (1 to 1000 characters)`);
    const r = await this.table.row(id, 'reject the document');
    if (r.status !== 'needs_review' && r.status !== 'failed') throw new AppError('conflict', `Cannot reject document ${id}: it is ${r.status}`);
    await this.table.transition(r, 'rejected', by, 'rejected', { reason: why }, { decided_by: by, decided_at: this.now(), reject_reason: why });
    return this.get(id);
  }

  // --- dead letters -------------------------------------------------------------

  deadLetters(): Promise<DocumentSummary[]> {
    return this.table.deadLetters();
  }

  /**
   * Posts again: a dead letter, or a posting whose worker is gone (a person
   * says so by replaying it). Already posted documents are skipped.
   */
  async replay(ids: string[] | undefined, by: string): Promise<{ replayed: string[]; skipped: { id: string; reason: string }[] }> {
    const targets = ids ?? (await this.deadLetters()).map((d) => d.id);
    const replayed: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    for (const id of targets) {
      const r = await this.table.findRow(id);
      if (!r) skipped.push({ id, reason: 'no such document' });
      else if (r.status === 'posted') skipped.push({ id, reason: `already posted as ${r.odoo_model} ${r.odoo_id}` });
      else if (r.status !== 'failed' && r.status !== 'posting') skipped.push({ id, reason: `it is ${r.status}, not a failed posting` });
      else if (r.status === 'failed' && r.posting_key === null) skipped.push({ id, reason: 'its extraction failed; upload it again' });
      else {
        await this.table.transition(r, 'approved', by, 'replayed', { from: r.status, error: r.posting_error });
        replayed.push(id);
      }
    }
    this.kick();
    return { replayed, skipped };
  }

  // --- workers ----------------------------------------------------------------

  /** Takes one received document (or one whose reader's lease ran out) and reads it; false when there was none. */
  async extractNext(): Promise<boolean> {
    const stale = this.now() - (this.o.extractionLeaseMs ?? 120_000);
    const r = await this.table.nextToExtract(stale);
    if (!r) return false;
    if (!(await this.table.claim(r, 'extracting'))) return true;
    let stored: StoredExtraction;
    try {
      const bytes = await this.blobs.getBlob(r.sha256);
      const ex = await this.o.engine.extract({ bytes, mediaType: r.media_type as 'application/pdf' }, { signal: this.abort.signal });
      for (const p of ex.pages) await this.blobs.putPage(r.sha256, p.page, p.mediaType === 'image/png' ? 'png' : 'jpg', p.bytes);
      stored = { engine: ex.engine, durationMs: ex.durationMs, fields: ex.fields, lines: ex.lines, pages: ex.pages.map((p) => ({ page: p.page, width: p.width, height: p.height })), text: ex.text };
    } catch (err) {
      if (this.disposed) return false;
      const fresh = await this.table.row(r.id, 'read the document');
      if (fresh.version !== r.version + 1) return true;
      await this.table.transition(fresh, 'failed', 'system', 'extraction_failed', { error: describeError(err) }, { error: `Cannot read the document: ${describeError(err)}` });
      return true;
    }
    const fresh = await this.table.row(r.id, 'read the document');
    if (fresh.version !== r.version + 1) return true; // another worker took it over meanwhile (this one was too slow): its reading stands
    const a = await this.assessFields(r.id, stored.fields, stored.lines, stored, undefined, false);
    const auto = a.reasons.length === 0 && this.policy.autoApprove;
    await this.table.transition(fresh, auto ? 'approved' : 'needs_review', 'system', 'extracted', { engine: stored.engine, ms: stored.durationMs, confidence: a.columns.confidence, reasons: a.reasons, auto }, {
      ...a.columns,
      extraction: JSON.stringify(stored),
      fields: JSON.stringify(stored.fields),
      lines: JSON.stringify(stored.lines),
      ...(auto ? { decided_by: 'system', decided_at: this.now() } : {}),
    });
    if (auto) await this.o.audit?.record({ actor: 'system', actorRole: null, via: 'system', resource: 'documents', action: 'auto_approve', target: r.id, outcome: 'ok', detail: { total: a.columns.total, currency: a.columns.currency, confidence: a.columns.confidence } });
    if (auto) this.kick();
    return true;
  }

  /** Takes one approved document (or a posting whose lease ran out) and posts it; false when there was none. */
  async postNext(): Promise<boolean> {
    const stale = this.now() - (this.o.postingLeaseMs ?? 300_000);
    const r = await this.table.nextToPost(stale);
    if (!r || !this.o.withOdoo) return false;
    const key = r.posting_key ?? `wb-${r.id}`;
    if (!(await this.table.claim(r, 'posting', { posting_key: key, posting_attempts: r.posting_attempts + 1 }))) return true;
    const withOdoo = this.o.withOdoo;
    const fields = JSON.parse(r.fields!) as Record<FieldName, ExtractedField>;
    const lines = JSON.parse(r.lines ?? '[]') as DocumentLine[];
    let posted: Awaited<ReturnType<OdooPoster['post']>>;
    try {
      posted = await withOdoo((odoo, companyId) =>
        new OdooPoster(odoo, { companyId }).post({
          documentId: r.id,
          key,
          partnerId: r.partner_id!,
          invoiceNumber: fields.invoice_number.value!,
          invoiceDate: fields.invoice_date.value!,
          dueDate: fields.due_date.value,
          currency: fields.currency.value!,
          subtotal: fields.subtotal.value,
          tax: fields.tax.value,
          total: fields.total.value!,
          lines,
          link: this.o.linkBase ? `${this.o.linkBase}${r.id}` : undefined,
        }),
      );
    } catch (err) {
      if (this.disposed) return false;
      const fresh = await this.table.row(r.id, 'read the document');
      if (fresh.version !== r.version + 1) return true; // a replay took it over meanwhile; that attempt finds the bill by its key
      await this.table.transition(fresh, 'failed', 'system', 'post_failed', { key, attempt: r.posting_attempts + 1, error: describeError(err) }, { posting_error: describeError(err) });
      await this.o.audit?.record({ actor: 'system', actorRole: null, via: 'system', resource: 'documents', action: 'post', target: r.id, outcome: 'error', detail: { key, error: describeError(err) } });
      return true;
    }
    const fresh = await this.table.row(r.id, 'read the document');
    if (fresh.version !== r.version + 1) return true;
    await this.table.transition(fresh, 'posted', 'system', 'posted', { key, model: posted.model, id: posted.id, name: posted.name, adopted: posted.adopted, amountTotal: posted.amountTotal }, { odoo_model: posted.model, odoo_id: posted.id, posted_at: this.now(), posting_error: null });
    await this.o.audit?.record({ actor: 'system', actorRole: null, via: 'system', resource: 'documents', action: 'post', target: r.id, outcome: 'ok', detail: { key, model: posted.model, id: posted.id, adopted: posted.adopted } });
    return true;
  }

  // --- helpers ----------------------------------------------------------------

  /** Rules, vendor match, duplicates and why a person must look, as columns. */
  private async assessFields(id: string, fields: Record<FieldName, ExtractedField>, lines: readonly DocumentLine[], ex: StoredExtraction, partnerId: number | undefined, corrected: boolean) {
    const partners = await this.partners.vendors();
    const dup = (partner: number | null) =>
      findDuplicates(this.o.store.db, this.o.withOdoo, { id, partnerId: partner, invoiceNumber: fields.invoice_number.value, invoiceDate: fields.invoice_date.value, total: fields.total.value, currency: fields.currency.value });
    return assess({ fields, lines, partners, partnerId, policy: this.policy, today: Math.floor(this.now() / 86_400_000), corrected, engine: ex.engine, odoo: this.o.withOdoo !== undefined }, dup);
  }

  /** Odoo partners whose name or VAT number contains `q`, for a reviewer choosing the vendor. */
  findPartners(q: string, limit = 20): Promise<Partner[]> {
    return this.partners.find(q, limit);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    this.abort.abort();
    await Promise.all([this.extracting.idle(), this.posting.idle()]);
    this.changed.dispose();
  }
}

function cleanName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return base === '' || base === '.' || base === '..' ? undefined : base;
}

const extensionOf = (t: string) => (t === 'application/pdf' ? 'pdf' : t === 'image/png' ? 'png' : t === 'image/jpeg' ? 'jpg' : 'tiff');
