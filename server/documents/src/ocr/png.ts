/**
 * PNG to grayscale and grayscale to PNG (RFC 2083), enough for scans and
 * screenshots: every colour type, bit depths 1-16, Adam7, transparency over
 * white. zlib does the compression; a broken or truncated file is a
 * `bad_request`.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { AppError } from '@workbench/core';
import { checkDimensions, type Gray } from './raster';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(SIGNATURE);
}

const bad = (why: string) => new AppError('bad_request', `Cannot read PNG: ${why}`);

/** Channels per colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function decodePngGray(buf: Buffer): Gray {
  if (!isPng(buf)) throw bad('not a PNG file');
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = -1;
  let interlace = 0;
  let palette: Buffer | undefined;
  let trns: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.subarray(pos + 4, pos + 8).toString('latin1');
    if (pos + 12 + len > buf.length) throw bad(`chunk ${kind} is truncated`);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== buf.readUInt32BE(pos + 8 + len)) throw bad(`chunk ${kind} has a bad CRC`);
    pos += 12 + len;
    if (kind === 'IHDR') {
      if (len < 13) throw bad('IHDR is short');
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      type = body[9]!;
      interlace = body[12]!;
    } else if (kind === 'PLTE') palette = body;
    else if (kind === 'tRNS') trns = body;
    else if (kind === 'IDAT') idat.push(body);
    else if (kind === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw bad('the file is truncated (no IEND)');
  if (CHANNELS[type] === undefined || ![1, 2, 4, 8, 16].includes(depth)) throw bad(`unsupported colour type ${type} / bit depth ${depth}`);
  if (type === 3 && !palette) throw bad('palette image without PLTE');
  checkDimensions(width, height, 'PNG');
  const channels = CHANNELS[type]!;
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const passes = interlace
    ? [
        [0, 0, 8, 8],
        [4, 0, 8, 8],
        [0, 4, 4, 8],
        [2, 0, 4, 4],
        [0, 2, 2, 4],
        [1, 0, 2, 2],
        [0, 1, 1, 2],
      ]
    : [[0, 0, 1, 1]];
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes as [number, number, number, number][]) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw > 0 && ph > 0) expected += ph * (1 + Math.ceil((pw * bitsPerPixel) / 8));
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1024 });
  } catch (e) {
    throw new AppError('bad_request', 'Cannot read PNG: the image data is corrupt or truncated', { cause: e });
  }
  if (raw.length < expected) throw bad('the image data is truncated');
  const out = new Uint8Array(width * height);
  const maxSample = (1 << depth) - 1;
  const gray = (s: number[]): number => {
    // s holds samples scaled to 0..255
    let g: number;
    let a = 255;
    if (type === 0) g = s[0]!;
    else if (type === 4) {
      g = s[0]!;
      a = s[1]!;
    } else if (type === 2 || type === 6) {
      g = (s[0]! * 299 + s[1]! * 587 + s[2]! * 114) / 1000;
      if (type === 6) a = s[3]!;
    } else {
      g = 0;
    }
    return Math.round((g * a + 255 * (255 - a)) / 255);
  };
  let off = 0;
  for (const [x0, y0, dx, dy] of passes as [number, number, number, number][]) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPerPixel) / 8);
    let prev = new Uint8Array(stride);
    let cur = new Uint8Array(stride);
    const samples: number[] = new Array<number>(channels).fill(0);
    for (let y = 0; y < ph; y++) {
      const filter = raw[off]!;
      const line = raw.subarray(off + 1, off + 1 + stride);
      off += 1 + stride;
      unfilter(filter, line, prev, cur, bpp);
      for (let x = 0; x < pw; x++) {
        for (let c = 0; c < channels; c++) samples[c] = sample(cur, x * channels + c, depth, maxSample);
        let g: number;
        if (type === 3) {
          const idx = depth === 8 ? cur[x]! : readBits(cur, x, depth);
          const p = idx * 3;
          if (!palette || p + 2 >= palette.length) throw bad('palette index out of range');
          const a = trns && idx < trns.length ? trns[idx]! : 255;
          const v = (palette[p]! * 299 + palette[p + 1]! * 587 + palette[p + 2]! * 114) / 1000;
          g = Math.round((v * a + 255 * (255 - a)) / 255);
        } else g = gray(samples);
        out[(y0 + y * dy) * width + x0 + x * dx] = g;
      }
      const t = prev;
      prev = cur;
      cur = t;
    }
  }
  return { width, height, data: out };
}

function readBits(row: Uint8Array, index: number, depth: number): number {
  const bit = index * depth;
  return (row[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** The `index`th sample of a row, scaled to 0..255. */
function sample(row: Uint8Array, index: number, depth: number, max: number): number {
  if (depth === 8) return row[index]!;
  if (depth === 16) return row[index * 2]!;
  return Math.round((readBits(row, index, depth) * 255) / max);
}

function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, cur: Uint8Array, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0:
      cur.set(line);
      return;
    case 1:
      for (let i = 0; i < n; i++) cur[i] = (line[i]! + (i >= bpp ? cur[i - bpp]! : 0)) & 0xff;
      return;
    case 2:
      for (let i = 0; i < n; i++) cur[i] = (line[i]! + prev[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < n; i++) cur[i] = (line[i]! + (((i >= bpp ? cur[i - bpp]! : 0) + prev[i]!) >> 1)) & 0xff;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? cur[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        cur[i] = (line[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return;
    default:
      throw bad(`unknown filter type ${filter}`);
  }
}

function chunk(kind: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(kind, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** An 8-bit grayscale PNG (filter Up, which suits scanned text well). */
export function encodePngGray(img: Gray): Buffer {
  const stride = img.width + 1;
  const raw = Buffer.alloc(stride * img.height);
  for (let y = 0; y < img.height; y++) {
    const o = y * stride;
    raw[o] = 2;
    const row = y * img.width;
    for (let x = 0; x < img.width; x++) raw[o + 1 + x] = (img.data[row + x]! - (y > 0 ? img.data[row - img.width + x]! : 0)) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}
