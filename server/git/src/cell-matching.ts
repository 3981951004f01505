/**
 * Matching the cells of two notebooks, for `diffNotebooks`. Cells are matched
 * by `id` when both sides have one (nbformat >= 4.5). Cells without ids match
 * by identical (cell_type, source): first an order-keeping alignment, then the
 * k-th leftover copy on each side (a move). What is left pairs by source
 * similarity, order-keeping, inside the gaps between cells already matched in
 * order; the rest are added or removed. Matched cells outside a longest
 * increasing subsequence of new positions are "moved".
 */
import { longestIncreasing, matchSequences } from './line-diff';

/** What matching reads of a cell; `index` is its 0-based position in its notebook. */
export interface MatchableCell {
  index: number;
  id: string | null;
  cellType: string;
  source: string;
  /** Character-bigram codes, sorted; computed on first use by `similarity`. */
  grams?: Float64Array;
}

export interface CellMatching {
  /** For each old cell, the index of its new counterpart or -1. */
  oldToNew: Int32Array;
  /** For each new cell, the index of its old counterpart or -1. */
  newToOld: Int32Array;
  /** 1 for each old cell whose match keeps its relative order (not moved); 0 for moved or unmatched cells. */
  inOrder: Uint8Array;
}

export function matchCells(before: MatchableCell[], after: MatchableCell[]): CellMatching {
  const oldToNew = pairCells(before, after);
  const newToOld = new Int32Array(after.length).fill(-1);
  for (let i = 0; i < oldToNew.length; i++) if (oldToNew[i] >= 0) newToOld[oldToNew[i]] = i;
  const inOrder = new Uint8Array(before.length);
  for (const i of longestIncreasing(oldToNew)) inOrder[i] = 1;
  return { oldToNew, newToOld, inOrder };
}

/** For each old cell, the index of its new counterpart or -1. */
function pairCells(before: MatchableCell[], after: MatchableCell[]): Int32Array {
  const oldToNew = new Int32Array(before.length).fill(-1);
  const newToOld = new Int32Array(after.length).fill(-1);
  const pair = (o: MatchableCell, n: MatchableCell) => {
    oldToNew[o.index] = n.index;
    newToOld[n.index] = o.index;
  };

  const byId = new Map<string, MatchableCell[]>();
  for (const o of before) if (o.id !== null) push(byId, o.id, o);
  for (const n of after) {
    const o = n.id === null ? undefined : byId.get(n.id)?.shift(); // duplicate ids pair in order
    if (o) pair(o, n);
  }

  const restOld = before.filter((o) => oldToNew[o.index] < 0);
  const restNew = after.filter((n) => newToOld[n.index] < 0);
  // Two cells that both carry ids are different cells unless the ids agree.
  const eligible = (o: MatchableCell, n: MatchableCell) => o.id === null || n.id === null;
  if (!restOld.some((o) => o.id === null) && !restNew.some((n) => n.id === null)) return oldToNew;

  const keys = new Map<string, number>();
  const keyOf = (c: MatchableCell) => {
    const k = `${c.cellType}\u0000${c.source}`;
    if (!keys.has(k)) keys.set(k, keys.size);
    return keys.get(k)!;
  };
  const oldKeys = Int32Array.from(restOld, keyOf);
  const newKeys = Int32Array.from(restNew, keyOf);
  matchSequences(oldKeys, newKeys).forEach((k, i) => {
    if (k >= 0 && eligible(restOld[i], restNew[k])) pair(restOld[i], restNew[k]);
  });

  const copies = new Map<number, MatchableCell[]>();
  restOld.forEach((o, i) => oldToNew[o.index] < 0 && push(copies, oldKeys[i], o));
  restNew.forEach((n, j) => {
    const queue = newToOld[n.index] < 0 ? copies.get(newKeys[j]) : undefined;
    const at = queue?.findIndex((o) => eligible(o, n)) ?? -1;
    if (at >= 0) pair(queue!.splice(at, 1)[0], n);
  });

  // Gap g holds the unmatched cells between the (g-1)-th and g-th in-order match.
  const anchors = longestIncreasing(oldToNew);
  const gapsOld: MatchableCell[][] = Array.from({ length: anchors.length + 1 }, () => []);
  const gapsNew: MatchableCell[][] = Array.from({ length: anchors.length + 1 }, () => []);
  let g = 0;
  for (const o of before) {
    if (g < anchors.length && o.index === anchors[g]) g++;
    else if (oldToNew[o.index] < 0) gapsOld[g].push(o);
  }
  g = 0;
  for (const n of after) {
    if (g < anchors.length && n.index === oldToNew[anchors[g]]) g++;
    else if (newToOld[n.index] < 0) gapsNew[g].push(n);
  }
  for (let k = 0; k <= anchors.length; k++) {
    if (gapsOld[k].length > 0 && gapsNew[k].length > 0) alignBySimilarity(gapsOld[k], gapsNew[k], eligible, pair);
  }
  return oldToNew;
}

/** Sources at least this similar (Dice coefficient of character bigrams) are the same cell, edited. */
const SIMILAR = 0.5;
/** Gaps with more candidate pairs than this are aligned greedily instead of by dynamic programming. */
const MAX_DP_PAIRS = 40_000;
const GREEDY_WINDOW = 8;
const SKIP_COST = 0.05;

/** Order-keeping pairing of similar cells that maximises total similarity. */
function alignBySimilarity(
  olds: MatchableCell[],
  news: MatchableCell[],
  eligible: (o: MatchableCell, n: MatchableCell) => boolean,
  pair: (o: MatchableCell, n: MatchableCell) => void,
): void {
  const n = olds.length;
  const m = news.length;
  const sim = (i: number, j: number) => (eligible(olds[i], news[j]) ? similarity(olds[i], news[j]) : 0);
  if (n * m > MAX_DP_PAIRS) {
    // Greedy: pair with the best nearby candidate, each cell skipped to reach it costing SKIP_COST.
    // Windows overlap from one step to the next, so similarities are memoised.
    const memo = new Map<number, number>();
    const near = (i: number, j: number) => {
      let v = memo.get(i * m + j);
      if (v === undefined) memo.set(i * m + j, (v = sim(i, j)));
      return v;
    };
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      let best = -Infinity;
      let bi = -1;
      let bj = -1;
      for (let di = 0; di < GREEDY_WINDOW && i + di < n; di++) {
        for (let dj = 0; dj < GREEDY_WINDOW && j + dj < m; dj++) {
          const v = near(i + di, j + dj);
          if (v >= SIMILAR && v - SKIP_COST * (di + dj) > best) {
            best = v - SKIP_COST * (di + dj);
            bi = i + di;
            bj = j + dj;
          }
        }
      }
      if (bi >= 0) {
        pair(olds[bi], news[bj]);
        i = bi + 1;
        j = bj + 1;
      } else {
        // Nothing alike nearby: leave a cell of the longer remainder (or both) unpaired.
        const extra = n - i - (m - j);
        if (extra >= 0) i++;
        if (extra <= 0) j++;
      }
    }
    return;
  }
  const s = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s[i * m + j] = sim(i, j);
  const w = m + 1;
  const score = new Float64Array((n + 1) * w);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const v = s[(i - 1) * m + j - 1];
      const diag = v >= SIMILAR ? score[(i - 1) * w + j - 1] + v : 0;
      score[i * w + j] = Math.max(score[(i - 1) * w + j], score[i * w + j - 1], diag);
    }
  }
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const v = s[(i - 1) * m + j - 1];
    if (v >= SIMILAR && score[i * w + j] === score[(i - 1) * w + j - 1] + v) {
      pair(olds[--i], news[--j]);
    } else if (score[i * w + j] === score[(i - 1) * w + j]) i--;
    else j--;
  }
}

function similarity(a: MatchableCell, b: MatchableCell): number {
  const x = (a.grams ??= bigrams(a.source));
  const y = (b.grams ??= bigrams(b.source));
  const total = x.length + y.length;
  if ((2 * Math.min(x.length, y.length)) / total < SIMILAR) return 0;
  let common = 0;
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i] === y[j]) {
      common++;
      i++;
      j++;
    } else if (x[i] < y[j]) i++;
    else j++;
  }
  return (2 * common) / total;
}

/** Sorted bigram codes of the text padded with "\n", so one-character sources still have some. */
function bigrams(text: string): Float64Array {
  const t = `\n${text}\n`;
  const out = new Float64Array(t.length - 1);
  for (let i = 0; i < out.length; i++) out[i] = t.charCodeAt(i) * 65536 + t.charCodeAt(i + 1);
  return out.sort();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
