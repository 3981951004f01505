/**
 * Which parts of a shown name to highlight for a search hit. The server
 * reports the matched word in its normalised form (`journal`, the word a
 * typo was taken for), so the comparison folds both sides the way the
 * index does (`server/catalog/src/search/tokenize.ts`: NFKC, lowercase,
 * Latin diacritics folded, `ß` -> `ss`) and maps what it finds back to the
 * original characters: "Écritures" is highlighted for `ecritures`. Only
 * occurrences that start a word count (after a non-letter, at a camelCase
 * hump, or at the start), so `a` does not light up every letter a.
 */

export interface Segment {
  text: string;
  /** Whether this part matched. */
  match: boolean;
}

const DIACRITICS = /[\u0300-\u036f]/g;
const LETTERS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const LETTER = /[ßæœøłđðþı]/g;
const ALNUM = /[\p{L}\p{N}]/u;
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;

/** The comparable form of a text (the index's `fold`). */
export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .replace(LETTER, (c) => LETTERS[c] ?? c)
    .normalize('NFC');
}

interface Folded {
  text: string;
  /** For each UTF-16 unit of `text`: the [start, end) of the original code point it came from. */
  origin: [number, number][];
}

function foldWithOrigin(text: string): Folded {
  let out = '';
  const origin: [number, number][] = [];
  let i = 0;
  for (const cp of text) {
    const f = fold(cp);
    for (let k = 0; k < f.length; k++) origin.push([i, i + cp.length]);
    out += f;
    i += cp.length;
  }
  return { text: out, origin };
}

/** Whether a word starts at `i` of `text`. */
function wordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = String.fromCodePoint(text.codePointAt(i - 1) ?? 0);
  const here = String.fromCodePoint(text.codePointAt(i) ?? 0);
  if (!ALNUM.test(before)) return true;
  if (LOWER.test(before) && UPPER.test(here)) return true;
  return /\p{N}/u.test(before) !== /\p{N}/u.test(here);
}

/** The [start, end) ranges of `text` where one of `needles` occurs at a word start, merged and in order. */
export function matchRanges(text: string, needles: readonly string[]): [number, number][] {
  const f = foldWithOrigin(text);
  const ranges: [number, number][] = [];
  for (const raw of needles) {
    const needle = fold(raw);
    if (needle === '') continue;
    for (let at = f.text.indexOf(needle); at >= 0; at = f.text.indexOf(needle, at + 1)) {
      const start = f.origin[at]![0];
      const end = f.origin[at + needle.length - 1]![1];
      if (wordStart(text, start)) ranges.push([start, end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** `text` cut into matched and unmatched parts (one unmatched part when nothing matches). */
export function highlight(text: string, needles: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  for (const [start, end] of matchRanges(text, needles)) {
    if (start > pos) out.push({ text: text.slice(pos, start), match: false });
    out.push({ text: text.slice(start, end), match: true });
    pos = end;
  }
  if (pos < text.length || out.length === 0) out.push({ text: text.slice(pos), match: false });
  return out;
}

/** The words of a query worth highlighting (two characters or more), folded. */
export function queryWords(query: string): string[] {
  return fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}
