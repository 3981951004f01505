/**
 * A query string as the index reads it: whitespace-separated terms, each
 * with its folded form (for whole-name matches) and its words (for word
 * matches). Over-long input is trimmed, never an error.
 */
import { fold, words } from './tokenize';

export const MAX_QUERY_CHARS = 500;
export const MAX_QUERY_TERMS = 16;
/** Words of one term (`a_b_c_...`) beyond this are ignored. */
export const MAX_TERM_WORDS = 8;

export interface QueryTerm {
  /** Folded term, and without leading/trailing punctuation if that differs (`journal,` -> `journal`). */
  readonly forms: readonly string[];
  /** The last of `forms`. */
  readonly core: string;
  /** Distinct words of the term: `account_move` -> account, move. */
  readonly words: readonly string[];
}

export interface ParsedQuery {
  readonly terms: readonly QueryTerm[];
  /** The terms joined by one space: matches names that contain spaces (`General Ledger`). */
  readonly phrase: string;
}

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** Undefined when nothing searchable is left (empty, blank, punctuation only). */
export function parseQuery(query: string): ParsedQuery | undefined {
  if (typeof query !== 'string') return undefined;
  const text = query.length > MAX_QUERY_CHARS ? query.slice(0, MAX_QUERY_CHARS) : query;
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  for (const piece of text.normalize('NFKC').split(/\s+/)) {
    if (terms.length === MAX_QUERY_TERMS) break;
    if (!piece) continue;
    const folded = fold(piece);
    if (seen.has(folded)) continue;
    const ws = [...new Set(words(piece))].slice(0, MAX_TERM_WORDS);
    if (ws.length === 0) continue;
    seen.add(folded);
    const core = folded.replace(EDGE_PUNCTUATION, '');
    terms.push({ forms: core === folded ? [folded] : [folded, core], core, words: ws });
  }
  if (terms.length === 0) return undefined;
  return { terms, phrase: terms.map((t) => t.core).join(' ') };
}
