/**
 * Normalisation shared by indexing and querying, so both sides agree exactly:
 * NFKC, lowercase, Latin diacritics folded (`é` -> `e`, `ß` -> `ss`), and the
 * split of a name or a text into words: on `_ . - /` and any other character
 * that is not a letter or digit, at camelCase humps (`HTMLParser` -> html,
 * parser) and between letters and digits (`address2` -> address, 2).
 */

const ASCII = /^[\x00-\x7f]*$/;
const DIACRITICS = /[\u0300-\u036f]/g;
const LETTERS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const LETTER = /[ßæœøłđðþı]/g;
/** Outside ASCII: an uppercase run before a capitalised word, a (capitalised) lowercase or uncased run, an uppercase run, a digit run. */
const WORD = /[\p{Lu}\p{Lt}]+(?=[\p{Lu}\p{Lt}]\p{Ll})|[\p{Lu}\p{Lt}]?[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[\p{Lu}\p{Lt}\p{M}]+|\p{N}+/gu;

/** The comparable form of a text: NFKC, lowercase, diacritics folded. */
export function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .replace(LETTER, (c) => LETTERS[c] ?? c)
    .normalize('NFC');
}

/** The folded words of a name or text, in order, repeats kept; appended to `out`. */
export function words(text: string, out: string[] = []): string[] {
  const start = out.length;
  if (asciiWords(text, out)) return out;
  out.length = start;
  for (const m of text.normalize('NFKC').matchAll(WORD)) {
    const w = fold(m[0]);
    if (w) out.push(w);
  }
  return out;
}

const OTHER = 0;
const UPPER = 1;
const LOWER = 2;
const DIGIT = 3;

function charType(c: number): number {
  if (c >= 97 && c <= 122) return LOWER;
  if (c >= 65 && c <= 90) return UPPER;
  if (c >= 48 && c <= 57) return DIGIT;
  return OTHER;
}

/**
 * The same split as WORD, by hand, for ASCII text: most catalog names are,
 * and this is the indexing hot path. Returns false (having appended part of
 * the words) at the first non-ASCII character.
 */
function asciiWords(s: string, out: string[]): boolean {
  const lower = s.toLowerCase();
  let start = -1;
  let prev = OTHER;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if (c > 127) return false;
    const t = charType(c);
    if (start < 0) {
      if (t !== OTHER) start = i;
    } else if (t === OTHER || (t === DIGIT) !== (prev === DIGIT) || (prev === LOWER && t === UPPER)) {
      out.push(lower.slice(start, i));
      start = t === OTHER ? -1 : i;
    } else if (prev === UPPER && t === LOWER && i - start > 1) {
      // `HTMLParser`: the last capital of a run starts the next word.
      out.push(lower.slice(start, i - 1));
      start = i - 1;
    }
    prev = t;
  }
  return true;
}
