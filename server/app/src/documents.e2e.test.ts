/**
 * Receipts and vendor bills over the server's HTTP API, with the real
 * pieces: tesseract reads a generated bill (rendered by Chromium, ground
 * truth known), the review queue with two analysts and the four-eyes rule,
 * posting through an `odoo` connection, lineage from both ends; the signed
 * intake webhook (bad, stale and replayed signatures); and bad input
 * (empty, 200 MB declared, JavaScript PDF, not a document) refused with
 * nothing stored.
 *
 * Odoo cannot run here: it is the project's API simulator
 * (connectors/odoo/src/testing) over a PostgreSQL demo ledger.
 */
import { readFile, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { signWebhook } from '@workbench/core';
import { generateOdooDemo } from '@workbench/odoo';
import { createTestDatabase, OdooApiSimulator, type TestDatabase } from '@workbench/odoo/testing';
import { generateCorpus, type CorpusDocument } from '@workbench/documents/testing';
import { startTestServer, TOKEN, type TestServer } from './testing/harness';

const ANNA = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const BERT = { username: 'bert', token: 'analyst2-token-0123456789', roles: ['analyst'] };
const VERA = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const EMIL = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };

let database: TestDatabase;
let sim: OdooApiSimulator;
let db: Client;
let ts: TestServer;
let corpusDir: string;
let bill: CorpusDocument;
let vendorId: number;
let companyId: number;

async function api<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; raw?: Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `token ${opts.token ?? TOKEN}`, ...opts.headers };
  if (opts.raw) headers['content-type'] = opts.type ?? 'application/octet-stream';
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${ts.baseUrl}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

beforeAll(async () => {
  database = await createTestDatabase('wb_docs_e2e');
  await generateOdooDemo({ connection: database.config, lines: 1500, seed: 7, year: 2025 });
  sim = await OdooApiSimulator.start({ connection: database.config, users: [{ login: 'ap-robot', password: 'robot-key-0123456789', adviser: false }] });
  db = new Client(database.config);
  await db.connect();
  corpusDir = await mkdtemp(join(tmpdir(), 'wb-docs-corpus-'));
  // A clean European-layout bill in EUR at 21% (the demo's first company's purchase tax) as a PNG, read by the real tesseract.
  [bill] = await generateCorpus({ dir: corpusDir, count: 60, seed: 1, only: [17] });
  // Post into the demo company whose purchase tax is the bill's rate (Odoo must have a tax that gives the bill's tax).
  const rate = Math.round((Number(bill!.truth.tax) / Number(bill!.truth.subtotal)) * 10000) / 100;
  companyId = (await db.query(`SELECT company_id FROM account_tax WHERE type_tax_use = 'purchase' AND amount = $1 ORDER BY company_id LIMIT 1`, [rate])).rows[0].company_id;
  vendorId = (await db.query(`SELECT id FROM res_partner WHERE supplier_rank > 0 AND (company_id IS NULL OR company_id = $1) ORDER BY id LIMIT 1`, [companyId])).rows[0].id;
  ts = await startTestServer([], process.env, { sandbox: { mode: 'none' }, documents: { odoo_connection: 'erp', four_eyes: { '*': '100' } } }, { users: [ANNA, BERT, VERA, EMIL] });
  const made = await api('POST', 'api/connections', { body: { name: 'erp', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'ap-robot', company_id: companyId }, credential: { api_key: 'robot-key-0123456789' } } });
  expect(made.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await ts?.[Symbol.asyncDispose]();
  await db?.end();
  await sim?.[Symbol.asyncDispose]();
  await database?.[Symbol.asyncDispose]();
  if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
});

describe('documents over HTTP', () => {
  it('reads an uploaded bill with tesseract, waits for review, refuses self-approval over the limit, posts once on a second approval', async () => {
    const bytes = await readFile(bill.file);
    const up = await api('POST', `api/documents?filename=${encodeURIComponent('bill 1.png')}`, { token: ANNA.token, raw: bytes, type: bill.mediaType });
    expect(up.status).toBe(201);
    const id = up.body.document.id as string;
    const read = await api('GET', `api/documents/${id}?wait=read&timeout_s=90`, { token: ANNA.token });
    const doc = read.body.document;
    expect(doc.engine).toMatch(/^tesseract 5/);
    expect(doc.fields.invoice_number.value).toBe(bill.truth.invoice_number);
    expect(doc.fields.total.value).toBe(bill.truth.total);
    expect(doc.fields.total.box).toEqual(expect.objectContaining({ page: 1 }));
    const page = await fetch(`${ts.baseUrl}api/documents/${id}/pages/1`, { headers: { authorization: `token ${ANNA.token}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^image\/(jpeg|png)$/);

    // The generated vendor is not one of Odoo's demo partners: it waits for a person, who picks the vendor.
    expect(doc.status).toBe('needs_review');
    expect(doc.reviewReasons).toContain(`No Odoo vendor matches "${doc.fields.vendor.value}"${doc.fields.vendor_vat.value ? ` or VAT ${doc.fields.vendor_vat.value}` : ''}`);
    const picked = await api('POST', `api/documents/${id}/correct`, { token: ANNA.token, body: { partner_id: vendorId, version: doc.version } });
    expect(picked.status).toBe(200);
    const self = await api('POST', `api/documents/${id}/approve`, { token: ANNA.token, body: {} });
    expect(self.status).toBe(403);
    expect(self.body.message).toMatch(/four-eyes rule: .* over the limit of 100 .* you uploaded it; another reviewer must approve it/);
    expect((await api('GET', `api/documents/${id}`, { token: BERT.token })).body.document.status).toBe('needs_review');

    expect((await api('POST', `api/documents/${id}/approve`, { token: BERT.token, body: {} })).status).toBe(200);
    const settled = (await api('GET', `api/documents/${id}?wait=settled&timeout_s=60`, { token: BERT.token })).body;
    expect([settled.document.status, settled.document.error]).toEqual(['posted', null]);
    const odooId = settled.document.odoo.id as number;
    const { rows } = await db.query(`SELECT id, move_type, partner_id, ref, amount_total::numeric(16,2)::text AS total FROM account_move WHERE narration LIKE $1`, [`%${settled.document.posting.key}%`]);
    expect(rows).toEqual([{ id: odooId, move_type: 'in_invoice', partner_id: vendorId, ref: bill.truth.invoice_number, total: bill.truth.total }]);
    expect(settled.events.map((e: { action: string }) => e.action)).toEqual(['received', 'extracting', 'extracted', 'corrected', 'approved', 'posting', 'posted']);
    // From the Odoo end back to the file.
    const back = await api('GET', `api/documents/lineage?model=account.move&id=${odooId}`, { token: ANNA.token });
    expect(back.body.document).toMatchObject({ id, sha256: doc.sha256, filename: 'bill 1.png', uploadedBy: 'anna', decidedBy: 'bert' });
    // Viewers do not see the queue.
    expect((await api('GET', 'api/documents', { token: VERA.token })).status).toBe(403);
  }, 180_000);

  it('takes a document from a signed webhook once: bad, stale, replayed signatures and unknown sources are refused', async () => {
    const src = await api('PUT', 'api/intake/sources/scanner', { token: EMIL.token });
    expect(src.status).toBe(200);
    const secret = src.body.secret as string;
    expect((await api('GET', 'api/intake/sources', { token: EMIL.token })).body.sources).toEqual([expect.objectContaining({ name: 'scanner', createdBy: 'emil' })]);
    expect((await api('PUT', 'api/intake/sources/other', { token: ANNA.token })).status).toBe(403);
    const file = Buffer.from(await readFile(bill.file));
    const body = Buffer.concat([file, Buffer.from('webhook')]); // the image with trailing bytes: another file
    const now = Math.floor(Date.now() / 1000);
    const send = (signature: string, source = 'scanner') => api('POST', 'api/intake/documents', { raw: body, type: bill.mediaType, token: 'none', headers: { 'x-workbench-source': source, 'x-workbench-signature': signature, 'x-filename': 'scan.png' } });
    const good = signWebhook(secret, body, now);
    expect((await send(signWebhook('wrong-secret', body, now))).body.message).toBe('Cannot accept the document: signature does not match');
    expect((await send(signWebhook(secret, body, now - 3600))).body.message).toBe('Cannot accept the document: signature timestamp too old');
    expect((await send(good, 'nobody-here'))).toMatchObject({ status: 403, body: { message: 'Cannot accept the document: no intake source "nobody-here"' } });
    const first = await send(good);
    expect(first.status).toBe(201);
    expect(first.body.document).toMatchObject({ source: 'webhook:scanner', uploadedBy: 'webhook:scanner', filename: 'scan.png' });
    expect(await send(good)).toMatchObject({ status: 403, body: { message: 'Cannot accept the document: this delivery was received before (a replayed signature)' } });
    const again = await send(signWebhook(secret, body, now + 1));
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, document: { id: first.body.document.id } } });
    expect((await api('DELETE', 'api/intake/sources/scanner', { token: EMIL.token })).status).toBe(204);
    expect((await send(signWebhook(secret, body, now + 2))).status).toBe(403);
  }, 120_000);

  it('refuses bad files with a reason and stores nothing of them', async () => {
    const before = (await api('GET', 'api/documents?limit=1000', { token: ANNA.token })).body.documents.length;
    const blobsBefore = await countBlobs();
    expect(await api('POST', 'api/documents', { token: ANNA.token, raw: Buffer.alloc(0), type: 'image/png' })).toMatchObject({ status: 400, body: { message: 'Cannot accept the file: it is empty (0 bytes)' } });
    expect(await api('POST', 'api/documents', { token: ANNA.token, raw: Buffer.from('just text'), type: 'text/plain' })).toMatchObject({ status: 415 });
    const js = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >> endobj\n%%EOF\n', 'latin1');
    expect(await api('POST', 'api/documents', { token: ANNA.token, raw: js, type: 'application/pdf' })).toMatchObject({ status: 400, body: { message: 'Cannot accept the file: the PDF contains JavaScript or a launch action' } });
    // 200 MB announced: refused from the headers, before the body is read, and the connection is closed.
    const big = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${ts.baseUrl}api/documents`, { method: 'POST', headers: { authorization: `token ${ANNA.token}`, 'content-type': 'application/pdf', 'content-length': String(200 * 1024 * 1024) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(Buffer.from('%PDF-1.4\n'));
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).message).toBe(`Cannot accept the file: ${200 * 1024 * 1024} bytes is over the limit of ${25 * 1024 * 1024} bytes; nothing was stored`);
    expect((await api('GET', 'api/documents?limit=1000', { token: ANNA.token })).body.documents.length).toBe(before);
    expect(await countBlobs()).toBe(blobsBefore);
  });
});

async function countBlobs(): Promise<number> {
  const root = join(ts.wb.config.documents.dir, 'blobs');
  const dirs = await readdir(root).catch(() => [] as string[]);
  let n = 0;
  for (const d of dirs) n += (await readdir(join(root, d))).length;
  return n;
}
