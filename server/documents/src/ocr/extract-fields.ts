/**
 * Fields of a receipt or vendor bill from OCR words (text, confidence, box):
 * labels find values, parsers make them canonical, and the totals are checked
 * against each other and the line items. Pure: no tesseract here, so every
 * rule is unit-tested on hand-written word lists.
 *
 * A field's confidence is the mean OCR confidence of the words it was read
 * from times how sure the reading is: found under its label or only guessed,
 * and whether subtotal + tax = total and the lines add up.
 */
import { findAmounts, moneyAmounts, type FoundAmount } from './amounts';
import { field, findLabels, round, SURE, type Label } from './labels';
import { buildRows, unionBox, valueSpans, wordsIn, type OcrWord, type PageWords, type Row, type Span } from './layout';
import { extractLines, reconcileLines } from './line-items';
import { customerBlock, findVendor } from './vendor';
import { canonicalTaxId, currencyVotes, detectDateOrder, detectDecimalMark, findDates, formatAmount, type DateOrder, type DecimalMark } from './parse';
import { FIELD_NAMES, type ExtractedField, type ExtractedLine, type FieldName } from './types';

export interface FieldsResult {
  fields: Record<FieldName, ExtractedField>;
  lines: ExtractedLine[];
  /** rows joined by newlines, pages by a blank line */
  text: string;
}

// ---------------------------------------------------------------- labels
const TOTAL = [
  /\b(?:grand\s*total|total\s*(?:amount\s*)?due|amount\s*due|balance\s*(?:due|payable)|total\s*(?:to\s*pay|payable)|amount\s*payable|invoice\s*total)\b/,
  /\btotal\s*(?:\(?\s*(?:incl|including|inc)\b\.?\s*(?:of\s*)?(?:vat|tax|gst)?\)?)?/,
  /\btotal\s*amount\b/,
];
const NOT_TOTAL = /sub[\s-]*$|\bnet\s*$|(?:vat|tax|gst)\s*$/;
const NOT_TOTAL_AFTER = /^\s*(?:\(?\s*(?:excl|excluding|ex|net|before|before\s*tax)\b|vat\b|tax\b|gst\b|qty|quantity|items?\b|discount|savings|paid|tendered|received|hours)/;
const SUBTOTAL = [
  /\b(?:sub[\s-]*total|net\s*(?:amount|total|value)|total\s*(?:net|\(?\s*(?:excl|excluding|ex)\b\.?\s*(?:vat|tax|gst)\)?|before\s*tax)|amount\s*(?:excl\.?|excluding|before)\s*(?:vat|tax|gst)|taxable\s*amount)/,
  /\bnet\b/,
];
const TAX = [/\b(?:total\s*)?(?:vat|gst|hst|pst|sales\s*tax|tax|iva|mwst|tva|btw|ust)\b/];
const NOT_TAX_AFTER = /^\s*(?:[-.]?\s*(?:reg|id\b|no\b|nr\b|number|#|invoice|included|incl|excl)|\s*(?:id|identification)\b)/;
const INVOICE_NO = [
  /\b(?:tax\s*)?(?:invoice|inv|bill|receipt|rcpt|credit\s*note)\s*(?:no|number|num|nr|#|n°)\b\.?\s*[:#]?|\b(?:invoice|bill|receipt)\s*#/,
  /\b(?:ref(?:erence)?|document|doc|transaction|trans|txn|folio|ticket|order)\s*(?:no|number|nr|id|#)?\b\.?\s*[:#]?|\bno\.\s*[:#]?/,
  /\b(?:invoice|receipt|bill)\b\s*:?/,
];
const DUE = [/\b(?:due\s*date|date\s*due|payment\s*due(?:\s*date)?|due\s*(?:on|by)|pay(?:able)?\s*by|due)\b\s*:?/];
const ISSUE = [
  /\b(?:(?:invoice|issue|bill(?:ing)?|receipt|document|tax\s*point|transaction)\s*date|date\s*(?:of\s*)?(?:issue|invoice)|issued(?:\s*on)?|dated)\b\s*:?/,
  /\bdate\b\s*:?/,
];
const TAX_ID = [
  /\b(?:vat|gst|hst|tva|btw|iva|ust|mwst|uid)\s*[-.]?\s*(?:reg(?:istration|\.)?\s*)?(?:tin|id(?:entification)?|no|nr|number|num|#|n°)?\b\.?\s*(?:no|number)?\.?\s*[:#]?/,
  /\b(?:tax\s*(?:id|no|number|reg(?:istration)?(?:\s*no)?)|tin|abn|ein|ust-?id(?:nr)?)\b\.?\s*[:#]?/,
];

// ---------------------------------------------------------------- amounts
interface AmountCandidate {
  amount: FoundAmount;
  rank: number;
  labelled: boolean;
}

function amountCandidates(rows: readonly Row[], labels: readonly Label[], mark: DecimalMark | undefined, skipPercent = true): AmountCandidate[] {
  const out: AmountCandidate[] = [];
  for (const l of labels) {
    for (const span of valueSpans(rows, l.row, l.start, l.end)) {
      const found = (skipPercent ? moneyAmounts(span.row, span.start, span.end, mark) : findAmounts(span.row, span.start, span.end, mark)).filter((a) => a.num >= 0);
      if (found.length) {
        out.push({ amount: found[found.length - 1]!, rank: l.rank, labelled: true });
        break;
      }
    }
  }
  return out;
}

const near = (a: number, b: number) => Math.abs(a - b) < 0.015;

interface Totals {
  subtotal: AmountCandidate | undefined;
  tax: AmountCandidate | undefined;
  total: AmountCandidate | undefined;
  consistent: boolean;
}

/** The combination of candidates where subtotal + tax = total, else the best-ranked, lowest-on-page reading of each. */
function solveTotals(subs: AmountCandidate[], taxes: AmountCandidate[], totals: AmountCandidate[], linesSum: number | undefined): Totals {
  const pick = (cs: AmountCandidate[]) => [...cs].sort((a, b) => a.rank - b.rank || b.amount.row.index - a.amount.row.index)[0];
  let best: Totals | undefined;
  let bestScore = -Infinity;
  for (const t of totals) {
    for (const s of subs) {
      if (s.amount.row === t.amount.row) continue;
      for (const x of taxes) {
        if (x.amount.row === t.amount.row || x.amount.row === s.amount.row) continue;
        if (!near(s.amount.num + x.amount.num, t.amount.num)) continue;
        const score = -t.rank - s.rank - x.rank + (linesSum !== undefined && near(linesSum, s.amount.num) ? 2 : 0) + t.amount.row.index / 1000;
        if (score > bestScore) [best, bestScore] = [{ subtotal: s, tax: x, total: t, consistent: true }, score];
      }
    }
  }
  if (best) return best;
  // Tax-free or tax-included documents: subtotal = total, or the lines add up to the total.
  const total = pick(totals);
  const sub = pick(subs.filter((s) => !total || s.amount.row !== total.amount.row));
  const tax = pick(taxes.filter((x) => (!total || x.amount.row !== total.amount.row) && (!sub || x.amount.row !== sub.amount.row)));
  return { subtotal: sub, tax, total, consistent: false };
}

// ---------------------------------------------------------------- the rest
function firstToken(span: Span, accept: (t: string) => boolean): { text: string; words: OcrWord[] } | undefined {
  const text = span.row.text.slice(span.start, span.end);
  for (const m of text.matchAll(/\S+/g)) {
    const t = m[0].replace(/^[:#.№]+|[,;:.]+$/g, '').replace(/^(?:no|nr)[.:]/i, '');
    const s = span.start + m.index!;
    if (accept(t)) return { text: t, words: wordsIn(span.row, s, s + m[0].length) };
    if (/[a-z]{3}/i.test(t) && !/\d/.test(t)) return undefined; // a word: the label had no value here
  }
  return undefined;
}

const isId = (t: string) => /^[A-Z0-9][A-Z0-9\-/._]*$/i.test(t) && /\d/.test(t) && t.length >= 2 && !findDates(t).length && !/^\d{1,2}[:.]\d{2}$/.test(t);

function findInvoiceNumber(rows: readonly Row[]): ExtractedField {
  const labels = findLabels(rows, INVOICE_NO).sort((a, b) => a.rank - b.rank || a.row.index - b.row.index);
  for (const l of labels) {
    for (const span of valueSpans(rows, l.row, l.start, l.end)) {
      const tok = firstToken(span, isId);
      if (tok) return field(tok.text.replace(/^#/, ''), tok.words, l.rank === 0 ? SURE.labelled : l.rank === 1 ? 0.8 : 0.7, span.row);
    }
  }
  return field(null, [], 0, undefined);
}

function findTaxId(rows: readonly Row[], customerRows: Set<Row>): ExtractedField {
  const ok = (t: string) => (t.replace(/\D/g, '').length >= 6 ? t : null);
  // not the customer's, and not a tax amount row ("VAT 20%  2,517.18")
  const labels = findLabels(rows, TAX_ID).filter((l) => !customerRows.has(l.row) && !l.row.text.includes('%'));
  for (const l of labels.sort((a, b) => a.rank - b.rank || a.row.index - b.row.index)) {
    for (const span of valueSpans(rows, l.row, l.start, l.end)) {
      const text = span.row.text.slice(span.start, span.end);
      // an optional two-letter country prefix (GB, DE, ...), then digits with spaces, dots or dashes; OCR's O for 0 undone
      const m = /(?<![A-Za-z0-9])((?!(?:TIN|VAT|GST|REG|NO|NR|ID)\b)[A-Z]{2,3}(?![a-z])[\s-]?)?([\dO][\dO\s.\-/]{4,}[\dO][A-Z0-9]{0,3})(?![\d])/.exec(text.replace(/(?<=[A-Z]{2}|\d)O|O(?=\d)/g, '0'));
      // the id follows its label (or heads the segment below it)
      if (m && ok(m[0]) && /^[\s:#.,\-]*$/.test(text.slice(0, m.index)) && (m[1] || !/\d[.,]\d{2}$/.test(m[0]))) {
        const s = span.start + m.index;
        return field(canonicalTaxId(m[0]), wordsIn(span.row, s, s + m[0].length), SURE.labelled, span.row);
      }
    }
  }
  return field(null, [], 0, undefined);
}

function findDateField(rows: readonly Row[], patterns: RegExp[], order: DateOrder, reject?: (row: Row, start: number, end: number) => boolean): { field: ExtractedField; row?: Row; start?: number } {
  const labels = findLabels(rows, patterns, reject).sort((a, b) => a.rank - b.rank || a.row.index - b.row.index);
  for (const l of labels) {
    for (const span of valueSpans(rows, l.row, l.start, l.end)) {
      const d = findDates(span.row.text.slice(span.start, span.end), order)[0];
      if (d) {
        const s = span.start + d.start;
        return { field: field(d.iso, wordsIn(span.row, s, span.start + d.end), d.ambiguous ? 0.75 : SURE.labelled, span.row), row: span.row, start: s };
      }
    }
  }
  return { field: field(null, [], 0, undefined) };
}

function findCurrency(rows: readonly Row[], mark: DecimalMark | undefined, totalRow: Row | undefined): ExtractedField {
  const score = new Map<string, { w: number; row?: Row; start: number; end: number }>();
  for (const row of rows) {
    const boost = row === totalRow ? 2 : 1;
    for (const v of currencyVotes(row.text)) {
      const cur = score.get(v.code) ?? { w: 0, start: 0, end: 0 };
      cur.w += v.weight * boost;
      if (!cur.row || (boost > 1 && cur.row !== totalRow)) Object.assign(cur, { row, start: v.start, end: v.end });
      score.set(v.code, cur);
    }
  }
  const ranked = [...score.entries()].sort((a, b) => b[1].w - a[1].w);
  const top = ranked[0];
  // no mark at all: a comma-decimal document is most likely in euros, but only just
  if (!top) return mark === 'comma' ? field('EUR', [], 0.3, rows[0]) : field(null, [], 0, undefined);
  const second = ranked[1]?.[1].w ?? 0;
  const certainty = top[1].w >= 3 && top[1].w > second * 2 ? SURE.labelled : top[1].w > second ? 0.7 : 0.5;
  const words = top[1].row ? wordsIn(top[1].row, top[1].start, top[1].end) : [];
  return field(top[0], words, certainty, top[1].row);
}

export function extractFields(pages: readonly PageWords[]): FieldsResult {
  const rows = buildRows(pages);
  const text = pages.map((p) => rows.filter((r) => r.page === p.page).map((r) => r.text).join('\n')).join('\n\n');
  const mark: DecimalMark | undefined = detectDecimalMark(text);
  const customerRows = customerBlock(rows);

  const totalLabels = findLabels(rows, TOTAL, (row, s, e) => NOT_TOTAL.test(row.labelText.slice(Math.max(0, s - 6), s)) || NOT_TOTAL_AFTER.test(row.labelText.slice(e)));
  const subLabels = findLabels(rows, SUBTOTAL);
  const taxLabels = findLabels(rows, TAX, (row, s, e) => {
    const before = row.labelText.slice(Math.max(0, s - 12), s);
    return NOT_TAX_AFTER.test(row.labelText.slice(e)) || /(?:incl|including|excl|excluding|ex|before)\.?\s*$/.test(before) || (/\d{6,}/.test(row.text.replace(/[\s.-]/g, '')) && !row.text.includes('%')); // a tax id, not a tax amount
  });
  // a row that is a subtotal or total is not a tax row ("Total incl. VAT", "Net amount before tax")
  const taxRows = taxLabels.filter((l) => !subLabels.some((s) => s.row === l.row) && !totalLabels.some((t) => t.row === l.row && t.rank < 2));
  const totalsFiltered = totalLabels.filter((t) => !subLabels.some((s) => s.row === t.row && s.start <= t.start && s.end >= t.start));

  const lines = extractLines(rows, mark);
  const linesSum = lines.length ? lines.reduce((a, l) => a + Number(l.amount ?? 0), 0) : undefined;

  const solved = solveTotals(amountCandidates(rows, subLabels, mark), amountCandidates(rows, taxRows, mark), amountCandidates(rows, totalsFiltered, mark), linesSum);
  const amountField = (c: AmountCandidate | undefined, bonus: number): ExtractedField => (c ? field(c.amount.value, c.amount.words, Math.min(1, SURE.labelled * bonus), c.amount.row) : field(null, [], 0, undefined));
  const linesAgree = (n: number | undefined) => n !== undefined && linesSum !== undefined && near(n, linesSum);
  const k = solved.consistent ? 1.1 : 1;
  let subtotal = amountField(solved.subtotal, k * (linesAgree(solved.subtotal?.amount.num) ? 1.05 : 1));
  let tax = amountField(solved.tax, k);
  let total = amountField(solved.total, k * (linesAgree(solved.total?.amount.num) ? 1.05 : 1));
  // Two of the three and the lines: derive the third (no box, lower confidence).
  if (subtotal.value && tax.value && !total.value) {
    total = { value: (Number(subtotal.value) + Number(tax.value)).toFixed(2), confidence: SURE.derived, source: subtotal.source };
    // point the reviewer at what was printed after the total's label, unreadable as it was
    const label = [...totalsFiltered].sort((a, b) => a.rank - b.rank || b.row.index - a.row.index)[0];
    const box = label && unionBox(wordsIn(label.row, label.end, label.row.text.length));
    if (box) total.box = box;
  }
  if (subtotal.value && total.value && !tax.value && taxRows.length && Number(total.value) > Number(subtotal.value)) {
    // the tax row is there but its amount unreadable: total - subtotal, pointing at that row
    tax = { value: formatAmount(Number(total.value) - Number(subtotal.value)), confidence: SURE.derived, source: total.source };
    const row = taxRows[taxRows.length - 1]!;
    const box = unionBox(wordsIn(row.row, row.end, row.row.text.length));
    if (box) tax.box = box;
  }
  if (!subtotal.value && total.value && tax.value && linesAgree(Number(total.value) - Number(tax.value))) subtotal = { value: (Number(total.value) - Number(tax.value)).toFixed(2), confidence: SURE.derived, source: total.source };
  if (!subtotal.value && total.value && linesSum !== undefined && linesAgree(Number(total.value)) && !tax.value) subtotal = { ...total, confidence: round(total.confidence * 0.8) };
  if (!solved.consistent && linesSum !== undefined && total.value && tax.value && near(linesSum + Number(tax.value), Number(total.value)) && !(subtotal.value && near(Number(subtotal.value), linesSum))) {
    // the lines and tax add up to the total but the subtotal read does not: it was misread
    subtotal = { ...subtotal, value: formatAmount(linesSum), confidence: round((subtotal.value ? subtotal.confidence : SURE.derived) * 0.8), source: subtotal.value ? subtotal.source : total.source };
  }
  if (!solved.consistent && total.value && subtotal.value && tax.value && !near(Number(subtotal.value) + Number(tax.value), Number(total.value))) {
    // they contradict each other: none can be trusted much
    for (const f of [subtotal, tax, total]) f.confidence = round(f.confidence * 0.6);
  }
  if (!total.value) {
    // no total label read: the largest money amount in the lower part of the first page
    const amounts = rows.filter((r) => r.top > r.pageHeight * 0.3).flatMap((r) => moneyAmounts(r, 0, r.text.length, mark));
    const max = amounts.sort((a, b) => b.num - a.num)[0];
    if (max) total = field(max.value, max.words, SURE.guessed, max.row);
  }

  const target = subtotal.value !== null ? Number(subtotal.value) : total.value !== null && (tax.value === null || Number(tax.value) === 0) ? Number(total.value) : undefined;
  const reconciled = reconcileLines(lines, target);

  const currency = findCurrency(rows, mark, solved.total?.amount.row);
  const order = detectDateOrder(text, currency.value);
  const due = findDateField(rows, DUE, order);
  const issue = findDateField(rows, ISSUE, order, (row, s) => /\b(?:due|delivery|order|expiry|expiration|payment)\s*$/.test(row.labelText.slice(Math.max(0, s - 12), s)));
  let invoiceDate = issue.field;
  if (!invoiceDate.value) {
    // unlabelled (receipts): the first date on the document that is not the due date
    for (const row of rows) {
      const d = findDates(row.text, order).find((x) => x.iso !== due.field.value || row !== due.row);
      if (d) {
        invoiceDate = field(d.iso, wordsIn(row, d.start, d.end), d.ambiguous ? SURE.guessed : 0.7, row);
        break;
      }
    }
  }

  const fields: Record<FieldName, ExtractedField> = {
    vendor: findVendor(rows, customerRows),
    vendor_vat: findTaxId(rows, customerRows),
    invoice_number: findInvoiceNumber(rows),
    invoice_date: invoiceDate,
    due_date: due.field,
    currency,
    subtotal,
    tax,
    total,
  };
  for (const name of FIELD_NAMES) if (fields[name].value === null) fields[name] = { value: null, confidence: 0, source: 'ocr' };
  return { fields, lines: reconciled, text };
}
