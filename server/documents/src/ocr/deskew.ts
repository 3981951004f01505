/**
 * Skew estimation by projection profiles: text lines are dark bands, and the
 * row histogram of dark pixels is sharpest (largest sum of squares) when the
 * projection runs along them. Searched on a downscaled, thresholded copy,
 * coarse then fine, within +-MAX_SKEW degrees: a few degrees lose whole
 * columns in tesseract (OCR.md), larger rotations are not a scan's skew.
 */
import { downscale, otsuThreshold, rotate, type Gray } from './raster';
import type { Box } from './types';

export const MAX_SKEW = 6;

/**
 * The angle (degrees) to pass to `rotate` to level the text; 0 when the page
 * is level within `precision` or has too little ink to tell.
 */
export function estimateSkew(img: Gray, precision = 0.1): number {
  const small = downscale(img, Math.min(img.width, 900));
  const t = Math.min(otsuThreshold(small), 200);
  const xs: number[] = [];
  const ys: number[] = [];
  // Ink away from the page borders (a scan's dark edges are not text).
  const mx = Math.round(small.width * 0.02);
  const my = Math.round(small.height * 0.02);
  for (let y = my; y < small.height - my; y++) {
    for (let x = mx; x < small.width - mx; x++) {
      if (small.data[y * small.width + x]! <= t) {
        xs.push(x - small.width / 2);
        ys.push(y);
      }
    }
  }
  const ink = xs.length / (small.width * small.height);
  if (xs.length < 200 || ink > 0.5) return 0;
  const bins = new Float64Array(small.height * 2 + 8);
  const score = (deg: number): number => {
    const tan = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round(ys[i]! - xs[i]! * tan + small.height / 2);
      if (b >= 0 && b < bins.length) bins[b]!++;
    }
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  const level = bestScore;
  for (let d = -MAX_SKEW; d <= MAX_SKEW + 1e-9; d += 0.5) {
    const s = score(d);
    if (s > bestScore) [best, bestScore] = [d, s];
  }
  const centre = best;
  for (let d = centre - 0.5; d <= centre + 0.5 + 1e-9; d += precision) {
    const s = score(d);
    if (s > bestScore) [best, bestScore] = [d, s];
  }
  // Not worth a resample when the gain is marginal or the angle tiny.
  if (Math.abs(best) < 0.25 || bestScore < level * 1.05) return 0;
  return Math.round(best * 100) / 100;
}

/** Level the page; returns the input unchanged when it is already level. */
export function deskew(img: Gray): { image: Gray; angle: number } {
  const angle = estimateSkew(img);
  return angle === 0 ? { image: img, angle } : { image: rotate(img, angle), angle };
}

/**
 * Where a box's centre lands when the page (width x height) is rotated by
 * `degrees` like `rotate` does; the size is kept. `inverse` maps back.
 */
export function rotateBox<B extends Box>(box: B, degrees: number, width: number, height: number, inverse = false): B {
  if (degrees === 0) return box;
  const t = ((inverse ? -degrees : degrees) * Math.PI) / 180;
  const cx = width / 2;
  const cy = height / 2;
  const dx = box.x + box.w / 2 - cx;
  const dy = box.y + box.h / 2 - cy;
  // rotate() samples the source at R(t)·d, so a source point d lands at R(-t)·d
  const nx = cx + dx * Math.cos(t) + dy * Math.sin(t);
  const ny = cy - dx * Math.sin(t) + dy * Math.cos(t);
  return { ...box, x: Math.round(nx - box.w / 2), y: Math.round(ny - box.h / 2) };
}
