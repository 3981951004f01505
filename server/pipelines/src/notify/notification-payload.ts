/**
 * The JSON bodies of outgoing webhooks (README.md "Payloads"): one shape
 * for a run's end or SLA miss, one for `data_ready` (PRD §6.4: `dataset`,
 * `row_count`, `schema_version`). Field names are snake_case and stable;
 * new fields may be added, none is renamed or removed. Pure: no I/O.
 */
import type { Period } from '../triggers/trigger-spec';
import type { DatasetSpec } from '../spec/pipeline-spec';
import type { RunDetail, RunStatus, RunTrigger, TaskRun, TaskStatus } from '../runs/run-model';

/** The X-Workbench-Event header and the payload's `event`. */
export type WebhookEvent = 'run.succeeded' | 'run.failed' | 'run.sla_missed' | 'data_ready';
export type RunWebhookEvent = Exclude<WebhookEvent, 'data_ready'>;

export interface PipelineRef {
  id: string;
  path: string;
  name: string;
}

export interface RunEventPayload {
  event: RunWebhookEvent;
  /** When the notification was made (ISO 8601); the same on every retry of a delivery. */
  created_at: string;
  pipeline: PipelineRef;
  run: {
    id: string;
    status: RunStatus;
    trigger: RunTrigger;
    triggered_by: string | null;
    logical_date: string;
    period: Period;
    parameters: Record<string, unknown>;
    started_at: string | null;
    finished_at: string | null;
    sla_deadline: string | null;
    error: string | null;
    /** The run's page in Workbench; null when no public URL is configured. */
    url: string | null;
  };
  /** Tasks that failed or timed out (after their retries), in the spec's order. */
  failed_tasks: FailedTask[];
}

export interface FailedTask {
  task_id: string;
  status: TaskStatus;
  /** Attempts made. */
  attempts: number;
  max_attempts: number;
  error: string | null;
  error_kind: string | null;
}

export interface DataReadyPayload {
  event: 'data_ready';
  created_at: string;
  dataset: string;
  /** The producing task's `row_count` value; null when it reported none. */
  row_count: number | null;
  schema_version: string | null;
  period: Period;
  run_id: string;
  /** When the producing task finished (ISO 8601). */
  produced_at: string | null;
  task_id: string;
  pipeline: PipelineRef;
  url: string | null;
}

export type NotificationPayload = RunEventPayload | DataReadyPayload;

export interface PayloadContext {
  /** Workbench's public URL, for links to the run page. */
  baseUrl?: string;
  /** Epoch ms. */
  now: number;
}

/** The run's page: `${baseUrl}/lab?pipeline-run=<runId>`, or null without a base URL. */
export function runUrl(baseUrl: string | undefined, runId: string, check?: string): string | null {
  if (baseUrl === undefined || baseUrl === '') return null;
  return `${baseUrl.replace(/\/+$/, '')}/lab?pipeline-run=${encodeURIComponent(runId)}${check !== undefined ? `&check=${encodeURIComponent(check)}` : ''}`;
}

export function pipelineRef(run: RunDetail): PipelineRef {
  return { id: run.pipelineId, path: run.pipelinePath, name: run.pipelineName };
}

const FAILED: ReadonlySet<TaskStatus> = new Set(['failed', 'timed_out']);

export function failedTasks(run: RunDetail): TaskRun[] {
  return run.tasks.filter((t) => FAILED.has(t.status));
}

/** The webhook event of a run that ended (cancelled and timed out runs are failures) or missed its SLA. */
export function runWebhookEvent(run: RunDetail, slaMissed = false): RunWebhookEvent {
  if (slaMissed) return 'run.sla_missed';
  return run.status === 'succeeded' ? 'run.succeeded' : 'run.failed';
}

export function runEventPayload(run: RunDetail, event: RunWebhookEvent, context: PayloadContext): RunEventPayload {
  return {
    event,
    created_at: new Date(context.now).toISOString(),
    pipeline: pipelineRef(run),
    run: {
      id: run.id,
      status: run.status,
      trigger: run.trigger,
      triggered_by: run.triggeredBy,
      logical_date: run.logicalDate,
      period: { start: run.period.start, end: run.period.end, label: run.period.label },
      parameters: run.parameters,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      sla_deadline: run.slaDeadline,
      error: run.error,
      url: runUrl(context.baseUrl, run.id),
    },
    failed_tasks: failedTasks(run).map((t) => ({
      task_id: t.taskId,
      status: t.status,
      attempts: t.attempt,
      max_attempts: t.maxAttempts,
      error: t.error,
      error_kind: t.errorKind,
    })),
  };
}

/**
 * What the run tells about a dataset it produced, or undefined when its
 * producing task did not succeed (then nothing is announced).
 * `schema_version` is the spec's, else the task's `schema_version` value.
 */
export function datasetOutcome(run: RunDetail, dataset: DatasetSpec): { task: TaskRun; rowCount: number | null; schemaVersion: string | null } | undefined {
  const task = run.tasks.find((t) => t.taskId === dataset.task);
  if (task === undefined || task.status !== 'succeeded') return undefined;
  return {
    task,
    rowCount: asCount(task.values['row_count']),
    schemaVersion: dataset.schemaVersion ?? asVersion(task.values['schema_version']),
  };
}

export function dataReadyPayload(run: RunDetail, dataset: DatasetSpec, context: PayloadContext): DataReadyPayload | undefined {
  const outcome = datasetOutcome(run, dataset);
  if (outcome === undefined) return undefined;
  return {
    event: 'data_ready',
    created_at: new Date(context.now).toISOString(),
    dataset: dataset.name,
    row_count: outcome.rowCount,
    schema_version: outcome.schemaVersion,
    period: { start: run.period.start, end: run.period.end, label: run.period.label },
    run_id: run.id,
    produced_at: outcome.task.finishedAt ?? run.finishedAt,
    task_id: outcome.task.taskId,
    pipeline: pipelineRef(run),
    url: runUrl(context.baseUrl, run.id),
  };
}

/** A notebook may report a count as a number or as digits (a big integer printed). */
function asCount(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}

function asVersion(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
