/**
 * The embedded OCR engine: tesseract over each page without a text layer
 * (deskewed, one thread per process, OCR.md), the PDF text layer where there
 * is one, then field extraction. Every tool runs in a temp dir removed in
 * `finally`; the caller's signal and a per-document timeout kill the tools.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, abortError } from '@workbench/core';
import { estimateSkew, rotateBox } from './deskew';
import { extractFields } from './extract-fields';
import type { OcrWord, PageWords } from './layout';
import { loadPages, viewOf, viewOfOcredPage, viewOfTextPage, MAX_PAGES, type LoadOptions, type SourcePage } from './pages';
import type { PopplerOptions } from './poppler';
import { encodePgm, rotate } from './raster';
import { removeRules } from './rules';
import { mergeReadings, needsSecondLook } from './second-look';
import { tesseractTsv, tesseractVersion, type TesseractOptions, type TsvWord } from './tesseract';
import type { Box, Extraction, OcrEngine, OcrInput, PageImage } from './types';

export interface TesseractEngineOptions {
  /** tesseract binary; default `tesseract` from PATH */
  tesseractCommand?: string;
  /** directory of pdfinfo/pdftotext/pdftoppm; default from PATH */
  popplerBinDir?: string;
  /** traineddata, e.g. "eng+deu" (OCR.md: each extra language costs time); default "eng" */
  languages?: string;
  /** where temp dirs go; default os.tmpdir() */
  tmpDir?: string;
  /** whole-document limit; default 120 s */
  timeoutMs?: number;
  /** pages OCRed at once (one tesseract thread each); default 2 */
  concurrency?: number;
  maxPages?: number;
  /**
   * Skewed scans: `boxes` (default) OCRs the scan as it is and levels the
   * word boxes for reading rows; `pixels` rotates the image first; `off`.
   */
  deskew?: 'boxes' | 'pixels' | 'off';
  /** a second, sparse-text OCR pass for documents the first could not fully read (second-look.ts); default true */
  secondLook?: boolean;
  /**
   * The second pass roughly doubles the OCR time: it runs only when the first
   * finished within this many ms of the start (default 2500, half the PRD's
   * 5 s per document), so a slow page or a busy machine does not blow it.
   */
  secondLookBudgetMs?: number;
  /** erase table rules before OCR (rules.ts); default true */
  removeRules?: boolean;
  /** tesseract page segmentation mode; default 4 (see PSM) */
  psm?: number;
}

/** Page segmentation mode: 4 (one column of variable sizes) keeps a receipt's amount column and a table's rows (OCR.md). */
const PSM = 4;

export class TesseractEngine implements OcrEngine {
  readonly name = 'tesseract';
  #version: Promise<string> | undefined;

  constructor(private readonly options: TesseractEngineOptions = {}) {}

  /** "tesseract 5.3.0" */
  version(signal?: AbortSignal): Promise<string> {
    this.#version ??= tesseractVersion({ command: this.options.tesseractCommand, signal }).catch((e: unknown) => {
      this.#version = undefined;
      throw e;
    });
    return this.#version;
  }

  async extract(input: OcrInput, opts: { signal?: AbortSignal } = {}): Promise<Extraction> {
    const t0 = performance.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const engine = await this.version(signal);
    const workDir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'wb-ocr-'));
    try {
      const tesseract: TesseractOptions = { command: this.options.tesseractCommand, languages: this.options.languages, signal };
      const poppler: PopplerOptions = { binDir: this.options.popplerBinDir, signal };
      const load: LoadOptions = { signal, maxPages: this.options.maxPages ?? MAX_PAGES, poppler, tesseract, psm: this.options.psm ?? PSM };
      const pages = await loadPages(input.bytes, input.mediaType, workDir, load);
      const results = await mapLimit(pages, this.options.concurrency ?? 2, (p) => this.#readPage(p, workDir, load, tesseract, signal));
      let reading = extractFields(results.map((r) => r.words));
      const inBudget = performance.now() - t0 < (this.options.secondLookBudgetMs ?? 2500);
      if (this.options.secondLook !== false && inBudget && results.some((r) => r.ocrFile) && needsSecondLook(reading)) {
        // the OCRed pages again in sparse-text mode; text-layer pages as they were
        const again = await mapLimit(results, this.options.concurrency ?? 2, async (r) => {
          if (!r.ocrFile || !r.toWords) return r.words;
          return { ...r.words, words: r.toWords(await tesseractTsv(r.ocrFile, 11, r.dpi, tesseract)) };
        });
        reading = mergeReadings(reading, extractFields(again));
      }
      const { fields, lines, text } = reading;
      unlevel({ fields, lines }, results);
      return { engine, durationMs: Math.round(performance.now() - t0), fields, lines, pages: results.map((r) => r.image), text };
    } catch (e) {
      if (signal.aborted && !(e instanceof AppError)) throw abortError(signal, 'read document');
      throw e;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  async #readPage(p: SourcePage, workDir: string, load: LoadOptions, tesseract: TesseractOptions, signal: AbortSignal): Promise<PageReading> {
    if (signal.aborted) throw abortError(signal, 'read document');
    if (p.kind === 'text') {
      const { image, scale } = await viewOfTextPage(p.file, p.page, workDir, load, p.text);
      const words: OcrWord[] = p.text.words.map((w) => ({
        text: w.text,
        conf: 1,
        box: { page: p.page, x: Math.round(w.xMin * scale), y: Math.round(w.yMin * scale), w: Math.max(1, Math.round((w.xMax - w.xMin) * scale)), h: Math.max(1, Math.round((w.yMax - w.yMin) * scale)) },
      }));
      return { words: { page: p.page, width: image.width, height: image.height, source: 'text', words }, image };
    }
    const mode = this.options.deskew ?? 'boxes';
    if (p.kind === 'ocred') {
      // TIFF: OCRed as given (a pixel rotation would need a second pass); boxes levelled for reading rows
      const { image, gray, scale } = await viewOfOcredPage(p, workDir, load);
      const level = mode === 'off' ? 0 : estimateSkew(gray);
      return { words: { page: p.page, width: image.width, height: image.height, source: 'ocr', words: toWords(p.words, p.page, scale, level, image) }, image, level };
    }
    const original = await p.load();
    const angle = mode === 'off' ? 0 : estimateSkew(original);
    const ocrImage = mode === 'pixels' && angle !== 0 ? rotate(original, angle) : original;
    const file = join(workDir, `ocr-${p.page}.pgm`);
    // rules only on level pages: along a skew, a rule's run breaks up and its leftovers garbled the row beneath
    const level0 = mode === 'pixels' || angle === 0;
    await writeFile(file, encodePgm(this.options.removeRules === false || !level0 ? ocrImage : removeRules(ocrImage)));
    const tsv = await tesseractTsv(file, this.options.psm ?? PSM, p.dpi, tesseract);
    const { image, scale } = viewOf(p.page, ocrImage, p.dpi);
    const level = mode === 'boxes' ? angle : 0;
    const convert = (t: readonly TsvWord[]) => toWords(t, p.page, scale, level, image);
    return { words: { page: p.page, width: image.width, height: image.height, source: 'ocr', words: convert(tsv) }, image, level, ocrFile: file, dpi: p.dpi, toWords: convert };
  }
}

/** One page as read: its words, its review image, and what a second OCR pass needs. */
interface PageReading {
  words: PageWords;
  image: PageImage;
  /** degrees the word boxes were levelled by */
  level?: number;
  /** the OCR input (PGM) of a rasterised page */
  ocrFile?: string;
  dpi?: number;
  toWords?: (tsv: readonly TsvWord[]) => OcrWord[];
}

/** tesseract's words in page-image pixels, their boxes levelled by `level` degrees. */
function toWords(tsv: readonly TsvWord[], page: number, scale: number, level: number, image: PageImage): OcrWord[] {
  return tsv.map((w) => ({
    text: w.text,
    conf: w.conf,
    box: rotateBox({ page, x: Math.round(w.left * scale), y: Math.round(w.top * scale), w: Math.max(1, Math.round(w.width * scale)), h: Math.max(1, Math.round(w.height * scale)) }, level, image.width, image.height),
  }));
}

/** Boxes found in levelled coordinates back onto the (skewed) page image. */
function unlevel(extraction: Pick<Extraction, 'fields' | 'lines'>, pages: readonly { image: PageImage; level?: number }[]): void {
  const back = (box: Box | undefined): Box | undefined => {
    const p = box && pages[box.page - 1];
    return box && p?.level ? rotateBox(box, p.level, p.image.width, p.image.height, true) : box;
  };
  for (const f of Object.values(extraction.fields)) if (f.box) f.box = back(f.box);
  for (const l of extraction.lines) if (l.box) l.box = back(l.box);
}

/** Map with at most `limit` calls in flight; results in input order; the first failure rejects (the rest still settle). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed: { e: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.e;
  return out;
}
