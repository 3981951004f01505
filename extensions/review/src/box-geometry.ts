/**
 * Where an extracted field sits on the page image. Boxes come in the
 * pixels of the page image the server returns (`pageSizes` gives each
 * page's width and height in those pixels); the screen shows the image at
 * whatever width its column has, so boxes are placed as fractions of the
 * image (CSS percentages of a wrapper exactly the image's size) and scale
 * with it, or in display pixels with `scaleBox`. Pure.
 */
import type { Box, PageSize } from './types';

/** A rectangle in percent of the page image (0..100 each way). */
export interface PercentRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A rectangle in display pixels. */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The box grown by `pad` image pixels each side and cut to the page; null when the page has no size or the box falls outside it. */
function clip(box: Box, size: PageSize, pad: number): { x0: number; y0: number; x1: number; y1: number } | null {
  if (!(size.width > 0 && size.height > 0)) return null;
  const x0 = clamp(box.x - pad, 0, size.width);
  const y0 = clamp(box.y - pad, 0, size.height);
  const x1 = clamp(box.x + Math.max(0, box.w) + pad, 0, size.width);
  const y1 = clamp(box.y + Math.max(0, box.h) + pad, 0, size.height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x0, y0, x1, y1 };
}

/** `box` as percentages of its page image, grown by `pad` image pixels (a highlight should not touch the ink). */
export function boxPercent(box: Box, size: PageSize, pad = 0): PercentRect | null {
  const c = clip(box, size, pad);
  if (!c) return null;
  const r = (v: number) => Math.round(v * 10_000) / 10_000;
  return { left: r((c.x0 / size.width) * 100), top: r((c.y0 / size.height) * 100), width: r(((c.x1 - c.x0) / size.width) * 100), height: r(((c.y1 - c.y0) / size.height) * 100) };
}

/** `box` in the pixels of the image as displayed `displayWidth` wide (the height follows the page's aspect ratio). */
export function scaleBox(box: Box, size: PageSize, displayWidth: number, pad = 0): PixelRect | null {
  const c = clip(box, size, pad);
  if (!c || !(displayWidth > 0)) return null;
  const k = displayWidth / size.width;
  return { x: c.x0 * k, y: c.y0 * k, w: (c.x1 - c.x0) * k, h: (c.y1 - c.y0) * k };
}

/** The size of page `page`: from `pageSizes`, else null (the image is shown without boxes). */
export function sizeOfPage(pageSizes: readonly PageSize[], page: number): PageSize | null {
  return pageSizes.find((p) => p.page === page) ?? null;
}
