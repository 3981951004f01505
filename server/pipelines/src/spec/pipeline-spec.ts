/**
 * A pipeline as the scheduler sees it, parsed and checked from a workspace
 * file `*.pipeline.yaml` (parse-pipeline.ts). The pipeline's id is the
 * file's workspace path. Durations are milliseconds; templates (strings
 * holding `{{ ... }}`) are kept as written and rendered per run
 * (template.ts).
 */
import type { PeriodKind, TriggerSpec } from '../triggers/trigger-spec';

export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'list' | 'object';

export interface ParameterSpec {
  type: ParameterType;
  /** A value of `type`, or a template rendered at run time (e.g. "{{ period.end }}"). */
  default?: unknown;
  description?: string;
  /** Allowed values. */
  enum?: readonly unknown[];
  /** A run cannot start without a value (no default). */
  required: boolean;
}

export type RetryOn = 'error' | 'timeout' | 'kernel_death';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  retries: number;
  /** Delay before the first retry. */
  delayMs: number;
  /** Each further retry waits `backoff` times longer. */
  backoff: number;
  /** No delay exceeds this. */
  maxDelayMs: number;
  /** Random extra delay, as a fraction of the delay (0..1). */
  jitter: number;
  retryOn: readonly RetryOn[];
}

/** When a task runs, given how the tasks it depends on ended. */
export type TriggerRule = 'all_succeeded' | 'all_done' | 'any_failed';

export type TaskTarget =
  | { kind: 'notebook'; path: string }
  | { kind: 'sql'; path: string }
  | { kind: 'pipeline'; path: string };

export interface TaskSpec {
  id: string;
  target: TaskTarget;
  dependsOn: readonly string[];
  triggerRule: TriggerRule;
  /** Values for the notebook's parameters: literals or templates. */
  parameters: Readonly<Record<string, unknown>>;
  /** Kernelspec override (default: the notebook's own; SQL files use the SQL kernel). */
  kernel?: string;
  timeoutMs?: number;
  cellTimeoutMs?: number;
  retry: RetryPolicy;
  priority: number;
  /** Where the YAML declared it (for errors found later). */
  line: number;
}

export type NotifyEvent = 'failure' | 'success' | 'sla_miss' | 'data_ready';

export interface NotifySpec {
  on: readonly NotifyEvent[];
  email?: readonly string[];
  /** URL receiving a signed JSON POST. */
  webhook?: string;
}

/** A dataset a pipeline produces: announced as `data_ready` when a run succeeds. */
export interface DatasetSpec {
  name: string;
  /** The task whose values carry `row_count` (and optionally `schema_version`). */
  task: string;
  schemaVersion?: string;
}

export interface PipelineSpec {
  /** Workspace path of the YAML file. */
  id: string;
  name: string;
  description: string;
  triggers: readonly TriggerSpec[];
  /** A webhook may start runs (its secret is set through the API, never in the YAML). */
  webhook: boolean;
  period: PeriodKind;
  parameters: Readonly<Record<string, ParameterSpec>>;
  /** Tasks in the file's order. */
  tasks: readonly TaskSpec[];
  maxParallel: number;
  priority: number;
  timeoutMs?: number;
  /** A run not done this long after its scheduled time is an SLA miss. */
  slaMs?: number;
  notify: readonly NotifySpec[];
  datasets: readonly DatasetSpec[];
  /** The task that undoes a run (POST /api/runs/{id}/rollback), run alone. */
  rollback?: TaskSpec;
}
