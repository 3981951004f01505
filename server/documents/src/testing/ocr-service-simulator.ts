/**
 * The PRD's OCR service (§6.3) cannot run here: this simulates its
 * contract for tests, reading documents for real with the built-in
 * tesseract engine, so what it answers is a reading, not a canned reply:
 *
 *   POST /api/v1/extract   multipart/form-data: file (the document), options (JSON {language, output_format})
 *   -> 200 {confidence, extracted: {vendor, amount, date, line_items: [{description, quantity, unit_price, amount}]}}
 *
 * An API key (X-API-Key) is required when one is set (401 otherwise);
 * other paths answer 404, other methods 405. `received` keeps the calls.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseractEngine } from '../ocr/tesseract-engine';
import type { DocumentMediaType } from '../ocr/types';

export interface OcrServiceCall {
  path: string;
  apiKey: string | undefined;
  filename: string | undefined;
  mediaType: string | undefined;
  options: unknown;
}

/** The parts of a multipart/form-data body (RFC 7578): name, filename, type, bytes. */
function parseMultipart(body: Buffer, contentType: string): { name: string; filename?: string; type?: string; data: Buffer }[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Error('no boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: { name: string; filename?: string; type?: string; data: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    parts.push({ name, filename, type, data: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

export class OcrServiceSimulator implements AsyncDisposable {
  readonly received: OcrServiceCall[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(opts: { apiKey?: string } = {}): Promise<OcrServiceSimulator> {
    const engine = new TesseractEngine();
    let self: OcrServiceSimulator | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void answer(req, Buffer.concat(chunks)));
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const answer = async (r: IncomingMessage, body: Buffer) => {
        const path = (r.url ?? '/').split('?')[0]!;
        const apiKey = r.headers['x-api-key'] as string | undefined;
        if (path !== '/api/v1/extract') return send(404, { error: 'not found' });
        if (r.method !== 'POST') return send(405, { error: 'method not allowed' });
        if (opts.apiKey && apiKey !== opts.apiKey) return send(401, { error: 'invalid API key' });
        let parts;
        try {
          parts = parseMultipart(body, String(r.headers['content-type'] ?? ''));
        } catch {
          return send(400, { error: 'expected multipart/form-data' });
        }
        const file = parts.find((p) => p.name === 'file');
        const optionsPart = parts.find((p) => p.name === 'options');
        self!.received.push({ path, apiKey, filename: file?.filename, mediaType: file?.type, options: optionsPart ? JSON.parse(optionsPart.data.toString('utf8')) : undefined });
        if (!file) return send(400, { error: 'no file' });
        try {
          const ex = await engine.extract({ bytes: file.data, mediaType: (file.type ?? 'application/pdf') as DocumentMediaType });
          const f = ex.fields;
          const known = [f.vendor, f.total, f.invoice_date].filter((x) => x.value !== null);
          send(200, {
            confidence: known.length ? Math.round((known.reduce((s, x) => s + x.confidence, 0) / known.length) * 100) / 100 : 0,
            extracted: { vendor: f.vendor.value, amount: f.total.value === null ? null : Number(f.total.value), date: f.invoice_date.value, line_items: ex.lines.map((l) => ({ description: l.description, quantity: l.quantity === null ? null : Number(l.quantity), unit_price: l.unit_price === null ? null : Number(l.unit_price), amount: l.amount === null ? null : Number(l.amount) })) },
          });
        } catch (err) {
          send(422, { error: err instanceof Error ? err.message : String(err) });
        }
      };
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    self = new OcrServiceSimulator(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
