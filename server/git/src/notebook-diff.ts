/**
 * Notebook-aware diff of two nbformat v4 notebooks, for version history ("who
 * changed which cell"). Pure: plain parsed JSON in, plain JSON out.
 * Format: https://nbformat.readthedocs.io/en/latest/format_description.html
 *
 * Cells are matched by `id` when both sides have one (nbformat >= 4.5). Cells
 * without ids match by identical (cell_type, source): first an order-keeping
 * alignment, then the k-th leftover copy on each side (a move). What is left
 * pairs by source similarity, order-keeping, inside the gaps between cells
 * already matched in order; the rest are added or removed. Matched cells
 * outside a longest increasing subsequence of new positions are "moved".
 */
import { AppError } from '@workbench/core';
import { diffLines, longestIncreasing, matchSequences, withContext, type LineDiff } from './line-diff';

export { diffLines } from './line-diff';
export type { LineDiff } from './line-diff';

export interface NotebookDiff {
  /** In the order of the new notebook; removed cells sit after the cell they followed. */
  cells: CellDiff[];
  /** Notebook metadata changes, then `nbformat` / `nbformat_minor`. */
  metadata: MetadataChange[];
  /** Counts of `cells` by status (they add up to `cells.length`). */
  summary: { added: number; removed: number; modified: number; moved: number; unchanged: number };
}

export interface CellDiff {
  /** 'moved': same content, different relative order; a moved and edited cell is 'modified' with `moved: true`. */
  status: 'added' | 'removed' | 'modified' | 'moved' | 'unchanged';
  moved?: boolean;
  /** New side's id, else the old side's; null for cells without ids (nbformat < 4.5). */
  id: string | null;
  cellType: string;
  /** 0-based cell positions. */
  oldIndex: number | null;
  newIndex: number | null;
  /** Present when the source changed (added and removed cells: the whole source). */
  source?: LineDiff[];
  outputs?: OutputsChange;
  metadata?: MetadataChange[];
  /** Present when it differs; a changed count alone makes the cell 'modified' (the saved file changed). */
  executionCount?: { old: number | null; new: number | null };
  cellTypeChange?: { old: string; new: string };
  /** Markdown/raw cell attachments by file name; old/new are the attachment's MIME types. */
  attachments?: MetadataChange[];
}

export interface OutputsChange {
  old: OutputSummary[];
  new: OutputSummary[];
}

export interface OutputSummary {
  outputType: string;
  name?: string;
  mimeTypes?: string[];
  /** First 200 characters of stream text, text/plain, or "ename: evalue". */
  text?: string;
}

export interface MetadataChange {
  /** Dotted path of object keys, e.g. "kernelspec.name" or "tags"; arrays are compared whole. */
  path: string;
  old?: unknown;
  new?: unknown;
  kind: 'added' | 'removed' | 'changed';
}

export interface DiffOptions {
  /** Equal lines kept around each source change; default 3, Infinity keeps all. */
  context?: number;
}

/** @throws AppError('bad_request') when an argument is not an object with a `cells` array. */
export function diffNotebooks(oldNb: unknown, newNb: unknown, options: DiffOptions = {}): NotebookDiff {
  const context = options.context ?? 3;
  if (typeof context !== 'number' || Number.isNaN(context) || context < 0) {
    throw new AppError('bad_request', 'Cannot diff notebooks: context must be a non-negative number');
  }
  const before = readNotebook(oldNb, 'old');
  const after = readNotebook(newNb, 'new');

  const oldToNew = matchCells(before.cells, after.cells);
  const newToOld = new Int32Array(after.cells.length).fill(-1);
  for (let i = 0; i < oldToNew.length; i++) if (oldToNew[i] >= 0) newToOld[oldToNew[i]] = i;
  const inOrder = new Uint8Array(before.cells.length);
  for (const i of longestIncreasing(oldToNew)) inOrder[i] = 1;

  // A removed cell goes right after the new position of the last in-order cell before it.
  const removedAfter = new Map<number, Cell[]>();
  let anchor = -1;
  for (const cell of before.cells) {
    if (oldToNew[cell.index] < 0) push(removedAfter, anchor, cell);
    else if (inOrder[cell.index]) anchor = oldToNew[cell.index];
  }

  const lines = Math.floor(context);
  const cells: CellDiff[] = [];
  const emitRemoved = (key: number) => {
    for (const o of removedAfter.get(key) ?? []) cells.push(cellDiff(o, null, false, lines));
  };
  emitRemoved(-1);
  for (const n of after.cells) {
    const i = newToOld[n.index];
    cells.push(cellDiff(i >= 0 ? before.cells[i] : null, n, i >= 0 && !inOrder[i], lines));
    emitRemoved(n.index);
  }

  const metadata: MetadataChange[] = [];
  diffValues(before.metadata, after.metadata, '', metadata);
  diffValues(before.nbformat, after.nbformat, '', metadata);
  const summary = { added: 0, removed: 0, modified: 0, moved: 0, unchanged: 0 };
  for (const c of cells) summary[c.status]++;
  return { cells, metadata, summary };
}

// ---- reading --------------------------------------------------------------

interface Cell {
  index: number;
  id: string | null;
  cellType: string;
  source: string;
  metadata: Record<string, unknown>;
  attachments: Record<string, unknown>;
  /** Raw nbformat outputs, compared by `outputKey`. */
  outputs: unknown[];
  executionCount: number | null;
  /** Character-bigram codes, sorted; computed on first use by `similarity`. */
  grams?: Float64Array;
}

function readNotebook(nb: unknown, side: 'old' | 'new') {
  if (!isRecord(nb)) throw new AppError('bad_request', `Cannot diff notebooks: the ${side} notebook is not a JSON object`);
  if (!Array.isArray(nb.cells)) {
    throw new AppError('bad_request', `Cannot diff notebooks: the ${side} notebook has no "cells" array`);
  }
  return {
    cells: Array.from(nb.cells as unknown[], readCell), // Array.from: a sparse array reads holes as odd cells
    metadata: isRecord(nb.metadata) ? nb.metadata : {},
    nbformat: { nbformat: nb.nbformat, nbformat_minor: nb.nbformat_minor },
  };
}

/** Tolerates anything: a malformed cell reads as an empty one of type "unknown". */
function readCell(raw: unknown, index: number): Cell {
  const c = isRecord(raw) ? raw : {};
  return {
    index,
    id: typeof c.id === 'string' && c.id !== '' ? c.id : null,
    cellType: typeof c.cell_type === 'string' ? c.cell_type : 'unknown',
    source: multiline(c.source),
    metadata: isRecord(c.metadata) ? c.metadata : {},
    attachments: isRecord(c.attachments) ? c.attachments : {},
    outputs: Array.isArray(c.outputs) ? c.outputs : [],
    executionCount: typeof c.execution_count === 'number' ? c.execution_count : null,
  };
}

/**
 * What makes two outputs equal: type, stream name and text, MIME bundle,
 * ename/evalue. execution_count (reported per cell), output metadata and the
 * traceback (ANSI colours, input numbers) are left out as volatile.
 */
function outputKey(raw: unknown): string {
  const o = isRecord(raw) ? raw : {};
  let data = '';
  if (isRecord(o.data)) {
    for (const mime of Object.keys(o.data).sort()) {
      const v = o.data[mime];
      const value = typeof v === 'string' || Array.isArray(v) ? JSON.stringify(multiline(v)) : stableJson(v);
      data += `${JSON.stringify(mime)}:${value},`;
    }
  }
  const text = o.text === undefined ? '' : JSON.stringify(multiline(o.text));
  return `${stableJson(o.output_type)}|${stableJson(o.name)}|${text}|${data}|${stableJson(o.ename)}|${stableJson(o.evalue)}`;
}

function summarise(raw: unknown): OutputSummary {
  const o = isRecord(raw) ? raw : {};
  const summary: OutputSummary = { outputType: typeof o.output_type === 'string' ? o.output_type : 'unknown' };
  if (typeof o.name === 'string') summary.name = o.name;
  let text: string | undefined;
  if (isRecord(o.data)) {
    summary.mimeTypes = Object.keys(o.data);
    if (o.data['text/plain'] !== undefined) text = multiline(o.data['text/plain']);
  }
  if (o.text !== undefined) text = multiline(o.text);
  if (summary.outputType === 'error') text = `${String(o.ename ?? '')}: ${String(o.evalue ?? '')}`;
  if (text !== undefined) summary.text = truncate(text, 200);
  return summary;
}

// ---- matching -------------------------------------------------------------

/** For each old cell, the index of its new counterpart or -1. */
function matchCells(before: Cell[], after: Cell[]): Int32Array {
  const oldToNew = new Int32Array(before.length).fill(-1);
  const newToOld = new Int32Array(after.length).fill(-1);
  const pair = (o: Cell, n: Cell) => {
    oldToNew[o.index] = n.index;
    newToOld[n.index] = o.index;
  };

  const byId = new Map<string, Cell[]>();
  for (const o of before) if (o.id !== null) push(byId, o.id, o);
  for (const n of after) {
    const o = n.id === null ? undefined : byId.get(n.id)?.shift(); // duplicate ids pair in order
    if (o) pair(o, n);
  }

  const restOld = before.filter((o) => oldToNew[o.index] < 0);
  const restNew = after.filter((n) => newToOld[n.index] < 0);
  // Two cells that both carry ids are different cells unless the ids agree.
  const eligible = (o: Cell, n: Cell) => o.id === null || n.id === null;
  if (!restOld.some((o) => o.id === null) && !restNew.some((n) => n.id === null)) return oldToNew;

  const keys = new Map<string, number>();
  const keyOf = (c: Cell) => {
    const k = `${c.cellType}\u0000${c.source}`;
    if (!keys.has(k)) keys.set(k, keys.size);
    return keys.get(k)!;
  };
  const oldKeys = Int32Array.from(restOld, keyOf);
  const newKeys = Int32Array.from(restNew, keyOf);
  matchSequences(oldKeys, newKeys).forEach((k, i) => {
    if (k >= 0 && eligible(restOld[i], restNew[k])) pair(restOld[i], restNew[k]);
  });

  const copies = new Map<number, Cell[]>();
  restOld.forEach((o, i) => oldToNew[o.index] < 0 && push(copies, oldKeys[i], o));
  restNew.forEach((n, j) => {
    const queue = newToOld[n.index] < 0 ? copies.get(newKeys[j]) : undefined;
    const at = queue?.findIndex((o) => eligible(o, n)) ?? -1;
    if (at >= 0) pair(queue!.splice(at, 1)[0], n);
  });

  // Gap g holds the unmatched cells between the (g-1)-th and g-th in-order match.
  const anchors = longestIncreasing(oldToNew);
  const gapsOld: Cell[][] = Array.from({ length: anchors.length + 1 }, () => []);
  const gapsNew: Cell[][] = Array.from({ length: anchors.length + 1 }, () => []);
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
  olds: Cell[],
  news: Cell[],
  eligible: (o: Cell, n: Cell) => boolean,
  pair: (o: Cell, n: Cell) => void,
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

function similarity(a: Cell, b: Cell): number {
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

// ---- comparing matched cells ---------------------------------------------

function cellDiff(o: Cell | null, n: Cell | null, moved: boolean, context: number): CellDiff {
  const cell = (n ?? o)!;
  const before = o ?? emptyCell(cell.cellType);
  const after = n ?? emptyCell(cell.cellType);
  const d: CellDiff = {
    status: 'unchanged',
    id: n?.id ?? o?.id ?? null,
    cellType: cell.cellType,
    oldIndex: o?.index ?? null,
    newIndex: n?.index ?? null,
  };
  if (moved) d.moved = true;
  let changed = false;
  if (before.cellType !== after.cellType) {
    d.cellTypeChange = { old: before.cellType, new: after.cellType };
    changed = true;
  }
  if (before.source !== after.source) {
    d.source = withContext(diffLines(before.source, after.source), context);
    changed = true;
  }
  const outputsDiffer =
    before.outputs.length !== after.outputs.length ||
    before.outputs.some((x, k) => outputKey(x) !== outputKey(after.outputs[k]));
  if (outputsDiffer) {
    d.outputs = { old: before.outputs.map(summarise), new: after.outputs.map(summarise) };
    changed = true;
  }
  const metadata: MetadataChange[] = [];
  diffValues(before.metadata, after.metadata, '', metadata);
  if (metadata.length > 0) {
    d.metadata = metadata;
    changed = true;
  }
  if (before.executionCount !== after.executionCount) {
    d.executionCount = { old: before.executionCount, new: after.executionCount };
    changed = true;
  }
  const attachments = diffAttachments(before.attachments, after.attachments);
  if (attachments.length > 0) {
    d.attachments = attachments;
    changed = true;
  }
  d.status = !o ? 'added' : !n ? 'removed' : changed ? 'modified' : moved ? 'moved' : 'unchanged';
  return d;
}

function emptyCell(cellType: string): Cell {
  return { index: -1, id: null, cellType, source: '', metadata: {}, attachments: {}, outputs: [], executionCount: null };
}

/** Attachments hold base64 bundles: report which changed, by MIME type, never the data. */
function diffAttachments(a: Record<string, unknown>, b: Record<string, unknown>): MetadataChange[] {
  const out: MetadataChange[] = [];
  if (isEmpty(a) && isEmpty(b)) return out;
  const mimes = (v: unknown) => (isRecord(v) ? Object.keys(v) : []);
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!Object.hasOwn(a, name)) out.push({ path: name, kind: 'added', new: mimes(b[name]) });
    else if (!Object.hasOwn(b, name)) out.push({ path: name, kind: 'removed', old: mimes(a[name]) });
    else if (stableJson(a[name]) !== stableJson(b[name])) {
      out.push({ path: name, kind: 'changed', old: mimes(a[name]), new: mimes(b[name]) });
    }
  }
  return out;
}

/** Recurses into objects present on both sides; anything else that differs is one change. */
function diffValues(a: unknown, b: unknown, path: string, out: MetadataChange[]): void {
  if (a === b) return;
  if (isRecord(a) && isRecord(b)) {
    if (isEmpty(a) && isEmpty(b)) return;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const p = path === '' ? key : `${path}.${key}`;
      if (!Object.hasOwn(a, key)) out.push({ path: p, kind: 'added', new: b[key] });
      else if (!Object.hasOwn(b, key)) out.push({ path: p, kind: 'removed', old: a[key] });
      else diffValues(a[key], b[key], p, out);
    }
  } else if (a === undefined && b !== undefined) {
    out.push({ path, kind: 'added', new: b });
  } else if (a !== undefined && b === undefined) {
    out.push({ path, kind: 'removed', old: a });
  } else if (stableJson(a) !== stableJson(b)) {
    out.push({ path, kind: 'changed', old: a, new: b });
  }
}

// ---- helpers --------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: Record<string, unknown>): boolean {
  for (const _ in v) return false;
  return true;
}

/** nbformat's multiline string: a string or an array of strings to concatenate. */
function multiline(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string').join('');
  return '';
}

/** JSON with object keys sorted, so equal values compare equal as strings. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max); // don't split a surrogate pair
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
