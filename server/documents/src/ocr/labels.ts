/**
 * Labels ("Invoice No:", "Total", "VAT 20%") found in reading rows, and the
 * ExtractedField built from the words a value was read from.
 */
import { meanConf, unionBox, type OcrWord, type Row } from './layout';
import type { ExtractedField } from './types';

/** How sure a reading is, before the OCR confidence of its words. */
export const SURE = { labelled: 0.9, guessed: 0.55, derived: 0.5 } as const;

export const round = (x: number) => Math.round(Math.max(0, Math.min(1, x)) * 1000) / 1000;

const sourceOf = (row: Row | undefined): 'ocr' | 'text' => row?.source ?? 'ocr';

export function field(value: string | null, words: readonly OcrWord[], certainty: number, row: Row | undefined): ExtractedField {
  if (value === null) return { value: null, confidence: 0, source: 'ocr' };
  const f: ExtractedField = { value, confidence: round((words.length ? meanConf(words) : 0.8) * certainty), source: sourceOf(row) };
  const box = unionBox(words);
  if (box) f.box = box;
  return f;
}

export interface Label {
  row: Row;
  start: number;
  end: number;
  /** lower is better */
  rank: number;
}

/** Every match of the label patterns (in priority order) in every row. */
export function findLabels(rows: readonly Row[], patterns: readonly RegExp[], reject?: (row: Row, start: number, end: number) => boolean): Label[] {
  const out: Label[] = [];
  for (const row of rows) {
    patterns.forEach((re, rank) => {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      // labels do not span segments (columns)
      for (const seg of row.segments) {
        for (const m of row.labelText.slice(seg.start, seg.end).matchAll(g)) {
          const start = seg.start + m.index!;
          const end = start + m[0].length;
          if (out.some((o) => o.row === row && start < o.end && end > o.start)) continue;
          if (reject?.(row, start, end)) continue;
          out.push({ row, start, end, rank });
        }
      }
    });
  }
  return out;
}

