/**
 * Damerau-Levenshtein distance in its optimal-string-alignment form (insert,
 * delete, substitute, swap two adjacent characters; no substring edited
 * twice), bounded: anything above `max` is reported as `max + 1`, and the
 * computation stops as soon as the bound is certain to be exceeded.
 */
export function boundedDamerau(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0 || m === 0) return Math.max(n, m);
  let before = new Int32Array(m + 1);
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  let prevMin = 0;
  for (let i = 1; i <= n; i++) {
    const ca = a.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1] + (ca === cb ? 0 : 1);
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb && before[j - 2] + 1 < v) v = before[j - 2] + 1;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // A row only feeds the next one (and, by a swap, the one after): two rows over the bound end it.
    if (rowMin > max && prevMin > max) return max + 1;
    prevMin = rowMin;
    const spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  const d = prev[m];
  return d <= max ? d : max + 1;
}

/** Typos tolerated in a query word of this length: none under 4 characters, 1 up to 7, 2 from 8. */
export function typoBudget(length: number): number {
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}
