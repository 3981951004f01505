/**
 * Notebook-aware diff of two nbformat v4 notebooks, for version history ("who
 * changed which cell"). Pure: plain parsed JSON in, plain JSON out.
 * Format: https://nbformat.readthedocs.io/en/latest/format_description.html
 *
 * Cells are paired by id, identical content or similar source, and matched
 * cells out of relative order are "moved": see `./cell-matching`.
 */
import { AppError } from '@workbench/core';
import { matchCells, type MatchableCell } from './cell-matching';
import { diffLines, withContext, type LineDiff } from './line-diff';

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

  const { oldToNew, newToOld, inOrder } = matchCells(before.cells, after.cells);

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

interface Cell extends MatchableCell {
  metadata: Record<string, unknown>;
  attachments: Record<string, unknown>;
  /** Raw nbformat outputs, compared by `outputKey`. */
  outputs: unknown[];
  executionCount: number | null;
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
