/**
 * Scoring an Extraction against a corpus document's ground truth, field by
 * field: the vendor compared case- and whitespace-insensitively, tax ids by
 * their letters and digits, everything else by its exact canonical value;
 * line items as two more fields (how many, and their amounts in order).
 */
import { FIELD_NAMES, type Extraction, type FieldName } from '../../ocr/types';
import type { Truth } from './documents';

export type ScoredField = FieldName | 'lines.count' | 'lines.amounts';
export const SCORED_FIELDS: readonly ScoredField[] = [...FIELD_NAMES, 'lines.count', 'lines.amounts'];

export interface FieldScore {
  field: ScoredField;
  expected: string | null;
  actual: string | null;
  correct: boolean;
  /** the truth has a value: counts toward accuracy (an absent field read as absent is correct but not counted) */
  counted: boolean;
}

export interface DocumentScore {
  fields: FieldScore[];
  correct: number;
  counted: number;
  /** fields the document does not have but the extraction filled in */
  spurious: number;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const alnum = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

function same(field: ScoredField, expected: string | null, actual: string | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (field === 'vendor') return norm(expected) === norm(actual);
  if (field === 'vendor_vat') return alnum(expected) === alnum(actual);
  return expected === actual;
}

export function scoreExtraction(extraction: Pick<Extraction, 'fields' | 'lines'>, truth: Truth): DocumentScore {
  const fields: FieldScore[] = [];
  for (const name of FIELD_NAMES) {
    const expected = truth[name] ?? null;
    const actual = extraction.fields[name]?.value ?? null;
    fields.push({ field: name, expected, actual, correct: same(name, expected, actual), counted: expected !== null });
  }
  const count = String(extraction.lines.length);
  fields.push({ field: 'lines.count', expected: String(truth.lines.length), actual: count, correct: count === String(truth.lines.length), counted: true });
  const amounts = extraction.lines.map((l) => l.amount ?? '?').join(' ');
  const want = truth.lines.map((l) => l.amount).join(' ');
  fields.push({ field: 'lines.amounts', expected: want, actual: amounts, correct: amounts === want, counted: true });
  return {
    fields,
    correct: fields.filter((f) => f.counted && f.correct).length,
    counted: fields.filter((f) => f.counted).length,
    spurious: fields.filter((f) => !f.counted && !f.correct).length,
  };
}
