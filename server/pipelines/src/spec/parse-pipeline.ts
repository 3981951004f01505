/**
 * A `*.pipeline.yaml` file to a PipelineSpec: YAML (yaml-issues.ts), shape
 * (the JSON Schema, schema-issues.ts), meaning (check-pipeline.ts), then
 * defaults filled in. Every issue of every stage is reported at once, each
 * at its line and column; the file's existence checks are the caller's.
 */
import { LineCounter, parseDocument } from 'yaml';
import { describeError } from '@workbench/core';
import type { PeriodKind } from '../triggers/trigger-spec';
import { checkPipeline } from './check-pipeline';
import { parseDuration } from './duration';
import type { NotifyEvent, NotifySpec, ParameterSpec, ParameterType, PipelineSpec, RetryOn, RetryPolicy, TaskSpec, TaskTarget, TriggerRule } from './pipeline-spec';
import { toTriggerSpec, type RawTrigger } from './schedule';
import { checkSchema } from './schema-issues';
import { SourceMap } from './source-map';
import { IssueList, PipelineSpecError } from './spec-issue';
import { checkYaml } from './yaml-issues';
import { normalizeWorkspacePath } from './workspace-path';

/** A file the schema and checks passed. */
interface RawPipeline {
  name?: string;
  description?: string;
  period?: PeriodKind;
  schedule?: RawTrigger[];
  webhook?: boolean;
  parameters?: Record<string, { type: ParameterType; default?: unknown; description?: string; enum?: unknown[]; required?: boolean }>;
  max_parallel?: number;
  priority?: number;
  timeout?: number | string;
  sla?: number | string;
  defaults?: RawSettings;
  tasks: Record<string, RawTask>;
  notify?: { on: NotifyEvent[]; email?: string | string[]; webhook?: string }[];
  datasets?: { name: string; task: string; schema_version?: string | number }[];
  rollback?: RawTask;
}

interface RawSettings {
  retries?: number;
  retry_delay?: number | string;
  retry_backoff?: number;
  retry_max_delay?: number | string;
  retry_jitter?: number;
  retry_on?: RetryOn[];
  timeout?: number | string;
  cell_timeout?: number | string;
}

interface RawTask extends RawSettings {
  notebook?: string;
  sql?: string;
  pipeline?: string;
  depends_on?: string[];
  trigger_rule?: TriggerRule;
  parameters?: Record<string, unknown>;
  kernel?: string;
  priority?: number;
}

/** What a task gets when neither it nor `defaults` says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  retries: 0,
  delayMs: 30_000,
  backoff: 2,
  maxDelayMs: 3_600_000,
  jitter: 0.1,
  retryOn: Object.freeze(['error', 'timeout', 'kernel_death'] as const),
});
export const DEFAULT_MAX_PARALLEL = 4;

/**
 * Parses and checks a pipeline file; `file` is its workspace path (the
 * pipeline's id). @throws PipelineSpecError listing every issue found.
 */
export function parsePipeline(text: string, file: string): PipelineSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'silent' });
  const map = new SourceMap(doc, lineCounter);
  const issues = new IssueList(map);
  let data: unknown;
  if (!checkYaml(text, doc, map, issues)) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      issues.at([], `the YAML cannot be read: ${describeError(err)}`);
    }
    if (data === null || data === undefined) {
      if (issues.size === 0) issues.at([], 'the file is empty: a pipeline needs at least `tasks:`');
    } else {
      checkSchema(data, issues);
      checkPipeline(data, file, issues);
    }
  }
  if (issues.size > 0) throw new PipelineSpecError(file, issues.sorted());
  return toSpec(data as RawPipeline, file, map);
}

function toSpec(d: RawPipeline, file: string, map: SourceMap): PipelineSpec {
  const defaults = d.defaults ?? {};
  return {
    id: file,
    name: d.name ?? defaultName(file),
    description: d.description ?? '',
    triggers: (d.schedule ?? []).map(toTriggerSpec),
    webhook: d.webhook ?? false,
    period: d.period ?? 'current_day',
    parameters: Object.fromEntries(
      Object.entries(d.parameters ?? {}).map(([name, p]): [string, ParameterSpec] => [
        name,
        {
          type: p.type,
          ...(p.default !== undefined ? { default: p.default } : {}),
          ...(p.description !== undefined ? { description: p.description } : {}),
          ...(p.enum !== undefined ? { enum: p.enum } : {}),
          required: p.required ?? p.default === undefined,
        },
      ]),
    ),
    tasks: Object.entries(d.tasks).map(([id, t]) => toTask(id, t, defaults, map.position(['tasks', id], { key: true }).line)),
    maxParallel: d.max_parallel ?? DEFAULT_MAX_PARALLEL,
    priority: d.priority ?? 0,
    ...optionalMs('timeoutMs', d.timeout),
    ...optionalMs('slaMs', d.sla),
    notify: (d.notify ?? []).map(
      (n): NotifySpec => ({
        on: [...n.on],
        ...(n.email !== undefined ? { email: typeof n.email === 'string' ? [n.email] : [...n.email] } : {}),
        ...(n.webhook !== undefined ? { webhook: n.webhook } : {}),
      }),
    ),
    datasets: (d.datasets ?? []).map((ds) => ({ name: ds.name, task: ds.task, ...(ds.schema_version !== undefined ? { schemaVersion: String(ds.schema_version) } : {}) })),
    ...(d.rollback !== undefined ? { rollback: toTask('rollback', d.rollback, defaults, map.position(['rollback'], { key: true }).line) } : {}),
  };
}

function toTask(id: string, t: RawTask, defaults: RawSettings, line: number): TaskSpec {
  const target: TaskTarget =
    t.notebook !== undefined
      ? { kind: 'notebook', path: normalizeWorkspacePath(t.notebook) }
      : t.sql !== undefined
        ? { kind: 'sql', path: normalizeWorkspacePath(t.sql) }
        : { kind: 'pipeline', path: normalizeWorkspacePath(t.pipeline!) };
  const setting = <K extends keyof RawSettings>(key: K): RawSettings[K] => t[key] ?? defaults[key];
  const retry: RetryPolicy = {
    retries: setting('retries') ?? DEFAULT_RETRY.retries,
    delayMs: parseDuration(setting('retry_delay')) ?? DEFAULT_RETRY.delayMs,
    backoff: setting('retry_backoff') ?? DEFAULT_RETRY.backoff,
    maxDelayMs: parseDuration(setting('retry_max_delay')) ?? DEFAULT_RETRY.maxDelayMs,
    jitter: setting('retry_jitter') ?? DEFAULT_RETRY.jitter,
    retryOn: [...(setting('retry_on') ?? DEFAULT_RETRY.retryOn)],
  };
  return {
    id,
    target,
    dependsOn: [...(t.depends_on ?? [])],
    triggerRule: t.trigger_rule ?? 'all_succeeded',
    parameters: t.parameters ?? {},
    ...(t.kernel !== undefined ? { kernel: t.kernel } : {}),
    ...optionalMs('timeoutMs', setting('timeout')),
    ...(target.kind !== 'pipeline' ? optionalMs('cellTimeoutMs', setting('cell_timeout')) : {}),
    retry,
    priority: t.priority ?? 0,
    line,
  };
}

function optionalMs<K extends string>(key: K, value: number | string | undefined): { [P in K]?: number } {
  const ms = parseDuration(value);
  return (ms === undefined ? {} : { [key]: ms }) as { [P in K]?: number };
}

/** `finance/month-end.pipeline.yaml` -> `month-end`. */
function defaultName(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.pipeline\.ya?ml$/i, '');
}
