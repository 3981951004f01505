/**
 * Words with boxes to reading rows: words whose vertical extents overlap
 * form a row (whatever blocks tesseract put them in, so a two-column header
 * reads as one row per line), rows split into segments at wide gaps (table
 * columns, label/value pairs set apart). Text offsets map back to words, so
 * every value found by a regex knows its boxes and confidences.
 */
import type { Box } from './types';

export interface OcrWord {
  text: string;
  /** 0..1; 1 for a PDF's text layer */
  conf: number;
  /** in the pixels of the page image */
  box: Box;
}

export interface PageWords {
  page: number;
  /** page image size, pixels */
  width: number;
  height: number;
  source: 'ocr' | 'text';
  words: OcrWord[];
}

export interface Segment {
  /** index of the first word in the row */
  from: number;
  /** one past the last word */
  to: number;
  x0: number;
  x1: number;
  /** character range in row.text */
  start: number;
  end: number;
}

export interface Row {
  page: number;
  /** index in document order */
  index: number;
  words: OcrWord[];
  /** words joined by one space, segments by two */
  text: string;
  /** text, lower case, with digits inside words of letters read as letters ("Tota1" -> "total") */
  labelText: string;
  /** character offset of each word in text */
  starts: number[];
  segments: Segment[];
  top: number;
  bottom: number;
  /** median word height */
  height: number;
  pageWidth: number;
  pageHeight: number;
  source: 'ocr' | 'text';
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const LETTERISH: Record<string, string> = { '0': 'o', '1': 'l', '5': 's', '|': 'l', $: 's' };

export function toLabelText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[a-z0-9|$]+/g, (w) => ((w.match(/[a-z]/g) ?? []).length >= 3 && /[a-z]{2}/.test(w) ? w.replace(/[015|$]/g, (c) => LETTERISH[c] ?? c) : w));
}

export function buildRows(pages: readonly PageWords[]): Row[] {
  const rows: Row[] = [];
  for (const page of pages) {
    const words = page.words.filter((w) => w.text.trim() && w.box.w > 0 && w.box.h > 0);
    const heights = words.map((w) => w.box.h);
    const typical = median(heights) || 10;
    // tall boxes (logos, rules, noise blobs) do not decide rows
    const sorted = [...words].sort((a, b) => a.box.y + a.box.h / 2 - (b.box.y + b.box.h / 2));
    const groups: { words: OcrWord[]; cy: number; h: number }[] = [];
    for (const w of sorted) {
      const cy = w.box.y + w.box.h / 2;
      let best: (typeof groups)[number] | undefined;
      let bestD = Infinity;
      for (let g = groups.length - 1; g >= 0 && g >= groups.length - 6; g--) {
        const grp = groups[g]!;
        const d = Math.abs(grp.cy - cy);
        const tol = 0.5 * Math.min(Math.max(grp.h, typical * 0.6), Math.max(w.box.h, typical * 0.6));
        const overlapX = grp.words.some((o) => o.box.x < w.box.x + w.box.w && w.box.x < o.box.x + o.box.w);
        if (d <= tol && !overlapX && d < bestD) {
          best = grp;
          bestD = d;
        }
      }
      if (best) {
        best.words.push(w);
        best.cy = (best.cy * (best.words.length - 1) + cy) / best.words.length;
        best.h = median(best.words.map((x) => x.box.h));
      } else groups.push({ words: [w], cy, h: w.box.h });
    }
    groups.sort((a, b) => a.cy - b.cy);
    for (const g of groups) rows.push(makeRow(page, g.words.sort((a, b) => a.box.x - b.box.x), rows.length));
  }
  return rows;
}

function makeRow(page: PageWords, words: OcrWord[], index: number): Row {
  const height = median(words.filter((w) => w.text.length > 1).map((w) => w.box.h)) || median(words.map((w) => w.box.h));
  const segments: Segment[] = [];
  const starts: number[] = [];
  let text = '';
  words.forEach((w, i) => {
    const prev = words[i - 1];
    const gap = prev ? w.box.x - (prev.box.x + prev.box.w) : 0;
    const newSeg = !prev || gap > 1.5 * height;
    if (prev) text += newSeg ? '  ' : ' ';
    if (newSeg) {
      if (segments.length) segments[segments.length - 1]!.end = text.length - 2;
      segments.push({ from: i, to: i + 1, x0: w.box.x, x1: w.box.x + w.box.w, start: text.length, end: 0 });
    } else {
      const s = segments[segments.length - 1]!;
      s.to = i + 1;
      s.x1 = w.box.x + w.box.w;
    }
    starts.push(text.length);
    text += w.text;
  });
  if (segments.length) segments[segments.length - 1]!.end = text.length;
  return {
    page: page.page,
    index,
    words,
    text,
    labelText: toLabelText(text),
    starts,
    segments,
    top: Math.min(...words.map((w) => w.box.y)),
    bottom: Math.max(...words.map((w) => w.box.y + w.box.h)),
    height,
    pageWidth: page.width,
    pageHeight: page.height,
    source: page.source,
  };
}

/** The words of `row` that overlap the character range [start, end). */
export function wordsIn(row: Row, start: number, end: number): OcrWord[] {
  return row.words.filter((w, i) => row.starts[i]! < end && row.starts[i]! + w.text.length > start);
}

export function segmentAt(row: Row, offset: number): number {
  const i = row.segments.findIndex((s) => offset >= s.start && offset <= s.end);
  return i >= 0 ? i : row.segments.length - 1;
}

export function unionBox(words: readonly OcrWord[]): Box | undefined {
  if (!words.length) return undefined;
  const x0 = Math.min(...words.map((w) => w.box.x));
  const y0 = Math.min(...words.map((w) => w.box.y));
  const x1 = Math.max(...words.map((w) => w.box.x + w.box.w));
  const y1 = Math.max(...words.map((w) => w.box.y + w.box.h));
  return { page: words[0]!.box.page, x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function meanConf(words: readonly OcrWord[]): number {
  if (!words.length) return 0;
  return words.reduce((a, w) => a + w.conf, 0) / words.length;
}

/** A place to look for a value: a character range of a row. */
export interface Span {
  row: Row;
  start: number;
  end: number;
}

/**
 * Where the value of a label ending at `labelEnd` can be: the rest of its
 * segment, the rest of its row, the row below it in the same column.
 */
export function valueSpans(rows: readonly Row[], row: Row, labelStart: number, labelEnd: number): Span[] {
  const spans: Span[] = [];
  const seg = row.segments[segmentAt(row, labelStart)]!;
  if (labelEnd < seg.end) spans.push({ row, start: labelEnd, end: seg.end });
  if (seg.end < row.text.length) spans.push({ row, start: Math.max(labelEnd, seg.end), end: row.text.length });
  const lw = wordsIn(row, labelStart, labelEnd);
  if (lw.length) {
    // the row below: the words under the label (a column header over its value)
    const x0 = Math.min(...lw.map((w) => w.box.x)) - row.height;
    const x1 = Math.max(...lw.map((w) => w.box.x + w.box.w)) + row.height;
    for (const below of rows) {
      if (below.page !== row.page || below.index <= row.index) continue;
      if (below.top - row.bottom > 2.5 * Math.max(row.height, below.height)) break;
      let best: Segment | undefined;
      let bestOverlap = 0;
      for (const sg of below.segments) {
        const overlap = Math.min(sg.x1, x1) - Math.max(sg.x0, x0);
        if (overlap > bestOverlap) [best, bestOverlap] = [sg, overlap];
      }
      if (best) {
        spans.push({ row: below, start: best.start, end: best.end });
        break;
      }
    }
  }
  return spans;
}
