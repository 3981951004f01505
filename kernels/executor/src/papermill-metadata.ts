/**
 * The run's record inside the output notebook, as papermill keeps it
 * (papermill/engines.py NotebookExecutionManager, papermill/execute.py):
 * `metadata.papermill` on the notebook (parameters, input_path, start_time,
 * end_time, duration, exception) and on every cell (status pending ->
 * running -> completed | failed, times, duration in seconds, exception),
 * outputs and execution counts cleared before the run, and when a cell
 * failed two markdown cells tagged `papermill-error-cell-tag`: one first in
 * the notebook linking to the other, which stands right before the failed
 * cell (markers of an earlier run are removed first).
 */
import { freshCellId, hasTag, type CellPapermillMetadata, type MarkdownCell, type NotebookCell, type NotebookDocument } from './notebook';

export const ERROR_CELL_TAG = 'papermill-error-cell-tag';
/** The anchor the top marker links to. */
export const ERROR_CELL_ANCHOR = 'papermill-error-cell';

const iso = (ms: number) => new Date(ms).toISOString();

function notebookRecord(nb: NotebookDocument): Record<string, unknown> {
  const pm = nb.metadata.papermill;
  if (typeof pm === 'object' && pm !== null && !Array.isArray(pm)) return pm as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  nb.metadata.papermill = fresh;
  return fresh;
}

function cellRecord(cell: NotebookCell): CellPapermillMetadata {
  cell.metadata.papermill ??= { status: 'pending', start_time: null, end_time: null, duration: null, exception: null };
  return cell.metadata.papermill;
}

/** Before the first cell: clear outputs and counts, every cell pending, the notebook's record started. Mutates `nb`. */
export function startNotebook(nb: NotebookDocument, o: { path: string; at: number }): void {
  nb.cells = nb.cells.filter((c) => !hasTag(c, ERROR_CELL_TAG));
  const pm = notebookRecord(nb);
  pm.parameters ??= {};
  Object.assign(pm, { input_path: o.path, start_time: iso(o.at), end_time: null, duration: null, exception: null });
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.execution_count = null;
      cell.outputs = [];
    }
    cell.metadata.papermill = { status: 'pending', start_time: null, end_time: null, duration: null, exception: null };
  }
}

export function cellRunning(cell: NotebookCell, at: number): void {
  Object.assign(cellRecord(cell), { status: 'running', start_time: iso(at), exception: false });
}

export function cellDone(cell: NotebookCell, at: number, failed: boolean): void {
  const rec = cellRecord(cell);
  rec.end_time = iso(at);
  if (rec.start_time) rec.duration = (at - Date.parse(rec.start_time)) / 1000;
  rec.status = failed ? 'failed' : 'completed';
  rec.exception = failed;
}

export function finishNotebook(nb: NotebookDocument, o: { startedAt: number; at: number; failed: boolean }): void {
  const pm = notebookRecord(nb);
  pm.end_time = iso(o.at);
  pm.duration = (o.at - o.startedAt) / 1000;
  if (o.failed) pm.exception = true;
}

/**
 * The visible markers of a failed cell (at `index`, run as In [count]):
 * one before it carrying the anchor and `reason`, one first in the
 * notebook linking there. Mutates `nb`.
 */
export function markFailedCell(nb: NotebookDocument, index: number, executionCount: number | null, reason: string): void {
  const label = `In [${executionCount ?? ' '}]`;
  const style = 'color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;';
  const text = escapeHtml(reason.replace(/\s+/g, ' ').trim());
  const marker = (id: string, source: string): MarkdownCell => {
    const cell: MarkdownCell = { cell_type: 'markdown', metadata: { tags: [ERROR_CELL_TAG] }, source };
    const fresh = freshCellId(nb, id);
    if (fresh) cell.id = fresh;
    return cell;
  };
  nb.cells.splice(index, 0, marker('papermill-error-cell', `<span id="${ERROR_CELL_ANCHOR}" style="${style}">The run stopped at this cell: ${text}</span>`));
  nb.cells.unshift(marker('papermill-error-summary', `<span style="${style}">The run stopped at <a href="#${ERROR_CELL_ANCHOR}">${label}</a>: ${text}</span>`));
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
