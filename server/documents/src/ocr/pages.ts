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
import { jpegToPdf, pdfInfo, pdfTextLayer, renderPdfPage, type PdfTextPage, type PopplerOptions } from './poppler';
import { downscale, type Gray } from './raster';
import { tesseractPdf, type TesseractOptions } from './tesseract';
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
  | { kind: 'raster'; page: number; load: () => Promise<Gray>; dpi: number | undefined };

export interface LoadOptions {
  signal?: AbortSignal;
  maxPages?: number;
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
    const pdf = join(workDir, 'image.pdf');
    await writeFile(pdf, jpegToPdf(bytes, OCR_DPI));
    const gray = await renderPdfPage(pdf, 1, OCR_DPI, workDir, poppler);
    return [{ kind: 'raster', page: 1, load: () => Promise.resolve(gray), dpi: undefined }];
  }
  if (mediaType === 'image/tiff') {
    // tesseract (leptonica) reads TIFF; its PDF renderer hands the pages to poppler
    const tif = join(workDir, 'image.tif');
    await writeFile(tif, bytes);
    const pdf = await tesseractPdf(tif, join(workDir, 'tiff'), { ...opts.tesseract, signal: opts.signal });
    const info = await pdfInfo(pdf, poppler);
    if (info.pages > max) throw new AppError('payload_too_large', `Cannot read TIFF: ${info.pages} pages, at most ${max}`);
    const out: SourcePage[] = [];
    for (let p = 1; p <= info.pages; p++) {
      const size = info.sizes[p - 1] ?? { width: 612, height: 792 };
      const dpi = Math.max(72, Math.min(OCR_DPI, Math.floor((3000 * 72) / size.width)));
      out.push({ kind: 'raster', page: p, load: () => renderPdfPage(pdf, p, dpi, workDir, poppler), dpi: undefined });
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
    else out.push({ kind: 'raster', page: p, load: () => renderPdfPage(file, p, OCR_DPI, workDir, poppler), dpi: OCR_DPI });
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
export async function viewOfTextPage(file: string, page: number, workDir: string, opts: LoadOptions): Promise<{ image: PageImage; scale: number }> {
  const gray = await renderPdfPage(file, page, VIEW_DPI, workDir, { ...opts.poppler, signal: opts.signal });
  return { image: { page, width: gray.width, height: gray.height, mediaType: 'image/png', bytes: encodePngGray(gray) }, scale: VIEW_DPI / 72 };
}
