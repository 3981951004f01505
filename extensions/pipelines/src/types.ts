/**
 * The JSON of Workbench's pipelines API, as the client sees it. Mirrors
 * `server/pipelines/src/spec/pipeline-spec.ts` (PipelineSpec),
 * `triggers/trigger-spec.ts` (TriggerSpec), `spec/spec-issue.ts`
 * (SpecIssue), `pipeline-registry.ts` (PipelineRecord) and
 * `runs/run-model.ts` (Run, RunDetail, TaskRun, TaskCheck, LogLine), served by
 * `server/http/src/routes/pipelines.ts`. This package runs in the browser,
 * so it does not import them. Only what the screens use is kept.
 */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type TaskStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'skipped';
export type RunTrigger = 'cron' | 'calendar' | 'manual' | 'webhook' | 'after' | 'backfill' | 'child' | 'rollback';

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];
export const RUN_TRIGGERS: readonly RunTrigger[] = ['cron', 'calendar', 'manual', 'webhook', 'after', 'backfill', 'child', 'rollback'];

/** A run that ended: it can be repaired unless it succeeded. */
export const RUN_DONE: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
export const TASK_DONE: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped']);

/** What is wrong with a pipeline file, where (1-based line and column). */
export interface SpecIssue {
  /** Data path, e.g. `tasks.report.depends_on[0]`; '' for the file as a whole. */
  path: string;
  line: number;
  column: number;
  message: string;
}

export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'list' | 'object';
export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'list', 'object'];

export interface ParameterSpec {
  type: ParameterType;
  /** A value of `type`, or a template rendered per run ("{{ period.end }}"); absent when there is none. */
  default?: unknown;
  description?: string;
  enum?: unknown[];
  required: boolean;
}

export interface HolidayCalendarSpec {
  country: string;
  region?: string;
  closedDays?: string[];
  weekend?: number[];
}

export type CalendarRule = { type: 'business_day'; n: number } | { type: 'business_days_after_month_end'; n: number } | { type: 'last_business_day' };

export type TriggerSpec =
  | { kind: 'cron'; cron: string; timezone: string }
  | { kind: 'calendar'; rule: CalendarRule; at: string; timezone: string; holidays?: HolidayCalendarSpec }
  | { kind: 'after'; pipeline: string };

export type TriggerRule = 'all_succeeded' | 'all_done' | 'any_failed';

export interface TaskSpec {
  id: string;
  target: { kind: 'notebook' | 'sql' | 'pipeline'; path: string };
  dependsOn: string[];
  triggerRule: TriggerRule;
  parameters: Record<string, unknown>;
  retry: { retries: number };
  timeoutMs?: number;
  /** Where the YAML declares it. */
  line: number;
}

export interface PipelineSpec {
  id: string;
  name: string;
  description: string;
  triggers: TriggerSpec[];
  webhook: boolean;
  period: 'previous_month' | 'current_month' | 'previous_day' | 'current_day';
  parameters: Record<string, ParameterSpec>;
  /** In the file's order. */
  tasks: TaskSpec[];
  maxParallel: number;
  slaMs?: number;
  /** The task that undoes a succeeded run (`POST api/runs/{id}/rollback`), run alone; absent when the pipeline has none. */
  rollback?: TaskSpec;
}

export interface Period {
  start: string;
  end: string;
  label: string;
}

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
  logicalDate: string;
  period: Period;
  parameters: Record<string, unknown>;
  /** A manual run's overrides: name -> {old, new}. */
  overrides: Record<string, ParameterChange>;
  backfillId: string | null;
  repairCount: number;
  cancelRequested: boolean;
  /** Past this, a run still going is an SLA miss. */
  slaDeadline: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** A row of `GET api/pipelines/:id/runs`: the run and its tasks' statuses (the run-history matrix). */
export interface RunRow extends Run {
  tasks: Record<string, { status: TaskStatus; attempt: number }>;
}

export interface TaskAttempt {
  attempt: number;
  status: string;
  queuedAt: string;
  /** The retry delay it waited. */
  delayMs: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  errorKind: string | null;
}

export interface TaskRun {
  taskId: string;
  status: TaskStatus;
  attempt: number;
  maxAttempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  values: Record<string, unknown>;
  error: string | null;
  errorKind: string | null;
  /** The output notebook (workspace path). */
  outputPath: string | null;
  childRunId: string | null;
  /** Cells done of cells to run. */
  progress: { done: number; total: number };
  attempts: TaskAttempt[];
}

export type CheckSeverity = 'warn' | 'fail';
export type CheckStatus = 'passed' | 'failed' | 'error';
export const CHECK_SEVERITIES: readonly CheckSeverity[] = ['warn', 'fail'];
export const CHECK_STATUSES: readonly CheckStatus[] = ['passed', 'failed', 'error'];

/** One currency's impact of a check with `currency=`: decimals as text; `currency` null for rows without one. */
export interface CheckImpact {
  currency: string | null;
  impact: string;
  materiality: string;
  /** impact > materiality: this currency failed the check. */
  exceeded: boolean;
}

/**
 * A data-quality check a task evaluated (a `%%expect` cell of the SQL
 * kernel, kernels/sql/README.md): no offending rows, or their impact
 * within materiality, passes; `error` means it could not run. With
 * `currency=` the impact is weighed per currency (`impacts`), and the
 * check fails when any currency's impact exceeds its materiality.
 */
export interface TaskCheck {
  taskId: string;
  /** The task's attempt that ran it (its latest). */
  attempt: number;
  at: string;
  name: string;
  severity: CheckSeverity;
  status: CheckStatus;
  /** Offending rows, all counted (0 when it could not run). */
  violations: number;
  /** Sum of the offending rows' absolute amounts, decimal text; null without `amount=`. Per currency: the first currency above its materiality, else the largest impact. */
  impact: string | null;
  materiality: string | null;
  /** With `currency=`: each currency's impact against its materiality, ordered by currency (null last); null otherwise (and from servers before it). */
  impacts: CheckImpact[] | null;
  /** The first offending rows; `type` is the engine's type name (`INTEGER`, `DECIMAL(18,2)`). */
  sample: { columns: { name: string; type: string }[]; rows: unknown[][] };
  /** Why it could not run (`CatalogError: …`); null otherwise. */
  message: string | null;
  sqlSha256: string | null;
}

/** `GET api/runs/:id`. */
export interface RunDetail extends Run {
  spec: PipelineSpec;
  tasks: TaskRun[];
  /** Each task's checks from its latest attempt, in the order they ran ([] from servers before checks). */
  checks: TaskCheck[];
}

/** A pipeline as `GET api/pipelines` lists it: the file, its spec (null when it has errors), its last run. */
export interface PipelineSummary {
  id: string;
  path: string;
  name: string;
  spec: PipelineSpec | null;
  issues: SpecIssue[];
  paused: boolean;
  runAs: string | null;
  nextFireAt: string | null;
  updatedAt: string;
  lastRun: Run | null;
}

/** `GET api/pipelines/:id`: also its YAML and the next fire times. */
export interface PipelineDetail extends PipelineSummary {
  source: string;
  upcoming: { at: string; trigger: TriggerSpec }[];
}

/** `PATCH api/pipelines/:id` and `POST api/pipelines` answer the record without its last run. */
export type PipelineRecord = Omit<PipelineSummary, 'lastRun'>;

export interface LogLine {
  taskId: string;
  attempt: number;
  seq: number;
  at: string;
  /** `stdout`, `stderr`, `system`, `result`, ... */
  stream: string;
  /** 0-based cell index; null for lines about the kernel. */
  cell: number | null;
  text: string;
}

/** One event of `GET api/runs/:id/events`. */
export type RunEvent =
  | { type: 'run'; id: string; status: RunStatus; finishedAt: string | null; error: string | null }
  | { type: 'task'; taskId: string; attempt: number; kind: 'started' | 'progress' | 'finished'; progress?: { done: number; total: number } }
  | { type: 'log'; line: LogLine }
  | { type: 'end'; status: RunStatus };


/** What the signed-in user may do (`GET api/me?permissions=`, the server's role policy). */
export interface PipelinesAbilities {
  /** Run now, backfill, cancel, repair (analyst and up). */
  execute: boolean;
  /** Create and change pipeline files (engineer and up). */
  write: boolean;
  /** Pause and resume schedules (engineer and up). */
  schedule: boolean;
}
