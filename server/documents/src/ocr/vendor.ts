/**
 * The vendor: an explicit "From:"/"Supplier:" label, else the most name-like
 * text at the top of the first page (large type, high up, a company suffix),
 * never the document's title nor the customer's block ("Bill to ..."); a
 * name that wraps onto a second line of the same type is joined.
 */
import { moneyAmounts } from './amounts';
import { meanConf, valueSpans, wordsIn, type OcrWord, type Row } from './layout';
import { field, findLabels, SURE } from './labels';
import { cleanText, findDates } from './parse';
import type { ExtractedField } from './types';

const CUSTOMER = /\b(?:bill(?:ed)?\s*to|invoice\s*to|sold\s*to|ship(?:ped)?\s*to|deliver(?:ed|y)?\s*to|customer|client|recipient)\b/;
const TITLE = /^(?:tax\s*)?(?:invoice|receipt|bill|statement|quotation|quote|credit\s*note|sales\s*receipt|cash\s*receipt|original|copy|duplicate|page\s*\d.*|official\s*receipt)$/;

export function findVendor(rows: readonly Row[], customerRows: Set<Row>): ExtractedField {
  const first = rows.filter((r) => r.page === rows[0]?.page);
  if (!first.length) return field(null, [], 0, undefined);
  const pageH = first[0]!.pageHeight;
  // an explicit "From:" / "Vendor:" / "Supplier:" label wins
  for (const l of findLabels(first, [/\b(?:from|vendor|supplier|seller|merchant|payee)\b\s*:/])) {
    for (const span of valueSpans(first, l.row, l.start, l.end)) {
      const t = cleanText(span.row.text.slice(span.start, span.end));
      if (/[a-z]{2}/i.test(t)) return field(t, wordsIn(span.row, span.start, span.end), SURE.labelled, span.row);
    }
  }
  const typicalH = [...first.map((r) => r.height)].sort((a, b) => a - b)[first.length >> 1] ?? 1;
  const candidates: VendorCandidate[] = [];
  for (const row of first.slice(0, 16)) {
    if (row.top > pageH * 0.45 || customerRows.has(row)) continue;
    for (const seg of row.segments) {
      const c = nameLike(row, seg);
      if (c) candidates.push(c);
    }
  }
  let best: (VendorCandidate & { score: number }) | undefined;
  for (const c of candidates) {
    if ((c.text.match(/[A-Za-z]/g) ?? []).length < 3) continue; // short pieces only continue a name ("Co.")
    const h = c.height / typicalH;
    let score = h * 2 - (c.row.top / pageH) * 4 - (c.row.index - first[0]!.index) * 0.15 - (1 - meanConf(c.words)) * 4;
    if (COMPANY_SUFFIX.test(c.text)) score += 2;
    if (c.text === c.text.toUpperCase()) score += 0.3;
    if (!best || score > best.score) best = { ...c, score };
  }
  if (!best) return field(null, [], 0, undefined);
  // a long name wraps: the same type size straight above or below, left edges aligned
  const parts: VendorCandidate[] = [best];
  for (const dir of [-1, 1]) {
    let edge: VendorCandidate = best;
    for (;;) {
      const next = candidates.find((c) => {
        if (parts.includes(c) || /\d/.test(c.text) || Math.abs(c.height - edge.height) > 0.3 * edge.height || Math.abs(c.x0 - edge.x0) > edge.height) return false;
        const gap = dir < 0 ? edge.top - c.bottom : c.top - edge.bottom;
        return gap >= -2 && gap < 0.8 * edge.height;
      });
      if (!next) break;
      if (dir < 0) parts.unshift(next);
      else parts.push(next);
      edge = next;
    }
  }
  const words = parts.flatMap((p) => p.words);
  return field(parts.map((p) => p.text).join(' '), words, SURE.guessed + 0.3, best.row);
}

const COMPANY_SUFFIX = /\b(?:ltd|limited|llc|inc|corp|corporation|gmbh|ag|s\.?a\.?|s\.?r\.?l|b\.?v\.?|n\.?v\.?|plc|pty|co|company|group|sarl|oy|ab|as|kg|lp|llp)\b\.?$/i;

interface VendorCandidate {
  text: string;
  words: OcrWord[];
  row: Row;
  height: number;
  x0: number;
  top: number;
  bottom: number;
}

/** A segment that reads like a company name: letters, not a title, label, address, contact, date or amount. */
function nameLike(row: Row, seg: Row['segments'][number]): VendorCandidate | undefined {
  const words = row.words.slice(seg.from, seg.to);
  // "S.r.1." / "S.r.]." -> "S.r.l.": a 1, | or ] inside a word of letters is a misread l, a 0 an o
  const text = cleanText(row.text.slice(seg.start, seg.end))
    .replace(/^[^A-Za-z0-9&]+|[^A-Za-z0-9.)&]+$/g, '')
    .split(' ')
    .map((w) => (/^[A-Za-z.]*[01|\]][A-Za-z.]*$/.test(w) && (w.match(/[A-Za-z]/g) ?? []).length >= 2 ? w.replace(/[1|\]]/g, 'l').replace(/0/g, 'o') : w))
    .join(' ');
  const lower = text.toLowerCase();
  const letters = (text.match(/[A-Za-z]/g) ?? []).length;
  if (letters < 2 || letters < text.length * 0.5) return undefined;
  if (TITLE.test(lower) || CUSTOMER.test(lower) || /@|www\.|https?:|\.com\b|tel\b|phone|fax|^\+?\d/.test(lower)) return undefined;
  if (/:/.test(text) || findDates(text).length || moneyAmounts(row, seg.start, seg.end).length) return undefined;
  if (/\b(?:street|st\.|road|rd\.|avenue|ave\.?|lane|suite|floor|building|blvd|strasse|straße|platz|weg|city|zip|postcode|p\.?o\.? box)\b/i.test(text)) return undefined;
  if (/\b(?:invoice|receipt|tax\s*invoice|page|date|vat|tin|reg)\b/i.test(lower) && letters < 25) return undefined;
  return {
    text,
    words,
    row,
    height: Math.max(...words.map((w) => w.box.h)),
    x0: seg.x0,
    top: Math.min(...words.map((w) => w.box.y)),
    bottom: Math.max(...words.map((w) => w.box.y + w.box.h)),
  };
}

/** Rows of the customer block: under a "Bill to" label, in its column, until a gap. */
export function customerBlock(rows: readonly Row[]): Set<Row> {
  const out = new Set<Row>();
  for (const l of findLabels(rows, [CUSTOMER])) {
    const lw = wordsIn(l.row, l.start, l.end);
    if (!lw.length) continue;
    const x0 = Math.min(...lw.map((w) => w.box.x)) - l.row.height;
    const seg = l.row.segments.find((s) => s.start <= l.start && l.start <= s.end);
    const x1 = Math.max(seg?.x1 ?? 0, ...lw.map((w) => w.box.x + w.box.w)) + l.row.height * 8;
    out.add(l.row);
    let last = l.row;
    for (const r of rows) {
      if (r.page !== l.row.page || r.index <= l.row.index) continue;
      if (r.top - last.bottom > 1.6 * Math.max(r.height, last.height)) break;
      if (!r.words.some((w) => w.box.x < x1 && w.box.x + w.box.w > x0)) continue;
      out.add(r);
      last = r;
      if (out.size > 12) break;
    }
  }
  return out;
}

