/**
 * A sorted set of strings for prefix lookups by binary search. Changes are
 * queued and applied on the next lookup: a few by splicing in place, many
 * (a bulk load or a source refresh) by one sort, so building stays
 * O(n log n) and a trickle of updates between searches stays cheap.
 *
 * The owner adds only keys that are absent and deletes only keys that are
 * present (it keeps the authoritative map).
 */
export class SortedKeys {
  private keys: string[] = [];
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();

  add(key: string): void {
    if (!this.removed.delete(key)) this.added.add(key);
  }

  delete(key: string): void {
    if (!this.added.delete(key)) this.removed.add(key);
  }

  get size(): number {
    return this.keys.length + this.added.size - this.removed.size;
  }

  /** Calls `fn` for each key starting with `prefix`, in ascending order. */
  forEachWithPrefix(prefix: string, fn: (key: string) => void): void {
    this.flush();
    const keys = this.keys;
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) fn(keys[i]!);
  }

  private flush(): void {
    const changes = this.added.size + this.removed.size;
    if (changes === 0) return;
    if (changes <= 64) {
      for (const key of this.removed) {
        const i = lowerBound(this.keys, key);
        if (this.keys[i] === key) this.keys.splice(i, 1);
      }
      for (const key of this.added) this.keys.splice(lowerBound(this.keys, key), 0, key);
    } else {
      const next = this.removed.size ? this.keys.filter((k) => !this.removed.has(k)) : this.keys;
      for (const key of this.added) next.push(key);
      // Default sort order is UTF-16 code units, the same order as `<` in lowerBound.
      next.sort();
      this.keys = next;
    }
    this.added.clear();
    this.removed.clear();
  }
}

/** First index whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
