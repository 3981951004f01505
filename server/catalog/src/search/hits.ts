/**
 * From ranked slots to hits: the total order of candidates, and what a hit
 * says it matched.
 */
import { referenceKeys } from './doc-fields';
import * as S from './scoring';
import { words } from './tokenize';
import type { SearchDoc, SearchHit } from './types';

export interface Candidate {
  readonly slot: number;
  readonly score: number;
  readonly rank: number;
  readonly qualified: string;
  readonly id: string;
}

/** Score, then class, then qualified name, then id: total and deterministic (code-unit order, no locale). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return b.score - a.score || b.rank - a.rank || compareText(a.qualified, b.qualified) || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the weakest term matched, in the document's own words where it can:
 * the name or qualified name for a whole-name match, the tag or term as
 * written, the referenced id; otherwise the matched (normalised) word.
 */
export function matched(doc: SearchDoc, field: number, text: string | undefined): SearchHit['matched'] {
  switch (field) {
    case S.F_NAME:
      return { field: 'name', text: text ?? doc.name };
    case S.F_QUALIFIED:
      return { field: 'qualified', text: text ?? doc.qualified };
    case S.F_TAGS:
      return { field: 'tags', text: labelWith(doc.tags, text) };
    case S.F_TERMS:
      return { field: 'terms', text: labelWith(doc.terms, text) };
    case S.F_REFERENCES: {
      const refs = doc.references ?? [];
      const hit = refs.find((r) => r === text) ?? refs.find((r) => text !== undefined && referenceKeys(r).includes(text));
      return { field: 'references', text: hit ?? text ?? '' };
    }
    default:
      return { field: 'description', text: text ?? '' };
  }
}

/** The tag or term (as written) containing `word`. */
function labelWith(labels: readonly string[] | undefined, word: string | undefined): string {
  if (word === undefined) return '';
  return labels?.find((l) => words(l).includes(word)) ?? word;
}
