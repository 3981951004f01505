import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@workbench/core';
import { encodePngGray } from './png';
import { ServiceOcrEngine, mapResponse } from './service-engine';

/** A real HTTP server on port 0 whose answer each test sets; it records what it received. */
class FakeOcrService {
  readonly server: Server;
  answer: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void = (_q, _b, res) => res.end();
  received: { method?: string; url?: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.received.push({ method: req.method, url: req.url, headers: req.headers, body });
        this.answer(req, body, res);
      });
    });
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const json = (status: number, body: unknown) => (_q: IncomingMessage, _b: Buffer, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

// A small white PNG with a black bar: rendered locally as the page image.
const png = (() => {
  const width = 200;
  const height = 100;
  const data = new Uint8Array(width * height).fill(255);
  for (let x = 20; x < 180; x++) for (let y = 40; y < 50; y++) data[y * width + x] = 0;
  return encodePngGray({ width, height, data });
})();

describe('ServiceOcrEngine', () => {
  const svc = new FakeOcrService();
  let base: string;
  beforeAll(async () => {
    base = await svc.start();
  });
  afterAll(() => svc.stop());
  beforeEach(() => {
    svc.received = [];
  });

  test('posts the §6.3 multipart request and maps the answer', async () => {
    svc.answer = json(200, {
      confidence: 0.95,
      extracted: {
        vendor: ' Acme  Supplies Ltd ',
        amount: 1234.5,
        date: '2025-01-15',
        line_items: [{ description: 'Paper', quantity: 2, unit_price: '10.00', amount: 20 }, { description: 'Toner' }, 'junk'],
      },
    });
    const engine = new ServiceOcrEngine({ baseUrl: base, connection: 'ocr-prod', headers: { authorization: 'Bearer t0k' } });
    const ex = await engine.extract({ bytes: png, mediaType: 'image/png' });

    const req = svc.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/v1/extract');
    expect(req.headers.authorization).toBe('Bearer t0k');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = req.body.toString('latin1');
    expect(body).toMatch(/name="file"; filename="document\.png"\r\nContent-Type: image\/png/);
    expect(req.body.includes(png)).toBe(true);
    expect(body).toContain('name="options"\r\n\r\n{"language":"en","output_format":"json"}');

    expect(ex.engine).toBe('service:ocr-prod');
    expect(ex.fields.vendor).toEqual({ value: 'Acme Supplies Ltd', confidence: 0.95, source: 'service' });
    expect(ex.fields.total).toEqual({ value: '1234.50', confidence: 0.95, source: 'service' });
    expect(ex.fields.invoice_date).toEqual({ value: '2025-01-15', confidence: 0.95, source: 'service' });
    expect(ex.fields.currency).toEqual({ value: null, confidence: 0, source: 'service' });
    expect(ex.lines).toEqual([
      { description: 'Paper', quantity: '2', unit_price: '10.00', amount: '20.00', confidence: 0.95 },
      { description: 'Toner', quantity: null, unit_price: null, amount: null, confidence: 0.95 },
    ]);
    expect(ex.pages).toHaveLength(1);
    expect(ex.pages[0]).toMatchObject({ page: 1, width: 200, height: 100, mediaType: 'image/png' });
    expect(ex.text).toContain('Acme Supplies Ltd');
  });

  test.each([
    ['a 503', json(503, { error: 'busy' }), 'unavailable', /HTTP 503/],
    ['a 422', json(422, { error: 'unreadable' }), 'bad_request', /HTTP 422/],
    ['non-JSON', json(200, '<html>oops</html>'), 'unavailable', /not JSON/],
    ['no confidence', json(200, { extracted: {} }), 'unavailable', /confidence/],
    ['no extracted', json(200, { confidence: 0.9 }), 'unavailable', /extracted/],
    ['line_items not a list', json(200, { confidence: 0.9, extracted: { line_items: {} } }), 'unavailable', /line_items/],
  ] as const)('%s is a clear AppError', async (_name, answer, code, message) => {
    svc.answer = answer;
    const engine = new ServiceOcrEngine({ baseUrl: base });
    const err = await engine.extract({ bytes: png, mediaType: 'image/png' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    expect((err as AppError).message).toMatch(/^Cannot extract with the OCR service: /);
    expect((err as AppError).message).toMatch(message);
  });

  test('a service that never answers is cut off by the signal', async () => {
    svc.answer = () => undefined; // holds the request open
    const engine = new ServiceOcrEngine({ baseUrl: base });
    const ctl = new AbortController();
    const pending = engine.extract({ bytes: png, mediaType: 'image/png' }, { signal: ctl.signal });
    await new Promise<void>((resolve) => {
      const check = () => (svc.received.length ? resolve() : setImmediate(check));
      check();
    });
    ctl.abort(new AppError('timeout', 'Cannot extract: test deadline'));
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
  });

  test('nothing listening is unavailable', async () => {
    const gone = new FakeOcrService();
    const url = await gone.start();
    await gone.stop();
    const err = await new ServiceOcrEngine({ baseUrl: url }).extract({ bytes: png, mediaType: 'image/png' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable' });
  });

  test('mapResponse: amounts and dates as strings, confidence in percent', () => {
    const r = mapResponse({ confidence: 87, extracted: { vendor: null, amount: '1.234,56', date: '15/01/2025' } });
    expect(r.fields.total).toEqual({ value: '1234.56', confidence: 0.87, source: 'service' });
    expect(r.fields.invoice_date.value).toBe('2025-01-15');
    expect(r.fields.vendor).toEqual({ value: null, confidence: 0, source: 'service' });
    expect(r.lines).toEqual([]);
  });
});
