/**
 * How a match is valued (the issue: "ranked: exact name, prefix, word,
 * description; typo tolerant").
 *
 * Each query term gets a value = the band of its match class + an adjustment
 * within the band (0..59):
 *
 *   exact        1200  name, or a qualified-name suffix (`public.account_move`, `account_move.debit`)
 *   prefix       1000  name (or qualified suffix) starts with the term; closer to the whole name is better
 *                      (a column's own name only counts as a word prefix: see columnPrefixValue)
 *   word          800  a whole word of the name (+ how much of the name it covers) or a word prefix
 *   tag           600  a word of a tag or glossary term; a notebook referencing a table the term names exactly
 *   description   400  a word of the description, or of the qualified name's other parts (schema, table of a column)
 *   fuzzy         200  a typo of any of those words (best in the name), or of the whole name
 *
 * A document's value sums its terms' values (every term must match); its
 * class is its weakest term's. On top, once per document: a kind bonus
 * (table/view 90, glossary 60, notebook 30, column 0), so tables come before
 * their columns within a class, and popularity in [0, 1), which only breaks
 * ties. 59 + 90 + 1 < 200, so for a one-term query the class order is strict.
 */
import type { MatchClass, MatchField, SearchKind } from './types';

export const EXACT = 1200;
export const PREFIX = 1000;
export const WORD = 800;
export const TAG = 600;
export const DESCRIPTION = 400;
export const FUZZY = 200;

/** Match classes by rank (weakest first); rank = floor(value / 200) - 1. */
const CLASSES: readonly MatchClass[] = ['fuzzy', 'description', 'tag', 'word', 'prefix', 'exact'];

export function classRank(value: number): number {
  return Math.min(5, Math.max(0, Math.floor(value / 200) - 1));
}

export function matchClass(value: number): MatchClass {
  return CLASSES[classRank(value)]!;
}

const KIND_BONUS: Readonly<Record<SearchKind, number>> = { table: 90, view: 90, glossary: 60, notebook: 30, column: 0 };

export function kindBonus(kind: SearchKind): number {
  return KIND_BONUS[kind] ?? 0;
}

/** In [0, 1): log-scaled, so it separates equal matches and nothing else. */
export function popularityBonus(popularity: number | undefined): number {
  if (popularity === undefined || !(popularity > 0)) return 0;
  if (!Number.isFinite(popularity)) return 0.999;
  return Math.min(0.999, Math.log10(1 + popularity) / 10);
}

// Fields a hit reports (index into FIELDS).
export const F_NAME = 0;
export const F_QUALIFIED = 1;
export const F_TAGS = 2;
export const F_TERMS = 3;
export const F_DESCRIPTION = 4;
export const F_REFERENCES = 5;
export const FIELDS: readonly MatchField[] = ['name', 'qualified', 'tags', 'terms', 'description', 'references'];

// Where a word occurs in a document: bits of a posting, in priority order
// (a word in several fields counts where it is worth most, which is always
// the lowest bit that counts for the kind of match).
export const IN_NAME = 1;
export const IN_TAGS = 2;
export const IN_TERMS = 4;
export const IN_DESCRIPTION = 8;
/** The qualified name minus the name: source, schema, and a column's table. */
export const IN_CONTEXT = 16;
export const BIT_FIELDS: readonly number[] = [F_NAME, F_TAGS, F_TERMS, F_DESCRIPTION, F_QUALIFIED];

// Term-level values.
export const NAME_EXACT = EXACT + 50;
export const QUALIFIED_EXACT = EXACT + 45;
export const REFERENCE = TAG + 50;
export const NAME_TYPO = FUZZY + 55;

/** A term covering `termLength` of a `length`-character name or qualified suffix it starts. */
export function prefixValue(termLength: number, length: number): number {
  return PREFIX + 10 + Math.min(39, Math.round((39 * termLength) / length));
}

/**
 * A column's name starting with the term counts as a word prefix, not a name
 * prefix: column names are short and repeated across hundreds of tables
 * (`partner_id` in ~200 Odoo tables), and as name prefixes they would bury
 * `res_partner` under its references for "partner". Typing a column's
 * qualified path (`account_move_line.de`) is still a prefix match.
 */
export function columnPrefixValue(termLength: number, length: number): number {
  return WORD + 10 + Math.min(19, Math.round((19 * termLength) / length));
}

/** Extra for a whole word of the name: how much of the name it is (`journal` is more of `account_journal` than of `account_journal_group`). */
export function coverage(wordLength: number, nameLength: number): number {
  return Math.round(20 * Math.min(1, wordLength / nameLength));
}

export type TokenMatch = 'exact' | 'prefix' | 'fuzzy';

/**
 * Values of a word match per posting bit [name, tags, terms, description,
 * context]; -1 where that match does not count. `queryLength`/`wordLength`
 * give the share of a prefixed word; `distance` the typos.
 */
export function tokenValues(match: TokenMatch, queryLength: number, wordLength: number, distance: number): number[] {
  if (match === 'exact') return [WORD + 30, TAG + 40, TAG + 40, DESCRIPTION + 45, DESCRIPTION + 35];
  if (match === 'prefix') {
    const r = queryLength / wordLength;
    // Short prefixes would match half the descriptions: words only in names, tags and terms.
    const text = queryLength >= 3;
    return [
      WORD + 10 + Math.round(19 * r),
      TAG + 10 + Math.round(19 * r),
      TAG + 10 + Math.round(19 * r),
      text ? DESCRIPTION + 15 + Math.round(14 * r) : -1,
      text ? DESCRIPTION + 5 + Math.round(9 * r) : -1,
    ];
  }
  const typo = 5 * (distance - 1);
  return [FUZZY + 40 - typo, FUZZY + 30 - typo, FUZZY + 30 - typo, FUZZY + 20 - typo, FUZZY + 10 - typo];
}

/** For each of the 32 posting masks, the index of the bit that counts (-1: none). */
export function bitForMask(values: readonly number[]): Int8Array {
  const table = new Int8Array(32).fill(-1);
  for (let mask = 1; mask < 32; mask++) {
    for (let bit = 0; bit < 5; bit++) {
      if (mask & (1 << bit) && values[bit]! >= 0) {
        table[mask] = bit;
        break;
      }
    }
  }
  return table;
}
