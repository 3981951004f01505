/**
 * Undoing a run that succeeded: its pipeline's `rollback` task runs alone,
 * as a run of its own (trigger "rollback"), told which run it undoes
 * (`rollback_of`), the run before it for the same period whose outputs it
 * restores (`restore_run`) and why (`reason`). One rollback per run
 * undone (idempotency key). Used by the server (POST /api/runs/{id}/rollback)
 * and by `workbench pipelines rollback` on the same store.
 */
import { AppError } from '@workbench/core';
import type { RunStore } from './run-store';
import type { Run } from './run-model';

export async function startRollback(runs: RunStore, runId: string, by: string, reason: string): Promise<{ run: Run; created: boolean; restores: string }> {
  const undone = await runs.get(runId);
  if (typeof reason !== 'string' || reason.trim() === '') throw new AppError('bad_request', `Cannot roll back run ${runId}: say why (reason)`);
  if (undone.status !== 'succeeded') throw new AppError('conflict', `Cannot roll back run ${runId}: only a run that succeeded can be rolled back (it ${undone.status === 'timed_out' ? 'timed out' : undone.status})`);
  if (undone.trigger === 'rollback') throw new AppError('conflict', `Cannot roll back run ${runId}: it is itself a rollback`);
  const task = undone.spec.rollback;
  if (!task) throw new AppError('bad_request', `Cannot roll back run ${runId}: pipeline ${undone.pipelinePath} declares no rollback task`);
  const earlier = await runs.list({ pipelineId: undone.pipelineId, statuses: ['succeeded'], before: Date.parse(undone.createdAt), limit: 500 });
  const restore = earlier.find((r) => r.period.label === undone.period.label && r.trigger !== 'rollback' && r.id !== undone.id);
  if (!restore) throw new AppError('conflict', `Cannot roll back run ${runId}: no earlier run of ${undone.pipelinePath} for ${undone.period.label} succeeded (nothing to restore)`);
  const alone = { ...task, dependsOn: [], parameters: { ...task.parameters, rollback_of: undone.id, restore_run: restore.id, reason: reason.trim().slice(0, 1000) } };
  const { run, created } = await runs.create({
    pipelineId: undone.pipelineId,
    pipelinePath: undone.pipelinePath,
    spec: { ...undone.spec, tasks: [alone], maxParallel: 1, notify: [], datasets: [] },
    trigger: 'rollback',
    triggeredBy: by,
    runAs: undone.runAs,
    idempotencyKey: `rollback:${undone.id}`,
    logicalDate: Date.parse(undone.logicalDate),
    period: undone.period,
    parameters: undone.parameters,
  });
  return { run, created, restores: restore.id };
}
