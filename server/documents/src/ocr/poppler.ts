/**
 * PDFs through poppler-utils: page count and sizes (pdfinfo), the text layer
 * with word boxes (pdftotext -bbox-layout), pages rasterised to PGM
 * (pdftoppm -gray: uncompressed, OCR.md). Plus wrapping a JPEG into a
 * one-page PDF so that poppler decodes it too (no image library needed).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { parsePnm, type Gray } from './raster';
import { runTool } from './run-tool';

export interface PopplerOptions {
  signal?: AbortSignal;
  /** per call; default 60 s */
  timeoutMs?: number;
  /** where pdfinfo, pdftotext, pdftoppm live; default from PATH */
  binDir?: string;
}

const bin = (o: PopplerOptions, name: string) => (o.binDir ? join(o.binDir, name) : name);

export interface PdfInfo {
  pages: number;
  encrypted: boolean;
  /** points, per page from 1 */
  sizes: { width: number; height: number }[];
}

export async function pdfInfo(file: string, opts: PopplerOptions): Promise<PdfInfo> {
  const { stdout } = await runTool(bin(opts, 'pdfinfo'), ['-f', '1', '-l', '9999', file], { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 60000, action: 'read PDF' });
  const text = stdout.toString('utf8');
  const pages = Number(/^Pages:\s+(\d+)/m.exec(text)?.[1] ?? NaN);
  if (!Number.isInteger(pages) || pages < 1) throw new AppError('bad_request', 'Cannot read PDF: it has no pages');
  const sizes: { width: number; height: number }[] = [];
  for (const m of text.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)/gm)) sizes[Number(m[1]) - 1] = { width: Number(m[2]), height: Number(m[3]) };
  return { pages, encrypted: /^Encrypted:\s+yes/m.test(text), sizes };
}

export interface PdfWord {
  text: string;
  /** points from the page's top left */
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PdfTextPage {
  width: number;
  height: number;
  words: PdfWord[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/** Parse `pdftotext -bbox-layout` XHTML: pages with their words. */
export function parseBboxLayout(xhtml: string): PdfTextPage[] {
  const pages: PdfTextPage[] = [];
  const parts = xhtml.split(/<page\s/).slice(1);
  for (const part of parts) {
    const width = Number(/width="([\d.]+)"/.exec(part)?.[1] ?? 0);
    const height = Number(/height="([\d.]+)"/.exec(part)?.[1] ?? 0);
    const words: PdfWord[] = [];
    for (const m of part.matchAll(/<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)<\/word>/g)) {
      const text = decodeEntities(m[5]!).trim();
      if (text) words.push({ text, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
    }
    pages.push({ width, height, words });
  }
  return pages;
}

export async function pdfTextLayer(file: string, pages: number, opts: PopplerOptions): Promise<PdfTextPage[]> {
  const { stdout } = await runTool(bin(opts, 'pdftotext'), ['-bbox-layout', '-enc', 'UTF-8', '-f', '1', '-l', String(pages), file, '-'], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60000,
    action: 'read the PDF text layer',
  });
  return parseBboxLayout(stdout.toString('utf8'));
}

/** Rasterise one page to grayscale at `dpi`; `workDir` is the caller's temp dir. */
export async function renderPdfPage(file: string, page: number, dpi: number, workDir: string, opts: PopplerOptions): Promise<Gray> {
  const root = join(workDir, `page-${page}-${dpi}`);
  await runTool(bin(opts, 'pdftoppm'), ['-r', String(dpi), '-gray', '-f', String(page), '-l', String(page), '-singlefile', file, root], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60000,
    action: `render PDF page ${page}`,
  });
  return parsePnm(await readFile(`${root}.pgm`));
}

/** Width, height and components of a baseline or progressive JPEG, from its SOF marker. */
export function jpegSize(buf: Buffer): { width: number; height: number; components: number } {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) throw new AppError('bad_request', 'Cannot read JPEG: not a JPEG file');
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 >= buf.length) break;
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7), components: buf[i + 9]! };
    }
    i += 2 + len;
  }
  throw new AppError('bad_request', 'Cannot read JPEG: no frame header (the file is truncated or corrupt)');
}

/**
 * A one-page PDF showing the JPEG at `dpi` (one image pixel = one rendered
 * pixel at that resolution), so pdftoppm decodes it to PGM.
 */
export function jpegToPdf(jpeg: Buffer, dpi: number): Buffer {
  const { width, height, components } = jpegSize(jpeg);
  const cs = components === 1 ? '/DeviceGray' : components === 4 ? '/DeviceCMYK /Decode [1 0 1 0 1 0 1 0]' : '/DeviceRGB';
  const pw = ((width * 72) / dpi).toFixed(4);
  const ph = ((height * 72) / dpi).toFixed(4);
  const content = Buffer.from(`q ${pw} 0 0 ${ph} 0 0 cm /Im0 Do Q\n`, 'latin1');
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>', 'latin1'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 'latin1'),
    Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pw} ${ph}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>`, 'latin1'),
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace ${cs} /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`, 'latin1'),
      jpeg,
      Buffer.from('\nendstream', 'latin1'),
    ]),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`, 'latin1'), content, Buffer.from('endstream', 'latin1')]),
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, k) => {
    offsets.push(offset);
    const b = Buffer.concat([Buffer.from(`${k + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(b);
    offset += b.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}
