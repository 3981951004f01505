/**
 * The embedded engine on real tesseract and poppler, over a few generated
 * corpus documents (one per layout, image and PDF, scans), and on bad input.
 * The corpus subset is rendered by Chromium once and cached in the temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { generateCorpus, scoreExtraction, type CorpusDocument } from '../testing';
import { decodePngGray } from './png';
import { TesseractEngine } from './tesseract-engine';
import type { Extraction } from './types';

// doc indexes of the seed-1 corpus, one per layout: classic PNG, two-column text PDF, European PNG,
// receipt text PDF, minimal receipt JPEG; and a scan: classic, rotated and noisy, in an image-only PDF
const SUBSET = [0, 6, 2, 8, 19, 10];
const CORPUS_DIR = join(tmpdir(), 'workbench-documents-corpus', 'ocr-test');

let docs: CorpusDocument[];
let work: string;
let engine: TesseractEngine;

beforeAll(async () => {
  docs = await generateCorpus({ dir: CORPUS_DIR, count: 60, seed: 1, only: SUBSET });
  work = await mkdtemp(join(tmpdir(), 'wb-ocr-test-'));
  engine = new TesseractEngine({ tmpDir: work });
}, 120000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(async () => {
  // every extraction, failed or not, removes its temp dir
  expect(await readdir(work)).toEqual([]);
});

async function extract(doc: CorpusDocument): Promise<Extraction> {
  return engine.extract({ bytes: await readFile(doc.file), mediaType: doc.mediaType });
}

function checkBoxes(ex: Extraction): void {
  for (const f of Object.values(ex.fields)) {
    if (!f.box) continue;
    const page = ex.pages[f.box.page - 1]!;
    expect(f.box.x).toBeGreaterThanOrEqual(-2);
    expect(f.box.y).toBeGreaterThanOrEqual(-2);
    expect(f.box.x + f.box.w).toBeLessThanOrEqual(page.width + 2);
    expect(f.box.y + f.box.h).toBeLessThanOrEqual(page.height + 2);
  }
}

describe('TesseractEngine on generated documents', () => {
  test('the fields a reviewer sees are right, with boxes on the page images', async () => {
    const failures: string[] = [];
    for (const doc of docs) {
      const ex = await extract(doc);
      expect(ex.engine).toMatch(/^tesseract \d+\.\d+/);
      expect(ex.pages).toHaveLength(1);
      const img = decodePngGray(ex.pages[0]!.bytes);
      expect([img.width, img.height]).toEqual([ex.pages[0]!.width, ex.pages[0]!.height]);
      expect(img.width).toBeLessThanOrEqual(1600);
      checkBoxes(ex);
      expect(ex.fields.total.box).toBeDefined();
      expect(ex.text).toContain(doc.truth.invoice_number);
      if (doc.kind === 'text-pdf') expect(ex.fields.total.source).toBe('text');
      // what a reviewer checks first; a scan must get these too
      const must = ['vendor', 'invoice_number', 'invoice_date', 'currency', 'total'];
      // clean documents: everything, lines included
      const score = scoreExtraction(ex, doc.truth);
      for (const f of score.fields) {
        if (!f.correct && (doc.difficulty === 'standard' || must.includes(f.field))) failures.push(`${doc.id} ${f.field}: want ${f.expected} got ${f.actual}`);
      }
    }
    expect(failures).toEqual([]);
  }, 90000);

  test('a TIFF (read by tesseract itself) gives the same fields', async () => {
    const doc = docs.find((d) => d.mediaType === 'image/png' && d.layout === 'classic')!;
    const tiff = grayTiff(decodePngGray(await readFile(doc.file)), 192);
    const ex = await engine.extract({ bytes: tiff, mediaType: 'image/tiff' });
    expect(ex.fields.vendor.value).toBe(doc.truth.vendor);
    expect(ex.fields.total.value).toBe(doc.truth.total);
    expect(ex.pages[0]!.width).toBeLessThanOrEqual(1600);
  }, 30000);
});

describe('TesseractEngine on multi-page PDFs', () => {
  /** pdfunite (poppler-utils) into a scratch dir of its own */
  async function unite(files: string[]): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'wb-ocr-unite-'));
    try {
      const out = join(dir, 'out.pdf');
      execFileSync('pdfunite', [...files, out]);
      return await readFile(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  test('a text page and a scanned page: both read, one image each', async () => {
    const text = docs.find((d) => d.kind === 'text-pdf' && d.layout === 'two-column')!;
    const scan = docs.find((d) => d.kind === 'scanned-pdf')!;
    const ex = await engine.extract({ bytes: await unite([text.file, scan.file]), mediaType: 'application/pdf' });
    expect(ex.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(ex.text).toContain(text.truth.invoice_number);
    expect(ex.text).toContain(scan.truth.invoice_number);
    expect(ex.fields.vendor).toMatchObject({ value: text.truth.vendor, source: 'text' });
  }, 30000);

  test('more than 20 pages is refused before any OCR', async () => {
    const text = docs.find((d) => d.kind === 'text-pdf')!;
    const err = await engine.extract({ bytes: await unite(Array.from({ length: 21 }, () => text.file)), mediaType: 'application/pdf' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'payload_too_large', message: 'Cannot read PDF: 21 pages, at most 20' });
  });
});

describe('TesseractEngine on bad input', () => {
  const bad = async (bytes: Buffer, mediaType: 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/tiff', e = engine): Promise<AppError> => {
    const err = await e.extract({ bytes, mediaType }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  };

  test('an empty file', async () => {
    const err = await bad(Buffer.alloc(0), 'application/pdf');
    expect(err.code).toBe('bad_request');
    expect(err.message).toBe('Cannot read document: the file is empty');
  });

  test('a corrupt PDF', async () => {
    const err = await bad(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF garbage'), 'application/pdf');
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/^Cannot read PDF: /);
  });

  test('a truncated PNG', async () => {
    const png = await readFile(docs.find((d) => d.mediaType === 'image/png')!.file);
    const err = await bad(png.subarray(0, Math.floor(png.length / 2)), 'image/png');
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/^Cannot read PNG: /);
  });

  test('bytes that are not the declared type', async () => {
    const png = await readFile(docs.find((d) => d.mediaType === 'image/png')!.file);
    expect((await bad(png, 'application/pdf')).message).toBe('Cannot read document: the file is not a application/pdf');
    expect((await bad(Buffer.from('II*\0garbage'), 'image/tiff')).message).toMatch(/^Cannot read TIFF: /);
  });

  test('an aborted extraction stops with the abort reason', async () => {
    const doc = docs.find((d) => d.kind === 'scanned-pdf')!;
    const bytes = await readFile(doc.file);
    const ctl = new AbortController();
    const pending = engine.extract({ bytes, mediaType: doc.mediaType }, { signal: ctl.signal });
    ctl.abort(new AppError('timeout', 'Cannot read document: test deadline'));
    await expect(pending).rejects.toMatchObject({ code: 'timeout', message: 'Cannot read document: test deadline' });
    const already = AbortSignal.abort();
    await expect(engine.extract({ bytes, mediaType: doc.mediaType }, { signal: already })).rejects.toBeInstanceOf(AppError);
  });

  test('the engine timeout kills tesseract', async () => {
    const doc = docs.find((d) => d.kind === 'scanned-pdf')!;
    const quick = new TesseractEngine({ tmpDir: work, timeoutMs: 400 });
    await quick.version();
    const err = await bad(await readFile(doc.file), doc.mediaType, quick);
    expect(err.code).toBe('timeout');
  });

  test('no tesseract installed', async () => {
    const err = await bad(Buffer.from('%PDF-1.4'), 'application/pdf', new TesseractEngine({ tmpDir: work, tesseractCommand: join(work, 'no-such-tesseract') }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/tesseract is not installed|no-such-tesseract is not installed/);
  });
});

/** An uncompressed 8-bit grayscale TIFF (baseline TIFF 6.0). */
function grayTiff(g: { width: number; height: number; data: Uint8Array }, dpi: number): Buffer {
  const tags: [number, number, number][] = [
    [256, 4, g.width],
    [257, 4, g.height],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0],
    [277, 3, 1],
    [278, 4, g.height],
    [279, 4, g.data.length],
    [282, 5, 0],
    [283, 5, 0],
    [296, 3, 2],
  ];
  const ifd = 8;
  const rational = ifd + 2 + tags.length * 12 + 4;
  const data = rational + 16;
  const b = Buffer.alloc(data + g.data.length);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifd, 4);
  b.writeUInt16LE(tags.length, ifd);
  tags.forEach(([tag, type, value], i) => {
    const o = ifd + 2 + i * 12;
    const v = tag === 273 ? data : tag === 282 ? rational : tag === 283 ? rational + 8 : value;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(1, o + 4);
    if (type === 3) b.writeUInt16LE(v, o + 8);
    else b.writeUInt32LE(v, o + 8);
  });
  for (const o of [rational, rational + 8]) {
    b.writeUInt32LE(dpi, o);
    b.writeUInt32LE(1, o + 4);
  }
  Buffer.from(g.data.buffer, g.data.byteOffset, g.data.length).copy(b, data);
  return b;
}
