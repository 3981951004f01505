/**
 * Line-granularity diff: Myers' O((N+M)·D) algorithm ("An O(ND) Difference
 * Algorithm and Its Variations", 1986) in its linear-space bisection form, as
 * in diff-match-patch's `diff_bisect_`. Before bisecting, elements that occur
 * on one side only are set aside (as git's xdiff does): they can never match,
 * so a wholly rewritten text costs O(N+M) instead of O(N·M). A range whose
 * bisection exceeds a work limit (thousands of differing, repetitive lines)
 * is split on lines unique to both sides instead (patience diff), so the
 * cost stays bounded at the price of minimality there.
 *
 * Pure; also used by notebook-diff to align cells by content.
 */

export interface LineDiff {
  op: 'equal' | 'insert' | 'delete';
  /** 1-based line in the old text; null for inserted lines. */
  oldLine: number | null;
  /** 1-based line in the new text; null for deleted lines. */
  newLine: number | null;
  /** The line without its "\n". */
  text: string;
}

/**
 * Lines of a text, split on "\n" only (a "\r" stays part of its line, so a
 * line-ending change is visible). "" has no lines; a trailing "\n" leaves a
 * final empty line, so adding or removing it shows as a one-line change.
 */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** Every line of both texts, in unified order (deletions before insertions within a change). */
export function diffLines(a: string, b: string): LineDiff[] {
  const oldLines = splitLines(a);
  const newLines = splitLines(b);
  const ids = new Map<string, number>();
  const intern = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const match = matchSequences(Int32Array.from(oldLines, intern), Int32Array.from(newLines, intern));
  const out: LineDiff[] = [];
  let i = 0;
  let j = 0;
  while (i < oldLines.length || j < newLines.length) {
    if (i < oldLines.length && match[i] < 0) {
      out.push({ op: 'delete', oldLine: i + 1, newLine: null, text: oldLines[i] });
      i++;
    } else if (j < newLines.length && (i === oldLines.length || j < match[i])) {
      out.push({ op: 'insert', oldLine: null, newLine: j + 1, text: newLines[j] });
      j++;
    } else {
      out.push({ op: 'equal', oldLine: i + 1, newLine: j + 1, text: oldLines[i] });
      i++;
      j++;
    }
  }
  return out;
}

/**
 * Keeps the changed lines and `context` equal lines around each change, like
 * a unified diff (gaps show as jumps in the line numbers). Infinity keeps all.
 */
export function withContext(diff: readonly LineDiff[], context: number): LineDiff[] {
  if (context === Infinity) return diff.slice();
  const keep = new Uint8Array(diff.length);
  let lastChange = -Infinity;
  for (let k = 0; k < diff.length; k++) {
    if (diff[k].op !== 'equal') lastChange = k;
    if (k - lastChange <= context) keep[k] = 1;
  }
  let nextChange = Infinity;
  for (let k = diff.length - 1; k >= 0; k--) {
    if (diff[k].op !== 'equal') nextChange = k;
    if (nextChange - k <= context) keep[k] = 1;
  }
  return diff.filter((_, k) => keep[k] === 1);
}

/**
 * A longest common subsequence of two integer sequences: for each index of
 * `a`, the index in `b` it is matched with, or -1. Matches increase in both.
 */
export function matchSequences(a: Int32Array, b: Int32Array): Int32Array {
  const result = new Int32Array(a.length).fill(-1);
  const inA = new Set(a);
  const inB = new Set(b);
  const aIdx = indicesWhere(a, inB);
  const bIdx = indicesWhere(b, inA);
  const aF = Int32Array.from(aIdx, (i) => a[i]);
  const bF = Int32Array.from(bIdx, (j) => b[j]);
  const matchF = new Int32Array(aF.length).fill(-1);
  myers(aF, bF, matchF);
  for (let k = 0; k < matchF.length; k++) {
    if (matchF[k] >= 0) result[aIdx[k]] = bIdx[matchF[k]];
  }
  return result;
}

function indicesWhere(seq: Int32Array, present: Set<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < seq.length; i++) if (present.has(seq[i])) out.push(i);
  return out;
}

/**
 * Work allowed in one bisection (diagonal steps plus snake steps) before the
 * range is split on unique lines instead (tens of milliseconds). Lines found
 * on one side only are already set aside, so only ranges where thousands of
 * shared, repeated lines are rearranged get this far.
 */
const BISECT_WORK_LIMIT = 2_000_000;

/** Fills `out[i] = j` for matched pairs; ranges are processed from an explicit stack (no deep recursion). */
function myers(a: Int32Array, b: Int32Array, out: Int32Array): void {
  const size = 2 * Math.ceil((a.length + b.length) / 2) + 2;
  const v1 = new Int32Array(size);
  const v2 = new Int32Array(size);
  const stack = [0, a.length, 0, b.length];
  while (stack.length > 0) {
    let bHi = stack.pop()!;
    let bLo = stack.pop()!;
    let aHi = stack.pop()!;
    let aLo = stack.pop()!;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) out[aLo++] = bLo++;
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) out[--aHi] = --bHi;
    if (aLo === aHi || bLo === bHi) continue;
    const split = bisect(a, b, aLo, aHi, bLo, bHi, v1, v2);
    // A corner split would not shrink the range; bisect never yields one, but
    // a bug must not loop forever.
    if (split !== null && !(split[0] === aLo && split[1] === bLo) && !(split[0] === aHi && split[1] === bHi)) {
      stack.push(aLo, split[0], bLo, split[1], split[0], aHi, split[1], bHi);
    } else {
      splitOnUniqueLines(a, b, aLo, aHi, bLo, bHi, out, stack);
    }
  }
}

/**
 * Patience-diff fallback for a range too costly to bisect: lines occurring
 * exactly once on each side, in increasing order on both, become matches and
 * the gaps between them are diffed again. With no such line the range stays
 * unmatched (shown as deleted then inserted). Not minimal, but bounded.
 */
function splitOnUniqueLines(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  out: Int32Array,
  stack: number[],
): void {
  const countA = new Map<number, number>();
  for (let i = aLo; i < aHi; i++) countA.set(a[i], (countA.get(a[i]) ?? 0) + 1);
  const posB = new Map<number, number>();
  for (let j = bLo; j < bHi; j++) posB.set(b[j], posB.has(b[j]) ? -1 : j);
  const pairsA: number[] = [];
  const pairsB: number[] = [];
  for (let i = aLo; i < aHi; i++) {
    const j = posB.get(a[i]);
    if (countA.get(a[i]) === 1 && j !== undefined && j >= 0) {
      pairsA.push(i);
      pairsB.push(j);
    }
  }
  let i0 = aLo;
  let j0 = bLo;
  for (const k of longestIncreasing(pairsB)) {
    const i = pairsA[k];
    const j = pairsB[k];
    out[i] = j;
    if (i > i0 && j > j0) stack.push(i0, i, j0, j);
    i0 = i + 1;
    j0 = j + 1;
  }
  if (i0 > aLo && i0 < aHi && j0 < bHi) stack.push(i0, aHi, j0, bHi);
}

/**
 * Indices of one longest strictly increasing subsequence of `values`
 * (patience sorting, O(n log n)); negative values are skipped.
 */
export function longestIncreasing(values: ArrayLike<number>): number[] {
  const tails: number[] = [];
  const prev = new Int32Array(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out: number[] = new Array<number>(tails.length);
  let i = tails.length > 0 ? tails[tails.length - 1] : -1;
  for (let k = tails.length - 1; k >= 0; k--) {
    out[k] = i;
    i = prev[i];
  }
  return out;
}

/** The point where the forward and reverse furthest-reaching D-paths meet (diff-match-patch `diff_bisect_`). */
function bisect(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  v1: Int32Array,
  v2: Int32Array,
): [number, number] | null {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const off = maxD;
  const len = 2 * maxD + 2;
  v1.fill(-1, 0, len);
  v2.fill(-1, 0, len);
  v1[off + 1] = 0;
  v2[off + 1] = 0;
  const delta = n - m;
  const front = (delta & 1) !== 0;
  let k1start = 0;
  let k1end = 0;
  let k2start = 0;
  let k2end = 0;
  let work = 0;
  for (let d = 0; d < maxD; d++) {
    if (work > BISECT_WORK_LIMIT) return null;
    for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
      const i1 = off + k1;
      let x1 = k1 === -d || (k1 !== d && v1[i1 - 1] < v1[i1 + 1]) ? v1[i1 + 1] : v1[i1 - 1] + 1;
      let y1 = x1 - k1;
      const x1start = x1;
      while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
        x1++;
        y1++;
      }
      work += 1 + x1 - x1start;
      v1[i1] = x1;
      if (x1 > n) k1end += 2;
      else if (y1 > m) k1start += 2;
      else if (front) {
        const i2 = off + delta - k1;
        if (i2 >= 0 && i2 < len && v2[i2] !== -1 && x1 >= n - v2[i2]) return [aLo + x1, bLo + y1];
      }
    }
    for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
      const i2 = off + k2;
      let x2 = k2 === -d || (k2 !== d && v2[i2 - 1] < v2[i2 + 1]) ? v2[i2 + 1] : v2[i2 - 1] + 1;
      let y2 = x2 - k2;
      const x2start = x2;
      while (x2 < n && y2 < m && a[aHi - 1 - x2] === b[bHi - 1 - y2]) {
        x2++;
        y2++;
      }
      work += 1 + x2 - x2start;
      v2[i2] = x2;
      if (x2 > n) k2end += 2;
      else if (y2 > m) k2start += 2;
      else if (!front) {
        const i1 = off + delta - k2;
        if (i1 >= 0 && i1 < len && v1[i1] !== -1) {
          const x1 = v1[i1];
          if (x1 >= n - x2) return [aLo + x1, bLo + x1 - (delta - k2)];
        }
      }
    }
  }
  return null;
}
