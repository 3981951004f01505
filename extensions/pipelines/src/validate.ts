/**
 * Trust boundary: the pipelines API's JSON is checked here once, so the
 * widgets can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a PipelinesError('invalid_response')
 * naming the first field that is wrong. Keys the screens do not use are
 * dropped.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { PipelinesError } from './pipelines-api';
import {
  CHECK_SEVERITIES,
  CHECK_STATUSES,
  PARAMETER_TYPES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  TASK_STATUSES,
  type CalendarRule,
  type CheckImpact,
  type CheckSeverity,
  type CheckStatus,
  type LogLine,
  type ParameterSpec,
  type ParameterType,
  type PipelineDetail,
  type PipelineRecord,
  type PipelinesAbilities,
  type PipelineSpec,
  type PipelineSummary,
  type Run,
  type RunDetail,
  type RunEvent,
  type RunRow,
  type RunStatus,
  type RunTrigger,
  type SpecIssue,
  type TaskAttempt,
  type TaskCheck,
  type TaskRun,
  type TaskSpec,
  type TaskStatus,
  type TriggerRule,
  type TriggerSpec,
} from './types';

const RUN_STATES = new Set<string>(RUN_STATUSES);
const TASK_STATES = new Set<string>(TASK_STATUSES);
const TRIGGERS = new Set<string>(RUN_TRIGGERS);
const PARAM_TYPES = new Set<string>(PARAMETER_TYPES);
const TRIGGER_RULES = new Set(['all_succeeded', 'all_done', 'any_failed']);
const TARGET_KINDS = new Set(['notebook', 'sql', 'pipeline']);
const PERIODS = new Set(['previous_month', 'current_month', 'previous_day', 'current_day']);
const TASK_EVENT_KINDS = new Set(['started', 'progress', 'finished']);
const SEVERITIES = new Set<string>(CHECK_SEVERITIES);
const CHECK_STATES = new Set<string>(CHECK_STATUSES);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, PipelinesError);
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
  number(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'a number');
    return v;
  }
  integer(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(where, 'an integer');
    return v;
  }
  /** Absent and null both read as null. */
  optString(v: unknown, where: string): string | null {
    return v === undefined ? null : this.stringOrNull(v, where);
  }
  optTime(v: unknown, where: string): string | null {
    return v === undefined ? null : this.timeOrNull(v, where);
  }
}

function issue(r: Reader, v: unknown, at: string): SpecIssue {
  const o = r.object(v, at);
  return { path: o.path === undefined ? '' : r.string(o.path, `${at}.path`), line: r.count(o.line, `${at}.line`), column: r.count(o.column, `${at}.column`), message: r.string(o.message, `${at}.message`) };
}

function issues(r: Reader, v: unknown, at: string): SpecIssue[] {
  return v === undefined ? [] : r.array(v, at).map((x, i) => issue(r, x, `${at}[${i}]`));
}

function calendarRule(r: Reader, v: unknown, at: string): CalendarRule {
  const o = r.object(v, at);
  const type = r.oneOf<CalendarRule['type']>(o.type, new Set(['business_day', 'business_days_after_month_end', 'last_business_day']), `${at}.type`);
  return type === 'last_business_day' ? { type } : { type, n: r.integer(o.n, `${at}.n`) };
}

function trigger(r: Reader, v: unknown, at: string): TriggerSpec {
  const o = r.object(v, at);
  const kind = r.oneOf<TriggerSpec['kind']>(o.kind, new Set(['cron', 'calendar', 'after']), `${at}.kind`);
  switch (kind) {
    case 'cron':
      return { kind, cron: r.string(o.cron, `${at}.cron`), timezone: r.string(o.timezone, `${at}.timezone`) };
    case 'after':
      return { kind, pipeline: r.string(o.pipeline, `${at}.pipeline`) };
    case 'calendar': {
      const t: TriggerSpec = { kind, rule: calendarRule(r, o.rule, `${at}.rule`), at: r.string(o.at, `${at}.at`), timezone: r.string(o.timezone, `${at}.timezone`) };
      if (o.holidays !== undefined) {
        const hol = r.object(o.holidays, `${at}.holidays`);
        t.holidays = {
          country: r.string(hol.country, `${at}.holidays.country`),
          ...(hol.region !== undefined && { region: r.string(hol.region, `${at}.holidays.region`) }),
          ...(hol.closedDays !== undefined && { closedDays: r.strings(hol.closedDays, `${at}.holidays.closedDays`) }),
          ...(hol.weekend !== undefined && { weekend: r.array(hol.weekend, `${at}.holidays.weekend`).map((d, i) => r.count(d, `${at}.holidays.weekend[${i}]`)) }),
        };
      }
      return t;
    }
  }
}

function parameter(r: Reader, v: unknown, at: string): ParameterSpec {
  const o = r.object(v, at);
  return {
    type: r.oneOf<ParameterType>(o.type, PARAM_TYPES, `${at}.type`),
    ...(o.default !== undefined && { default: o.default }),
    ...(o.description !== undefined && { description: r.string(o.description, `${at}.description`) }),
    ...(o.enum !== undefined && { enum: r.array(o.enum, `${at}.enum`) }),
    required: r.boolean(o.required, `${at}.required`),
  };
}

function task(r: Reader, v: unknown, at: string): TaskSpec {
  const o = r.object(v, at);
  const target = r.object(o.target, `${at}.target`);
  const retry = r.object(o.retry, `${at}.retry`);
  return {
    id: r.string(o.id, `${at}.id`),
    target: { kind: r.oneOf<TaskSpec['target']['kind']>(target.kind, TARGET_KINDS, `${at}.target.kind`), path: r.string(target.path, `${at}.target.path`) },
    dependsOn: r.strings(o.dependsOn, `${at}.dependsOn`),
    triggerRule: r.oneOf<TriggerRule>(o.triggerRule, TRIGGER_RULES, `${at}.triggerRule`),
    parameters: o.parameters === undefined ? {} : r.object(o.parameters, `${at}.parameters`),
    retry: { retries: r.count(retry.retries, `${at}.retry.retries`) },
    ...(o.timeoutMs !== undefined && { timeoutMs: r.count(o.timeoutMs, `${at}.timeoutMs`) }),
    line: r.count(o.line, `${at}.line`),
  };
}

function spec(r: Reader, v: unknown, at: string): PipelineSpec {
  const o = r.object(v, at);
  const params = r.object(o.parameters, `${at}.parameters`);
  return {
    id: r.string(o.id, `${at}.id`),
    name: r.string(o.name, `${at}.name`),
    description: r.string(o.description, `${at}.description`),
    triggers: r.array(o.triggers, `${at}.triggers`).map((t, i) => trigger(r, t, `${at}.triggers[${i}]`)),
    webhook: r.boolean(o.webhook, `${at}.webhook`),
    period: r.oneOf<PipelineSpec['period']>(o.period, PERIODS, `${at}.period`),
    parameters: Object.fromEntries(Object.entries(params).map(([name, p]) => [name, parameter(r, p, `${at}.parameters.${name}`)])),
    tasks: r.array(o.tasks, `${at}.tasks`).map((t, i) => task(r, t, `${at}.tasks[${i}]`)),
    maxParallel: r.count(o.maxParallel, `${at}.maxParallel`),
    ...(o.slaMs !== undefined && { slaMs: r.count(o.slaMs, `${at}.slaMs`) }),
    ...(o.rollback !== undefined && o.rollback !== null && { rollback: task(r, o.rollback, `${at}.rollback`) }),
  };
}

function run(r: Reader, v: unknown, at: string): Run {
  const o = r.object(v, at);
  const period = r.object(o.period, `${at}.period`);
  const overrides = r.object(o.overrides, `${at}.overrides`);
  return {
    id: r.string(o.id, `${at}.id`),
    pipelineId: r.string(o.pipelineId, `${at}.pipelineId`),
    pipelinePath: r.string(o.pipelinePath, `${at}.pipelinePath`),
    pipelineName: r.string(o.pipelineName, `${at}.pipelineName`),
    status: r.oneOf<RunStatus>(o.status, RUN_STATES, `${at}.status`),
    trigger: r.oneOf<RunTrigger>(o.trigger, TRIGGERS, `${at}.trigger`),
    triggeredBy: r.optString(o.triggeredBy, `${at}.triggeredBy`),
    logicalDate: r.time(o.logicalDate, `${at}.logicalDate`),
    period: { start: r.string(period.start, `${at}.period.start`), end: r.string(period.end, `${at}.period.end`), label: r.string(period.label, `${at}.period.label`) },
    parameters: r.object(o.parameters, `${at}.parameters`),
    overrides: Object.fromEntries(
      Object.entries(overrides).map(([name, c]) => {
        const change = r.object(c, `${at}.overrides.${name}`);
        return [name, { old: change.old, new: change.new }];
      }),
    ),
    backfillId: r.optString(o.backfillId, `${at}.backfillId`),
    repairCount: o.repairCount === undefined ? 0 : r.count(o.repairCount, `${at}.repairCount`),
    cancelRequested: o.cancelRequested === undefined ? false : r.boolean(o.cancelRequested, `${at}.cancelRequested`),
    slaDeadline: r.optTime(o.slaDeadline, `${at}.slaDeadline`),
    createdAt: r.time(o.createdAt, `${at}.createdAt`),
    startedAt: r.optTime(o.startedAt, `${at}.startedAt`),
    finishedAt: r.optTime(o.finishedAt, `${at}.finishedAt`),
    error: r.optString(o.error, `${at}.error`),
  };
}

function attempt(r: Reader, v: unknown, at: string): TaskAttempt {
  const o = r.object(v, at);
  return {
    attempt: r.count(o.attempt, `${at}.attempt`),
    status: r.string(o.status, `${at}.status`),
    queuedAt: r.time(o.queuedAt, `${at}.queuedAt`),
    delayMs: r.count(o.delayMs, `${at}.delayMs`),
    startedAt: r.optTime(o.startedAt, `${at}.startedAt`),
    finishedAt: r.optTime(o.finishedAt, `${at}.finishedAt`),
    error: r.optString(o.error, `${at}.error`),
    errorKind: r.optString(o.errorKind, `${at}.errorKind`),
  };
}

function taskRun(r: Reader, v: unknown, at: string): TaskRun {
  const o = r.object(v, at);
  const progress = r.object(o.progress, `${at}.progress`);
  return {
    taskId: r.string(o.taskId, `${at}.taskId`),
    status: r.oneOf<TaskStatus>(o.status, TASK_STATES, `${at}.status`),
    attempt: r.count(o.attempt, `${at}.attempt`),
    maxAttempts: r.count(o.maxAttempts, `${at}.maxAttempts`),
    startedAt: r.optTime(o.startedAt, `${at}.startedAt`),
    finishedAt: r.optTime(o.finishedAt, `${at}.finishedAt`),
    values: o.values === undefined ? {} : r.object(o.values, `${at}.values`),
    error: r.optString(o.error, `${at}.error`),
    errorKind: r.optString(o.errorKind, `${at}.errorKind`),
    outputPath: r.optString(o.outputPath, `${at}.outputPath`),
    childRunId: r.optString(o.childRunId, `${at}.childRunId`),
    progress: { done: r.count(progress.done, `${at}.progress.done`), total: r.count(progress.total, `${at}.progress.total`) },
    attempts: o.attempts === undefined ? [] : r.array(o.attempts, `${at}.attempts`).map((a, i) => attempt(r, a, `${at}.attempts[${i}]`)),
  };
}

function checkImpact(r: Reader, v: unknown, at: string): CheckImpact {
  const o = r.object(v, at);
  return {
    currency: r.stringOrNull(o.currency, `${at}.currency`),
    impact: r.string(o.impact, `${at}.impact`),
    materiality: r.string(o.materiality, `${at}.materiality`),
    exceeded: r.boolean(o.exceeded, `${at}.exceeded`),
  };
}

function check(r: Reader, v: unknown, at: string): TaskCheck {
  const o = r.object(v, at);
  const sample = r.object(o.sample, `${at}.sample`);
  return {
    taskId: r.string(o.taskId, `${at}.taskId`),
    attempt: r.count(o.attempt, `${at}.attempt`),
    at: r.time(o.at, `${at}.at`),
    name: r.string(o.name, `${at}.name`),
    severity: r.oneOf<CheckSeverity>(o.severity, SEVERITIES, `${at}.severity`),
    status: r.oneOf<CheckStatus>(o.status, CHECK_STATES, `${at}.status`),
    violations: r.count(o.violations, `${at}.violations`),
    impact: r.optString(o.impact, `${at}.impact`),
    materiality: r.optString(o.materiality, `${at}.materiality`),
    // Absent (a server from before per-currency impacts) and null both read as null.
    impacts: o.impacts === undefined || o.impacts === null ? null : r.array(o.impacts, `${at}.impacts`).map((x, i) => checkImpact(r, x, `${at}.impacts[${i}]`)),
    sample: {
      columns: r.array(sample.columns, `${at}.sample.columns`).map((c, i) => {
        const col = r.object(c, `${at}.sample.columns[${i}]`);
        return { name: r.string(col.name, `${at}.sample.columns[${i}].name`), type: r.string(col.type, `${at}.sample.columns[${i}].type`) };
      }),
      // Cell values are shown as text, whatever their JSON type.
      rows: r.array(sample.rows, `${at}.sample.rows`).map((row, i) => r.array(row, `${at}.sample.rows[${i}]`)),
    },
    message: r.optString(o.message, `${at}.message`),
    sqlSha256: r.optString(o.sqlSha256, `${at}.sqlSha256`),
  };
}

function record(r: Reader, o: Json, at: string): PipelineRecord {
  return {
    id: r.string(o.id, `${at}.id`),
    path: r.string(o.path, `${at}.path`),
    name: r.string(o.name, `${at}.name`),
    spec: o.spec === null || o.spec === undefined ? null : spec(r, o.spec, `${at}.spec`),
    issues: issues(r, o.issues, `${at}.issues`),
    paused: r.boolean(o.paused, `${at}.paused`),
    runAs: r.optString(o.runAs, `${at}.runAs`),
    nextFireAt: r.optTime(o.nextFireAt, `${at}.nextFireAt`),
    updatedAt: r.time(o.updatedAt, `${at}.updatedAt`),
  };
}

function summary(r: Reader, o: Json, at: string): PipelineSummary {
  return { ...record(r, o, at), lastRun: o.lastRun === null || o.lastRun === undefined ? null : run(r, o.lastRun, `${at}.lastRun`) };
}

/** `GET api/pipelines`. */
export function readPipelines(json: unknown): PipelineSummary[] {
  const r = new Reader('the pipelines');
  return r.array(json, 'the answer').map((v, i) => summary(r, r.object(v, `[${i}]`), `[${i}]`));
}

/** `GET api/pipelines/:id`. */
export function readPipeline(json: unknown): PipelineDetail {
  const r = new Reader('the pipeline');
  const o = r.object(json, 'the answer');
  return {
    ...summary(r, o, 'the answer'),
    source: r.string(o.source, 'source'),
    upcoming: r.array(o.upcoming, 'upcoming').map((v, i) => {
      const u = r.object(v, `upcoming[${i}]`);
      return { at: r.time(u.at, `upcoming[${i}].at`), trigger: trigger(r, u.trigger, `upcoming[${i}].trigger`) };
    }),
  };
}

/** `PATCH api/pipelines/:id`, `POST api/pipelines`: the record. */
export function readPipelineRecord(json: unknown): PipelineRecord {
  const r = new Reader('the pipeline');
  return record(r, r.object(json, 'the answer'), 'the answer');
}

/** `POST api/pipelines/validate`. */
export function readIssues(json: unknown): SpecIssue[] {
  const r = new Reader('the check of the pipeline');
  const o = r.object(json, 'the answer');
  return r.array(o.issues, 'issues').map((v, i) => issue(r, v, `issues[${i}]`));
}

/** `GET api/pipelines/:id/runs`: runs with their tasks' statuses. */
export function readRunRows(json: unknown): RunRow[] {
  const r = new Reader('the runs');
  return r.array(json, 'the answer').map((v, i) => {
    const at = `[${i}]`;
    const tasks = r.object(r.object(v, at).tasks, `${at}.tasks`);
    return {
      ...run(r, v, at),
      tasks: Object.fromEntries(
        Object.entries(tasks).map(([id, t]) => {
          const o = r.object(t, `${at}.tasks.${id}`);
          return [id, { status: r.oneOf<TaskStatus>(o.status, TASK_STATES, `${at}.tasks.${id}.status`), attempt: r.count(o.attempt, `${at}.tasks.${id}.attempt`) }];
        }),
      ),
    };
  });
}

/** `GET api/runs`, `POST api/pipelines/:id/backfill`. */
export function readRuns(json: unknown): Run[] {
  const r = new Reader('the runs');
  return r.array(json, 'the answer').map((v, i) => run(r, v, `[${i}]`));
}

/** `POST api/pipelines/:id/runs`, `POST api/runs/:id/rollback`. */
export function readRun(json: unknown): Run {
  return run(new Reader('the run'), json, 'the answer');
}

/** `GET api/runs/:id`, `POST api/runs/:id/cancel`. */
export function readRunDetail(json: unknown): RunDetail {
  const r = new Reader('the run');
  const o = r.object(json, 'the answer');
  return {
    ...run(r, o, 'the answer'),
    spec: spec(r, o.spec, 'spec'),
    tasks: r.array(o.tasks, 'tasks').map((t, i) => taskRun(r, t, `tasks[${i}]`)),
    // Servers before data-quality checks send none.
    checks: o.checks === undefined ? [] : r.array(o.checks, 'checks').map((c, i) => check(r, c, `checks[${i}]`)),
  };
}

/** `POST api/runs/:id/repair`: the run and the tasks that run again. */
export function readRepair(json: unknown): { run: Run; tasks: string[] } {
  const r = new Reader('the repair');
  const o = r.object(json, 'the answer');
  return { run: run(r, o.run, 'run'), tasks: r.strings(o.tasks, 'tasks') };
}

/** One Server-Sent Event of `GET api/runs/:id/events` (its `event` name and parsed `data`). */
export function readRunEvent(type: string, data: unknown): RunEvent {
  const r = new Reader(`the run's ${type} event`);
  const o = r.object(data, 'data');
  switch (type) {
    case 'run':
      return { type, id: r.string(o.id, 'id'), status: r.oneOf<RunStatus>(o.status, RUN_STATES, 'status'), finishedAt: r.optTime(o.finishedAt, 'finishedAt'), error: r.optString(o.error, 'error') };
    case 'task': {
      const progress = o.progress === undefined ? undefined : r.object(o.progress, 'progress');
      return {
        type,
        taskId: r.string(o.taskId, 'taskId'),
        attempt: r.count(o.attempt, 'attempt'),
        kind: r.oneOf<'started' | 'progress' | 'finished'>(o.kind, TASK_EVENT_KINDS, 'kind'),
        ...(progress && { progress: { done: r.count(progress.done, 'progress.done'), total: r.count(progress.total, 'progress.total') } }),
      };
    }
    case 'log':
      return { type, line: logLine(r, o, 'data') };
    case 'end':
      return { type, status: r.oneOf<RunStatus>(o.status, RUN_STATES, 'status') };
    default:
      return r.fail('event', 'one of run, task, log, end');
  }
}

function logLine(r: Reader, o: Json, at: string): LogLine {
  return {
    taskId: r.string(o.taskId, `${at}.taskId`),
    attempt: r.count(o.attempt, `${at}.attempt`),
    seq: r.count(o.seq, `${at}.seq`),
    at: r.time(o.at, `${at}.at`),
    stream: r.string(o.stream, `${at}.stream`),
    cell: o.cell === null || o.cell === undefined ? null : r.count(o.cell, `${at}.cell`),
    text: r.string(o.text, `${at}.text`),
  };
}

/** `GET api/me?permissions={"pipelines":["execute","write"],"schedules":["write"]}`: what the server's role policy grants. */
export function readAbilities(json: unknown): PipelinesAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const granted = (resource: string) => new Set(permissions[resource] === undefined ? [] : r.strings(permissions[resource], `permissions.${resource}`));
  const pipelines = granted('pipelines');
  return { execute: pipelines.has('execute'), write: pipelines.has('write'), schedule: granted('schedules').has('write') };
}

