import type { ServerConnection } from '@jupyterlab/services';
import type { SendRequest } from '@workbench/lab-common';
import { ReviewClient } from './review-client';
import { QUEUE_TABS, tabCounts } from './queue-tabs';
import { DOC, PARTNERS, SUMMARY } from './testing/fixtures';
import { mediaTypeOf } from './upload-check';

interface Sent {
  url: string;
  init: RequestInit;
}

/** A client whose requests are answered by `answer` and recorded. */
function clientWith(answer: (s: Sent) => Response): { client: ReviewClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const send: SendRequest = async (url, init) => {
    const s = { url, init };
    sent.push(s);
    return answer(s);
  };
  return { client: new ReviewClient({ serverSettings: { baseUrl: 'http://h/base/' } as ServerConnection.ISettings, send }), sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('ReviewClient', () => {
  it('lists by status, loads a document, sends corrections, approvals, rejections and replays to their routes', async () => {
    const { client, sent } = clientWith(({ url }) => (url.includes('/replay') ? json({ replayed: [], skipped: [] }) : url.includes('api/documents?') || url.endsWith('dead-letter') ? json({ documents: [SUMMARY] }) : json({ document: DOC, events: [] })));
    await client.list({ statuses: ['received', 'needs_review'], limit: 200 });
    await client.deadLetters();
    await client.get('d 1');
    await client.correct('d1', { fields: { total: '1197.90' }, version: 3 });
    await client.approve('d1', 4);
    await client.reject('d1', 'Not ours');
    await client.replay('d1');
    await client.replayAll();
    expect(sent.map((s) => `${s.init.method} ${s.url}${s.init.body ? ` ${String(s.init.body)}` : ''}`)).toEqual([
      'GET http://h/base/api/documents?status=received%2Cneeds_review&limit=200',
      'GET http://h/base/api/documents/dead-letter',
      'GET http://h/base/api/documents/d%201',
      'POST http://h/base/api/documents/d1/correct {"fields":{"total":"1197.90"},"version":3}',
      'POST http://h/base/api/documents/d1/approve {"version":4}',
      'POST http://h/base/api/documents/d1/reject {"reason":"Not ours"}',
      'POST http://h/base/api/documents/d1/replay',
      'POST http://h/base/api/documents/replay {}',
    ]);
  });

  it("uploads the file as the body with its type and name; a refusal is the server's message", async () => {
    const { client, sent } = clientWith(({ init }) => ((init.body as Blob).size > 3 ? json({ document: DOC }, 201) : json({ message: 'Cannot accept the file: it is not a PDF, PNG, JPEG or TIFF', reason: null, code: 'unsupported_media_type' }, 415)));
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1])], 'bill 1.png', { type: 'image/png' });
    await expect(client.upload(file)).resolves.toEqual({ document: DOC, duplicate: false });
    expect(sent[0]!.url).toBe('http://h/base/api/documents?filename=bill%201.png');
    expect(sent[0]!.init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'image/png' } });
    await expect(client.upload(new File(['abc'], 'notes.txt', { type: 'text/plain' }))).rejects.toMatchObject({ status: 415, message: 'Cannot accept the file: it is not a PDF, PNG, JPEG or TIFF' });
    expect(sent[1]!.init.headers).toEqual({ 'Content-Type': 'application/octet-stream' });
  });

  it("searches Odoo's partners; a short query (400) and no Odoo connection (503) fail with the server's words", async () => {
    const { client, sent } = clientWith(({ url }) => {
      const q = new URL(url).searchParams.get('q') ?? '';
      if (q.trim().length < 2) return json({ message: 'Cannot search Odoo partners: give 2 to 100 characters', reason: null, code: 'bad_request' }, 400);
      if (q === 'down') return json({ message: 'Cannot search Odoo partners: no Odoo connection is configured (documents.odoo_connection)', reason: null, code: 'unavailable' }, 503);
      return json({ partners: PARTNERS });
    });
    await expect(client.partners('Delta & Co')).resolves.toEqual(PARTNERS);
    expect(sent[0]).toMatchObject({ url: 'http://h/base/api/documents/partners?q=Delta%20%26%20Co', init: { method: 'GET' } });
    await expect(client.partners('d')).rejects.toMatchObject({ kind: 'bad_request', status: 400, message: 'Cannot search Odoo partners: give 2 to 100 characters' });
    await expect(client.partners('down')).rejects.toMatchObject({ kind: 'unavailable', status: 503, message: 'Cannot search Odoo partners: no Odoo connection is configured (documents.odoo_connection)' });
  });

  it('fetches a page image as a Blob; a page not there is a not_found with the message', async () => {
    const { client } = clientWith(({ url }) => (url.endsWith('/pages/1') ? new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'Content-Type': 'image/png' } }) : json({ message: 'Cannot read page 2 of document d1: there is no such page' }, 404)));
    expect((await client.page('d1', 1)).size).toBe(3);
    await expect(client.page('d1', 2)).rejects.toMatchObject({ kind: 'not_found', message: 'Cannot read page 2 of document d1: there is no such page' });
  });
});

describe('upload types', () => {
  it("takes the browser's type when it is one of ours, else the extension's", () => {
    expect(mediaTypeOf({ type: 'application/pdf', name: 'x' })).toBe('application/pdf');
    expect(mediaTypeOf({ type: '', name: 'SCAN.TIF' })).toBe('image/tiff');
    expect(mediaTypeOf({ type: 'application/octet-stream', name: 'photo.jpeg' })).toBe('image/jpeg');
    expect(mediaTypeOf({ type: 'text/plain', name: 'notes.txt' })).toBeUndefined();
  });
});

describe('queue tabs', () => {
  it('list reading and waiting documents under Needs review, failures under dead letters, and count who waits', () => {
    expect(QUEUE_TABS.map((t) => [t.id, t.statuses?.join(',') ?? '*'])).toEqual([
      ['review', 'received,extracting,needs_review'],
      ['failed', 'failed'],
      ['posted', 'posted'],
      ['all', '*'],
    ]);
    expect(tabCounts([{ status: 'needs_review' }, { status: 'needs_review' }, { status: 'failed' }, { status: 'extracting' }])).toEqual({ review: 2, failed: 1 });
  });
});
