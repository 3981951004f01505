/**
 * Parsers from OCR text to the canonical values of the Extraction shape:
 * amounts "1234.56", dates "YYYY-MM-DD", currencies ISO 4217, ids. Pure,
 * tolerant of the usual OCR confusions inside numbers (O for 0, l for 1),
 * and of the three grouping conventions (1,234.56 / 1.234,56 / 1 234,56).
 */

/** How a document writes numbers: `dot` = 1,234.56; `comma` = 1.234,56 or 1 234,56. */
export type DecimalMark = 'dot' | 'comma';

/** Day-month order for all-numeric slashed dates. */
export type DateOrder = 'dmy' | 'mdy';

export interface ParsedAmount {
  /** canonical: dot decimal, no grouping, two decimals */
  value: string;
  num: number;
  /** how many digits after the decimal mark (0 when none) */
  decimals: number;
}

const DIGITISH: Record<string, string> = { O: '0', o: '0', D: '0', Q: '0', l: '1', I: '1', '|': '1', i: '1', S: '5', s: '5', B: '8', Z: '2' };

/** Undo OCR letter-for-digit swaps in a token that is mostly digits. */
export function fixDigits(token: string): string {
  const digits = (token.match(/\d/g) ?? []).length;
  const letters = (token.match(/[OoDQlIi|SsBZ]/g) ?? []).length;
  if (digits === 0 || letters === 0 || letters > digits / 2) return token;
  return token.replace(/[OoDQlIi|SsBZ]/g, (c) => DIGITISH[c] ?? c);
}

/** Format a number as a canonical amount string. */
export function formatAmount(n: number): string {
  const r = Math.round(n * 100) / 100;
  return (Object.is(r, -0) ? 0 : r).toFixed(2);
}

/**
 * Parse one amount token ("1,234.56", "1.234,56", "1 234,56", "€12,00",
 * "12.00-", "(12.00)", "PHP1,500.00"); currency marks around it are ignored
 * here. A separator followed by one or two digits is the decimal mark; one
 * followed by three digits groups thousands ("1.234" and "1,234" are 1234:
 * amounts with three decimals do not occur on bills).
 */
export function parseAmount(raw: string): ParsedAmount | null {
  let s = raw.trim().replace(/^(?:[A-Z]{3}|[$€£¥₱]|Rs\.?)\s?/, '').replace(/\s?(?:[A-Z]{3}|[$€£¥₱])$/, '');
  s = fixDigits(s);
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (/^[-−–]/.test(s)) {
    negative = true;
    s = s.slice(1);
  } else if (/[-−–]$/.test(s)) {
    negative = true;
    s = s.slice(0, -1);
  }
  s = s.replace(/[\u00a0\u202f]/g, ' ');
  if (!/^\d(?:[\d.,' ]*\d)?$/.test(s) || /[.,' ]{2}/.test(s)) return null;
  let intPart = s;
  let frac = '';
  const lastIdx = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (lastIdx >= 0 && s.length - lastIdx - 1 <= 2) {
    intPart = s.slice(0, lastIdx);
    frac = s.slice(lastIdx + 1);
    if (intPart.includes(s[lastIdx]!)) return null; // "1.234.56"
  }
  const seps = new Set(intPart.match(/[.,' ]/g) ?? []);
  if (seps.size > 1) return null;
  const groups = intPart.split(/[.,' ]/);
  if (groups.length > 1 && (groups[0]!.length > 3 || groups.slice(1).some((g) => g.length !== 3))) return null;
  intPart = groups.join('');
  if (!/^\d+$/.test(intPart) || (frac && !/^\d{1,2}$/.test(frac))) return null;
  const num = (negative ? -1 : 1) * Number(`${intPart}.${frac || '0'}`);
  if (!Number.isFinite(num)) return null;
  return { value: formatAmount(num), num, decimals: frac.length };
}

/** The decimal mark a document uses, from the amounts in its text. */
export function detectDecimalMark(text: string): DecimalMark | undefined {
  const comma = (text.match(/\d[.\s]\d{3},\d{2}(?!\d)|(?<![\d.,])\d{1,3},\d{2}(?![\d.,])/g) ?? []).length;
  const dot = (text.match(/\d,\d{3}\.\d{2}(?!\d)|(?<![\d.,])\d{1,3}\.\d{2}(?![\d.,])/g) ?? []).length;
  if (comma === 0 && dot === 0) return undefined;
  return comma > dot ? 'comma' : 'dot';
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};
const MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

export interface DateMatch {
  iso: string;
  /** offsets in the searched text */
  start: number;
  end: number;
  /** true when only the day-month order decided it */
  ambiguous: boolean;
  /** the numeric day/month pair as written, for a document-wide order vote */
  firstPart?: number;
  secondPart?: number;
}

function validDate(y: number, m: number, d: number): string | null {
  if (y < 100) y += 2000;
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const DATE_PATTERNS: { re: RegExp; kind: 'ymd' | 'num' | 'dMy' | 'Mdy' }[] = [
  { re: /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g, kind: 'ymd' },
  { re: /(?<![\d.])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d])/g, kind: 'num' },
  { re: new RegExp(`(?<!\\d)(\\d{1,2})(?:st|nd|rd|th)?[\\s.-]*${MONTH_RE}\\.?,?[\\s.-]*(\\d{4}|'?\\d{2})(?!\\d)`, 'gi'), kind: 'dMy' },
  { re: new RegExp(`\\b${MONTH_RE}\\.?[\\s-]*(\\d{1,2})(?:st|nd|rd|th)?,?[\\s-]*(\\d{4})(?!\\d)`, 'gi'), kind: 'Mdy' },
];

/** Every date in `text`, in text order; `order` decides dd/mm vs mm/dd when both read as valid. */
export function findDates(text: string, order: DateOrder = 'dmy'): DateMatch[] {
  const fixed = text.replace(/[0-9OolI|]{1,4}(?:[./-][0-9OolI|]{1,4}){2}/g, (m) => fixDigits(m));
  const out: DateMatch[] = [];
  for (const { re, kind } of DATE_PATTERNS) {
    re.lastIndex = 0;
    for (const m of fixed.matchAll(re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (out.some((o) => start < o.end && end > o.start)) continue;
      let iso: string | null = null;
      let ambiguous = false;
      let firstPart: number | undefined;
      let secondPart: number | undefined;
      if (kind === 'ymd') iso = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
      else if (kind === 'num') {
        const a = Number(m[1]);
        const b = Number(m[3]);
        const y = Number(m[4]);
        const sep = m[2];
        firstPart = a;
        secondPart = b;
        const dmy = validDate(y, b, a);
        const mdy = validDate(y, a, b);
        if (sep === '.') iso = dmy; // dotted dates are day-first
        else if (dmy && mdy && a !== b) {
          ambiguous = true;
          iso = order === 'mdy' ? mdy : dmy;
        } else iso = dmy ?? mdy;
      } else if (kind === 'dMy') iso = validDate(Number(m[3]!.replace("'", '')), MONTHS[m[2]!.toLowerCase()] ?? 0, Number(m[1]));
      else iso = validDate(Number(m[3]), MONTHS[m[1]!.toLowerCase()] ?? 0, Number(m[2]));
      if (iso) out.push({ iso, start, end, ambiguous, firstPart, secondPart });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function parseDate(text: string, order: DateOrder = 'dmy'): string | null {
  return findDates(text, order)[0]?.iso ?? null;
}

/**
 * The order of numeric dates on a document: a first part over 12 proves
 * day-first, a second part over 12 month-first; else the currency decides
 * (USD documents are month-first), else day-first.
 */
export function detectDateOrder(text: string, currency?: string | null): DateOrder {
  let dmy = 0;
  let mdy = 0;
  for (const m of text.matchAll(/(?<![\d.])(\d{1,2})\/(\d{1,2})\/(\d{2,4})(?!\d)/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a > 12 && b <= 12) dmy++;
    else if (b > 12 && a <= 12) mdy++;
  }
  if (dmy !== mdy) return dmy > mdy ? 'dmy' : 'mdy';
  return currency === 'USD' ? 'mdy' : 'dmy';
}

export const CURRENCY_CODES = ['EUR', 'USD', 'GBP', 'PHP', 'JPY', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'SGD', 'HKD', 'INR', 'CNY', 'ZAR', 'MXN', 'BRL'] as const;

export const CURRENCY_SYMBOLS: Record<string, string> = { '€': 'EUR', '£': 'GBP', '$': 'USD', '¥': 'JPY', '₱': 'PHP', '₹': 'INR' };

/** Country prefixes of VAT ids and the currency their invoices are usually in. */
const VAT_COUNTRY_CURRENCY: Record<string, string> = {
  GB: 'GBP', DE: 'EUR', FR: 'EUR', NL: 'EUR', BE: 'EUR', IT: 'EUR', ES: 'EUR', AT: 'EUR', IE: 'EUR', PT: 'EUR', FI: 'EUR', LU: 'EUR', GR: 'EUR', EL: 'EUR', SK: 'EUR', SI: 'EUR',
  EE: 'EUR', LV: 'EUR', LT: 'EUR', CY: 'EUR', MT: 'EUR', HR: 'EUR', SE: 'SEK', DK: 'DKK', PL: 'PLN', CZ: 'CZK', HU: 'HUF', CH: 'CHF', NO: 'NOK',
};

export interface CurrencyVote {
  code: string;
  weight: number;
  /** offsets in the text of the evidence */
  start: number;
  end: number;
}

/**
 * Evidence for the currency in a text: ISO codes, symbols, the peso read as
 * "P" before an amount (OCR.md), VAT id country prefixes, the decimal mark.
 */
export function currencyVotes(text: string): CurrencyVote[] {
  const votes: CurrencyVote[] = [];
  const codes = new RegExp(`(?<![A-Za-z])(${CURRENCY_CODES.join('|')})(?![A-Za-z])`, 'g');
  for (const m of text.matchAll(codes)) votes.push({ code: m[1]!, weight: 3, start: m.index!, end: m.index! + m[0].length });
  for (const m of text.matchAll(/[€£$¥₱₹]/g)) {
    // "$" also marks CAD/AUD/..., but then their code is on the page too and outvotes it
    votes.push({ code: CURRENCY_SYMBOLS[m[0]]!, weight: 2, start: m.index!, end: m.index! + 1 });
  }
  for (const m of text.matchAll(/(?<![A-Za-z0-9])P\s?(?=\d{1,3}(?:,\d{3})*\.\d{2}(?!\d))/g)) votes.push({ code: 'PHP', weight: 2, start: m.index!, end: m.index! + 1 });
  for (const m of text.matchAll(/\b(pesos?|euros?|dollars?|pounds?\s+sterling)\b/gi)) {
    const w = m[1]!.toLowerCase();
    votes.push({ code: w.startsWith('peso') ? 'PHP' : w.startsWith('euro') ? 'EUR' : w.startsWith('dollar') ? 'USD' : 'GBP', weight: 1, start: m.index!, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(/\b(?:VAT|TVA|USt|BTW|IVA|UID|MwSt)[^\n]{0,25}?\b([A-Z]{2})\s?\d{6,}/g)) {
    const c = VAT_COUNTRY_CURRENCY[m[1]!];
    if (c) votes.push({ code: c, weight: 1, start: m.index!, end: m.index! + m[0].length });
  }
  return votes;
}

/** A tax id as compared and stored: upper case, letters and digits only. */
export function canonicalTaxId(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Whitespace collapsed, trimmed. */
export function cleanText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
