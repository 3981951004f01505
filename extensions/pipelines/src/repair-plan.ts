/**
 * Which tasks a repair reruns, as the server decides it
 * (`server/pipelines/src/runs/run-store.ts` repair, `spec/task-graph.ts`
 * downstreamOf): every task of the run that did not succeed, and every
 * task downstream of one of them, in the file's order. Succeeded tasks
 * outside that set keep their results. Pure, for the confirmation dialog.
 */
import { RUN_DONE, type PipelinesAbilities, type RunDetail, type RunStatus } from './types';

export function repairTasks(run: Pick<RunDetail, 'spec' | 'tasks'>): string[] {
  const dependents = new Map<string, string[]>();
  for (const t of run.spec.tasks) {
    for (const d of new Set(t.dependsOn)) {
      if (d === t.id) continue;
      dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
    }
  }
  const redo = new Set<string>();
  const stack = run.tasks.filter((t) => t.status !== 'succeeded').map((t) => t.taskId);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (redo.has(id)) continue;
    redo.add(id);
    stack.push(...(dependents.get(id) ?? []));
  }
  const order = run.spec.tasks.map((t) => t.id);
  return [...redo].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** A run can be repaired once it ended without succeeding (failed, cancelled, timed out). */
export function canRepair(status: RunStatus): boolean {
  return RUN_DONE.has(status) && status !== 'succeeded';
}

/** A run can be cancelled while it is queued or running. */
export function canCancel(status: RunStatus): boolean {
  return !RUN_DONE.has(status);
}

/**
 * Roll back is offered for a run that succeeded, of a pipeline with a
 * `rollback` task, to a user who may write pipelines (the server's rule
 * for `POST api/runs/{id}/rollback`); a rollback run is not rolled back.
 */
export function canRollback(run: Pick<RunDetail, 'status' | 'spec' | 'trigger'>, may: Pick<PipelinesAbilities, 'write'>): boolean {
  return may.write && run.status === 'succeeded' && run.spec.rollback !== undefined && run.trigger !== 'rollback';
}
