/**
 * The pipeline tables' rows as the run model the API and the screens use
 * (run-model.ts): times as ISO strings, JSON columns parsed. Pure.
 */
import type { PipelineRunsTable, PipelineTaskAttemptsTable, PipelineTasksTable, QualityResultsTable } from '@workbench/store';
import type { Period } from '../triggers/trigger-spec';
import type { ParameterChange, Run, RunStatus, RunTrigger, TaskAttempt, TaskCheck, TaskRun, TaskStatus } from './run-model';

/** Epoch milliseconds (a number, or bigint text from PostgreSQL) as ISO 8601; null stays null. */
export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** A run row as the API's Run; `pipelineName` from its spec. */
export function toRun(r: PipelineRunsTable, pipelineName: string): Run {
  return {
    id: r.id,
    pipelineId: r.pipeline_id,
    pipelinePath: r.pipeline_path,
    pipelineName: pipelineName,
    status: r.status as RunStatus,
    trigger: r.trigger as RunTrigger,
    triggeredBy: r.triggered_by,
    runAs: r.run_as,
    logicalDate: iso(r.logical_date)!,
    period: JSON.parse(r.period) as Period,
    parameters: JSON.parse(r.parameters) as Record<string, unknown>,
    overrides: JSON.parse(r.overrides) as Record<string, ParameterChange>,
    parentRunId: r.parent_run_id,
    parentTaskId: r.parent_task_id,
    backfillId: r.backfill_id,
    repairCount: r.repair_count,
    cancelRequested: r.cancel_requested !== 0,
    slaDeadline: iso(r.sla_deadline),
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    error: r.error,
  };
}

/** A task row with its attempts as the API's TaskRun. */
export function toTask(t: PipelineTasksTable, attempts: PipelineTaskAttemptsTable[]): TaskRun {
  return {
    taskId: t.task_id,
    status: t.status as TaskStatus,
    attempt: t.attempt,
    maxAttempts: t.max_attempts,
    readyAt: iso(t.ready_at),
    startedAt: iso(t.started_at),
    finishedAt: iso(t.finished_at),
    values: JSON.parse(t.task_values) as Record<string, unknown>,
    error: t.error,
    errorKind: t.error_kind,
    outputPath: t.output_path,
    childRunId: t.child_run_id,
    progress: { done: t.progress_done, total: t.progress_total },
    attempts: attempts.map(
      (a): TaskAttempt => ({
        attempt: a.attempt,
        status: a.status,
        worker: a.worker,
        queuedAt: iso(a.queued_at)!,
        delayMs: Number(a.delay_ms),
        startedAt: iso(a.started_at),
        kernelReadyAt: iso(a.kernel_ready_at),
        firstCellAt: iso(a.first_cell_at),
        finishedAt: iso(a.finished_at),
        kernelId: a.kernel_id,
        error: a.error,
        errorKind: a.error_kind,
      }),
    ),
  };
}

/** A quality result row as the API's TaskCheck. */
export function toCheck(c: QualityResultsTable): TaskCheck {
  return {
    taskId: c.task_id,
    attempt: c.attempt,
    at: iso(c.at)!,
    name: c.check_name,
    severity: c.severity as TaskCheck['severity'],
    status: c.status as TaskCheck['status'],
    violations: Number(c.violations),
    impact: c.impact,
    materiality: c.materiality,
    impacts: c.impacts === null ? null : (JSON.parse(c.impacts) as TaskCheck['impacts']),
    sample: JSON.parse(c.sample) as TaskCheck['sample'],
    message: c.message,
    sqlSha256: c.sql_sha256,
  };
}
