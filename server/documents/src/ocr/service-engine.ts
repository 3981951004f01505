/**
 * An OCR service speaking the PRD's §6.3 contract:
 *
 *   POST {base}/api/v1/extract   multipart/form-data
 *     file     the document
 *     options  {"language":"en","output_format":"json"}
 *   200 {"confidence": 0.95, "extracted": {"vendor": "...", "amount": 123.45,
 *        "date": "2025-01-15", "line_items": [{"description", "quantity", "unit_price", "amount"}]}}
 *
 * vendor -> vendor, amount -> total, date -> invoice_date, line_items ->
 * lines; the other fields are null; every field found gets the overall
 * confidence. Pages are rendered locally, so the review screen still shows
 * them. HTTP comes in through `fetch` (the service wires a `rest`
 * connection's base URL and headers into it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, abortError, describeError } from '@workbench/core';
import { formatAmount, parseAmount, parseDate } from './parse';
import { renderPageImages, MAX_PAGES } from './pages';
import { FIELD_NAMES, type ExtractedField, type ExtractedLine, type Extraction, type FieldName, type OcrEngine, type OcrInput } from './types';

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: FormData; signal: AbortSignal }) => Promise<Response>;

export interface ServiceOcrEngineOptions {
  /** e.g. "https://ocr.example.com" (a trailing slash is fine) */
  baseUrl: string;
  /** the `rest` connection's name, for Extraction.engine ("service:<connection>") */
  connection?: string;
  /** sent with every request (auth) */
  headers?: Record<string, string>;
  /** default: the global fetch */
  fetch?: FetchLike;
  /** per document; default 60 s */
  timeoutMs?: number;
  /** default "en" */
  language?: string;
  tmpDir?: string;
  popplerBinDir?: string;
  maxPages?: number;
}

const EXT: Record<OcrInput['mediaType'], string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/tiff': 'tif' };

export class ServiceOcrEngine implements OcrEngine {
  readonly name: string;

  constructor(private readonly options: ServiceOcrEngineOptions) {
    this.name = `service:${options.connection ?? new URL(options.baseUrl).host}`;
  }

  async extract(input: OcrInput, opts: { signal?: AbortSignal } = {}): Promise<Extraction> {
    const t0 = performance.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const workDir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'wb-ocr-svc-'));
    try {
      // both at once; the first failure wins, the other still settles inside the try
      const rendering = renderPageImages(input.bytes, input.mediaType, workDir, { signal, maxPages: this.options.maxPages ?? MAX_PAGES, poppler: { binDir: this.options.popplerBinDir, signal } });
      const calling = this.#call(input, signal);
      const [pages, body] = await Promise.all([rendering, calling]).catch(async (e: unknown) => {
        await Promise.allSettled([rendering, calling]);
        throw e;
      });
      const { fields, lines } = mapResponse(body);
      const text = [pages.text, fields.vendor.value, ...lines.map((l) => l.description)].filter(Boolean).join('\n');
      return { engine: this.name, durationMs: Math.round(performance.now() - t0), fields, lines, pages: pages.images, text };
    } catch (e) {
      if (signal.aborted && !(e instanceof AppError)) throw abortError(signal, 'extract with the OCR service');
      throw e;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  async #call(input: OcrInput, signal: AbortSignal): Promise<unknown> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/api/v1/extract`;
    const form = new FormData();
    form.append('file', new Blob([input.bytes], { type: input.mediaType }), `document.${EXT[input.mediaType]}`);
    form.append('options', JSON.stringify({ language: this.options.language ?? 'en', output_format: 'json' }));
    const fetchFn: FetchLike = this.options.fetch ?? ((u, init) => fetch(u, init));
    let res: Response;
    try {
      res = await fetchFn(url, { method: 'POST', headers: { accept: 'application/json', ...this.options.headers }, body: form, signal });
    } catch (e) {
      if (signal.aborted) throw abortError(signal, 'extract with the OCR service');
      throw new AppError('unavailable', `Cannot extract with the OCR service: ${describeError(e)}`, { cause: e });
    }
    const raw = await res.text().catch((e: unknown) => {
      throw signal.aborted ? abortError(signal, 'extract with the OCR service') : new AppError('unavailable', `Cannot extract with the OCR service: the answer broke off (${describeError(e)})`, { cause: e });
    });
    if (!res.ok) {
      const code = [400, 413, 415, 422].includes(res.status) ? 'bad_request' : 'unavailable';
      throw new AppError(code, `Cannot extract with the OCR service: HTTP ${res.status}${raw ? ` (${raw.slice(0, 200).replace(/\s+/g, ' ')})` : ''}`, { details: { status: res.status } });
    }
    try {
      return JSON.parse(raw) as unknown;
    } catch (e) {
      throw new AppError('unavailable', `Cannot extract with the OCR service: the answer is not JSON (${raw.slice(0, 80).replace(/\s+/g, ' ')})`, { cause: e });
    }
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const wrongShape = (why: string) => new AppError('unavailable', `Cannot extract with the OCR service: unexpected answer (${why})`);

function amountOf(x: unknown): string | null {
  if (typeof x === 'number' && Number.isFinite(x)) return formatAmount(x);
  if (typeof x === 'string' && x.trim()) return parseAmount(x.trim())?.value ?? null;
  return null;
}

function quantityOf(x: unknown): string | null {
  const n = typeof x === 'number' ? x : typeof x === 'string' ? Number(x.trim().replace(',', '.')) : NaN;
  return Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : null;
}

/** Validate the §6.3 answer and map it onto the Extraction fields and lines. */
export function mapResponse(body: unknown): { fields: Record<FieldName, ExtractedField>; lines: ExtractedLine[] } {
  if (!isObject(body)) throw wrongShape('not an object');
  const conf = body.confidence;
  if (typeof conf !== 'number' || !Number.isFinite(conf)) throw wrongShape('no numeric "confidence"');
  const c = Math.max(0, Math.min(1, conf > 1 && conf <= 100 ? conf / 100 : conf));
  const ex = body.extracted;
  if (!isObject(ex)) throw wrongShape('no "extracted" object');
  if (ex.line_items !== undefined && ex.line_items !== null && !Array.isArray(ex.line_items)) throw wrongShape('"line_items" is not a list');
  const value = (v: string | null): ExtractedField => (v === null ? { value: null, confidence: 0, source: 'service' } : { value: v, confidence: c, source: 'service' });
  const fields = Object.fromEntries(FIELD_NAMES.map((n) => [n, value(null)])) as Record<FieldName, ExtractedField>;
  fields.vendor = value(typeof ex.vendor === 'string' && ex.vendor.trim() ? ex.vendor.trim().replace(/\s+/g, ' ') : null);
  fields.total = value(amountOf(ex.amount));
  fields.invoice_date = value(typeof ex.date === 'string' ? parseDate(ex.date) : null);
  const lines: ExtractedLine[] = [];
  for (const item of (ex.line_items as unknown[] | undefined) ?? []) {
    if (!isObject(item)) continue;
    lines.push({
      description: typeof item.description === 'string' ? item.description.trim() : '',
      quantity: quantityOf(item.quantity),
      unit_price: amountOf(item.unit_price),
      amount: amountOf(item.amount),
      confidence: c,
    });
  }
  return { fields, lines };
}
