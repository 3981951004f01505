/**
 * Reading runs back (one with its tasks, attempts and checks; lists; the
 * run-history matrix), their log lines (appended as tasks print, read by
 * the screens), and the times the scheduler waits for. The queue's state
 * changes are RunStore's (run-store.ts), which extends this and shares its
 * spec cache.
 */
import { AppError, type Clock } from '@workbench/core';
import type { MetadataStore, PipelineRunsTable } from '@workbench/store';
import type { PipelineSpec } from '../spec/pipeline-spec';
import type { LogLine, Run, RunDetail, RunStatus, TaskStatus } from './run-model';
import { iso, toCheck, toRun, toTask } from './run-rows';

export interface RunQuery {
  pipelineId?: string;
  statuses?: readonly RunStatus[];
  limit?: number;
  /** Runs created before this epoch ms (paging). */
  before?: number;
}

export interface NewLogLine {
  runId: string;
  taskId: string;
  attempt: number;
  seq: number;
  at: number;
  stream: string;
  cell: number | null;
  text: string;
}

export class RunReads {
  /** Parsed specs of runs, by run id (a run's spec never changes). */
  protected readonly specs = new Map<string, PipelineSpec>();

  constructor(
    protected readonly store: MetadataStore,
    protected readonly clock: Clock,
  ) {}

  /** The earliest time a queued task becomes ready (retry delays), or undefined. */
  async nextReadyAt(): Promise<number | undefined> {
    const r = await this.store.db.selectFrom('pipeline_tasks').select((eb) => eb.fn.min('ready_at').as('t')).where('status', '=', 'queued').executeTakeFirst();
    return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
  }

  /** Runs not ended past their SLA deadline. */
  async slaOverdue(): Promise<string[]> {
    const rows = await this.store.db.selectFrom('pipeline_runs').select('id').where('status', 'in', ['queued', 'running']).where('sla_deadline', '<=', this.clock.now()).limit(500).execute();
    return rows.map((r) => r.id);
  }

  /** The earliest SLA deadline still ahead of a run not ended. */
  async nextSlaDeadline(): Promise<number | undefined> {
    const r = await this.store.db.selectFrom('pipeline_runs').select((eb) => eb.fn.min('sla_deadline').as('t')).where('status', 'in', ['queued', 'running']).where('sla_deadline', '>', this.clock.now()).executeTakeFirst();
    return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
  }

  /** Running runs past their whole-run timeout. */
  async overdueRuns(): Promise<string[]> {
    const now = this.clock.now();
    const rows = await this.store.db.selectFrom('pipeline_runs').select(['id', 'spec', 'started_at']).where('status', '=', 'running').where('cancel_requested', '=', 0).execute();
    const out: string[] = [];
    for (const r of rows) {
      const spec = this.parseSpec(r.id, r.spec);
      if (spec.timeoutMs !== undefined && r.started_at !== null && Number(r.started_at) + spec.timeoutMs <= now) out.push(r.id);
    }
    return out;
  }

  async get(runId: string): Promise<RunDetail> {
    const row = await this.store.db.selectFrom('pipeline_runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row) throw new AppError('not_found', `Cannot find run ${runId}: no such run`);
    const tasks = await this.store.db.selectFrom('pipeline_tasks').selectAll().where('run_id', '=', runId).execute();
    const attempts = await this.store.db.selectFrom('pipeline_task_attempts').selectAll().where('run_id', '=', runId).orderBy('attempt').execute();
    const spec = this.parseSpec(row.id, row.spec);
    const order = new Map(spec.tasks.map((t, i) => [t.id, i]));
    const latest = new Map(tasks.map((t) => [t.task_id, t.attempt]));
    const checks = (await this.store.db.selectFrom('quality_results').selectAll().where('run_id', '=', runId).orderBy('at').orderBy('check_name').execute())
      .filter((c) => latest.get(c.task_id) === c.attempt)
      .map(toCheck);
    return {
      ...this.runOf(row),
      spec,
      checks,
      tasks: tasks
        .sort((a, b) => (order.get(a.task_id) ?? 0) - (order.get(b.task_id) ?? 0))
        .map((t) => toTask(t, attempts.filter((a) => a.task_id === t.task_id))),
    };
  }

  async list(q: RunQuery = {}): Promise<Run[]> {
    let query = this.store.db.selectFrom('pipeline_runs').selectAll();
    if (q.pipelineId) query = query.where('pipeline_id', '=', q.pipelineId);
    if (q.statuses && q.statuses.length > 0) query = query.where('status', 'in', [...q.statuses]);
    if (q.before !== undefined) query = query.where('created_at', '<', q.before);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(Math.min(q.limit ?? 50, 500)).execute();
    return rows.map((r) => this.runOf(r));
  }

  /** Each run's task statuses (the run-history matrix). */
  async taskStatuses(runIds: readonly string[]): Promise<Map<string, Record<string, { status: TaskStatus; attempt: number }>>> {
    const out = new Map<string, Record<string, { status: TaskStatus; attempt: number }>>();
    if (runIds.length === 0) return out;
    const rows = await this.store.db.selectFrom('pipeline_tasks').select(['run_id', 'task_id', 'status', 'attempt']).where('run_id', 'in', [...runIds]).execute();
    for (const r of rows) {
      const m = out.get(r.run_id) ?? {};
      m[r.task_id] = { status: r.status as TaskStatus, attempt: r.attempt };
      out.set(r.run_id, m);
    }
    return out;
  }

  async appendLogs(lines: readonly NewLogLine[]): Promise<void> {
    const rows = lines.map((l) => ({ run_id: l.runId, task_id: l.taskId, attempt: l.attempt, seq: l.seq, at: l.at, stream: l.stream, cell: l.cell, text: l.text }));
    for (let i = 0; i < rows.length; i += 200) await this.store.db.insertInto('pipeline_logs').values(rows.slice(i, i + 200)).execute();
  }

  /** A run's log lines (one task's when given), after a cursor of (attempt, seq). */
  async logs(runId: string, opts: { taskId?: string; after?: { attempt: number; seq: number }; limit?: number } = {}): Promise<LogLine[]> {
    let q = this.store.db.selectFrom('pipeline_logs').selectAll().where('run_id', '=', runId);
    if (opts.taskId) q = q.where('task_id', '=', opts.taskId);
    if (opts.after) {
      const a = opts.after;
      q = q.where((eb) => eb.or([eb('attempt', '>', a.attempt), eb.and([eb('attempt', '=', a.attempt), eb('seq', '>', a.seq)])]));
    }
    const rows = await q.orderBy('at').orderBy('attempt').orderBy('seq').limit(Math.min(opts.limit ?? 5000, 20000)).execute();
    return rows.map((r) => ({ taskId: r.task_id, attempt: r.attempt, seq: r.seq, at: iso(r.at)!, stream: r.stream, cell: r.cell, text: r.text }));
  }

  protected runOf(r: PipelineRunsTable): Run {
    return toRun(r, this.parseSpec(r.id, r.spec).name);
  }

  protected parseSpec(runId: string, text: string): PipelineSpec {
    let spec = this.specs.get(runId);
    if (!spec) {
      spec = JSON.parse(text) as PipelineSpec;
      if (this.specs.size > 2000) this.specs.clear();
      this.specs.set(runId, spec);
    }
    return spec;
  }
}
