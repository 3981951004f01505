/**
 * Out-of-band changes (git checkout, another editor) merged into a shared
 * notebook as a minimal edit, matching cells by id, so that cells the change
 * did not touch keep their Yjs objects (and clients keep their cursors in
 * them). Three-way where it is cheap: `base` is the file as the room last
 * read or wrote it; a field is taken from the file only when the file
 * changed it since `base`, cells that clients added since `base` are kept,
 * and cells clients deleted since `base` stay deleted. Without a base the
 * file wins wherever it differs.
 */
import { toYjsJSON, type YDocTypes, type YTypes } from './yjs';

type YNotebook = YDocTypes.YNotebook;
type YCell = YDocTypes.YCellType;
type YMap = YTypes.Map<unknown>;
type YText = YTypes.Text;

export interface NotebookJSON {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: CellJSON[];
}
export interface CellJSON {
  id?: string;
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  attachments?: unknown;
  [key: string]: unknown;
}

/** Replace the text of `ytext` by `next` with one delete and one insert between their common prefix and suffix. */
export function applyTextDiff(ytext: YText, next: string): boolean {
  const prev = ytext.toString();
  if (prev === next) return false;
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  // Never split a surrogate pair.
  if (start > 0 && isHighSurrogate(prev.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(prev.charCodeAt(prev.length - end))) end--;
  const removed = prev.length - start - end;
  if (removed > 0) ytext.delete(start, removed);
  const inserted = next.slice(start, next.length - end);
  if (inserted) ytext.insert(start, inserted);
  return true;
}
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export const sourceText = (s: unknown): string => (Array.isArray(s) ? s.join('') : typeof s === 'string' ? s : '');

/** JSON compared by meaning: keys sorted, undefined dropped, nbformat multi-line strings (string arrays) joined. */
export function normalizeJSON(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'string') ? v.join('') : v.map(normalizeJSON);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // A cell's empty source is "" or [] depending on who wrote it.
    return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, k === 'source' && Array.isArray(o[k]) && (o[k] as unknown[]).length === 0 ? '' : normalizeJSON(o[k])]));
  }
  return v;
}
const same = (a: unknown, b: unknown): boolean => JSON.stringify(normalizeJSON(a)) === JSON.stringify(normalizeJSON(b));

const FIELDS = ['metadata', 'outputs', 'execution_count', 'attachments'] as const;

/** The file's value of a field when the file changed it since base (or there is no base), else undefined (keep the doc's). */
function fromDisk(field: string, file: CellJSON, base: CellJSON | undefined): { value: unknown } | undefined {
  const f = field === 'source' ? sourceText(file.source) : file[field];
  if (base) {
    const b = field === 'source' ? sourceText(base.source) : base[field];
    if (same(b, f)) return undefined;
  }
  return { value: f };
}

function mergedCell(doc: CellJSON, file: CellJSON, base: CellJSON | undefined): CellJSON {
  const out: CellJSON = { ...doc, source: sourceText(doc.source) };
  for (const field of ['source', 'cell_type', ...FIELDS]) {
    const d = fromDisk(field, file, base);
    if (d && d.value !== undefined) out[field] = d.value;
  }
  return out;
}

/** Longest increasing subsequence (indices into `seq`): the cells that can stay where they are. */
function lis(seq: number[]): Set<number> {
  const tails: number[] = [];
  const prev: number[] = new Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) keep.add(i);
  return keep;
}

/**
 * Merge `file` into `nb` in one transaction with `origin`. Returns whether
 * anything changed.
 */
export function mergeNotebook(nb: YNotebook, file: NotebookJSON, base: NotebookJSON | undefined, origin: unknown): boolean {
  const ycells = nb.ydoc.getArray<YMap>('cells');
  if (file.cells.some((c) => typeof c.id !== 'string' || c.id === '')) {
    // nbformat < 4.5 has no cell ids (@jupyter/ydoc gives its cells random ones): match by position, the file wins.
    const docIds = ycells.toArray().map((m) => String(m.get('id')));
    file = { ...file, cells: file.cells.map((c, i) => ({ ...c, id: docIds[i] ?? `${docIds.length}-${i}-${Math.random().toString(36).slice(2)}` })) };
    base = undefined;
  }
  const wrappers = new Map<YMap, YCell>(nb.cells.map((c) => [c.ymodel as YMap, c]));
  const baseById = new Map((base?.cells ?? []).filter((c) => c.id).map((c) => [c.id!, c]));
  const fileById = new Map<string, CellJSON>();
  for (const c of file.cells) if (c.id && !fileById.has(c.id)) fileById.set(c.id, c);
  let changed = false;

  nb.ydoc.transact(() => {
    const current = (): { id: string; ymap: YMap }[] => ycells.toArray().map((ymap) => ({ id: String(ymap.get('id')), ymap }));
    const docIds = new Set(current().map((c) => c.id));

    // The desired order: the file's cells (less those clients deleted since base), with cells clients added since base after their predecessor.
    const desired: string[] = [];
    for (const id of fileById.keys()) if (docIds.has(id) || !baseById.has(id)) desired.push(id);
    const cur = current();
    for (let i = 0; i < cur.length; i++) {
      const id = cur[i]!.id;
      if (fileById.has(id) || (base && baseById.has(id)) || (!base && !fileById.has(id))) continue;
      const prevId = [...cur.slice(0, i)].reverse().find((c) => desired.includes(c.id))?.id;
      desired.splice(prevId === undefined ? 0 : desired.indexOf(prevId) + 1, 0, id);
    }
    const desiredSet = new Set(desired);

    // 1. Cells gone from the file (and not new from clients): delete.
    for (let i = ycells.length - 1; i >= 0; i--) {
      if (!desiredSet.has(String(ycells.get(i).get('id')))) {
        ycells.delete(i, 1);
        changed = true;
      }
    }
    // 2. Cells out of order: all but a longest in-order run are re-inserted (Yjs has no move).
    const pos = new Map(desired.map((id, i) => [id, i]));
    const order = current().map((c) => pos.get(c.id)!);
    const keep = lis(order);
    const movedJSON = new Map<string, CellJSON>();
    for (let i = order.length - 1; i >= 0; i--) {
      if (keep.has(i)) continue;
      const ymap = ycells.get(i);
      movedJSON.set(String(ymap.get('id')), wrappers.get(ymap)!.toJSON() as CellJSON);
      ycells.delete(i, 1);
      changed = true;
    }
    // 3. Walk the desired order: insert moved and new cells, update fields of the others in place.
    for (let i = 0; i < desired.length; i++) {
      const id = desired[i]!;
      const fileCell = fileById.get(id);
      const baseCell = baseById.get(id);
      const here = i < ycells.length ? ycells.get(i) : undefined;
      if (here && String(here.get('id')) === id) {
        if (fileCell) changed = updateCell(nb, wrappers.get(here)!, i, fileCell, baseCell) || changed;
        continue;
      }
      const moved = movedJSON.get(id);
      const json = moved ? (fileCell ? mergedCell(moved, fileCell, baseCell) : moved) : { ...fileCell!, source: sourceText(fileCell!.source) };
      nb.insertCells(i, [toYjsJSON(json) as never]);
      changed = true;
    }

    if (!same(nb.getMetadata(), file.metadata) && (!base || !same(base.metadata, file.metadata))) {
      nb.setMetadata(toYjsJSON(file.metadata) as never);
      changed = true;
    }
    if (nb.nbformat !== file.nbformat) nb.nbformat = file.nbformat;
    if (nb.nbformat_minor !== file.nbformat_minor) nb.nbformat_minor = file.nbformat_minor;
  }, origin);
  return changed;
}

function updateCell(nb: YNotebook, cell: YCell, index: number, file: CellJSON, base: CellJSON | undefined): boolean {
  const doc = cell.toJSON() as CellJSON;
  const type = fromDisk('cell_type', file, base);
  if (type && type.value !== doc.cell_type) {
    // A cell changing type is a different shared type in @jupyter/ydoc: replace it.
    nb.ydoc.getArray('cells').delete(index, 1);
    nb.insertCells(index, [toYjsJSON(mergedCell(doc, file, base)) as never]);
    return true;
  }
  let changed = false;
  const src = fromDisk('source', file, base);
  if (src) changed = applyTextDiff(cell.ysource, src.value as string) || changed;
  const ymeta = cell.ymodel.get('metadata') as YMap | undefined;
  const meta = fromDisk('metadata', file, base);
  if (meta && ymeta && !same(meta.value ?? {}, doc.metadata ?? {})) {
    const next = (meta.value ?? {}) as Record<string, unknown>;
    for (const key of [...ymeta.keys()]) if (!(key in next)) ymeta.delete(key);
    for (const [key, value] of Object.entries(next)) if (!same(ymeta.get(key), value)) ymeta.set(key, toYjsJSON(value));
    changed = true;
  }
  if (cell.cell_type === 'code') {
    const code = cell as YDocTypes.YCodeCell;
    const outputs = fromDisk('outputs', file, base);
    if (outputs && !same(outputs.value ?? [], doc.outputs ?? [])) {
      code.setOutputs(toYjsJSON(outputs.value ?? []) as never);
      changed = true;
    }
    const count = fromDisk('execution_count', file, base);
    if (count && (count.value ?? null) !== (doc.execution_count ?? null)) {
      code.execution_count = (count.value ?? null) as number | null;
      changed = true;
    }
  } else {
    const att = fromDisk('attachments', file, base);
    if (att && !same(att.value, doc.attachments)) {
      (cell as YDocTypes.YMarkdownCell).setAttachments(toYjsJSON(att.value) as never);
      changed = true;
    }
  }
  return changed;
}
