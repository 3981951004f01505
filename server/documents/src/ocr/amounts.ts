/**
 * Money amounts inside OCR rows, with the words they came from.
 */
import { fixDigits, parseAmount, type DecimalMark } from './parse';
import { wordsIn, type OcrWord, type Row } from './layout';

export interface FoundAmount {
  value: string;
  num: number;
  decimals: number;
  start: number;
  end: number;
  words: OcrWord[];
  row: Row;
}

/**
 * Amounts in row.text[start, end): numbers not part of a date, time, id or
 * percentage. Space-grouped thousands ("1 234,56") only on comma documents,
 * where a quantity before a price cannot be read as one number as easily.
 */
export function findAmounts(row: Row, start = 0, end = row.text.length, mark: DecimalMark | undefined = undefined): FoundAmount[] {
  // a numeric view of the text, same length: letters-for-digits undone inside numbers, currency marks glued to digits blanked
  let view = row.text.replace(/[0-9OoIl|SB.,]+/g, (w) => (/\d/.test(w) ? fixDigits(w) : w));
  view = view.replace(/(?<![A-Za-z])(?:[A-Z]{3}|P|Php|Rs\.?)(?=\s?\d)/g, (m) => ' '.repeat(m.length));
  const group = mark === 'comma' ? "[,.' \\u00a0]" : "[,.'\\u00a0]";
  const re = new RegExp(`(?<![\\w.,:/#%-])-?(?:\\d{1,3}(?:${group}\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?)(?![\\w%]|[.,:/]\\d|\\s?%|-\\d)`, 'g');
  const out: FoundAmount[] = [];
  for (const m of view.slice(0, end).matchAll(re)) {
    const s = m.index!;
    if (s < start) continue;
    const e = s + m[0].length;
    const p = parseAmount(m[0]);
    if (!p) continue;
    out.push({ ...p, start: s, end: e, words: wordsIn(row, s, e), row });
  }
  return out;
}

/** Amounts written as money (two decimals). */
export function moneyAmounts(row: Row, start?: number, end?: number, mark?: DecimalMark): FoundAmount[] {
  return findAmounts(row, start, end, mark).filter((a) => a.decimals === 2);
}
