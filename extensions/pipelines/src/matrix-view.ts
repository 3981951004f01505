/**
 * The run-history matrix drawn as a table: a row per task (its id as the
 * row header), a column per run (oldest left), each cell a small button
 * coloured by the task's status in that run, whose title and accessible
 * name say task, run and status in words; the header row shows each run's
 * own status. A cell or header opens the run. A legend under it names
 * every colour. The table scrolls sideways in its own box.
 *
 * DOM hooks: `.wb-pipelines-matrix[data-runs][data-tasks]`,
 * `tr.wb-pipelines-matrix-row[data-task-id][data-removed]`,
 * `button.wb-pipelines-cell[data-run-id][data-task-id][data-status]` (`data-status="none"`: not in that run),
 * `button.wb-pipelines-matrix-run[data-run-id][data-status]`, `ul.wb-pipelines-legend li[data-status]`.
 */
import { h } from '@workbench/lab-common';
import { formatTime, statusLabel } from './format';
import { cellTitle, type RunMatrix } from './run-matrix';
import { TASK_STATUSES } from './types';

export interface MatrixViewOptions {
  /** What the matrix is of, for its accessible name. */
  name: string;
  onOpenRun: (runId: string) => void;
}

export function legend(): HTMLElement {
  return h('ul', { className: 'wb-pipelines-legend', attrs: { 'aria-label': 'Colours' } }, [
    ...TASK_STATUSES.map((s) => h('li', { attrs: { 'data-status': s } }, [h('span', { className: 'wb-pipelines-swatch', attrs: { 'data-status': s, 'aria-hidden': 'true' } }), statusLabel(s)])),
    h('li', { attrs: { 'data-status': 'none' } }, [h('span', { className: 'wb-pipelines-swatch', attrs: { 'data-status': 'none', 'aria-hidden': 'true' } }), 'Not in that run']),
  ]);
}

export function matrixView(matrix: RunMatrix, options: MatrixViewOptions): HTMLElement {
  const root = h('div', { className: 'wb-pipelines-matrix', attrs: { 'data-runs': String(matrix.runs.length), 'data-tasks': String(matrix.rows.length) } });
  if (matrix.runs.length === 0) {
    root.append(h('p', { className: 'wb-pipelines-none' }, ['No runs yet.']));
    return root;
  }
  const open = (runId: string) => () => options.onOpenRun(runId);
  const head = h('tr', {}, [
    h('th', { attrs: { scope: 'col' } }, [h('span', { className: 'wb-sr-only' }, ['Task'])]),
    ...matrix.runs.map((run) => {
      const title = `Run of ${formatTime(run.createdAt)}: ${statusLabel(run.status)}`;
      const b = h('button', { className: 'wb-pipelines-matrix-run', title, attrs: { type: 'button', 'data-run-id': run.id, 'data-status': run.status, 'aria-label': `Open the run of ${formatTime(run.createdAt)} (${statusLabel(run.status)})` } });
      b.addEventListener('click', open(run.id));
      return h('th', { attrs: { scope: 'col' } }, [b]);
    }),
  ]);
  const body = matrix.rows.map((row) =>
    h('tr', { className: 'wb-pipelines-matrix-row', attrs: { 'data-task-id': row.taskId, 'data-removed': String(row.removed) } }, [
      h('th', { className: 'wb-pipelines-matrix-task', attrs: { scope: 'row' }, title: row.removed ? `${row.taskId} (no longer in the file)` : row.taskId }, [row.taskId]),
      ...row.cells.map((cell, i) => {
        const title = cellTitle(row.taskId, matrix.runs[i]!, cell);
        const b = h('button', { className: 'wb-pipelines-cell', title, attrs: { type: 'button', 'data-run-id': cell.runId, 'data-task-id': row.taskId, 'data-status': cell.status ?? 'none', 'aria-label': title } });
        b.addEventListener('click', open(cell.runId));
        return h('td', {}, [b]);
      }),
    ]),
  );
  root.append(
    h('div', { className: 'wb-pipelines-matrix-scroll' }, [
      h('table', { className: 'wb-pipelines-matrix-table', attrs: { 'aria-label': `Run history of ${options.name}: a row per task, a column per run, oldest first` } }, [h('thead', {}, [head]), h('tbody', {}, body)]),
    ]),
    legend(),
  );
  return root;
}
