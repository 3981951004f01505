/**
 * Runs and tasks as the API and the screens see them. A run goes
 * queued -> running -> succeeded | failed | cancelled | timed_out; a task
 * pending (waiting on its upstream) -> queued (ready, maybe waiting for a
 * retry delay) -> running -> succeeded | failed | timed_out | cancelled |
 * skipped (its trigger rule said no, e.g. an upstream failed).
 */
import type { Period } from '../triggers/trigger-spec';
import type { PipelineSpec } from '../spec/pipeline-spec';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type TaskStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'skipped';
export type RunTrigger = 'cron' | 'calendar' | 'manual' | 'webhook' | 'after' | 'backfill' | 'child' | 'rollback';
/** Why an attempt failed; `retry_on` in the spec picks which of these retry. */
export type ErrorKind = 'error' | 'timeout' | 'kernel_death' | 'worker_lost' | 'cancelled' | 'bad_input';

export const RUN_DONE: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
export const TASK_DONE: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped']);

export interface ParameterChange {
  old: unknown;
  new: unknown;
}

export interface Run {
  id: string;
  pipelineId: string;
  pipelinePath: string;
  pipelineName: string;
  status: RunStatus;
  trigger: RunTrigger;
  triggeredBy: string | null;
  runAs: string | null;
  logicalDate: string;
  period: Period;
  parameters: Record<string, unknown>;
  /** A manual run's overrides: name -> {old, new}. */
  overrides: Record<string, ParameterChange>;
  parentRunId: string | null;
  parentTaskId: string | null;
  backfillId: string | null;
  repairCount: number;
  cancelRequested: boolean;
  slaDeadline: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface TaskAttempt {
  attempt: number;
  status: string;
  worker: string | null;
  queuedAt: string;
  delayMs: number;
  startedAt: string | null;
  kernelReadyAt: string | null;
  firstCellAt: string | null;
  finishedAt: string | null;
  kernelId: string | null;
  error: string | null;
  errorKind: string | null;
}

export interface TaskRun {
  taskId: string;
  status: TaskStatus;
  attempt: number;
  maxAttempts: number;
  readyAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  values: Record<string, unknown>;
  error: string | null;
  errorKind: string | null;
  outputPath: string | null;
  childRunId: string | null;
  progress: { done: number; total: number };
  attempts: TaskAttempt[];
}

/** A data-quality expectation a task evaluated (`%%expect` in the SQL kernel): zero offending rows, or their amount within materiality, passes. */
export interface CheckResult {
  name: string;
  severity: 'warn' | 'fail';
  status: 'passed' | 'failed' | 'error';
  violations: number;
  /**
   * Sum of the offending rows' amounts (decimal text), when the check names an amount column. With
   * `currency=`: those of the first currency whose impact exceeds its materiality, else of the largest impact.
   */
  impact: string | null;
  materiality: string | null;
  /** With `currency=`: each currency's impact against its materiality, ordered by currency (NULL last); null otherwise. */
  impacts: CheckImpact[] | null;
  /** The first offending rows. */
  sample: { columns: { name: string; type: string }[]; rows: unknown[][] };
  message: string | null;
  sqlSha256: string | null;
}

/** One currency's impact of a check with `currency=`: decimals as text; `currency` null for the NULL group. */
export interface CheckImpact {
  currency: string | null;
  impact: string;
  materiality: string;
  exceeded: boolean;
}

export interface TaskCheck extends CheckResult {
  taskId: string;
  attempt: number;
  at: string;
}

export interface RunDetail extends Run {
  spec: PipelineSpec;
  tasks: TaskRun[];
  /** Each task's checks from its latest attempt, in the order they ran. */
  checks: TaskCheck[];
}

export interface LogLine {
  taskId: string;
  attempt: number;
  seq: number;
  at: string;
  stream: string;
  cell: number | null;
  text: string;
}
