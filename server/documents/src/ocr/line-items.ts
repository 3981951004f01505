/**
 * Line items: the rows of the items table (under a header row naming its
 * columns, down to the first subtotal/total row) or, on receipts without a
 * header, the rows ending in an amount just above the totals. Each row's
 * trailing numbers are read right to left as amount, unit price, quantity,
 * and kept only as far as quantity x unit price = amount allows.
 */
import { findAmounts, type FoundAmount } from './amounts';
import { meanConf, unionBox, type Row } from './layout';
import { CURRENCY_CODES, cleanText, findDates, formatAmount, type DecimalMark } from './parse';
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

const FILLER = new RegExp(`^(?:x|@|×|\\*|pcs|pc|hrs?|each|ea|kg|g|l|m|units?|%|[$€£¥₱]|p|${CURRENCY_CODES.join('|')})$`, 'i');

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

/**
 * An item row whose amount is printed (a segment ending at the amount
 * column's right edge `right`) but unreadable: kept with no amount and a low
 * confidence, so a reviewer sees it rather than losing it.
 */
function unreadableRow(row: Row, right: number, mark: DecimalMark | undefined): ExtractedLine | null {
  if (row.segments.length < 2) return null;
  // the description: the first segment with words (a leading position number is its own column)
  const first = row.segments.find((sg) => /[A-Za-z]{3}/.test(row.text.slice(sg.start, sg.end))) ?? row.segments[0]!;
  const last = row.segments[row.segments.length - 1]!;
  if (first === last || Math.abs(last.x1 - right) > 2 * row.height) return null;
  // not a labelled header line ("Receipt no. 0012  2025-01-15", "Tel: ..."), nor a date
  if (row.text.includes(':') || findDates(row.text).length || last.end - last.start > 14) return null;
  if (/\b(?:no|nr|number|date|receipt|invoice|bill|tel|phone|vat|tin|tax|ref|order|cashier|table|page)\b/.test(row.labelText)) return null;
  let description = cleanText(row.text.slice(first.start, first.end));
  let quantity: number | null = null;
  const lead = /^\s*(\d{1,4})\s*[x×X*]\s+/.exec(description);
  if (lead) {
    quantity = Number(lead[1]);
    description = description.slice(lead[0].length);
  }
  if (!/[A-Za-z]{3}/.test(description)) return null;
  const mids = findAmounts(row, first.end, last.start, mark);
  const unit = mids.filter((a) => a.decimals === 2).pop() ?? null;
  if (quantity === null) quantity = mids.filter((a) => a.decimals === 0 && a.num > 0 && a.num < 100000 && (!unit || a.end <= unit.start)).pop()?.num ?? null;
  const line: ExtractedLine = { description, quantity: quantity === null ? null : String(quantity), unit_price: unit?.value ?? null, amount: null, confidence: Math.round(meanConf(row.words) * 300) / 1000 };
  const box = unionBox(row.words);
  if (box) line.box = box;
  return line;
}

export function extractLines(rows: readonly Row[], mark: DecimalMark | undefined): ExtractedLine[] {
  const header = rows.findIndex(isHeader);
  const lines: ExtractedLine[] = [];
  if (header >= 0) {
    let last: { rows: Row[]; parsed: ParsedRow } | undefined;
    // the right edge of the amount column: the header's last word (right-aligned like the amounts)
    const right = Math.max(...rows[header]!.words.map((w) => w.box.x + w.box.w));
    for (let i = header + 1; i < rows.length; i++) {
      const row = rows[i]!;
      if (isStop(row, mark)) break;
      const p = parseRow(row, mark);
      const lost = p ? null : unreadableRow(row, right, mark);
      if (p) {
        if (last) lines.push(toLine(last.rows, last.parsed));
        last = { rows: [row], parsed: p };
      } else if (lost) {
        if (last) lines.push(toLine(last.rows, last.parsed));
        last = undefined;
        lines.push(lost);
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
  const stopRow = rows[stop]!;
  const stopRight = stopRow.words[stopRow.words.length - 1]!.box.x + stopRow.words[stopRow.words.length - 1]!.box.w;
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
    const lost = found.length ? unreadableRow(row, stopRight, mark) : null;
    if (lost) {
      found.unshift(lost);
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

/**
 * Lines that do not add up to `target` (the subtotal, or the total of a
 * tax-free document): when exactly one line explains the difference, fix it:
 * its amount was really its unit price (quantity k read as lost), or its
 * amount was misread and quantity x unit price gives the one that adds up.
 * Otherwise every line's confidence drops. Returns new line objects.
 */
export function reconcileLines(lines: readonly ExtractedLine[], target: number | undefined): ExtractedLine[] {
  const out = lines.map((l) => ({ ...l }));
  if (!out.length || target === undefined) return out;
  const unread = out.filter((l) => l.amount === null);
  if (unread.length === 1) {
    // one unreadable amount: what the others leave of the target
    const rest = formatAmount(target - out.reduce((a, l) => a + Number(l.amount ?? 0), 0));
    const l = unread[0]!;
    if (Number(rest) > 0) {
      const agrees = l.quantity !== null && l.unit_price !== null && near(Number(l.quantity) * Number(l.unit_price), Number(rest));
      Object.assign(l, { amount: rest, confidence: agrees ? 0.6 : 0.4 });
      if (l.quantity !== null && l.unit_price === null && Number(l.quantity) > 0) l.unit_price = formatAmount(Number(rest) / Number(l.quantity));
    }
    return out;
  }
  const amounts = out.map((l) => Number(l.amount ?? NaN));
  if (amounts.some((a) => !Number.isFinite(a))) return out;
  const sum = amounts.reduce((a, b) => a + b, 0);
  if (near(sum, target)) return out;
  const diff = target - sum;
  const fixes: { i: number; apply: () => void }[] = [];
  out.forEach((l, i) => {
    const a = amounts[i]!;
    const fixed = a + diff;
    if (fixed <= 0) return;
    const k = fixed / a;
    const q = l.quantity === null ? null : Number(l.quantity);
    if (a > 0 && Math.abs(k - Math.round(k)) < 1e-6 && Math.round(k) >= 2 && Math.round(k) <= 1000 && (q === null || near(q, Math.round(k)))) {
      fixes.push({ i, apply: () => Object.assign(out[i]!, { quantity: String(Math.round(k)), unit_price: formatAmount(a), amount: formatAmount(fixed), confidence: Math.round(l.confidence * 800) / 1000 }) });
    } else if (q !== null && l.unit_price !== null && near(q * Number(l.unit_price), fixed)) {
      fixes.push({ i, apply: () => Object.assign(out[i]!, { amount: formatAmount(fixed), confidence: Math.round(l.confidence * 800) / 1000 }) });
    }
  });
  if (fixes.length === 1) fixes[0]!.apply();
  else for (const l of out) l.confidence = Math.round(l.confidence * 700) / 1000;
  return out;
}
