/**
 * An 8-bit grayscale raster and the few operations the OCR path needs on it:
 * PGM in/out (what pdftoppm writes and tesseract reads fastest, OCR.md),
 * area downscaling for the review images, bilinear upscaling and rotation
 * for small or skewed scans.
 */
import { AppError } from '@workbench/core';

export interface Gray {
  width: number;
  height: number;
  /** row-major, 0 = black, 255 = white */
  data: Uint8Array;
}

/** Largest raster accepted (pixels): an A4 page at 600 dpi is 35 M. */
export const MAX_PIXELS = 60_000_000;

export function checkDimensions(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('bad_request', `Cannot read ${what}: invalid dimensions ${width}x${height}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new AppError('payload_too_large', `Cannot read ${what}: ${width}x${height} pixels is more than ${MAX_PIXELS}`);
  }
}

/** Parse a binary PGM (P5, maxval <= 255) or PPM (P6, converted to gray). */
export function parsePnm(buf: Buffer): Gray {
  const magic = buf.subarray(0, 2).toString('latin1');
  if (magic !== 'P5' && magic !== 'P6') throw new AppError('bad_request', `Cannot read raster: not a binary PGM/PPM (${JSON.stringify(magic)})`);
  const nums: number[] = [];
  let i = 2;
  while (nums.length < 3 && i < buf.length) {
    const c = buf[i]!;
    if (c === 0x23) {
      while (i < buf.length && buf[i] !== 0x0a) i++;
    } else if (c >= 0x30 && c <= 0x39) {
      let n = 0;
      while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) n = n * 10 + (buf[i++]! - 0x30);
      nums.push(n);
      continue;
    }
    i++;
  }
  const [width, height, maxval] = nums as [number, number, number];
  if (nums.length < 3 || maxval < 1 || maxval > 255) throw new AppError('bad_request', 'Cannot read raster: bad PGM/PPM header');
  checkDimensions(width, height, 'raster');
  const start = i + 1; // one whitespace byte follows maxval
  const channels = magic === 'P6' ? 3 : 1;
  if (buf.length - start < width * height * channels) throw new AppError('bad_request', 'Cannot read raster: PGM/PPM data is truncated');
  const data = new Uint8Array(width * height);
  if (channels === 1) {
    for (let k = 0; k < data.length; k++) data[k] = maxval === 255 ? buf[start + k]! : Math.round((buf[start + k]! * 255) / maxval);
  } else {
    for (let k = 0, j = start; k < data.length; k++, j += 3) data[k] = Math.round(((buf[j]! * 299 + buf[j + 1]! * 587 + buf[j + 2]! * 114) / 1000) * (255 / maxval));
  }
  return { width, height, data };
}

export function encodePgm(img: Gray): Buffer {
  const head = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'latin1');
  return Buffer.concat([head, Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)]);
}

/** Area-average downscale to `width` (height keeps the aspect ratio); returns the input when it is not wider. */
export function downscale(img: Gray, width: number): Gray {
  if (width >= img.width) return img;
  const s = img.width / width;
  const height = Math.max(1, Math.round(img.height / s));
  const sy = img.height / height;
  const out = new Uint8Array(width * height);
  const x0s = new Int32Array(width + 1);
  for (let x = 0; x <= width; x++) x0s[x] = Math.min(img.width, Math.round(x * s));
  const rowSum = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const ya = Math.round(y * sy);
    const yb = Math.max(ya + 1, Math.min(img.height, Math.round((y + 1) * sy)));
    rowSum.fill(0);
    for (let yy = ya; yy < yb; yy++) {
      const row = yy * img.width;
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let xx = x0s[x]!; xx < x0s[x + 1]!; xx++) acc += img.data[row + xx]!;
        rowSum[x]! += acc;
      }
    }
    for (let x = 0; x < width; x++) {
      const n = (yb - ya) * Math.max(1, x0s[x + 1]! - x0s[x]!);
      out[y * width + x] = Math.round(rowSum[x]! / n);
    }
  }
  return { width, height, data: out };
}

/** Bilinear resize by `factor` (> 1 to enlarge small receipts for tesseract). */
export function upscale(img: Gray, factor: number): Gray {
  const width = Math.round(img.width * factor);
  const height = Math.round(img.height * factor);
  checkDimensions(width, height, 'raster');
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      const a = img.data[y0 * img.width + x0]! * (1 - wx) + img.data[y0 * img.width + x1]! * wx;
      const b = img.data[y1 * img.width + x0]! * (1 - wx) + img.data[y1 * img.width + x1]! * wx;
      out[y * width + x] = Math.round(a * (1 - wy) + b * wy);
    }
  }
  return { width, height, data: out };
}

/**
 * Rotate by `degrees` (positive = counter-clockwise as seen on screen) about
 * the centre, same size, white outside. Built from two shears with whole-pixel
 * shifts (as leptonica deskews): no interpolation, so glyph edges stay as
 * sharp as the scan's; bilinear resampling blurred digits into misreads.
 */
export function rotate(img: Gray, degrees: number): Gray {
  const { width, height } = img;
  const t = (degrees * Math.PI) / 180;
  const tanHalf = Math.tan(t / 2);
  const sin = Math.sin(t);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // the source pixel of each destination pixel: R(t) as three shears (x -= y tan(t/2); y += x sin t; x -= y tan(t/2)), each shift whole pixels
  const out = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++) {
      let u = x - cx;
      let v = dy;
      u -= Math.round(v * tanHalf);
      v += Math.round(u * sin);
      u -= Math.round(v * tanHalf);
      const sx = Math.round(u + cx);
      const sy = Math.round(v + cy);
      if (sx >= 0 && sy >= 0 && sx < width && sy < height) out[y * width + x] = img.data[sy * width + sx]!;
    }
  }
  return { width, height, data: out };
}

/** Otsu's threshold over the histogram. */
export function otsuThreshold(img: Gray): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  const total = img.data.length;
  let sum = 0;
  for (let t = 0; t < 256; t++) sum += t * hist[t]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}
