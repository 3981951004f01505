/**
 * Documents read by an OCR service instead of the built-in engine
 * (`documents.ocr_connection`, a `rest` connection with an API key): the
 * PRD's §6.3 contract over the connection, the key sent, the answer mapped
 * to fields; a service that is down fails the document with the reason.
 *
 * The PRD's OCR service cannot run here: it is the project's simulator of
 * its contract (server/documents/src/testing), which reads the document
 * for real with tesseract.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, OcrServiceSimulator, type CorpusDocument } from '@workbench/documents/testing';
import { startTestServer, TOKEN, type TestServer } from './testing/harness';

let ts: TestServer;
let sim: OcrServiceSimulator;
let corpusDir: string;
let bill: CorpusDocument;

async function api<T = any>(method: string, path: string, opts: { body?: unknown; raw?: Buffer; type?: string } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `token ${TOKEN}` };
  if (opts.raw) headers['content-type'] = opts.type!;
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${ts.baseUrl}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  sim = await OcrServiceSimulator.start({ apiKey: 'ocr-key-0123456789' });
  corpusDir = await mkdtemp(join(tmpdir(), 'wb-ocrsvc-'));
  [bill] = await generateCorpus({ dir: corpusDir, count: 60, seed: 1, only: [17] });
  ts = await startTestServer([], process.env, { sandbox: { mode: 'none' }, documents: { ocr_connection: 'ocr' } });
  const made = await api('POST', 'api/connections', { body: { name: 'ocr', kind: 'rest', settings: { base_url: sim.url, auth: { type: 'api_key', header: 'X-API-Key' }, health_path: '/api/v1/extract' }, credential: { api_key: 'ocr-key-0123456789' } } });
  expect(made.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await ts?.[Symbol.asyncDispose]();
  await sim?.[Symbol.asyncDispose]();
  if (corpusDir) await rm(corpusDir, { recursive: true, force: true });
});

describe('documents through the OCR service', () => {
  it('reads an upload through the service contract, with the connection\'s API key', async () => {
    const up = await api('POST', 'api/documents?filename=bill.png', { raw: await readFile(bill.file), type: bill.mediaType });
    expect(up.status).toBe(201);
    const doc = (await api('GET', `api/documents/${up.body.document.id}?wait=read&timeout_s=90`)).body.document;
    expect(doc.engine).toBe('service:ocr');
    expect(doc.fields.total).toMatchObject({ value: bill.truth.total, source: 'service' });
    expect(doc.fields.invoice_date.value).toBe(bill.truth.invoice_date);
    expect(doc.pageSizes).toEqual([expect.objectContaining({ page: 1 })]);
    expect(sim.received).toEqual([expect.objectContaining({ path: '/api/v1/extract', apiKey: 'ocr-key-0123456789', mediaType: bill.mediaType, options: { language: 'en', output_format: 'json' } })]);
  });

  it('fails the document with the service\'s reason when the service refuses it', async () => {
    await api('PATCH', 'api/connections/ocr', { body: { settings: { base_url: sim.url, auth: { type: 'api_key', header: 'X-Wrong-Header' }, health_path: '/api/v1/extract' } } });
    const up = await api('POST', 'api/documents?filename=other.png', { raw: Buffer.concat([await readFile(bill.file), Buffer.from('x')]), type: bill.mediaType });
    const doc = (await api('GET', `api/documents/${up.body.document.id}?wait=read&timeout_s=90`)).body.document;
    expect(doc).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Cannot read the document: Cannot extract with the OCR service: HTTP 401/) });
  });
});
