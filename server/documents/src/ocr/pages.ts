/**
 * A document's pages, whatever the file type: for each page either the PDF
 * text layer (words in points) or a grayscale raster to OCR, and the page
 * image the review screen shows. Shared by both engines, so a service-read
 * document still shows its pages. Everything is written inside `workDir`,
 * which the caller owns and removes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { encodePngGray, decodePngGray, isPng } from './png';
import { jpegSize, jpegToPdf, pdfInfo, pdfTextLayer, renderPdfPage, type PdfTextPage, type PopplerOptions } from './poppler';
import { checkDimensions, downscale, MAX_PIXELS, type Gray } from './raster';
import { parseTsv, tesseractTiff, tsvPageSizes, type TesseractOptions, type TsvWord } from './tesseract';
import type { DocumentMediaType, PageImage } from './types';

export const MAX_PAGES = 20;
/** Resolution of PDF pages rendered for OCR (OCR.md: pdftoppm -r 300 -gray). */
export const OCR_DPI = 300;
/** Resolution of the review images of PDF pages. */
export const VIEW_DPI = 125;
/** Widest review image of a picture. */
export const VIEW_MAX_WIDTH = 1600;

export type SourcePage =
  | { kind: 'text'; page: number; text: PdfTextPage; file: string }
  /** rasterised on demand, so a long scan is not held in memory all at once */
  | { kind: 'raster'; page: number; load: () => Promise<Gray>; dpi: number | undefined }
  /** already OCRed (TIFF): words in the pixels of a width x height page; `file` is a PDF of the pages, `widthPt` its page width */
  | { kind: 'ocred'; page: number; words: TsvWord[]; width: number; height: number; file: string; widthPt: number };

export interface LoadOptions {
  signal?: AbortSignal;
  maxPages?: number;
  /** tesseract page segmentation mode for input read in one go (TIFF) */
  psm?: number;
  poppler?: PopplerOptions;
  tesseract?: TesseractOptions;
}

const bad = (msg: string) => new AppError('bad_request', msg);

/** Check the bytes are what the media type says (magic numbers). */
export function checkMagic(bytes: Buffer, mediaType: DocumentMediaType): void {
  if (bytes.length === 0) throw bad('Cannot read document: the file is empty');
  const ok =
    mediaType === 'application/pdf'
      ? bytes.subarray(0, 1024).includes('%PDF-')
      : mediaType === 'image/png'
        ? isPng(bytes)
        : mediaType === 'image/jpeg'
          ? bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
          : mediaType === 'image/tiff'
            ? bytes.length > 4 && (bytes.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || bytes.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1')))
            : false;
  if (!ok) throw bad(`Cannot read document: the file is not a ${mediaType}`);
}

/** Pages (IFDs) of a TIFF, counted before any decoding; a broken chain is a `bad_request`. */
export function tiffPageCount(b: Buffer): number {
  const le = b[0] === 0x49;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let count = 0;
  const seen = new Set<number>();
  for (let off = u32(4); off !== 0; count++) {
    if (off + 2 > b.length || seen.has(off) || count > 10000) throw bad('Cannot read TIFF: its directory chain is broken');
    seen.add(off);
    const entries = u16(off);
    if (off + 2 + entries * 12 + 4 > b.length) throw bad('Cannot read TIFF: the file is truncated');
    off = u32(off + 2 + entries * 12);
  }
  return count;
}

/** A PDF page has a usable text layer when it carries a few words of real text. */
export function hasTextLayer(p: PdfTextPage): boolean {
  const chars = p.words.reduce((a, w) => a + (w.text.match(/[A-Za-z0-9]/g) ?? []).length, 0);
  return p.words.length >= 3 && chars >= 10;
}

export async function loadPages(bytes: Buffer, mediaType: DocumentMediaType, workDir: string, opts: LoadOptions): Promise<SourcePage[]> {
  checkMagic(bytes, mediaType);
  const poppler: PopplerOptions = { ...opts.poppler, signal: opts.signal };
  const max = opts.maxPages ?? MAX_PAGES;
  if (mediaType === 'image/png') {
    const gray = decodePngGray(bytes);
    return [{ kind: 'raster', page: 1, load: () => Promise.resolve(gray), dpi: undefined }];
  }
  if (mediaType === 'image/jpeg') {
    const { width, height } = jpegSize(bytes);
    checkDimensions(width, height, 'JPEG');
    const pdf = join(workDir, 'image.pdf');
    await writeFile(pdf, jpegToPdf(bytes, OCR_DPI));
    const gray = await renderPdfPage(pdf, 1, OCR_DPI, workDir, poppler);
    return [{ kind: 'raster', page: 1, load: () => Promise.resolve(gray), dpi: undefined }];
  }
  if (mediaType === 'image/tiff') {
    const count = tiffPageCount(bytes);
    if (count > max) throw new AppError('payload_too_large', `Cannot read TIFF: ${count} pages, at most ${max}`);
    const tif = join(workDir, 'image.tif');
    await writeFile(tif, bytes);
    const { tsv, pdf } = await tesseractTiff(tif, join(workDir, 'tiff'), opts.psm ?? 4, { ...opts.tesseract, signal: opts.signal });
    const info = await pdfInfo(pdf, poppler);
    if (info.pages > max) throw new AppError('payload_too_large', `Cannot read TIFF: ${info.pages} pages, at most ${max}`);
    const words = parseTsv(tsv);
    const sizes = tsvPageSizes(tsv);
    const out: SourcePage[] = [];
    for (let p = 1; p <= info.pages; p++) {
      const size = sizes.get(p) ?? { width: 0, height: 0 };
      out.push({ kind: 'ocred', page: p, words: words.filter((w) => w.page === p), width: size.width, height: size.height, file: pdf, widthPt: info.sizes[p - 1]?.width ?? 612 });
    }
    return out;
  }
  const file = join(workDir, 'document.pdf');
  await writeFile(file, bytes);
  const info = await pdfInfo(file, poppler);
  if (info.pages > max) throw new AppError('payload_too_large', `Cannot read PDF: ${info.pages} pages, at most ${max}`);
  const texts = await pdfTextLayer(file, info.pages, poppler);
  const out: SourcePage[] = [];
  for (let p = 1; p <= info.pages; p++) {
    const t = texts[p - 1];
    if (t && hasTextLayer(t)) out.push({ kind: 'text', page: p, text: t, file });
    else {
      // an oversized page is rendered at a lower resolution rather than as a giant raster
      const size = info.sizes[p - 1] ?? { width: 612, height: 792 };
      const fit = Math.floor(Math.sqrt((MAX_PIXELS / 2) / Math.max(1, (size.width / 72) * (size.height / 72))));
      const dpi = Math.max(36, Math.min(OCR_DPI, fit));
      out.push({ kind: 'raster', page: p, load: () => renderPdfPage(file, p, dpi, workDir, poppler), dpi });
    }
  }
  return out;
}

/** The review image of a raster page, and the factor from raster pixels to image pixels. */
export function viewOf(page: number, gray: Gray, dpi: number | undefined, originalWidth = gray.width): { image: PageImage; scale: number } {
  const target = dpi ? Math.round((gray.width * VIEW_DPI) / dpi) : Math.min(originalWidth, VIEW_MAX_WIDTH);
  const small = downscale(gray, target);
  return { image: { page, width: small.width, height: small.height, mediaType: 'image/png', bytes: encodePngGray(small) }, scale: small.width / gray.width };
}

/** The review image of a text-layer page, rendered by poppler; scale is image pixels per point. */
export async function viewOfTextPage(file: string, page: number, workDir: string, opts: LoadOptions, sizePt?: { width: number; height: number }): Promise<{ image: PageImage; scale: number }> {
  // at most VIEW_DPI, at most VIEW_MAX_WIDTH wide, and never a giant raster for a giant page
  let dpi = VIEW_DPI;
  if (sizePt && sizePt.width > 0 && sizePt.height > 0) {
    dpi = Math.min(dpi, (VIEW_MAX_WIDTH * 72) / sizePt.width, Math.sqrt(MAX_PIXELS / 4 / ((sizePt.width / 72) * (sizePt.height / 72))));
    dpi = Math.max(10, Math.floor(dpi));
  }
  const gray = await renderPdfPage(file, page, dpi, workDir, { ...opts.poppler, signal: opts.signal });
  return { image: { page, width: gray.width, height: gray.height, mediaType: 'image/png', bytes: encodePngGray(gray) }, scale: gray.width / (sizePt?.width || (gray.width * 72) / dpi) };
}

/** The review images of every page (no OCR), and the text of any PDF text layer: what a service-read document still shows. */
export async function renderPageImages(bytes: Buffer, mediaType: DocumentMediaType, workDir: string, opts: LoadOptions): Promise<{ images: PageImage[]; text: string }> {
  const pages = await loadPages(bytes, mediaType, workDir, opts);
  const images: PageImage[] = [];
  const texts: string[] = [];
  for (const p of pages) {
    if (p.kind === 'text') {
      images.push((await viewOfTextPage(p.file, p.page, workDir, opts, p.text)).image);
      texts.push(p.text.words.map((w) => w.text).join(' '));
    } else if (p.kind === 'ocred') images.push((await viewOfOcredPage(p, workDir, opts)).image);
    else images.push(viewOf(p.page, await p.load(), p.dpi).image);
  }
  return { images, text: texts.join('\n\n') };
}

/** The review image of an already-OCRed page (TIFF), and its gray raster; scale maps word pixels to image pixels. */
export async function viewOfOcredPage(p: Extract<SourcePage, { kind: 'ocred' }>, workDir: string, opts: LoadOptions): Promise<{ image: PageImage; gray: Gray; scale: number }> {
  const target = Math.min(p.width || VIEW_MAX_WIDTH, VIEW_MAX_WIDTH);
  const dpi = Math.max(36, Math.min(600, Math.round((target * 72) / p.widthPt)));
  const gray = await renderPdfPage(p.file, p.page, dpi, workDir, { ...opts.poppler, signal: opts.signal });
  return { image: { page: p.page, width: gray.width, height: gray.height, mediaType: 'image/png', bytes: encodePngGray(gray) }, gray, scale: p.width ? gray.width / p.width : 1 };
}
