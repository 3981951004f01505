/**
 * Turns a History API diff into what the diff view draws: changed cells in
 * notebook order with a title, a +/- line list with gaps where unchanged
 * lines are hidden, output and metadata changes as short text. Pure.
 */
import type { CellDiff, CellStatus, DiffResponse, LineDiff, MetadataChange, OutputSummary } from './types';

export interface RenderLine {
  kind: 'insert' | 'delete' | 'equal' | 'gap';
  /** '+', '-', ' ' ('' for a gap). */
  sign: string;
  oldLine: number | null;
  newLine: number | null;
  /** The line; for a gap, "⋯ N unchanged lines". */
  text: string;
  /** For a gap: how many lines it stands for (0 when unknown). */
  hidden?: number;
}

export interface ChangeLine {
  kind: MetadataChange['kind'];
  path: string;
  text: string;
}

export interface OutputsBlock {
  /** "Outputs changed", "Outputs cleared", "Outputs added". */
  title: string;
  old: string[];
  new: string[];
}

export interface CellBlock {
  /** Stable key: the cell id, else its positions. */
  key: string;
  status: Exclude<CellStatus, 'unchanged'>;
  moved: boolean;
  cellType: string;
  /** "Added", "Removed", "Modified", "Moved", "Modified and moved". */
  statusLabel: string;
  /** "cell 3", "was cell 4", "cell 2 → 5", "cell 3 (was 2)" (1-based). */
  position: string;
  oldIndex: number | null;
  newIndex: number | null;
  lines: RenderLine[];
  /** Cell type change, execution count change. */
  notes: string[];
  outputs?: OutputsBlock;
  metadata: ChangeLine[];
  attachments: ChangeLine[];
}

export interface DiffModel {
  kind: 'notebook' | 'file';
  path: string;
  from: string;
  to: string;
  /** True when nothing differs. */
  empty: boolean;
  /** "2 cells added, 1 modified · notebook metadata changed", or "No changes". */
  summary: string;
  /** Changed cells only (notebooks). */
  cells: CellBlock[];
  unchangedCells: number;
  notebookMetadata: ChangeLine[];
  /** The line diff (files). */
  lines: RenderLine[];
  /** Lines left out because the diff exceeded `maxLines` (files). */
  truncatedLines: number;
}

export interface DiffModelOptions {
  /** Unchanged lines kept around a change in file diffs (notebook sources come with 3 from the server). Default 3. */
  context?: number;
  /** Most lines drawn for a file diff; default 5,000. */
  maxLines?: number;
}

const STATUS_LABELS: Record<Exclude<CellStatus, 'unchanged'>, string> = {
  added: 'Added',
  removed: 'Removed',
  modified: 'Modified',
  moved: 'Moved',
};

export function diffModel(response: DiffResponse, options: DiffModelOptions = {}): DiffModel {
  const base = { path: response.path, from: response.from, to: response.to };
  if (response.type === 'file') {
    const collapsed = collapseLines(response.diff, options.context ?? 3);
    const max = options.maxLines ?? 5000;
    const empty = response.diff.every((l) => l.op === 'equal');
    return {
      ...base,
      kind: 'file',
      empty,
      summary: empty ? 'No changes' : lineSummary(response.diff),
      cells: [],
      unchangedCells: 0,
      notebookMetadata: [],
      lines: collapsed.slice(0, max),
      truncatedLines: Math.max(0, collapsed.length - max),
    };
  }
  const { cells, metadata, summary } = response.diff;
  const changed = cells.filter((c) => c.status !== 'unchanged').map(cellBlock);
  const notebookMetadata = metadata.map(changeLine);
  const parts = (['added', 'removed', 'modified', 'moved'] as const).filter((s) => summary[s] > 0).map((s) => `${summary[s]} ${s}`);
  let text = parts.length ? `${plural(changed.length, 'cell')} changed: ${parts.join(', ')}` : '';
  if (notebookMetadata.length) text = text ? `${text} · notebook metadata changed` : 'Notebook metadata changed';
  return {
    ...base,
    kind: 'notebook',
    empty: changed.length === 0 && notebookMetadata.length === 0,
    summary: text || 'No changes',
    cells: changed,
    unchangedCells: summary.unchanged,
    notebookMetadata,
    lines: [],
    truncatedLines: 0,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function lineSummary(diff: readonly LineDiff[]): string {
  let ins = 0;
  let del = 0;
  for (const l of diff) {
    if (l.op === 'insert') ins++;
    else if (l.op === 'delete') del++;
  }
  return `${plural(ins, 'line')} added, ${plural(del, 'line')} removed`;
}

function position(c: CellDiff): string {
  const o = c.oldIndex === null ? null : c.oldIndex + 1;
  const n = c.newIndex === null ? null : c.newIndex + 1;
  if (n === null) return `was cell ${o ?? '?'}`;
  if (o === null) return `cell ${n}`;
  if (c.moved || c.status === 'moved') return `cell ${o} → ${n}`;
  return o === n ? `cell ${n}` : `cell ${n} (was ${o})`;
}

function cellBlock(c: CellDiff): CellBlock {
  const status = c.status as CellBlock['status'];
  const moved = c.moved === true || status === 'moved';
  const notes: string[] = [];
  if (c.cellTypeChange) notes.push(`Cell type ${c.cellTypeChange.old} → ${c.cellTypeChange.new}`);
  if (c.executionCount && status === 'modified') {
    notes.push(`Execution count ${c.executionCount.old ?? 'none'} → ${c.executionCount.new ?? 'none'}`);
  }
  const block: CellBlock = {
    key: c.id ?? `${c.oldIndex ?? '-'}:${c.newIndex ?? '-'}`,
    status,
    moved,
    cellType: c.cellType,
    statusLabel: status === 'modified' && moved ? 'Modified and moved' : STATUS_LABELS[status],
    position: position(c),
    oldIndex: c.oldIndex,
    newIndex: c.newIndex,
    lines: c.source ? withGaps(c.source) : [],
    notes,
    metadata: (c.metadata ?? []).map(changeLine),
    attachments: (c.attachments ?? []).map(changeLine),
  };
  // Added and removed cells: their outputs come and go with them; list them only if there were any.
  if (c.outputs && (c.outputs.old.length > 0 || c.outputs.new.length > 0)) {
    const { old, new: now } = c.outputs;
    const title = now.length === 0 ? 'Outputs cleared' : old.length === 0 ? 'Outputs added' : 'Outputs changed';
    block.outputs = { title, old: old.map(outputText), new: now.map(outputText) };
  }
  return block;
}

/** "stream (stdout): hello", "execute_result [text/plain, text/html]: 42", "error: NameError: x". */
export function outputText(o: OutputSummary): string {
  let head = o.outputType;
  if (o.name) head += ` (${o.name})`;
  if (o.mimeTypes && o.mimeTypes.length) head += ` [${o.mimeTypes.join(', ')}]`;
  if (o.text === undefined || o.text === '') return head;
  const text = o.text.replace(/\s+/g, ' ').trim();
  return `${head}: ${clip(text, 120)}`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function json(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return clip(s, 120);
}

export function changeLine(c: MetadataChange): ChangeLine {
  const path = c.path === '' ? '(metadata)' : c.path;
  const text =
    c.kind === 'added' ? `${path} added: ${json(c.new)}` : c.kind === 'removed' ? `${path} removed (was ${json(c.old)})` : `${path}: ${json(c.old)} → ${json(c.new)}`;
  return { kind: c.kind, path, text };
}

function renderLine(l: LineDiff): RenderLine {
  return { kind: l.op, sign: l.op === 'insert' ? '+' : l.op === 'delete' ? '-' : ' ', oldLine: l.oldLine, newLine: l.newLine, text: l.text };
}

function gap(hidden: number): RenderLine {
  const text = hidden > 0 ? `⋯ ${plural(hidden, 'unchanged line')}` : '⋯';
  return { kind: 'gap', sign: '', oldLine: null, newLine: null, text, hidden };
}

/**
 * A diff already reduced to its context (notebook sources): a gap wherever
 * the line numbers jump, including before the first line. The lines after
 * the last one shown are unknown, so no gap is added at the end.
 */
export function withGaps(lines: readonly LineDiff[]): RenderLine[] {
  const out: RenderLine[] = [];
  let lastOld = 0;
  let lastNew = 0;
  for (const l of lines) {
    const hidden = l.oldLine !== null ? l.oldLine - lastOld - 1 : (l.newLine ?? lastNew + 1) - lastNew - 1;
    if (hidden > 0) out.push(gap(hidden));
    out.push(renderLine(l));
    if (l.oldLine !== null) lastOld = l.oldLine;
    if (l.newLine !== null) lastNew = l.newLine;
  }
  return out;
}

/** A full line diff (files) with only `context` equal lines kept around each change; runs of hidden lines become gaps. */
export function collapseLines(lines: readonly LineDiff[], context: number): RenderLine[] {
  const keep = new Uint8Array(lines.length);
  let last = -Infinity;
  for (let k = 0; k < lines.length; k++) {
    if (lines[k].op !== 'equal') last = k;
    if (k - last <= context) keep[k] = 1;
  }
  let next = Infinity;
  for (let k = lines.length - 1; k >= 0; k--) {
    if (lines[k].op !== 'equal') next = k;
    if (next - k <= context) keep[k] = 1;
  }
  const out: RenderLine[] = [];
  let hidden = 0;
  for (let k = 0; k < lines.length; k++) {
    if (keep[k]) {
      if (hidden) out.push(gap(hidden));
      hidden = 0;
      out.push(renderLine(lines[k]));
    } else hidden++;
  }
  if (hidden && out.length) out.push(gap(hidden));
  return out;
}
