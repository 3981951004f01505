/**
 * How far a run has come: tasks done of its tasks, the cells of running
 * tasks counting as parts of a task. Pure.
 */
import { TASK_DONE, type TaskRun } from './types';

export interface RunProgress {
  tasksDone: number;
  tasks: number;
  /** 0..1. */
  fraction: number;
}

export function runProgress(tasks: readonly Pick<TaskRun, 'status' | 'progress'>[]): RunProgress {
  let done = 0;
  let parts = 0;
  for (const t of tasks) {
    if (TASK_DONE.has(t.status)) done++;
    else if (t.status === 'running' && t.progress.total > 0) parts += Math.min(1, t.progress.done / t.progress.total);
  }
  const total = tasks.length;
  return { tasksDone: done, tasks: total, fraction: total === 0 ? 0 : Math.min(1, (done + parts) / total) };
}
