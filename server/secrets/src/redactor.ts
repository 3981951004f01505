/**
 * Replaces every occurrence of known secret values in a string, for text
 * about to leave the trust boundary: log lines, audit records, API
 * responses, error messages.
 *
 * One Aho-Corasick automaton over all values (and their JSON-escaped and
 * URI-encoded forms, the shapes a password takes inside a logged JSON
 * body or a connection URL) scans text in one pass, O(text + matches)
 * however many secrets there are. Overlapping or adjacent occurrences
 * merge into one marker, so every character of every occurrence is
 * covered.
 *
 * Values shorter than `minLength` (default 4) are skipped: a 1-3
 * character value occurs by chance in ordinary text, so redacting it
 * would shred logs, and the pattern of what got masked would itself
 * disclose the value; such a value is not a secret a guesser needs more
 * than a few thousand tries for anyway. Store real credentials.
 */

export const REDACTED = '[REDACTED]';
export const MIN_REDACT_LENGTH = 4;

export interface RedactorOptions {
  /** Values shorter than this (in UTF-16 code units) are not redacted; default 4. */
  minLength?: number;
  replacement?: string;
}

/** The forms of a value worth matching: as is, inside a JSON string, URI-encoded. */
function variants(value: string): string[] {
  const out = new Set([value, JSON.stringify(value).slice(1, -1)]);
  try {
    out.add(encodeURIComponent(value));
  } catch {
    // lone surrogate: not URI-encodable, the raw form is still matched
  }
  return [...out];
}

const ALPHABET = 0x10000; // UTF-16 code units

export class SecretRedactor {
  /** Goto edges, keyed node * 65536 + code unit. */
  private readonly edges = new Map<number, number>();
  /** Failure links. */
  private readonly fail: number[] = [0];
  /** Length of the longest pattern ending at each node (following failure links); 0 for none. */
  private readonly best: number[] = [0];
  private readonly patterns: number;
  private readonly shortest: number;
  private readonly replacement: string;

  constructor(values: Iterable<string>, options: RedactorOptions = {}) {
    const minLength = options.minLength ?? MIN_REDACT_LENGTH;
    this.replacement = options.replacement ?? REDACTED;
    const children: number[][] = [[]];
    const seen = new Set<string>();
    let shortest = Infinity;
    for (const value of values) {
      if (value.length < minLength) continue;
      for (const pattern of variants(value)) {
        if (seen.has(pattern)) continue;
        seen.add(pattern);
        shortest = Math.min(shortest, pattern.length);
        let node = 0;
        for (let i = 0; i < pattern.length; i++) {
          const c = pattern.charCodeAt(i);
          let next = this.edges.get(node * ALPHABET + c);
          if (next === undefined) {
            next = this.fail.length;
            this.edges.set(node * ALPHABET + c, next);
            this.fail.push(0);
            this.best.push(0);
            children.push([]);
            children[node]!.push(c);
          }
          node = next;
        }
        this.best[node] = Math.max(this.best[node]!, pattern.length);
      }
    }
    this.patterns = seen.size;
    this.shortest = shortest;
    // Breadth-first, so a node's failure target is finished before the node.
    const queue: number[] = [0];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (const c of children[u]!) {
        const v = this.edges.get(u * ALPHABET + c)!;
        let f = u === 0 ? -1 : this.fail[u]!;
        let target = 0;
        while (f >= 0) {
          const t = this.edges.get(f * ALPHABET + c);
          if (t !== undefined) {
            target = t;
            break;
          }
          f = f === 0 ? -1 : this.fail[f]!;
        }
        this.fail[v] = target;
        this.best[v] = Math.max(this.best[v]!, this.best[target]!);
        queue.push(v);
      }
    }
  }

  /** How many distinct patterns (values and their encoded forms) are matched. */
  get size(): number {
    return this.patterns;
  }

  redact(text: string): string {
    if (this.patterns === 0 || text.length < this.shortest) return text;
    const starts: number[] = [];
    const ends: number[] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      for (;;) {
        const t = this.edges.get(node * ALPHABET + c);
        if (t !== undefined) {
          node = t;
          break;
        }
        if (node === 0) break;
        node = this.fail[node]!;
      }
      const len = this.best[node]!;
      if (len === 0) continue;
      // Ends only grow, so merging with the ranges on top of the stack is enough.
      let start = i + 1 - len;
      while (ends.length > 0 && ends[ends.length - 1]! >= start) {
        start = Math.min(start, starts.pop()!);
        ends.pop();
      }
      starts.push(start);
      ends.push(i + 1);
    }
    if (starts.length === 0) return text;
    let out = '';
    let at = 0;
    for (let k = 0; k < starts.length; k++) {
      out += text.slice(at, starts[k]) + this.replacement;
      at = ends[k]!;
    }
    return out + text.slice(at);
  }
}
