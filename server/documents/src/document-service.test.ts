/**
 * The document service from reading to Odoo: auto-approval of a confident,
 * clean bill; the review queue with corrections and the four-eyes rule;
 * posting exactly once (an answer lost after Odoo created the bill, then a
 * replay); dead letters and replay skipping what is posted; duplicates;
 * lineage both ways; the same file twice.
 *
 * Odoo cannot run here: Odoo is the project's API simulator
 * (connectors/odoo/src/testing), speaking execute_kw over a PostgreSQL demo
 * ledger with Odoo 17's tables. The metadata store is SQLite and
 * PostgreSQL (each test on a new database). The OCR engine is a scripted one
 * (`Scripted` below) returning the reading each test sets: these tests are
 * about what happens after a reading; the real engine reads real documents
 * in ocr/*.test.ts and in the server's end-to-end test.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { generateOdooDemo, OdooClient, type OdooSession, type OdooValue } from '@workbench/odoo';
import { createTestDatabase, OdooApiSimulator, type TestDatabase } from '@workbench/odoo/testing';
import { openStore, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases } from '@workbench/store/testing';
import { DocumentService } from './document-service';
import { encodePngGray } from './ocr/png';
import type { Extraction, ExtractedField, FieldName, OcrEngine } from './ocr/types';

const NOW = Date.parse('2026-01-15T10:00:00Z');
const ADMIN = { login: 'admin', password: 'admin-secret', adviser: true };

class Scripted implements OcrEngine {
  readonly name = 'scripted';
  next: Partial<Record<FieldName, string | null>> & { confidence?: number; lines?: Extraction['lines'] } = {};
  async extract(): Promise<Extraction> {
    const { confidence = 0.97, lines = [], ...values } = this.next;
    const field = (v: string | null | undefined): ExtractedField => ({ value: v ?? null, confidence: v ? confidence : 0, box: { page: 1, x: 10, y: 10, w: 50, h: 12 }, source: 'ocr' });
    const names: FieldName[] = ['vendor', 'vendor_vat', 'invoice_number', 'invoice_date', 'due_date', 'currency', 'subtotal', 'tax', 'total'];
    return {
      engine: 'scripted 1',
      durationMs: 5,
      fields: Object.fromEntries(names.map((n) => [n, field(values[n])])) as Record<FieldName, ExtractedField>,
      lines,
      pages: [{ page: 1, width: 40, height: 20, mediaType: 'image/png', bytes: encodePngGray({ width: 40, height: 20, data: new Uint8Array(800).fill(255) }) }],
      text: '',
    };
  }
}

/** A distinct small PNG per call (the intake recognises the same bytes twice). */
let seq = 0;
const png = () => encodePngGray({ width: 8, height: 8, data: new Uint8Array(64).fill(seq++ % 250) });

let database: TestDatabase;
let sim: OdooApiSimulator;
let odoo: OdooSession;
let db: Client;
let vendor: { id: number; name: string; vat: string | null };
let taxRate: number;
let currency: string;
/** Set to make the next account.move create lose its answer (Odoo committed it; the client hears an error). */
let loseNextCreateAnswer = false;

beforeAll(async () => {
  database = await createTestDatabase('wb_docs_test');
  await generateOdooDemo({ connection: database.config, lines: 1500, seed: 11, year: 2025 });
  sim = await OdooApiSimulator.start({
    connection: database.config,
    users: [ADMIN],
    now: () => new Date(NOW),
    afterCommit: ({ model, method }) => {
      if (model === 'account.move' && method === 'create' && loseNextCreateAnswer) {
        loseNextCreateAnswer = false;
        throw new Error('the connection was reset');
      }
    },
  });
  odoo = new OdooClient({ url: sim.url, db: sim.db }).session(ADMIN.login, ADMIN.password);
  db = new Client(database.config);
  await db.connect();
  vendor = (await db.query(`SELECT id, name, vat FROM res_partner WHERE supplier_rank > 0 AND company_id IS NULL OR supplier_rank > 0 AND company_id = 1 ORDER BY id LIMIT 1`)).rows[0];
  taxRate = Number((await db.query(`SELECT amount FROM account_tax WHERE type_tax_use = 'purchase' AND company_id = 1 ORDER BY id LIMIT 1`)).rows[0].amount);
  currency = (await db.query(`SELECT c.name FROM res_company co JOIN res_currency c ON c.id = co.currency_id WHERE co.id = 1`)).rows[0].name;
}, 120_000);

afterAll(async () => {
  await db?.end();
  await sim?.[Symbol.asyncDispose]();
  await database?.[Symbol.asyncDispose]();
});

/** A bill whose numbers add up: subtotal + the purchase tax = total. */
/** Each store dialect's run posts to the same Odoo: its invoice numbers carry the dialect. */
let prefix = '';

function bill(invoice: string, subtotal: number, extra: Partial<Record<FieldName, string | null>> & { confidence?: number } = {}) {
  const tax = Math.round(subtotal * taxRate) / 100;
  return {
    vendor: vendor.name,
    invoice_number: `${prefix}${invoice}`,
    invoice_date: '2026-01-10',
    due_date: '2026-02-09',
    currency,
    subtotal: subtotal.toFixed(2),
    tax: tax.toFixed(2),
    total: (subtotal + tax).toFixed(2),
    lines: [{ description: 'Consulting', quantity: '1', unit_price: subtotal.toFixed(2), amount: subtotal.toFixed(2), confidence: 0.97 }],
    ...extra,
  };
}

async function receive(by = 'alice') {
  const { document } = await docs.intake({ bytes: png(), contentType: 'image/png', filename: 'bill.png', source: 'upload', by });
  expect(await docs.extractNext()).toBe(true);
  return docs.get(document.id);
}

const movesWithRef = async (ref: string) => (await db.query(`SELECT id, move_type, partner_id, amount_total::float8 AS total, state, narration FROM account_move WHERE ref = $1`, [`${prefix}${ref}`])).rows;

let dir: string;
let store: MetadataStore;
let engine: Scripted;
let docs: DocumentService;

describe.each(STORE_DIALECTS)('documents to Odoo, metadata on %s', (dialect) => {
  const databases = testDatabases(dialect);
  beforeAll(() => (prefix = `${dialect}-`));
  afterAll(() => databases[Symbol.asyncDispose]());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-docs-'));
    store = await openStore(await databases.create());
    engine = new Scripted();
    docs = new DocumentService({
      store,
      dir: join(dir, 'documents'),
      engine,
      withOdoo: (fn) => fn({ call: (m, meth, args = [], kw = {}) => odoo.call(m, meth, args as OdooValue[], kw as Record<string, OdooValue>) }, 1),
      logger: pino({ level: 'silent' }),
      policy: { fourEyes: { '*': '500' } },
      workers: false,
      now: () => NOW,
    });
  });
  afterEach(async () => {
    await docs[Symbol.asyncDispose]();
    await store[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts a confident, clean bill by itself: one draft vendor bill, lineage from file to record and back', async () => {
    engine.next = bill('INV-AUTO-1', 200);
    const read = await receive();
    expect(read).toMatchObject({ status: 'approved', reviewReasons: [], vendorMatch: { partnerId: vendor.id, method: 'exact' }, decidedBy: 'system' });
    expect(await docs.postNext()).toBe(true);
    const posted = await docs.get(read.id);
    expect(posted.status).toBe('posted');
    const [move, ...more] = await movesWithRef('INV-AUTO-1');
    expect(more).toEqual([]);
    expect(move).toMatchObject({ id: posted.odoo!.id, move_type: 'in_invoice', partner_id: vendor.id, state: 'draft', total: Number(read.total) });
    expect(move.narration).toContain(`workbench-document-key: ${posted.posting!.key}`);
    expect((await docs.byOdoo('account.move', move.id)).id).toBe(read.id);
    expect((await docs.events(read.id)).map((e) => `${e.actor}:${e.action}`)).toEqual(['alice:received', 'system:extracting', 'system:extracted', 'system:posting', 'system:posted']);
  });

  it('holds a low-confidence bill for review; the uploader who corrected it may not approve it over the limit, another reviewer may', async () => {
    engine.next = bill('INV-REV-1', 900, { confidence: 0.6, total: '999.99' });
    const read = await receive('alice');
    expect(read.status).toBe('needs_review');
    expect(read.reviewReasons).toEqual(expect.arrayContaining([expect.stringMatching(/^Total read with 60% confidence/), expect.stringMatching(/^Subtotal 900\.00 \+ tax .* not the total 999\.99$/)]));
    await expect(docs.approve(read.id, 'bob')).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/correct it first/) });

    const right = bill('INV-REV-1', 900).total;
    const corrected = await docs.correct(read.id, 'alice', { fields: { total: right }, version: read.version });
    expect(corrected).toMatchObject({ status: 'needs_review', total: right, correctedBy: ['alice'], issues: [] });
    expect(corrected.fields!.total).toMatchObject({ value: right, source: 'user', confidence: 1 });
    expect(corrected.fourEyes).toEqual({ limit: '500', applies: true, excluded: ['alice'] });
    await expect(docs.approve(read.id, 'alice')).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/four-eyes rule: .* over the limit of 500 .* you uploaded it/) });
    // A stale form cannot overwrite what changed meanwhile.
    await expect(docs.correct(read.id, 'bob', { fields: { invoice_number: 'X' }, version: read.version })).rejects.toMatchObject({ code: 'conflict' });

    expect((await docs.approve(read.id, 'bob')).status).toBe('approved');
    expect(await docs.postNext()).toBe(true);
    expect((await docs.get(read.id)).status).toBe('posted');
    expect(await movesWithRef('INV-REV-1')).toEqual([expect.objectContaining({ total: Number(right) })]);
    const accuracy = await docs.accuracy();
    expect(accuracy.fields.find((f) => f.field === 'total')).toEqual({ field: 'total', corrected: 1, accuracy: 1 - 1 / accuracy.documents });
    expect((await docs.events(read.id)).find((e) => e.action === 'corrected')).toMatchObject({ actor: 'alice', detail: { fields: [{ field: 'total', before: '999.99', after: right }] } });
  });

  it('lets a reviewer approve under the limit what they corrected', async () => {
    engine.next = bill('INV-SMALL-1', 100, { confidence: 0.5 });
    const read = await receive('alice');
    await docs.correct(read.id, 'alice', { fields: { invoice_number: 'INV-SMALL-1A' } });
    expect((await docs.approve(read.id, 'alice')).status).toBe('approved');
  });

  it('never posts twice: Odoo created the bill but the answer was lost, and the replay finds it instead of creating another', async () => {
    engine.next = bill('INV-LOST-1', 300);
    const read = await receive();
    loseNextCreateAnswer = true;
    expect(await docs.postNext()).toBe(true);
    const failed = await docs.get(read.id);
    expect(failed).toMatchObject({ status: 'failed', posting: { attempts: 1, error: expect.stringMatching(/connection was reset/) } });
    expect((await docs.deadLetters()).map((d) => d.id)).toEqual([read.id]);
    expect(await movesWithRef('INV-LOST-1')).toHaveLength(1);

    expect(await docs.replay(undefined, 'bob')).toEqual({ replayed: [read.id], skipped: [] });
    expect(await docs.postNext()).toBe(true);
    const posted = await docs.get(read.id);
    expect(posted).toMatchObject({ status: 'posted', posting: { attempts: 2, key: failed.posting!.key } });
    const moves = await movesWithRef('INV-LOST-1');
    expect(moves).toEqual([expect.objectContaining({ id: posted.odoo!.id })]);
    expect((await docs.events(read.id)).find((e) => e.action === 'posted')!.detail).toMatchObject({ adopted: true });
    // Replaying what is posted does nothing.
    expect(await docs.replay([read.id, 'nope'], 'bob')).toEqual({ replayed: [], skipped: [{ id: read.id, reason: `already posted as account.move ${posted.odoo!.id}` }, { id: 'nope', reason: 'no such document' }] });
    expect(await movesWithRef('INV-LOST-1')).toHaveLength(1);
  });

  it('dead-letters a bill Odoo refuses, with Odoo\'s reason', async () => {
    engine.next = { ...bill('INV-TAX-1', 100), tax: '7.77', total: '107.77' };
    const read = await receive();
    expect(read.status).toBe('approved');
    expect(await docs.postNext()).toBe(true);
    const failed = await docs.get(read.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/no purchase tax in Odoo gives 7\.77 on 100\.00 \(about 7\.77%\)/);
    expect(await movesWithRef('INV-TAX-1')).toEqual([]);
    expect((await docs.reject(read.id, 'bob', 'wrong tax on the bill')).status).toBe('rejected');
  });

  it('flags duplicates: the same vendor and invoice number again, and a bill Odoo already holds', async () => {
    engine.next = bill('INV-DUP-1', 120);
    const first = await receive();
    expect(await docs.postNext()).toBe(true);
    engine.next = bill('INV-DUP-1', 120);
    const again = await receive();
    expect(again.status).toBe('needs_review');
    expect(again.duplicates.map((d) => d.reason).sort()).toEqual(['odoo_bill_with_ref', 'same_partner_and_ref']);
    expect(again.duplicates.find((d) => d.reason === 'same_partner_and_ref')!.documentId).toBe(first.id);
    expect(again.reviewReasons).toEqual(expect.arrayContaining([expect.stringMatching(/^Possible duplicate: Odoo already has bill/)]));
  });

  it('answers the same file twice with the document already there, and keeps nothing of a refused file', async () => {
    const bytes = png();
    const a = await docs.intake({ bytes, contentType: 'image/png', filename: 'a.png', source: 'upload', by: 'alice' });
    const b = await docs.intake({ bytes, contentType: 'image/png', filename: 'b.png', source: 'upload', by: 'bob' });
    expect(a.duplicate).toBe(false);
    expect(b).toMatchObject({ duplicate: true, document: { id: a.document.id, filename: 'a.png', uploadedBy: 'alice' } });
    await expect(docs.intake({ bytes: Buffer.alloc(0), contentType: 'image/png', filename: 'x.png', source: 'upload', by: 'alice' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/empty/) });
    await expect(docs.intake({ bytes: Buffer.from('hello'), contentType: 'text/plain', filename: 'x.txt', source: 'upload', by: 'alice' })).rejects.toMatchObject({ code: 'unsupported_media_type' });
    expect((await docs.list()).map((d) => d.id)).toEqual([a.document.id]);
    const blobs = await readdir(join(dir, 'documents', 'blobs'));
    expect(blobs).toHaveLength(1);
  });

  it('waits for a person when Odoo knows no such vendor, and posts to the vendor the reviewer chose', async () => {
    engine.next = bill('INV-NEW-1', 50, { vendor: 'Zyxwvut Unheard Of Supplies' });
    const read = await receive('alice');
    expect(read.status).toBe('needs_review');
    expect(read.reviewReasons).toContain('No Odoo vendor matches "Zyxwvut Unheard Of Supplies"');
    await expect(docs.approve(read.id, 'bob')).rejects.toMatchObject({ message: expect.stringMatching(/choose the Odoo vendor first/) });
    expect(await docs.findPartners(vendor.name.slice(0, 6))).toEqual(expect.arrayContaining([{ id: vendor.id, name: vendor.name, vat: vendor.vat || null }]));
    await expect(docs.findPartners('x')).rejects.toMatchObject({ code: 'bad_request' });
    const chosen = await docs.correct(read.id, 'bob', { partnerId: vendor.id });
    expect(chosen.vendorMatch).toMatchObject({ partnerId: vendor.id, method: 'chosen' });
    await docs.approve(read.id, 'carol');
    await docs.postNext();
    expect(await movesWithRef('INV-NEW-1')).toEqual([expect.objectContaining({ partner_id: vendor.id })]);
  });
});
