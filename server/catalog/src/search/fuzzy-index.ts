/**
 * Candidates for typo-tolerant matching without scanning the vocabulary:
 * an index from padded bigrams (`^j jo ou ... l$`) to the words containing
 * them, then a count filter and an exact check.
 *
 * Count filter: one edit destroys at most 3 bigram occurrences of a word
 * (a swap of two adjacent letters; a substitution or deletion destroys 2, an
 * insertion 1), so a word within `k` edits of the query shares at least
 * `distinct(query) - 3k` of the query's distinct bigrams, and at least one
 * whenever the query has 4+ characters (5 padded bigrams - 3 for k = 1; 9 - 6
 * for k = 2 at 8+). Candidates are then checked with the bounded distance.
 *
 * Entries of removed words are skipped (`alive` false) and swept out once
 * they make up half the lists.
 */
import { boundedDamerau } from './edit-distance';

export interface FuzzyEntry {
  readonly text: string;
  /** False once the word left the vocabulary. */
  alive: boolean;
  /** Scratch for the count filter, owned by the index. */
  fzStamp: number;
  fzCount: number;
}

/** Words longer than this are not typo-matched (identifiers, hashes). */
export const MAX_FUZZY_LENGTH = 32;

export class FuzzyIndex<T extends FuzzyEntry> {
  private readonly grams = new Map<string, T[]>();
  private entries = 0;
  private deadEntries = 0;
  private stamp = 0;

  add(entry: T): void {
    if (!indexable(entry.text)) return;
    for (const g of bigrams(entry.text)) {
      const list = this.grams.get(g);
      if (list) list.push(entry);
      else this.grams.set(g, [entry]);
      this.entries++;
    }
  }

  /** Call after setting `entry.alive = false`. */
  remove(entry: T): void {
    if (!indexable(entry.text)) return;
    this.deadEntries += bigrams(entry.text).length;
    if (this.deadEntries > 1024 && this.deadEntries * 2 > this.entries) this.sweep();
  }

  /** Calls `fn(entry, distance)` for every live word other than `query` within `max` edits of it. */
  forEachNear(query: string, max: number, fn: (entry: T, distance: number) => void): void {
    if (max <= 0 || query.length > MAX_FUZZY_LENGTH + max) return;
    const grams = bigrams(query);
    const need = Math.max(1, grams.length - 3 * max);
    const stamp = ++this.stamp;
    const minLen = query.length - max;
    const maxLen = query.length + max;
    const candidates: T[] = [];
    for (const g of grams) {
      const list = this.grams.get(g);
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        const len = e.text.length;
        if (len < minLen || len > maxLen || !e.alive) continue;
        if (e.fzStamp !== stamp) {
          e.fzStamp = stamp;
          e.fzCount = 0;
        }
        if (++e.fzCount === need) candidates.push(e);
      }
    }
    for (const e of candidates) {
      if (e.text === query) continue;
      const d = boundedDamerau(query, e.text, max);
      if (d <= max) fn(e, d);
    }
  }

  private sweep(): void {
    let entries = 0;
    for (const [g, list] of this.grams) {
      const live = list.filter((e) => e.alive);
      if (live.length) this.grams.set(g, live);
      else this.grams.delete(g);
      entries += live.length;
    }
    this.entries = entries;
    this.deadEntries = 0;
  }
}

function indexable(text: string): boolean {
  return text.length >= 2 && text.length <= MAX_FUZZY_LENGTH;
}

/** Distinct bigrams of `^text$` (the markers cannot occur in a word: words are letters and digits). */
export function bigrams(text: string): string[] {
  const padded = `^${text}$`;
  const seen = new Set<string>();
  for (let i = 0; i + 1 < padded.length; i++) seen.add(padded.slice(i, i + 2));
  return [...seen];
}
