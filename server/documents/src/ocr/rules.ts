/**
 * Table rules (long thin lines) erased before OCR: tesseract reads a text
 * line that touches a rule as one garbled line ("Net amount ——~«S:«CS"), so
 * the totals under a table's border were lost. A rule is a run of ink along
 * the page's skew at least `minLength` long whose ink, across the run, is no
 * thicker than a line; where a glyph crosses the rule (thicker ink) it is
 * kept; erased ink takes the colour of the paper beside it. The review image
 * keeps the rules: only the OCR input is cleaned.
 */
import { otsuThreshold, type Gray } from './raster';

export function removeRules(img: Gray, skewDegrees = 0): Gray {
  const { width, height, data } = img;
  const t = Math.min(otsuThreshold(img), 200);
  const maxThick = Math.max(3, Math.round(Math.max(width, height) / 500));
  const m = Math.tan((skewDegrees * Math.PI) / 180);
  // erased pixels get the paper around them (0 = keep), not white: a white streak on a grey scan is an edge too
  const erase = new Uint8Array(width * height);
  const paper = (x: number, y: number) => (x >= 0 && y >= 0 && x < width && y < height ? Math.max(1, data[y * width + x]!) : 255);
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && data[y * width + x]! <= t;
  let found = false;

  // horizontal rules: walk each row along the skew (y = r + (x - cx) * m)
  const minH = Math.max(60, Math.round(width * 0.08));
  const cx = width / 2;
  const spread = Math.ceil(Math.abs(cx * m)) + 1;
  const run: number[] = [];
  const flushH = () => {
    if (run.length >= minH * 2) {
      for (let k = 0; k < run.length; k += 2) {
        const x = run[k]!;
        const y = run[k + 1]!;
        let up = 0;
        while (up <= maxThick && dark(x, y - up - 1)) up++;
        let down = 0;
        while (down <= maxThick && dark(x, y + down + 1)) down++;
        if (up + down + 1 <= maxThick) {
          found = true;
          const fill = Math.round((paper(x, y - up - 2) + paper(x, y + down + 2)) / 2);
          for (let d = -up; d <= down; d++) erase[(y + d) * width + x] = fill;
        }
      }
    }
    run.length = 0;
  };
  for (let r = -spread; r < height + spread; r++) {
    for (let x = 0; x < width; x++) {
      const y = r + Math.round((x - cx) * m);
      if (dark(x, y)) run.push(x, y);
      else flushH();
    }
    flushH();
  }

  // vertical rules: walk each column along the skew (x = c - (y - cy) * m)
  const minV = Math.max(60, Math.round(height * 0.05));
  const cy = height / 2;
  const spreadV = Math.ceil(Math.abs(cy * m)) + 1;
  const flushV = () => {
    if (run.length >= minV * 2) {
      for (let k = 0; k < run.length; k += 2) {
        const x = run[k]!;
        const y = run[k + 1]!;
        let left = 0;
        while (left <= maxThick && dark(x - left - 1, y)) left++;
        let right = 0;
        while (right <= maxThick && dark(x + right + 1, y)) right++;
        if (left + right + 1 <= maxThick) {
          found = true;
          const fill = Math.round((paper(x - left - 2, y) + paper(x + right + 2, y)) / 2);
          for (let d = -left; d <= right; d++) erase[y * width + x + d] = fill;
        }
      }
    }
    run.length = 0;
  };
  for (let c = -spreadV; c < width + spreadV; c++) {
    for (let y = 0; y < height; y++) {
      const x = c - Math.round((y - cy) * m);
      if (dark(x, y)) run.push(x, y);
      else flushV();
    }
    flushV();
  }

  if (!found) return img;
  const out = Uint8Array.from(data);
  for (let i = 0; i < out.length; i++) if (erase[i]) out[i] = erase[i]!;
  return { width, height, data: out };
}
