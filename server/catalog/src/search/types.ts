/**
 * The public shapes of the catalog search index: what is indexed (a document
 * per table, view, column, notebook or glossary term), how to ask, and what
 * comes back.
 */

export type SearchKind = 'table' | 'view' | 'column' | 'notebook' | 'glossary';

export interface SearchDoc {
  /** Stable key, e.g. `table:odoo:public.account_move_line`; upsert replaces by it. */
  id: string;
  kind: SearchKind;
  /** The object's own name: `account_move_line`, `debit`, `close/2026-11.ipynb`, a glossary term. */
  name: string;
  /** `odoo.public.account_move_line` (columns: `...account_move_line.debit`). */
  qualified: string;
  /** Free text: table/column comments, glossary definitions. Only its first 256 words are indexed. */
  description?: string;
  /** e.g. `pii:email`, `finance`, `gold`. */
  tags?: string[];
  /** Glossary terms attached to the object, e.g. `General Ledger`. */
  terms?: string[];
  /** For columns: the id of their table. */
  parent?: string;
  /** Connection name: `odoo`, `warehouse`. */
  source?: string;
  /** For notebooks and SQL files: ids of the tables they reference. */
  references?: string[];
  /** e.g. queries in the last 30 days: a tie-breaker within a match class, never more. */
  popularity?: number;
}

export interface SearchOptions {
  /** Default 20, at most 200; 0 or less returns nothing. */
  limit?: number;
  /** Only these kinds (an empty list means all kinds). */
  kinds?: SearchKind[];
  /** Only documents of this source (case-insensitive). */
  source?: string;
  /** Only documents carrying every one of these tags (case-insensitive). */
  tags?: string[];
}

/** How a hit matched, best first: see scoring.ts. */
export type MatchClass = 'exact' | 'prefix' | 'word' | 'tag' | 'description' | 'fuzzy';

export type MatchField = 'name' | 'qualified' | 'tags' | 'terms' | 'description' | 'references';

export interface SearchHit {
  id: string;
  kind: SearchKind;
  name: string;
  qualified: string;
  score: number;
  match: MatchClass;
  /**
   * Which field and term matched, for display. `text` is the document's own
   * name or qualified name for a whole-name match, the tag or glossary term as
   * written for a tag/term match, the referenced id for a reference, and
   * otherwise the matched word in normalised form (`journal`; for a typo, the
   * word it was taken for).
   */
  matched: { field: MatchField; text: string };
}
