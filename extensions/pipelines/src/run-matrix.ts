/**
 * The run-history matrix of a pipeline: its last runs as columns (oldest
 * left, newest right, as Airflow's grid reads), its tasks as rows (the
 * current file's order, then tasks only older runs had), each cell the
 * task's status in that run (null: the task was not part of that run).
 * Pure; the widget draws it (matrix-view.ts).
 */
import { formatTime, statusLabel, type FormatOptions } from './format';
import type { RunRow, TaskStatus } from './types';

export const MATRIX_RUNS = 20;

export interface MatrixCell {
  runId: string;
  status: TaskStatus | null;
  attempt: number;
}

export interface MatrixRow {
  taskId: string;
  /** Not in the pipeline's current file (only older runs had it). */
  removed: boolean;
  cells: MatrixCell[];
}

export interface RunMatrix {
  /** Oldest first. */
  runs: RunRow[];
  rows: MatrixRow[];
}

/**
 * @param runs newest first, as the API lists them
 * @param taskIds the current spec's tasks, in the file's order ([] when the file has errors)
 */
export function buildMatrix(runs: readonly RunRow[], taskIds: readonly string[], limit = MATRIX_RUNS): RunMatrix {
  const shown = runs.slice(0, limit);
  const ids = [...taskIds];
  const current = new Set(taskIds);
  // Tasks only older runs had, in the order the newest runs name them.
  for (const run of shown) for (const id of Object.keys(run.tasks)) if (!ids.includes(id)) ids.push(id);
  const columns = [...shown].reverse();
  return {
    runs: columns,
    rows: ids.map((taskId) => ({
      taskId,
      removed: !current.has(taskId),
      cells: columns.map((run) => {
        const t = run.tasks[taskId];
        return { runId: run.id, status: t?.status ?? null, attempt: t?.attempt ?? 0 };
      }),
    })),
  };
}

/** The accessible title of a cell: "extract, run of Mar 2, 2026, 7:00 AM: Failed (attempt 2)". */
export function cellTitle(taskId: string, run: RunRow, cell: MatrixCell, options: FormatOptions = {}): string {
  const when = formatTime(run.createdAt, options);
  if (cell.status === null) return `${taskId}, run of ${when}: not in this run`;
  return `${taskId}, run of ${when}: ${statusLabel(cell.status)}${cell.attempt > 1 ? ` (attempt ${cell.attempt})` : ''}`;
}
