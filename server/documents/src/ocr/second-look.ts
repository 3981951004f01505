/**
 * A second reading for documents the first one could not fully read.
 * tesseract's column-oriented modes garble a line that sits between two lines
 * of a neighbouring column (an address block beside an invoice-details
 * block); its sparse-text mode (--psm 11) reads such lines but loses others.
 * So the first reading stays, and the second only fills what the first left
 * empty or could not make add up.
 */
import type { FieldsResult } from './extract-fields';
import type { FieldName } from './types';

const near = (a: number, b: number) => Math.abs(a - b) < 0.015;

/** Worth a second look: a key field missing, a due-date label without a date, totals or lines that needed guessing. */
export function needsSecondLook(r: FieldsResult): boolean {
  const f = r.fields;
  if ((['vendor', 'invoice_number', 'invoice_date', 'total'] as FieldName[]).some((n) => f[n].value === null)) return true;
  // a line mentioning "due" without an amount ("Due date", garbled or not) but no due date read
  if (f.due_date.value === null && r.text.split('\n').some((l) => /\bdue\b/i.test(l) && !/\d[.,]\d{2}(?!\d)/.test(l))) return true;
  if (!totalsAddUp(r)) return true;
  return r.lines.some((l) => l.amount === null || l.confidence < 0.5);
}

function totalsAddUp(r: FieldsResult): boolean {
  const { subtotal, tax, total } = r.fields;
  if (subtotal.value === null || total.value === null) return false;
  // a total derived from subtotal + tax (confidence 0.5) was not read
  return near(Number(subtotal.value) + Number(tax.value ?? 0), Number(total.value)) && total.confidence > 0.5 && (tax.value === null || tax.confidence > 0.5);
}

function linesAddUp(r: FieldsResult): boolean {
  const sub = r.fields.subtotal.value;
  if (sub === null || !r.lines.length || r.lines.some((l) => l.amount === null)) return false;
  return near(r.lines.reduce((a, l) => a + Number(l.amount), 0), Number(sub)) && r.lines.every((l) => l.confidence >= 0.5);
}

/** The first reading, with gaps filled and failed totals or lines replaced from the second. */
export function mergeReadings(first: FieldsResult, second: FieldsResult): FieldsResult {
  const fields = { ...first.fields };
  for (const name of Object.keys(fields) as FieldName[]) {
    const b = second.fields[name];
    if (fields[name].value === null && b.value !== null) fields[name] = { ...b, confidence: Math.round(b.confidence * 900) / 1000 };
  }
  if (!totalsAddUp(first) && totalsAddUp(second)) {
    for (const n of ['subtotal', 'tax', 'total'] as const) fields[n] = second.fields[n];
  }
  const merged: FieldsResult = { fields, lines: first.lines, text: first.text };
  if (!linesAddUp(merged) && linesAddUp({ ...second, fields })) merged.lines = second.lines;
  return merged;
}
