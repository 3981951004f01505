/**
 * Runs, tasks and attempts in the metadata store; the task rows are the
 * queue. Every change that reads then writes queue state runs in one
 * transaction holding the store's `pipelines-queue` lock (SQLite: the write
 * lock; PostgreSQL: an advisory lock), so replicas sharing one PostgreSQL
 * database never claim a task twice or exceed a run's parallelism, and a
 * restart finds every run exactly where the last commit left it.
 *
 * A claimed task carries a lease (owner + expiry) that its worker renews;
 * a lease that expires (the worker was killed) is recovered: the attempt
 * is recorded as lost and the task retried under its policy, once.
 */
import { randomUUID } from 'node:crypto';
import { AppError, type Clock } from '@workbench/core';
import type { MetadataStore, PipelineRunsTable, PipelineTasksTable, PipelineTaskAttemptsTable, Transaction, Database } from '@workbench/store';
import type { PipelineSpec, TaskSpec } from '../spec/pipeline-spec';
import { downstreamOf } from '../spec';
import type { Period } from '../triggers/trigger-spec';
import { isRetryable, retryDelayMs } from './retry';
import { RUN_DONE, TASK_DONE, type CheckResult, type ErrorKind, type ParameterChange, type Run, type RunStatus, type RunTrigger, type TaskStatus } from './run-model';
import { RunReads } from './run-reads';

const QUEUE_LOCK = 'pipelines-queue';
/** The lease owner of a task waiting for a child pipeline's run. */
const CHILD_OWNER = 'child-run';
const CANCELLED = 1;
const TIMED_OUT = 2;

export interface NewRun {
  pipelineId: string;
  pipelinePath: string;
  spec: PipelineSpec;
  trigger: RunTrigger;
  triggeredBy: string | null;
  runAs: string | null;
  /** A second create with the same key returns the first run instead of a new one. */
  idempotencyKey?: string;
  logicalDate: number;
  period: Period;
  parameters: Record<string, unknown>;
  overrides?: Record<string, ParameterChange>;
  parentRunId?: string;
  parentTaskId?: string;
  backfillId?: string;
  /** Sequential backfill: the run waits for the earlier runs of its backfill. */
  backfillSeq?: number;
}

export interface ClaimedTask {
  runId: string;
  taskId: string;
  attempt: number;
  task: TaskSpec;
  run: Run;
  spec: PipelineSpec;
  /** Values of the run's finished tasks, for templates. */
  upstream: Record<string, { values: Record<string, unknown>; status: string }>;
}

export type { NewLogLine, RunQuery } from './run-reads';

export interface AttemptOutcome {
  status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  errorKind?: ErrorKind;
  error?: string;
  values?: Record<string, unknown>;
  outputPath?: string;
  kernelId?: string;
  kernelReadyAt?: number;
  firstCellAt?: number;
  /** Data-quality expectations the attempt evaluated. */
  checks?: readonly CheckResult[];
}

export interface FinishResult {
  /** The worker no longer held the task (its lease was recovered): nothing was changed. */
  stale: boolean;
  /** The task will run again after `retryInMs`. */
  retryInMs?: number;
  /** The run ended with this change. */
  runFinished?: Run;
}

/** A running task to stop: its worker (or the child run it waits on). */
export interface RunningTask {
  runId: string;
  taskId: string;
  worker: string | null;
  childRunId: string | null;
}

export class RunStore extends RunReads {
  constructor(
    store: MetadataStore,
    clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    super(store, clock);
  }

  private tx<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.store.transaction(async (trx) => {
      await this.store.lock(trx, QUEUE_LOCK);
      return fn(trx);
    });
  }

  /** Creates a run with its tasks (roots queued). With an idempotency key already used, returns that run instead. */
  async create(n: NewRun): Promise<{ run: Run; created: boolean }> {
    return this.tx((trx) => this.createIn(trx, n));
  }

  /** Runs `fn` in a transaction holding the queue lock (for createIn). */
  withQueueLock<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.tx(fn);
  }

  /** create() inside a transaction that holds the queue lock. */
  async createIn(trx: Transaction<Database>, n: NewRun): Promise<{ run: Run; created: boolean }> {
    const now = this.clock.now();
    {
      if (n.idempotencyKey) {
        const existing = await trx.selectFrom('pipeline_runs').selectAll().where('idempotency_key', '=', n.idempotencyKey).executeTakeFirst();
        if (existing) return { run: this.runOf(existing), created: false };
      }
      const id = randomUUID();
      const row: PipelineRunsTable = {
        id,
        pipeline_id: n.pipelineId,
        pipeline_path: n.pipelinePath,
        status: 'queued',
        trigger: n.trigger,
        triggered_by: n.triggeredBy,
        run_as: n.runAs,
        idempotency_key: n.idempotencyKey ?? null,
        logical_date: n.logicalDate,
        period: JSON.stringify(n.period),
        parameters: JSON.stringify(n.parameters),
        overrides: JSON.stringify(n.overrides ?? {}),
        spec: JSON.stringify(n.spec),
        parent_run_id: n.parentRunId ?? null,
        parent_task_id: n.parentTaskId ?? null,
        backfill_id: n.backfillId ?? null,
        backfill_seq: n.backfillSeq ?? null,
        priority: n.spec.priority,
        repair_count: 0,
        cancel_requested: 0,
        sla_deadline: n.spec.slaMs === undefined ? null : n.logicalDate + n.spec.slaMs,
        created_at: now,
        started_at: null,
        finished_at: null,
        error: null,
      };
      await trx.insertInto('pipeline_runs').values(row).execute();
      const tasks: PipelineTasksTable[] = n.spec.tasks.map((t) => ({
        run_id: id,
        task_id: t.id,
        status: t.dependsOn.length === 0 ? 'queued' : 'pending',
        attempt: 0,
        max_attempts: t.retry.retries + 1,
        priority: t.priority,
        ready_at: t.dependsOn.length === 0 ? now : null,
        lease_owner: null,
        lease_expires_at: null,
        cancel_requested: 0,
        started_at: null,
        finished_at: null,
        task_values: '{}',
        error: null,
        error_kind: null,
        output_path: null,
        child_run_id: null,
        progress_done: 0,
        progress_total: 0,
      }));
      if (tasks.length > 0) await trx.insertInto('pipeline_tasks').values(tasks).execute();
      return { run: this.runOf(row), created: true };
    }
  }

  /**
   * Leases up to `max` ready tasks to `worker`: highest run priority, then
   * task priority, then longest waiting; never more running tasks in a run
   * than its `max_parallel`.
   */
  async claim(worker: string, max: number, leaseMs: number): Promise<ClaimedTask[]> {
    if (max <= 0) return [];
    const now = this.clock.now();
    const claimed = await this.tx(async (trx) => {
      const candidates = await trx
        .selectFrom('pipeline_tasks as t')
        .innerJoin('pipeline_runs as r', 'r.id', 't.run_id')
        .select(['t.run_id', 't.task_id', 't.attempt', 't.ready_at'])
        .where('t.status', '=', 'queued')
        .where('t.ready_at', '<=', now)
        .where('r.cancel_requested', '=', 0)
        // A sequential backfill's run waits for the earlier ones.
        .where((eb) =>
          eb.or([
            eb('r.backfill_seq', 'is', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('pipeline_runs as p')
                  .select('p.id')
                  .whereRef('p.backfill_id', '=', 'r.backfill_id')
                  .whereRef('p.backfill_seq', '<', 'r.backfill_seq')
                  .where('p.status', 'in', ['queued', 'running']),
              ),
            ),
          ]),
        )
        .orderBy('r.priority', 'desc')
        .orderBy('t.priority', 'desc')
        .orderBy('t.ready_at', 'asc')
        .orderBy('r.created_at', 'asc')
        .limit(Math.max(max * 4, 50))
        .execute();
      if (candidates.length === 0) return [];
      const runIds = [...new Set(candidates.map((c) => c.run_id))];
      const running = await trx
        .selectFrom('pipeline_tasks')
        .select(['run_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('run_id', 'in', runIds)
        .where('status', '=', 'running')
        .groupBy('run_id')
        .execute();
      const busy = new Map(running.map((r) => [r.run_id, Number(r.n)]));
      const picked: typeof candidates = [];
      for (const c of candidates) {
        if (picked.length >= max) break;
        const spec = await this.specOf(trx, c.run_id);
        const n = busy.get(c.run_id) ?? 0;
        if (n >= spec.maxParallel) continue;
        busy.set(c.run_id, n + 1);
        picked.push(c);
      }
      for (const c of picked) {
        const attempt = c.attempt + 1;
        await trx
          .updateTable('pipeline_tasks')
          .set({ status: 'running', attempt, lease_owner: worker, lease_expires_at: now + leaseMs, started_at: now, finished_at: null, progress_done: 0, progress_total: 0, child_run_id: null })
          .where('run_id', '=', c.run_id)
          .where('task_id', '=', c.task_id)
          .execute();
        const previous = attempt > 1 ? await trx.selectFrom('pipeline_task_attempts').select('finished_at').where('run_id', '=', c.run_id).where('task_id', '=', c.task_id).where('attempt', '=', attempt - 1).executeTakeFirst() : undefined;
        const queuedAt = c.ready_at ?? now;
        const attemptRow: PipelineTaskAttemptsTable = {
          run_id: c.run_id,
          task_id: c.task_id,
          attempt,
          status: 'running',
          worker,
          queued_at: queuedAt,
          delay_ms: previous?.finished_at ? Math.max(0, queuedAt - Number(previous.finished_at)) : 0,
          started_at: now,
          kernel_ready_at: null,
          first_cell_at: null,
          finished_at: null,
          kernel_id: null,
          error: null,
          error_kind: null,
        };
        await trx.insertInto('pipeline_task_attempts').values(attemptRow).execute();
      }
      const started = [...new Set(picked.map((p) => p.run_id))];
      if (started.length > 0) {
        await trx.updateTable('pipeline_runs').set({ status: 'running' }).where('id', 'in', started).where('status', '=', 'queued').execute();
        await trx.updateTable('pipeline_runs').set({ started_at: now }).where('id', 'in', started).where('started_at', 'is', null).execute();
      }
      return picked.map((p) => ({ runId: p.run_id, taskId: p.task_id, attempt: p.attempt + 1 }));
    });
    const out: ClaimedTask[] = [];
    for (const c of claimed) {
      const detail = await this.get(c.runId);
      const task = detail.spec.tasks.find((t) => t.id === c.taskId)!;
      const upstream: ClaimedTask['upstream'] = {};
      for (const t of detail.tasks) if (TASK_DONE.has(t.status)) upstream[t.taskId] = { values: t.values, status: t.status };
      const { tasks: _tasks, spec, ...run } = detail;
      out.push({ runId: c.runId, taskId: c.taskId, attempt: c.attempt, task, run, spec, upstream });
    }
    return out;
  }

  /**
   * Renews the worker's leases. Answers which of them to stop: cancelled
   * (the task or its run) or no longer this worker's (recovered elsewhere).
   */
  async heartbeat(worker: string, keys: readonly { runId: string; taskId: string }[], leaseMs: number): Promise<{ cancel: { runId: string; taskId: string }[]; lost: { runId: string; taskId: string }[] }> {
    if (keys.length === 0) return { cancel: [], lost: [] };
    const now = this.clock.now();
    return this.store.transaction(async (trx) => {
      const cancel: { runId: string; taskId: string }[] = [];
      const lost: { runId: string; taskId: string }[] = [];
      for (const k of keys) {
        const r = await trx
          .updateTable('pipeline_tasks')
          .set({ lease_expires_at: now + leaseMs })
          .where('run_id', '=', k.runId)
          .where('task_id', '=', k.taskId)
          .where('lease_owner', '=', worker)
          .where('status', '=', 'running')
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) {
          lost.push(k);
          continue;
        }
        const flags = await trx
          .selectFrom('pipeline_tasks as t')
          .innerJoin('pipeline_runs as r', 'r.id', 't.run_id')
          .select(['t.cancel_requested as task', 'r.cancel_requested as run'])
          .where('t.run_id', '=', k.runId)
          .where('t.task_id', '=', k.taskId)
          .executeTakeFirstOrThrow();
        if (flags.task || flags.run) cancel.push(k);
      }
      return { cancel, lost };
    });
  }

  async setProgress(worker: string, runId: string, taskId: string, done: number, total: number): Promise<void> {
    await this.store.db.updateTable('pipeline_tasks').set({ progress_done: done, progress_total: total }).where('run_id', '=', runId).where('task_id', '=', taskId).where('lease_owner', '=', worker).execute();
  }

  /** The task now waits for a child pipeline's run (no lease: the child's end finishes it). */
  async waitOnChild(worker: string, runId: string, taskId: string, childRunId: string): Promise<void> {
    await this.store.db
      .updateTable('pipeline_tasks')
      .set({ lease_owner: CHILD_OWNER, lease_expires_at: null, child_run_id: childRunId })
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .where('lease_owner', '=', worker)
      .execute();
  }

  /** Records how an attempt ended: the task succeeds, fails or is queued again after its retry delay; the run moves on. */
  async finish(worker: string, runId: string, taskId: string, attempt: number, outcome: AttemptOutcome): Promise<FinishResult> {
    return this.tx((trx) => this.finishIn(trx, worker, runId, taskId, attempt, outcome));
  }

  /** A child run ended: the task that waited on it ends the same way. */
  async finishChildTask(child: Run): Promise<FinishResult> {
    if (!child.parentRunId || !child.parentTaskId) return { stale: true };
    return this.tx(async (trx) => {
      const t = await trx.selectFrom('pipeline_tasks').select(['attempt', 'child_run_id']).where('run_id', '=', child.parentRunId!).where('task_id', '=', child.parentTaskId!).executeTakeFirst();
      if (!t || t.child_run_id !== child.id) return { stale: true };
      const status = child.status === 'succeeded' ? 'succeeded' : child.status === 'timed_out' ? 'timed_out' : child.status === 'cancelled' ? 'cancelled' : 'failed';
      const outcome: AttemptOutcome = status === 'succeeded' ? { status } : { status, errorKind: status === 'timed_out' ? 'timeout' : status === 'cancelled' ? 'cancelled' : 'error', error: `Pipeline ${child.pipelinePath} run ${child.id} ${child.status}${child.error ? `: ${child.error}` : ''}` };
      return this.finishIn(trx, CHILD_OWNER, child.parentRunId!, child.parentTaskId!, t.attempt, outcome);
    });
  }

  private async finishIn(trx: Transaction<Database>, worker: string, runId: string, taskId: string, attempt: number, outcome: AttemptOutcome): Promise<FinishResult> {
    const now = this.clock.now();
    const t = await trx.selectFrom('pipeline_tasks').selectAll().where('run_id', '=', runId).where('task_id', '=', taskId).executeTakeFirst();
    if (!t || t.status !== 'running' || t.lease_owner !== worker || t.attempt !== attempt) return { stale: true };
    const run = await trx.selectFrom('pipeline_runs').select(['cancel_requested']).where('id', '=', runId).executeTakeFirstOrThrow();
    const spec = await this.specOf(trx, runId);
    const task = spec.tasks.find((x) => x.id === taskId)!;
    const error = outcome.error ?? null;
    await trx
      .updateTable('pipeline_task_attempts')
      .set({ status: outcome.status, finished_at: now, error, error_kind: outcome.errorKind ?? null, kernel_id: outcome.kernelId ?? null, kernel_ready_at: outcome.kernelReadyAt ?? null, first_cell_at: outcome.firstCellAt ?? null })
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .where('attempt', '=', attempt)
      .execute();
    for (const c of outcome.checks ?? []) {
      await trx
        .insertInto('quality_results')
        .values({ run_id: runId, task_id: taskId, attempt, check_name: c.name.slice(0, 200), severity: c.severity, status: c.status, violations: c.violations, impact: c.impact, materiality: c.materiality, impacts: c.impacts === null ? null : JSON.stringify(c.impacts), sample: JSON.stringify(c.sample), message: c.message, sql_sha256: c.sqlSha256, at: now })
        .onConflict((oc) => oc.columns(['run_id', 'task_id', 'attempt', 'check_name']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), violations: eb.ref('excluded.violations'), impact: eb.ref('excluded.impact'), materiality: eb.ref('excluded.materiality'), impacts: eb.ref('excluded.impacts'), sample: eb.ref('excluded.sample'), message: eb.ref('excluded.message'), at: eb.ref('excluded.at') })))
        .execute();
    }
    const base = { lease_owner: null, lease_expires_at: null, error, error_kind: outcome.errorKind ?? null, output_path: outcome.outputPath ?? t.output_path };
    let retryInMs: number | undefined;
    if (outcome.status === 'succeeded') {
      await trx
        .updateTable('pipeline_tasks')
        .set({ ...base, status: 'succeeded', finished_at: now, task_values: JSON.stringify(outcome.values ?? {}) })
        .where('run_id', '=', runId)
        .where('task_id', '=', taskId)
        .execute();
    } else {
      const kind = outcome.errorKind ?? 'error';
      const cancelled = run.cancel_requested !== 0 || t.cancel_requested !== 0;
      if (!cancelled && t.attempt < t.max_attempts && isRetryable(task.retry, kind)) {
        retryInMs = retryDelayMs(task.retry, t.attempt, this.random);
        await trx.updateTable('pipeline_tasks').set({ ...base, status: 'queued', ready_at: now + retryInMs }).where('run_id', '=', runId).where('task_id', '=', taskId).execute();
      } else {
        const status: TaskStatus = cancelled ? 'cancelled' : outcome.status;
        await trx.updateTable('pipeline_tasks').set({ ...base, status, finished_at: now }).where('run_id', '=', runId).where('task_id', '=', taskId).execute();
      }
    }
    const runFinished = await this.settle(trx, runId);
    return { stale: false, retryInMs, runFinished };
  }

  /**
   * Moves a run on: pending tasks whose upstream is done are queued or
   * skipped by their trigger rule; when every task is done the run ends.
   */
  private async settle(trx: Transaction<Database>, runId: string): Promise<Run | undefined> {
    const now = this.clock.now();
    const runRow = await trx.selectFrom('pipeline_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    if (RUN_DONE.has(runRow.status as RunStatus)) return undefined;
    const spec = await this.specOf(trx, runId);
    const rows = await trx.selectFrom('pipeline_tasks').select(['task_id', 'status']).where('run_id', '=', runId).execute();
    const status = new Map(rows.map((r) => [r.task_id, r.status as TaskStatus]));
    let changed = true;
    while (changed) {
      changed = false;
      for (const task of spec.tasks) {
        if (status.get(task.id) !== 'pending') continue;
        const deps = task.dependsOn.map((d) => status.get(d)!);
        if (!deps.every((s) => TASK_DONE.has(s))) continue;
        const failed = deps.some((s) => s === 'failed' || s === 'timed_out');
        const go = runRow.cancel_requested !== 0 ? false : task.triggerRule === 'all_done' ? true : task.triggerRule === 'any_failed' ? failed : deps.every((s) => s === 'succeeded');
        const next: TaskStatus = runRow.cancel_requested !== 0 ? 'cancelled' : go ? 'queued' : 'skipped';
        status.set(task.id, next);
        changed = true;
        await trx
          .updateTable('pipeline_tasks')
          .set(next === 'queued' ? { status: next, ready_at: now } : { status: next, finished_at: now })
          .where('run_id', '=', runId)
          .where('task_id', '=', task.id)
          .execute();
      }
    }
    const all = [...status.values()];
    if (!all.every((s) => TASK_DONE.has(s))) return undefined;
    const final: RunStatus =
      runRow.cancel_requested === TIMED_OUT ? 'timed_out' : runRow.cancel_requested === CANCELLED ? 'cancelled' : all.some((s) => s === 'failed' || s === 'timed_out' || s === 'cancelled') ? 'failed' : 'succeeded';
    const failedTasks = spec.tasks.filter((t) => ['failed', 'timed_out', 'cancelled'].includes(status.get(t.id)!)).map((t) => t.id);
    const error = final === 'failed' ? `Task${failedTasks.length > 1 ? 's' : ''} ${failedTasks.join(', ')} did not succeed` : runRow.error;
    await trx.updateTable('pipeline_runs').set({ status: final, finished_at: now, error }).where('id', '=', runId).execute();
    return this.runOf({ ...runRow, status: final, finished_at: now, error });
  }

  /** Asks a run to stop: waiting tasks are cancelled now, running ones when their worker stops them. */
  async cancel(runId: string, by: string, reason: 'cancelled' | 'timed_out' = 'cancelled'): Promise<{ running: RunningTask[]; runFinished?: Run }> {
    const now = this.clock.now();
    return this.tx(async (trx) => {
      const run = await trx.selectFrom('pipeline_runs').select(['status', 'spec']).where('id', '=', runId).executeTakeFirst();
      if (!run) throw new AppError('not_found', `Cannot cancel run ${runId}: no such run`);
      if (RUN_DONE.has(run.status as RunStatus)) throw new AppError('conflict', `Cannot cancel run ${runId}: it already ${run.status === 'timed_out' ? 'timed out' : run.status}`);
      const error = reason === 'timed_out' ? `The run exceeded its timeout` : `Cancelled by ${by}`;
      await trx.updateTable('pipeline_runs').set({ cancel_requested: reason === 'timed_out' ? TIMED_OUT : CANCELLED, error }).where('id', '=', runId).execute();
      await trx.updateTable('pipeline_tasks').set({ status: 'cancelled', finished_at: now, error }).where('run_id', '=', runId).where('status', 'in', ['pending', 'queued']).execute();
      await trx.updateTable('pipeline_tasks').set({ cancel_requested: 1 }).where('run_id', '=', runId).where('status', '=', 'running').execute();
      const running = await trx.selectFrom('pipeline_tasks').select(['task_id', 'lease_owner', 'child_run_id']).where('run_id', '=', runId).where('status', '=', 'running').execute();
      const runFinished = await this.settle(trx, runId);
      return { running: running.map((r) => ({ runId, taskId: r.task_id, worker: r.lease_owner, childRunId: r.child_run_id })), runFinished };
    });
  }

  /** Reruns the tasks of an ended run that did not succeed, and everything downstream of them; succeeded tasks keep their results. */
  async repair(runId: string): Promise<{ run: Run; tasks: string[] }> {
    return this.tx(async (trx) => {
      const run = await trx.selectFrom('pipeline_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run) throw new AppError('not_found', `Cannot repair run ${runId}: no such run`);
      if (!RUN_DONE.has(run.status as RunStatus)) throw new AppError('conflict', `Cannot repair run ${runId}: it is still ${run.status}`);
      if (run.status === 'succeeded') throw new AppError('conflict', `Cannot repair run ${runId}: every task succeeded`);
      const spec = await this.specOf(trx, runId);
      const rows = await trx.selectFrom('pipeline_tasks').select(['task_id', 'status', 'attempt']).where('run_id', '=', runId).execute();
      const bad = rows.filter((r) => r.status !== 'succeeded').map((r) => r.task_id);
      const redo = downstreamOf(spec, bad);
      for (const r of rows) {
        if (!redo.has(r.task_id)) continue;
        const task = spec.tasks.find((t) => t.id === r.task_id)!;
        await trx
          .updateTable('pipeline_tasks')
          .set({ status: 'pending', max_attempts: r.attempt + task.retry.retries + 1, cancel_requested: 0, ready_at: null, finished_at: null, error: null, error_kind: null, task_values: '{}', lease_owner: null, lease_expires_at: null, child_run_id: null })
          .where('run_id', '=', runId)
          .where('task_id', '=', r.task_id)
          .execute();
      }
      // Tasks with every upstream done become ready (settle), as for a new run; pending roots are queued here.
      for (const id of redo) {
        const task = spec.tasks.find((t) => t.id === id)!;
        if (task.dependsOn.length === 0) await trx.updateTable('pipeline_tasks').set({ status: 'queued', ready_at: this.clock.now() }).where('run_id', '=', runId).where('task_id', '=', id).execute();
      }
      await trx.updateTable('pipeline_runs').set({ status: 'queued', repair_count: run.repair_count + 1, finished_at: null, cancel_requested: 0, error: null }).where('id', '=', runId).execute();
      await this.settle(trx, runId);
      const after = await trx.selectFrom('pipeline_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
      return { run: this.runOf(after), tasks: spec.tasks.filter((t) => redo.has(t.id)).map((t) => t.id) };
    });
  }

  /** Tasks whose worker stopped renewing its lease (killed, partitioned): each attempt is recorded lost and retried under its policy. */
  async recoverExpired(): Promise<{ recovered: { runId: string; taskId: string; worker: string }[]; finished: Run[] }> {
    const now = this.clock.now();
    const expired = await this.store.db
      .selectFrom('pipeline_tasks')
      .select(['run_id', 'task_id', 'attempt', 'lease_owner'])
      .where('status', '=', 'running')
      .where('lease_expires_at', '<', now)
      .execute();
    const recovered: { runId: string; taskId: string; worker: string }[] = [];
    const finished: Run[] = [];
    for (const e of expired) {
      const r = await this.finish(e.lease_owner!, e.run_id, e.task_id, e.attempt, { status: 'failed', errorKind: 'worker_lost', error: `The worker running this attempt (${e.lease_owner}) stopped renewing its lease` });
      if (r.stale) continue;
      recovered.push({ runId: e.run_id, taskId: e.task_id, worker: e.lease_owner! });
      if (r.runFinished) finished.push(r.runFinished);
    }
    return { recovered, finished };
  }

  private async specOf(trx: Transaction<Database>, runId: string): Promise<PipelineSpec> {
    const cached = this.specs.get(runId);
    if (cached) return cached;
    const r = await trx.selectFrom('pipeline_runs').select('spec').where('id', '=', runId).executeTakeFirstOrThrow();
    return this.parseSpec(runId, r.spec);
  }

}
