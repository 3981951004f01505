/**
 * Receipts and vendor bills over HTTP (server/documents/README.md): the
 * signed intake webhook, uploads, the review queue and its decisions, dead
 * letters and replay, lineage both ways, and the webhook sources.
 *
 * Uploads are raw bodies (the file's own Content-Type), read here with a
 * byte cap: a Content-Length over the limit is refused before a byte is
 * read, a body that grows past it is cut off, and either way nothing is
 * stored. The webhook is authenticated by its signature over the exact
 * bytes (X-Workbench-Signature, as pipeline webhooks), which may be used
 * once: a replayed delivery is refused even inside the time window.
 */
import type { Request, Response } from 'express';
import { AppError } from '@workbench/core';
import { DOCUMENT_STATUSES, type DocumentService, type DocumentStatus, type IntakeSources } from '@workbench/documents';
import type { AuditLog } from '@workbench/audit';
import { jsonObject, onlyKeys } from './json-body';
import type { RouteDef } from '../route-table';

const idOf = (req: Request) => String(req.params.id);
const by = (req: Request) => req.auth!.user.username;

/** The raw upload routes, which the JSON body parser leaves alone. */
export function isRawUpload(method: string | undefined, url: string | undefined): boolean {
  return method === 'POST' && /\/api\/(intake\/documents|documents)(\?|$)/.test(url ?? '');
}

/** The whole body, at most `max` bytes; refuses early on a declared length over it. */
export async function readRawBody(req: Request, res: Response, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooBig = (n: number) => {
    // Stop the client sending the rest: answer, then close the connection.
    res.setHeader('Connection', 'close');
    return new AppError('payload_too_large', `Cannot accept the file: ${n} bytes is over the limit of ${max} bytes; nothing was stored`);
  };
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    throw tooBig(declared);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooBig(size));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new AppError('bad_request', `Cannot accept the file: the upload broke off (${err.message})`)));
    req.on('aborted', () => reject(new AppError('bad_request', 'Cannot accept the file: the client went away mid-upload; nothing was stored')));
  });
}

function filenameOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (v.length > 255) throw new AppError('bad_request', 'Cannot accept the file: filename is longer than 255 characters');
  return v;
}

function statusesOf(v: unknown): DocumentStatus[] | undefined {
  if (v === undefined || v === '') return undefined;
  const list = String(v).split(',');
  for (const s of list) if (!DOCUMENT_STATUSES.includes(s as DocumentStatus)) throw new AppError('bad_request', `Cannot list documents: unknown status ${JSON.stringify(s.slice(0, 20))} (one of ${DOCUMENT_STATUSES.join(', ')})`);
  return list as DocumentStatus[];
}

function intOf(v: unknown, what: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('bad_request', `Cannot ${what}: must be an integer from ${min} to ${max}`);
  return n;
}

export function documentRoutes(documents: DocumentService, sources: IntakeSources, audit?: AuditLog): RouteDef[] {
  const answerIntake = (res: Response, out: Awaited<ReturnType<DocumentService['intake']>>) => res.status(out.duplicate ? 200 : 201).json(out);
  return [
    {
      method: 'post',
      path: '/api/intake/documents',
      auth: 'public',
      tag: 'documents',
      summary: 'Receive a document from a webhook source: raw body (PDF, PNG, JPEG, TIFF), X-Workbench-Source, X-Workbench-Signature (t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>), optional X-Filename',
      responses: { '201': '{document}', '200': '{document, duplicate: true}: the same file was received before', '403': 'Unknown source, missing, stale, wrong or replayed signature', '413': 'Too large', '415': 'Not a PDF or image' },
      handler: async (req, res) => {
        const bytes = await readRawBody(req, res, documents.fileLimits.maxBytes);
        const source = String(req.headers['x-workbench-source'] ?? '');
        const who = await sources.verify(source, req.headers['x-workbench-signature'] as string | undefined, bytes);
        const out = await documents.intake({ bytes, contentType: req.headers['content-type'], filename: filenameOf(req.headers['x-filename']), source: `webhook:${who}`, by: `webhook:${who}` });
        await audit?.record({
          actor: `webhook:${who}`,
          actorRole: null,
          via: 'system',
          resource: 'documents',
          action: 'intake',
          target: out.document.id,
          ip: req.clientIp ?? req.socket.remoteAddress ?? null,
          userAgent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
          outcome: 'ok',
          detail: { method: req.method, route: '/api/intake/documents', request_id: req.id, sha256: out.document.sha256, duplicate: out.duplicate, bytes: bytes.length },
        });
        answerIntake(res, out);
      },
    },
    {
      method: 'post',
      path: '/api/documents',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Upload a document: raw body with its Content-Type (PDF, PNG, JPEG, TIFF); ?filename=',
      responses: { '201': '{document}', '200': '{document, duplicate: true}', '413': 'Too large', '415': 'Not a PDF or image' },
      handler: async (req, res) => {
        const bytes = await readRawBody(req, res, documents.fileLimits.maxBytes);
        answerIntake(res, await documents.intake({ bytes, contentType: req.headers['content-type'], filename: filenameOf(req.query.filename), source: 'upload', by: by(req) }));
      },
    },
    {
      method: 'get',
      path: '/api/documents',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents',
      summary: 'Documents, newest first: ?status=needs_review,failed&limit=',
      handler: async (req, res) => {
        const limit = req.query.limit === undefined ? 100 : intOf(req.query.limit, 'list documents: limit', 1, 1000);
        res.json({ documents: await documents.list({ statuses: statusesOf(req.query.status), limit }) });
      },
    },
    {
      method: 'get',
      path: '/api/documents/dead-letter',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents',
      summary: 'Documents whose posting to Odoo failed, with the reason',
      handler: async (_req, res) => {
        res.json({ documents: await documents.deadLetters() });
      },
    },
    {
      method: 'get',
      path: '/api/documents/accuracy',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents',
      summary: 'Field accuracy from reviewers\' corrections',
      handler: async (_req, res) => {
        res.json(await documents.accuracy());
      },
    },
    {
      method: 'get',
      path: '/api/documents/partners',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents',
      summary: 'Odoo partners whose name or VAT number contains ?q= (2 to 100 characters), for choosing a document\'s vendor',
      handler: async (req, res) => {
        res.json({ partners: await documents.findPartners(String(req.query.q ?? '')) });
      },
    },
    {
      method: 'get',
      path: '/api/documents/lineage',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents-data',
      summary: 'The document behind an Odoo record: ?model=account.move&id=N',
      handler: async (req, res) => {
        const model = String(req.query.model ?? '');
        if (model !== 'account.move') throw new AppError('bad_request', 'Cannot find the document: model must be account.move');
        const doc = await documents.byOdoo(model, intOf(req.query.id, 'find the document: id', 1, 2 ** 31 - 1));
        res.json({ document: doc, events: await documents.events(doc.id) });
      },
    },
    {
      method: 'post',
      path: '/api/documents/replay',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Post the dead letters again {ids?}; documents already posted are skipped',
      handler: async (req, res) => {
        const b = jsonObject(req, 'replay documents');
        onlyKeys(b, ['ids'], 'replay documents');
        if (b.ids !== undefined && (!Array.isArray(b.ids) || b.ids.length > 1000 || !b.ids.every((x) => typeof x === 'string'))) throw new AppError('bad_request', 'Cannot replay documents: ids must be a list of at most 1000 document ids');
        res.json(await documents.replay(b.ids as string[] | undefined, by(req)));
      },
    },
    {
      method: 'get',
      path: '/api/documents/:id',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents-data',
      summary: 'A document: fields, lines, issues, vendor match, duplicates, decisions, posting and its history (lineage); ?wait=settled&timeout_s= waits until it leaves received/extracting/approved/posting',
      handler: async (req, res) => {
        const id = idOf(req);
        let doc;
        if (req.query.wait === 'settled' || req.query.wait === 'read') {
          const s = req.query.timeout_s === undefined ? 30 : intOf(req.query.timeout_s, 'wait for the document: timeout_s', 1, 120);
          const ac = new AbortController();
          const timer = setTimeout(() => ac.abort(), s * 1000);
          res.on('close', () => ac.abort());
          const until = req.query.wait === 'read' ? (st: DocumentStatus) => st !== 'received' && st !== 'extracting' : (st: DocumentStatus) => !['received', 'extracting', 'approved', 'posting'].includes(st);
          try {
            doc = await documents.waitFor(id, until, ac.signal);
          } finally {
            clearTimeout(timer);
          }
        } else doc = await documents.get(id);
        res.json({ document: doc, events: await documents.events(id) });
      },
    },
    {
      method: 'get',
      path: '/api/documents/:id/file',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents-data',
      summary: 'The document\'s original file',
      handler: async (req, res) => {
        const f = await documents.file(idOf(req));
        res.setHeader('Content-Type', f.mediaType);
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
        res.end(f.bytes);
      },
    },
    {
      method: 'get',
      path: '/api/documents/:id/pages/:page',
      auth: 'user',
      permission: { resource: 'documents', action: 'read' },
      tag: 'documents-data',
      summary: 'Page n (from 1) of the document as an image, the pixels its field boxes refer to',
      handler: async (req, res) => {
        const p = await documents.page(idOf(req), Number(req.params.page));
        res.setHeader('Content-Type', p.mediaType);
        res.setHeader('Cache-Control', 'private, max-age=3600');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.end(p.bytes);
      },
    },
    {
      method: 'post',
      path: '/api/documents/:id/correct',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Correct fields {fields?: {name: value|null}, lines?, partner_id?, version?}; the document is checked again and still waits for approval',
      auditDetail: (req) => {
        const b = jsonObject(req, 'correct the document');
        return { fields: b.fields && typeof b.fields === 'object' ? Object.keys(b.fields as object).slice(0, 20) : [], lines: Array.isArray(b.lines), partner_id: b.partner_id ?? null };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'correct the document');
        onlyKeys(b, ['fields', 'lines', 'partner_id', 'version'], 'correct the document');
        if (b.fields !== undefined && (typeof b.fields !== 'object' || b.fields === null || Array.isArray(b.fields) || !Object.values(b.fields).every((v) => v === null || typeof v === 'string'))) {
          throw new AppError('bad_request', 'Cannot correct the document: fields must be an object of field name -> string or null');
        }
        const lines = b.lines === undefined ? undefined : linesOf(b.lines);
        const partnerId = b.partner_id === undefined ? undefined : intOf(b.partner_id, 'correct the document: partner_id', 1, 2 ** 31 - 1);
        const version = b.version === undefined ? undefined : intOf(b.version, 'correct the document: version', 1, 2 ** 31 - 1);
        res.json({ document: await documents.correct(idOf(req), by(req), { fields: b.fields as Record<string, string | null> | undefined, lines, partnerId, version }) });
      },
    },
    {
      method: 'post',
      path: '/api/documents/:id/approve',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Approve {version?}: the document is then posted to Odoo. 403 when the four-eyes rule applies to you',
      responses: { '200': '{document}', '403': 'Four-eyes rule: over the limit and you uploaded or corrected it', '409': 'Not waiting for review, or rule errors left' },
      handler: async (req, res) => {
        const b = jsonObject(req, 'approve the document');
        onlyKeys(b, ['version'], 'approve the document');
        const version = b.version === undefined ? undefined : intOf(b.version, 'approve the document: version', 1, 2 ** 31 - 1);
        res.json({ document: await documents.approve(idOf(req), by(req), { version }) });
      },
    },
    {
      method: 'post',
      path: '/api/documents/:id/reject',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Reject {reason}',
      auditDetail: (req) => ({ reason: String(jsonObject(req, 'reject the document').reason ?? '').slice(0, 200) }),
      handler: async (req, res) => {
        const b = jsonObject(req, 'reject the document');
        onlyKeys(b, ['reason'], 'reject the document');
        if (typeof b.reason !== 'string') throw new AppError('bad_request', 'Cannot reject the document: reason must be a string');
        res.json({ document: await documents.reject(idOf(req), by(req), b.reason) });
      },
    },
    {
      method: 'post',
      path: '/api/documents/:id/replay',
      auth: 'user',
      permission: { resource: 'documents', action: 'write' },
      tag: 'documents',
      summary: 'Post one document again (a dead letter, or a posting whose worker is gone); already posted: skipped',
      handler: async (req, res) => {
        res.json(await documents.replay([idOf(req)], by(req)));
      },
    },
    {
      method: 'get',
      path: '/api/intake/sources',
      auth: 'user',
      permission: { resource: 'intake', action: 'read' },
      tag: 'documents',
      summary: 'Webhook sources of documents (names and dates; never their secrets)',
      handler: async (_req, res) => {
        res.json({ sources: await sources.list() });
      },
    },
    {
      method: 'put',
      path: '/api/intake/sources/:name',
      auth: 'user',
      permission: { resource: 'intake', action: 'write' },
      tag: 'documents',
      summary: 'Create a webhook source or give it a new secret; the secret is answered once and kept encrypted',
      handler: async (req, res) => {
        res.json(await sources.rotate(String(req.params.name), by(req)));
      },
    },
    {
      method: 'delete',
      path: '/api/intake/sources/:name',
      auth: 'user',
      permission: { resource: 'intake', action: 'write' },
      tag: 'documents',
      summary: 'Remove a webhook source: its deliveries are refused from now on',
      handler: async (req, res) => {
        await sources.remove(String(req.params.name));
        res.status(204).end();
      },
    },
  ];
}

function linesOf(v: unknown) {
  if (!Array.isArray(v) || v.length > 500) throw new AppError('bad_request', 'Cannot correct the document: lines must be a list of at most 500 lines');
  return v.map((l, i) => {
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new AppError('bad_request', `Cannot correct the document: line ${i + 1} must be an object`);
    const o = l as Record<string, unknown>;
    const str = (k: string, required: boolean) => {
      const x = o[k];
      if (x === null || (x === undefined && !required)) return null;
      if (typeof x !== 'string' || x.length > 500) throw new AppError('bad_request', `Cannot correct the document: line ${i + 1} ${k} must be a string of at most 500 characters`);
      return x;
    };
    return { description: str('description', true) ?? '', quantity: str('quantity', false), unit_price: str('unit_price', false), amount: str('amount', false), confidence: 1 };
  });
}
