/**
 * Line items: the rows of the items table (under a header row naming its
 * columns, down to the first subtotal/total row) or, on receipts without a
 * header, the rows ending in an amount just above the totals. Each row's
 * trailing numbers are read right to left as amount, unit price, quantity,
 * and kept only as far as quantity x unit price = amount allows.
 */
import { findAmounts, type FoundAmount } from './amounts';
import { meanConf, unionBox, type Row } from './layout';
import { cleanText, formatAmount, type DecimalMark } from './parse';
import type { ExtractedLine } from './types';

const HEADER_WORDS: RegExp[] = [
  /\b(?:description|item|items|product|service|services|details|article|particulars|designation)\b/,
  /\b(?:qty|quantity|hours|hrs|units?|pcs|qté|menge)\b/,
  /\b(?:price|rate|cost|unit\s*price|each)\b/,
  /\b(?:amount|total|line\s*total|net|sum|value)\b/,
];

const STOP = /^(?:sub[\s-]*total|total|net\s*(?:amount|total)?|vat|tax|gst|sales\s*tax|amount\s*(?:due|payable)|balance|grand\s*total|discount|cash|change|payment|paid|tendered|card)\b/;

function isHeader(row: Row): boolean {
  const hits = HEADER_WORDS.filter((re) => re.test(row.labelText)).length;
  return hits >= 2 && !/\d+[.,]\d{2}/.test(row.text);
}

function isStop(row: Row, mark: DecimalMark | undefined): boolean {
  const money = findAmounts(row, 0, row.text.length, mark).filter((a) => a.decimals === 2);
  if (money.length > 2 || money.length === 0) return false;
  return row.segments.some((s) => STOP.test(row.labelText.slice(s.start, s.end).replace(/^[^a-z]+/, '')));
}

const FILLER = /^(?:x|@|×|\*|[A-Z]{3}|pcs|pc|hrs?|each|ea|kg|g|l|m|units?|%|[$€£¥₱]|p)$/i;

interface ParsedRow {
  description: string;
  quantity: number | null;
  unit: FoundAmount | null;
  amount: FoundAmount;
}

function parseRow(row: Row, mark: DecimalMark | undefined): ParsedRow | null {
  const all = findAmounts(row, 0, row.text.length, mark);
  const money = all.filter((a) => a.decimals === 2);
  if (!money.length) return null;
  const amount = money[money.length - 1]!;
  // the description ends with the last word of letters before the amount
  let descEnd = 0;
  row.words.forEach((w, i) => {
    const s = row.starts[i]!;
    if (s >= amount.start) return;
    if (/[A-Za-z]{2}/.test(w.text) && !FILLER.test(w.text) && !all.some((a) => a.start <= s && s < a.end)) descEnd = s + w.text.length;
  });
  const tail = all.filter((a) => a.start >= descEnd && a !== amount && a.end <= amount.start);
  let description = row.text.slice(0, descEnd);
  let quantity: number | null = null;
  let unit: FoundAmount | null = null;
  // "2 x Cappuccino" / "2x Cappuccino"
  const lead = /^\s*(\d{1,4}(?:[.,]\d{1,3})?)\s*[x×X*]\s+/.exec(description);
  if (lead) {
    quantity = Number(lead[1]!.replace(',', '.'));
    description = description.slice(lead[0].length);
  }
  const moneyTail = tail.filter((a) => a.decimals === 2);
  if (moneyTail.length) unit = moneyTail[moneyTail.length - 1]!;
  if (quantity === null) {
    const q = tail.filter((a) => !unit || a.end <= unit.start).pop();
    if (q && q.num > 0 && q.num < 100000 && (q.decimals < 2 || (unit && near(q.num * unit.num, amount.num)))) quantity = q.num;
  }
  if (unit && quantity !== null && !near(quantity * unit.num, amount.num)) {
    // keep what agrees with the amount
    if (near(unit.num, amount.num)) quantity = quantity === 1 ? 1 : null;
    else if (!near(quantity * unit.num, amount.num)) quantity = null;
  }
  description = cleanText(description.replace(/[|:;_=~-]+\s*$/g, '').replace(/^[^A-Za-z0-9(]+/, ''));
  if (!/[A-Za-z]{2}/.test(description)) return null;
  return { description, quantity, unit, amount };
}

const near = (a: number, b: number) => Math.abs(a - b) < 0.015;

function toLine(rows: Row[], p: ParsedRow): ExtractedLine {
  const words = rows.flatMap((r) => r.words);
  const agrees = p.unit && p.quantity !== null ? near(p.unit.num * p.quantity, p.amount.num) : true;
  const line: ExtractedLine = {
    description: p.description,
    quantity: p.quantity === null ? null : String(Math.round(p.quantity * 1000) / 1000),
    unit_price: p.unit ? p.unit.value : p.quantity !== null && p.quantity !== 0 && !p.unit ? formatAmount(p.amount.num / p.quantity) : null,
    amount: p.amount.value,
    confidence: Math.round(meanConf(words) * (agrees ? 1 : 0.8) * 1000) / 1000,
  };
  if (p.unit === null && p.quantity !== null && !near(Number(line.unit_price) * p.quantity, p.amount.num)) line.unit_price = null;
  const box = unionBox(words);
  if (box) line.box = box;
  return line;
}

export function extractLines(rows: readonly Row[], mark: DecimalMark | undefined, _currency: string | null): ExtractedLine[] {
  const header = rows.findIndex(isHeader);
  const lines: ExtractedLine[] = [];
  if (header >= 0) {
    let last: { rows: Row[]; parsed: ParsedRow } | undefined;
    for (let i = header + 1; i < rows.length; i++) {
      const row = rows[i]!;
      if (isStop(row, mark)) break;
      const p = parseRow(row, mark);
      if (p) {
        if (last) lines.push(toLine(last.rows, last.parsed));
        last = { rows: [row], parsed: p };
      } else if (last && /[A-Za-z]{2}/.test(row.text) && row.top - last.rows[last.rows.length - 1]!.bottom < 1.5 * row.height && findAmounts(row, 0, row.text.length, mark).length === 0) {
        // a wrapped description
        last.rows.push(row);
        last.parsed.description = cleanText(`${last.parsed.description} ${row.text}`);
      } else if (last && row.top - last.rows[last.rows.length - 1]!.bottom > 4 * row.height) break;
    }
    if (last) lines.push(toLine(last.rows, last.parsed));
    if (lines.length) return lines;
  }
  // No header: the item rows just above the first totals row.
  const stop = rows.findIndex((r) => isStop(r, mark) && /sub|total|tax|vat|gst|net/.test(r.labelText));
  if (stop < 0) return lines;
  const found: ExtractedLine[] = [];
  let pendingAmounts: Row | undefined;
  for (let i = stop - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.page !== rows[stop]!.page) break;
    if (/^[\s\-=*_.~#]+$/.test(row.text)) {
      if (found.length) break;
      continue;
    }
    const p = parseRow(row, mark);
    if (p) {
      found.unshift(toLine([row], p));
      pendingAmounts = undefined;
      continue;
    }
    const hasMoney = findAmounts(row, 0, row.text.length, mark).some((a) => a.decimals === 2);
    if (hasMoney && !/[A-Za-z]{2}/.test(row.text)) {
      pendingAmounts = row; // "2 @ 3.50   7.00" under its description
      continue;
    }
    if (pendingAmounts && /[A-Za-z]{2}/.test(row.text) && !/:/.test(row.text)) {
      const merged = { ...pendingAmounts, text: `${row.text}  ${pendingAmounts.text}` };
      const combined: Row = { ...merged, words: [...row.words, ...pendingAmounts.words], starts: [...row.starts, ...pendingAmounts.starts.map((s) => s + row.text.length + 2)], labelText: merged.text.toLowerCase(), segments: [{ from: 0, to: row.words.length + pendingAmounts.words.length, x0: 0, x1: 0, start: 0, end: merged.text.length }] };
      const pm = parseRow(combined, mark);
      pendingAmounts = undefined;
      if (pm) {
        found.unshift(toLine([row], pm));
        continue;
      }
    }
    if (found.length) break;
  }
  return found;
}
