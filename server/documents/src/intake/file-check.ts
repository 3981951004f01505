/**
 * What a received file must be before anything is stored or read: a PDF,
 * PNG, JPEG or TIFF by its own first bytes (the declared Content-Type must
 * agree), not empty, within the size limit, an image within the pixel
 * limit read from its header (an "image bomb" is refused before any
 * decoder sees it), and a PDF that poppler can open without a password,
 * carries no JavaScript, has at most `maxPages` pages and no page larger
 * than `maxPageInches` on a side (a rasteriser would otherwise be asked
 * for gigapixels). JavaScript is looked for in the bytes and in every
 * Flate stream inflated (object streams hide dictionaries there).
 *
 * Every refusal is an AppError whose message says what was wrong, so the
 * uploader and the webhook sender read why.
 */
import { execFile } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { AppError } from '@workbench/core';

export type DocumentMediaType = 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/tiff';
export const DOCUMENT_MEDIA_TYPES: readonly DocumentMediaType[] = ['application/pdf', 'image/png', 'image/jpeg', 'image/tiff'];

export interface FileLimits {
  maxBytes: number;
  /** Width × height of an image, or of a PDF page rendered at 300 dpi. */
  maxPixels: number;
  maxPages: number;
  maxPageInches: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 60_000_000, maxPages: 20, maxPageInches: 50 };

export interface CheckedFile {
  mediaType: DocumentMediaType;
  pages: number;
}

/** The type a file's first bytes say it is, or undefined. */
export function sniffMediaType(bytes: Buffer): DocumentMediaType | undefined {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 4).toString('latin1');
  if (head === 'II*\0' || head === 'MM\0*') return 'image/tiff';
  return undefined;
}

/** Width and height from an image's header, or undefined when the header cannot be read. */
export function imageSize(bytes: Buffer, type: Exclude<DocumentMediaType, 'application/pdf'>): { width: number; height: number } | undefined {
  try {
    if (type === 'image/png') {
      if (bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    }
    if (type === 'image/jpeg') return jpegSize(bytes);
    return tiffSize(bytes);
  } catch {
    return undefined; // read past the end: a truncated header
  }
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    if (len < 2) return undefined;
    i += 2 + len;
  }
  return undefined;
}

function tiffSize(b: Buffer): { width: number; height: number } | undefined {
  const le = b[0] === 0x49;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = u32(4);
  const n = u16(ifd);
  let width: number | undefined;
  let height: number | undefined;
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const value = type === 3 ? u16(e + 8) : u32(e + 8);
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

interface PdfInfo {
  pages: number;
  encrypted: boolean;
  pageSizesPts: { w: number; h: number }[];
}

function run(cmd: string, args: string[], input: Buffer | undefined, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new AppError('unavailable', `Cannot read the PDF: ${cmd} is not installed (Debian package poppler-utils)`));
      if (err && err.killed) return reject(new AppError('bad_request', `Cannot read the PDF: ${cmd} took longer than ${timeoutMs / 1000} s`));
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** poppler's pdfinfo over the file (on stdin: the bytes never need a path). */
async function pdfInfo(bytes: Buffer, maxPages: number): Promise<PdfInfo> {
  const info = await run('pdfinfo', ['-f', '1', '-l', String(maxPages + 1), '-'], bytes, 20_000);
  if (info.code !== 0) {
    if (/Incorrect password/i.test(info.stderr)) return { pages: 0, encrypted: true, pageSizesPts: [] };
    throw new AppError('bad_request', `Cannot accept the file: it is not a readable PDF (${firstLine(info.stderr) || 'pdfinfo failed'})`);
  }
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1] ?? NaN);
  if (!Number.isInteger(pages)) throw new AppError('bad_request', 'Cannot accept the file: it is not a readable PDF (no page count)');
  const pageSizesPts = [...info.stdout.matchAll(/^Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({ w: Number(m[1]), h: Number(m[2]) }));
  return { pages, encrypted: false, pageSizesPts };
}

const firstLine = (s: string) => s.trim().split('\n')[0]?.slice(0, 200) ?? '';

/** Names that make a PDF act (scripts, launched programs). */
const ACTIVE_PDF = /\/(JavaScript|JS|Launch)(?![A-Za-z0-9])/;

/**
 * Whether the PDF names JavaScript or a launch action, in its bytes or in
 * any Flate-compressed stream (object streams hide dictionaries there),
 * each inflated to at most 16 MiB and 64 MiB in all (a compressed bomb
 * stops the scan, and is then refused as suspicious).
 */
function pdfActs(bytes: Buffer): boolean | 'too_big' {
  const text = bytes.toString('latin1');
  if (ACTIVE_PDF.test(text)) return true;
  let inflated = 0;
  const streams = /stream\r?\n/g;
  for (let m = streams.exec(text); m; m = streams.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    try {
      const out = inflateSync(bytes.subarray(start, end), { maxOutputLength: 16 * 1024 * 1024 });
      inflated += out.length;
      if (ACTIVE_PDF.test(out.toString('latin1'))) return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too_big';
      // not Flate (an image, or another filter): nothing to read here
    }
    if (inflated > 64 * 1024 * 1024) return 'too_big';
    streams.lastIndex = end;
  }
  return false;
}

/**
 * Checks `bytes` declared as `declared` (a Content-Type, possibly with
 * parameters, or undefined). Resolves with the type and page count;
 * throws AppError bad_request / payload_too_large / unsupported_media_type.
 */
export async function checkFile(bytes: Buffer, declared: string | undefined, limits: FileLimits = DEFAULT_FILE_LIMITS): Promise<CheckedFile> {
  if (bytes.length === 0) throw new AppError('bad_request', 'Cannot accept the file: it is empty (0 bytes)');
  if (bytes.length > limits.maxBytes) throw new AppError('payload_too_large', `Cannot accept the file: ${bytes.length} bytes is over the limit of ${limits.maxBytes} bytes`);
  const sniffed = sniffMediaType(bytes);
  if (!sniffed) throw new AppError('unsupported_media_type', 'Cannot accept the file: it is not a PDF, PNG, JPEG or TIFF (by its content)');
  const claimed = declared?.split(';')[0]?.trim().toLowerCase();
  if (claimed && claimed !== 'application/octet-stream' && claimed !== sniffed && !(claimed === 'image/jpg' && sniffed === 'image/jpeg')) {
    throw new AppError('unsupported_media_type', `Cannot accept the file: it was sent as ${claimed.slice(0, 80)} but its content is ${sniffed}`);
  }
  if (sniffed !== 'application/pdf') {
    const size = imageSize(bytes, sniffed);
    if (!size || size.width === 0 || size.height === 0) throw new AppError('bad_request', `Cannot accept the file: its ${sniffed} header is damaged or truncated`);
    if (size.width * size.height > limits.maxPixels) {
      throw new AppError('bad_request', `Cannot accept the file: the image is ${size.width} × ${size.height} pixels, over the limit of ${limits.maxPixels} pixels (a decompression bomb or an oversized scan)`);
    }
    return { mediaType: sniffed, pages: 1 };
  }
  const acts = pdfActs(bytes);
  if (acts === 'too_big') throw new AppError('bad_request', 'Cannot accept the file: the PDF\'s compressed streams inflate to more than the limit (a decompression bomb?)');
  if (acts) throw new AppError('bad_request', 'Cannot accept the file: the PDF contains JavaScript or a launch action');
  const info = await pdfInfo(bytes, limits.maxPages);
  if (info.encrypted) throw new AppError('bad_request', 'Cannot accept the file: the PDF is password-protected');
  if (info.pages < 1) throw new AppError('bad_request', 'Cannot accept the file: the PDF has no pages');
  if (info.pages > limits.maxPages) throw new AppError('bad_request', `Cannot accept the file: the PDF has ${info.pages} pages, over the limit of ${limits.maxPages}`);
  const maxPts = limits.maxPageInches * 72;
  const big = info.pageSizesPts.findIndex((p) => p.w > maxPts || p.h > maxPts || (p.w / 72) * 300 * ((p.h / 72) * 300) > limits.maxPixels * 4);
  if (big >= 0) {
    const p = info.pageSizesPts[big]!;
    throw new AppError('bad_request', `Cannot accept the file: page ${big + 1} is ${(p.w / 72).toFixed(0)} × ${(p.h / 72).toFixed(0)} inches, over the limit of ${limits.maxPageInches} inches a side`);
  }
  return { mediaType: 'application/pdf', pages: info.pages };
}
