/**
 * What a reviewer changed: the form's texts against the document's fields
 * and lines, as the body of `POST api/documents/{id}/correct`. Only the
 * fields whose value differs are sent (each one sent is recorded as a
 * correction, and a corrected field counts against the engine's
 * accuracy); lines are sent, all of them, only when one differs. Typed
 * amounts are put in the canonical form the rules read (`1234.50`) when
 * that is unambiguous, currencies in upper case. Pure.
 */
import { FIELD_NAMES, type Correction, type DocumentView, type ExtractedField, type ExtractedLine, type FieldName, type LineInput } from './types';

/** The form's text per field. */
export type FieldTexts = Record<FieldName, string>;

export const AMOUNT_FIELDS: ReadonlySet<FieldName> = new Set(['subtotal', 'tax', 'total']);

/**
 * A typed amount in canonical form: spaces and apostrophes as thousands
 * separators dropped, "1,234.50" -> "1234.50", "1,234,567" -> "1234567",
 * "12,50" -> "12.50", "1.234,50" -> "1234.50". Anything else ("12,500"
 * could be either) is left as typed (the server's rules say what is wrong
 * with it).
 */
export function canonicalAmount(text: string): string {
  const t = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  // "12,500" alone could be either; with a decimal point, or two groups, the commas group thousands.
  if (/^-?\d{1,3}(,\d{3})+\.\d+$/.test(t) || /^-?\d{1,3}(,\d{3}){2,}$/.test(t)) return t.replace(/,/g, '');
  if (/^-?\d{1,3}(\.\d{3})+,\d+$/.test(t)) return t.replace(/\./g, '').replace(',', '.');
  if (/^-?\d+,\d{1,2}$/.test(t)) return t.replace(',', '.');
  return t;
}

/** A field's typed text as the value sent: trimmed, empty is null, amounts canonical, currency upper case. */
export function fieldValue(name: FieldName, text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  if (AMOUNT_FIELDS.has(name)) return canonicalAmount(t);
  if (name === 'currency') return t.toUpperCase();
  return t;
}

/** An amount cell of a line as sent: null when empty. */
export function amountValue(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  return t === '' ? null : canonicalAmount(t);
}

/** The form's starting texts. */
export function fieldTexts(fields: Record<FieldName, ExtractedField> | null): FieldTexts {
  const out = {} as FieldTexts;
  for (const name of FIELD_NAMES) out[name] = fields?.[name]?.value ?? '';
  return out;
}

/** The fields whose typed value differs from the document's, with the value to send. */
export function changedFields(fields: Record<FieldName, ExtractedField> | null, texts: Partial<FieldTexts>): Partial<Record<FieldName, string | null>> {
  const out: Partial<Record<FieldName, string | null>> = {};
  for (const name of FIELD_NAMES) {
    const text = texts[name];
    if (text === undefined) continue;
    const value = fieldValue(name, text);
    if (value !== (fields?.[name]?.value ?? null)) out[name] = value;
  }
  return out;
}

/** The lines as the form edits them (no confidence, no box). */
export function lineInputs(lines: readonly ExtractedLine[]): LineInput[] {
  return lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: l.amount }));
}

/** A line as sent: description trimmed, empty numbers null, amounts canonical. */
export function cleanLine(l: LineInput): LineInput {
  const q = l.quantity?.trim() ?? '';
  return { description: l.description.trim(), quantity: q === '' ? null : canonicalAmount(q), unit_price: amountValue(l.unit_price), amount: amountValue(l.amount) };
}

/** Whether the edited lines differ from the document's (after cleaning; a line with nothing in it is dropped). */
export function linesChanged(original: readonly ExtractedLine[], edited: readonly LineInput[]): boolean {
  const a = lineInputs(original).map(cleanLine);
  const b = sentLines(edited);
  return a.length !== b.length || a.some((l, i) => JSON.stringify(l) !== JSON.stringify(b[i]));
}

/** The edited lines as sent: cleaned, empty ones dropped. */
export function sentLines(edited: readonly LineInput[]): LineInput[] {
  return edited.map(cleanLine).filter((l) => l.description !== '' || l.quantity !== null || l.unit_price !== null || l.amount !== null);
}

/** The correction to send, or null when nothing changed. Carries the document's version (a change since loading is refused). */
export function correctionOf(doc: Pick<DocumentView, 'fields' | 'lines' | 'version'>, texts: Partial<FieldTexts>, lines: readonly LineInput[] | undefined): Correction | null {
  const fields = changedFields(doc.fields, texts);
  const withLines = lines !== undefined && linesChanged(doc.lines, lines);
  if (Object.keys(fields).length === 0 && !withLines) return null;
  return { ...(Object.keys(fields).length > 0 && { fields }), ...(withLines && { lines: sentLines(lines) }), version: doc.version };
}
