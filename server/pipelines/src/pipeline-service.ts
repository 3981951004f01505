/**
 * The pipelines of one gateway process: it keeps the registry in line with
 * the workspace's YAML files, turns schedule fires, manual runs, webhooks,
 * backfills and "after X succeeded" into runs, and works the shared queue
 * with a few slots: claim ready tasks (leased), run them through the task
 * runner, renew leases, record the outcome. Replicas sharing one
 * PostgreSQL store each run one of these; the store's queue lock and
 * leases keep a task to one worker, and an expired lease (a killed
 * replica) is recovered by whichever worker looks next.
 *
 * Timing: one timer, set for the earliest of the next schedule fire, the
 * next retry, the lease renewal and a poll (other replicas' changes);
 * every local change wakes it at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppError, describeError, Emitter, silentLogger, systemClock, type Clock, type Logger } from '@workbench/core';
import type { ExecutorEvent } from '@workbench/executor';
import type { MetadataStore } from '@workbench/store';
import { PipelineRegistry, type PipelineRecord } from './pipeline-registry';
import { RunStore, type ClaimedTask, type NewRun } from './runs/run-store';
import { LogWriter } from './runs/log-writer';
import type { LogLine, ParameterChange, Run, RunDetail, RunTrigger } from './runs/run-model';
import { isPipelineFile, parsePipeline, PipelineSpecError, renderTemplate, resolveParameters, type SpecIssue, type TemplateContext } from './spec';
import type { PipelineSpec } from './spec/pipeline-spec';
import { logicalDateForPeriod, nextFireTimes, periodOf, periodsInRange } from './triggers';
import type { TriggerSpec } from './triggers/trigger-spec';
import { gitBlobId } from './git-blob';
import type { PipelineWorkspace, TaskRunner } from './task-runner';
import { startRollback } from './runs/rollback';

export interface PipelineServiceOptions {
  store: MetadataStore;
  workspace: PipelineWorkspace;
  runner: TaskRunner;
  logger?: Logger;
  clock?: Clock;
  /** Tasks this process runs at once. Default 4. */
  slots?: number;
  /** A claimed task's lease; renewed every third of it. Default 30 s. */
  leaseMs?: number;
  /** How often to look at the shared queue for other replicas' changes. Default 2 s. */
  pollMs?: number;
  /** Folder (workspace path) of run outputs. Default "pipeline-runs". */
  runsDir?: string;
  /** The run_as of pipelines found in the workspace before anyone claimed them. */
  defaultRunAs?: string;
  /** Extra kernel env for every task (never secrets). */
  taskEnv?: Record<string, string>;
  /** A worker id (default host:pid:random). */
  workerId?: string;
  random?: () => number;
  /** Work the queue here (false: this process only serves the API and fires schedules). Default true. */
  worker?: boolean;
  /** Where webhook secrets are kept (encrypted). */
  secrets?: { put(name: string, value: string, by: string): Promise<unknown>; get(name: string): Promise<string> };
  /** Checks an incoming webhook's signature header against the secret (notify/signature). */
  verifyWebhook?: (secret: string, header: string | undefined, body: Buffer, nowS: number) => { ok: true } | { ok: false; reason: string };
}

export interface TaskEvent {
  runId: string;
  taskId: string;
  attempt: number;
  kind: 'started' | 'progress' | 'finished';
  progress?: { done: number; total: number };
  /** With 'finished': the task's status now ('queued' when it will be retried). */
  status?: string;
}

interface LocalTask {
  runId: string;
  taskId: string;
  attempt: number;
  controller: AbortController;
}

export class PipelineService implements AsyncDisposable {
  readonly registry: PipelineRegistry;
  readonly runs: RunStore;
  readonly workerId: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly slots: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly runsDir: string;
  private readonly local = new Map<string, LocalTask>();
  private readonly working = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  private readonly runEmitter = new Emitter<Run>();
  private readonly taskEmitter = new Emitter<TaskEvent>();
  private readonly logEmitter = new Emitter<{ runId: string; line: LogLine }>();
  /** A run changed status (created, started, ended), in this process. */
  readonly onRunChanged = this.runEmitter.event;
  /** A task of a run this process works on started, progressed or ended. */
  readonly onTaskChanged = this.taskEmitter.event;
  /** A log line of a task this process runs. */
  readonly onLog = this.logEmitter.event;
  /** A run ended (for notifications); awaited before the run's end is announced. */
  runEndedHook: ((run: Run) => Promise<void>) | undefined;
  /** A run is still going past its SLA deadline (called once per run per process; the notifier dedupes across replicas). */
  slaMissedHook: ((run: RunDetail) => Promise<void>) | undefined;
  private readonly slaSeen = new Set<string>();

  constructor(private readonly options: PipelineServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'pipelines' });
    this.slots = options.slots ?? 4;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 2_000;
    this.runsDir = options.runsDir ?? 'pipeline-runs';
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.registry = new PipelineRegistry(options.store, this.clock);
    this.runs = new RunStore(options.store, this.clock, options.random);
  }

  /** Reads the workspace's pipelines and starts working the queue. */
  async start(): Promise<void> {
    await this.sync();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.kick();
  }

  /** Re-reads the workspace's pipeline files into the registry. */
  async sync(by: string | null = null): Promise<void> {
    const paths = await this.options.workspace.listPipelineFiles();
    const files: { path: string; text: string }[] = [];
    for (const path of paths) {
      const text = await this.options.workspace.readText(path);
      if (text !== undefined) files.push({ path, text });
    }
    await this.registry.sync(files, by ?? this.options.defaultRunAs ?? null);
    this.kick();
  }

  async pipeline(id: string): Promise<PipelineRecord> {
    return this.registry.get(id);
  }

  /** Checks a pipeline file's text without saving it. */
  validate(text: string, path: string): SpecIssue[] {
    if (!isPipelineFile(path)) return [{ path: '', line: 1, column: 1, message: `A pipeline file's name ends in .pipeline.yaml or .pipeline.yml (got ${path})` }];
    try {
      parsePipeline(text, path);
      return [];
    } catch (err) {
      if (err instanceof PipelineSpecError) return [...err.issues];
      throw err;
    }
  }

  private assertValid(text: string, path: string, action: string): void {
    const issues = this.validate(text, path);
    if (issues.length > 0) throw new AppError('bad_request', `Cannot ${action} ${path}: line ${issues[0]!.line}: ${issues[0]!.message}`, { details: { issues, public: { issues } } });
  }

  /** Writes a new pipeline file (checked first: a file with errors is not written) and registers it, run as `by`. */
  async create(path: string, text: string, by: string): Promise<PipelineRecord> {
    this.assertValid(text, path, 'create pipeline');
    if ((await this.options.workspace.readText(path)) !== undefined) throw new AppError('conflict', `Cannot create pipeline ${path}: the file exists`);
    await this.options.workspace.writeText(path, text, by);
    await this.registry.sync([{ path, text }], by, { only: true });
    // The file's save may have been noticed first (with no one to run as): the creator is who it runs as.
    const p = await this.registry.update((await this.registry.byPath(path))!.id, { runAs: by }, by);
    this.kick();
    return p;
  }

  /** Replaces a pipeline's YAML (checked first). */
  async replace(id: string, text: string, by: string): Promise<PipelineRecord> {
    const p = await this.registry.get(id);
    this.assertValid(text, p.path, 'save pipeline');
    await this.options.workspace.writeText(p.path, text, by);
    await this.registry.sync([{ path: p.path, text }], by, { only: true });
    this.kick();
    return this.registry.get(id);
  }

  async remove(id: string, by: string): Promise<void> {
    const p = await this.registry.get(id);
    await this.options.workspace.deleteFile(p.path, by);
    await this.registry.forget(id);
  }

  async source(id: string): Promise<string> {
    const p = await this.registry.get(id);
    return (await this.options.workspace.readText(p.path)) ?? '';
  }

  /** Pipeline files just written (a template's install): registered at once, run as `by`. */
  async registerFiles(paths: readonly string[], by: string): Promise<PipelineRecord[]> {
    const files: { path: string; text: string }[] = [];
    for (const path of paths) files.push({ path, text: (await this.options.workspace.readText(path)) ?? '' });
    await this.registry.sync(files, by, { only: true });
    const pipelines: PipelineRecord[] = [];
    for (const path of paths) pipelines.push(await this.registry.update((await this.registry.byPath(path))!.id, { runAs: by }, by));
    this.kick();
    return pipelines;
  }

  /** A new webhook secret for a pipeline (shown once; kept encrypted). */
  async rotateWebhookSecret(id: string, by: string): Promise<string> {
    const p = await this.registry.get(id);
    if (!this.options.secrets) throw new AppError('unavailable', `Cannot set the webhook secret of ${p.path}: no secret store`);
    const secret = randomBytes(32).toString('base64url');
    const name = `pipelines/${id}/webhook`;
    await this.options.secrets.put(name, secret, by);
    await this.registry.update(id, { webhookSecret: name }, by);
    return secret;
  }

  /** A webhook delivery: signature checked, then `accepted` (its audit record; a throw refuses it), then one run per delivery id. */
  async webhook(id: string, body: Buffer, signature: string | undefined, deliveryId: string | undefined, accepted: (p: PipelineRecord, overrides: Record<string, unknown>) => Promise<void> = async () => undefined): Promise<Run> {
    const p = await this.registry.get(id);
    const spec = this.specOf(p, 'run');
    const name = await this.registry.webhookSecretName(id);
    if (!spec.webhook || !name || !this.options.secrets || !this.options.verifyWebhook) throw new AppError('forbidden', `Cannot run ${p.path} from a webhook: its webhook is not enabled`);
    const secret = await this.options.secrets.get(name);
    const check = this.options.verifyWebhook(secret, signature, body, Math.floor(this.clock.now() / 1000));
    if (!check.ok) throw new AppError('unauthenticated', `Cannot run ${p.path} from a webhook: ${check.reason}`);
    let overrides: Record<string, unknown> = {};
    if (body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AppError('bad_request', `Cannot run ${p.path} from a webhook: the body is not JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AppError('bad_request', `Cannot run ${p.path} from a webhook: the body must be a JSON object`);
      const params = (parsed as { parameters?: unknown }).parameters;
      if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) throw new AppError('bad_request', `Cannot run ${p.path} from a webhook: parameters must be an object`);
      overrides = (params as Record<string, unknown> | undefined) ?? {};
    }
    await accepted(p, overrides);
    return this.runNow(id, { by: 'webhook', overrides, trigger: 'webhook', idempotencyKey: deliveryId ? `webhook:${id}:${deliveryId.slice(0, 100)}` : undefined });
  }

  /** The next fire times of a pipeline's schedules, merged. */
  async upcoming(id: string, count = 12): Promise<{ at: string; trigger: TriggerSpec }[]> {
    const p = await this.registry.get(id);
    if (!p.spec) return [];
    const now = new Date(this.clock.now());
    const all = p.spec.triggers.flatMap((t) => nextFireTimes(t, now, count).map((at) => ({ at, trigger: t })));
    return all
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .slice(0, count)
      .map((x) => ({ at: x.at.toISOString(), trigger: x.trigger }));
  }

  private specOf(p: PipelineRecord, action: string): PipelineSpec {
    if (!p.spec) throw new AppError('bad_request', `Cannot ${action} ${p.path}: the file has errors (${p.issues[0] ? `line ${p.issues[0].line}: ${p.issues[0].message}` : 'unknown'})`, { details: { issues: p.issues, public: { issues: p.issues } } });
    return p.spec;
  }

  /** The run a trigger makes: parameters resolved (defaults rendered, overrides checked) before anything is written. */
  private prepare(p: PipelineRecord, spec: PipelineSpec, input: { trigger: RunTrigger; by: string | null; logicalDate: number; overrides?: Record<string, unknown>; key?: string; parent?: { runId: string; taskId: string }; backfill?: { id: string; seq?: number } }): NewRun {
    const timezone = spec.triggers.find((t): t is Extract<TriggerSpec, { timezone: string }> => 'timezone' in t)?.timezone ?? 'UTC';
    const period = periodOf(new Date(input.logicalDate), timezone, spec.period);
    const runId = 'pending';
    const ctx = { run: { id: runId, logical_date: new Date(input.logicalDate).toISOString(), trigger: input.trigger }, period, tasks: {}, pipeline: { id: p.id, name: spec.name } };
    const overrides = input.overrides ?? {};
    const defaults = resolveParameters(spec, {}, ctx);
    const parameters = Object.keys(overrides).length === 0 ? defaults : resolveParameters(spec, overrides, ctx);
    const changes: Record<string, ParameterChange> = {};
    for (const k of Object.keys(overrides)) if (JSON.stringify(defaults[k]) !== JSON.stringify(parameters[k])) changes[k] = { old: defaults[k] ?? null, new: parameters[k] };
    return {
      pipelineId: p.id,
      pipelinePath: p.path,
      spec,
      trigger: input.trigger,
      triggeredBy: input.by,
      runAs: p.runAs,
      idempotencyKey: input.key,
      logicalDate: input.logicalDate,
      period,
      parameters,
      overrides: changes,
      parentRunId: input.parent?.runId,
      parentTaskId: input.parent?.taskId,
      backfillId: input.backfill?.id,
      backfillSeq: input.backfill?.seq,
    };
  }

  /** What a manual run with these overrides would change (name -> old/new), checked like the run itself; for its audit record. */
  async overrideChanges(id: string, overrides: Record<string, unknown>): Promise<Record<string, ParameterChange>> {
    const p = await this.registry.get(id);
    return this.prepare(p, this.specOf(p, 'run'), { trigger: 'manual', by: null, logicalDate: this.clock.now(), overrides }).overrides ?? {};
  }

  /** A manual run, optionally with parameter overrides (each old -> new in the run and its audit record). */
  async runNow(id: string, input: { by: string; overrides?: Record<string, unknown>; logicalDate?: string; idempotencyKey?: string; trigger?: RunTrigger }): Promise<Run> {
    const p = await this.registry.get(id);
    const spec = this.specOf(p, 'run');
    const logicalDate = input.logicalDate === undefined ? this.clock.now() : Date.parse(input.logicalDate);
    if (Number.isNaN(logicalDate)) throw new AppError('bad_request', `Cannot run ${p.path}: logical_date "${input.logicalDate}" is not a date`);
    const n = this.prepare(p, spec, { trigger: input.trigger ?? 'manual', by: input.by, logicalDate, overrides: input.overrides, key: input.idempotencyKey });
    const { run, created } = await this.runs.create(n);
    if (created) this.runEmitter.fire(run);
    this.kick();
    return run;
  }

  /** One run per period in [from, to] ('YYYY-MM'), all at once or one after another. */
  async backfill(id: string, input: { by: string; from: string; to: string; parallel: boolean; overrides?: Record<string, unknown> }): Promise<Run[]> {
    const p = await this.registry.get(id);
    const spec = this.specOf(p, 'backfill');
    const kind = spec.period === 'previous_day' || spec.period === 'current_day' ? 'day' : 'month';
    const periods = periodsInRange(input.from, input.to, kind);
    const timezone = spec.triggers.find((t): t is Extract<TriggerSpec, { timezone: string }> => 'timezone' in t)?.timezone ?? 'UTC';
    const backfillId = randomUUID();
    const prepared = periods.map((period, i) =>
      this.prepare(p, spec, { trigger: 'backfill', by: input.by, logicalDate: logicalDateForPeriod(period, timezone, spec.period).getTime(), overrides: input.overrides, key: `backfill:${backfillId}:${period.label}`, backfill: { id: backfillId, seq: input.parallel ? undefined : i } }),
    );
    const made = await this.runs.withQueueLock(async (trx) => {
      const out: Run[] = [];
      for (const n of prepared) out.push((await this.runs.createIn(trx, n)).run);
      return out;
    });
    for (const r of made) this.runEmitter.fire(r);
    this.kick();
    return made;
  }

  /** Undoes a run that succeeded (rollback.ts): its pipeline's rollback task runs alone. Once per run undone. */
  async rollback(runId: string, by: string, reason: string): Promise<Run> {
    const { run, created, restores } = await startRollback(this.runs, runId, by, reason);
    if (created) {
      this.logger.info({ run_id: run.id, undoes: runId, restores, by }, 'rollback started');
      this.runEmitter.fire(run);
    }
    this.kick();
    return run;
  }

  async cancel(runId: string, by: string): Promise<RunDetail> {
    const r = await this.runs.cancel(runId, by);
    for (const t of r.running) {
      this.local.get(key(t.runId, t.taskId))?.controller.abort(new AppError('conflict', `Cancelled by ${by}`));
      if (t.childRunId) await this.cancel(t.childRunId, by).catch(() => undefined);
    }
    if (r.runFinished) await this.ended(r.runFinished);
    return this.runs.get(runId);
  }

  async repair(runId: string, by: string): Promise<{ run: Run; tasks: string[] }> {
    const r = await this.runs.repair(runId);
    this.logger.info({ run_id: runId, tasks: r.tasks, by }, 'run repaired');
    this.runEmitter.fire(r.run);
    this.kick();
    return r;
  }

  /** Wakes the loop now (coalesced). */
  kick(): void {
    if (this.disposed) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async tick(): Promise<void> {
    try {
      // Schedule fires become runs in the transaction that moves each pipeline's clock.
      const fired: Run[] = [];
      await this.runs.withQueueLock((trx) =>
        this.registry.takeDueFires(trx, async (f) => {
          const spec = f.pipeline.spec!;
          const n = this.prepare(f.pipeline, spec, { trigger: f.trigger.kind === 'calendar' ? 'calendar' : 'cron', by: null, logicalDate: f.at, key: `schedule:${f.pipeline.id}:${new Date(f.at).toISOString()}` });
          const r = await this.runs.createIn(trx, n);
          if (r.created) fired.push(r.run);
        }),
      );
      for (const r of fired) this.runEmitter.fire(r);
      for (const runId of await this.runs.overdueRuns()) {
        const r = await this.runs.cancel(runId, 'the scheduler', 'timed_out').catch(() => undefined);
        for (const t of r?.running ?? []) this.local.get(key(t.runId, t.taskId))?.controller.abort(new AppError('timeout', 'The run exceeded its timeout'));
        if (r?.runFinished) await this.ended(r.runFinished);
      }
      const recovered = await this.runs.recoverExpired();
      for (const x of recovered.recovered) this.logger.warn({ run_id: x.runId, task: x.taskId, worker: x.worker }, 'recovered a task whose worker stopped renewing its lease');
      for (const r of recovered.finished) await this.ended(r);
      if (this.slaMissedHook) {
        for (const id of await this.runs.slaOverdue()) {
          if (this.slaSeen.has(id)) continue;
          this.slaSeen.add(id);
          await this.slaMissedHook(await this.runs.get(id)).catch((err) => this.logger.error({ err: describeError(err), run_id: id }, 'SLA-miss hook failed'));
        }
      }
      const free = this.options.worker === false ? 0 : this.slots - this.local.size;
      const claimed = free > 0 ? await this.runs.claim(this.workerId, free, this.leaseMs) : [];
      for (const c of claimed) this.track(this.execute(c));
    } catch (err) {
      if (!this.disposed) this.logger.error({ err: describeError(err) }, 'pipeline scheduler tick failed');
    } finally {
      await this.arm();
    }
  }

  private async arm(): Promise<void> {
    if (this.disposed) return;
    const now = this.clock.now();
    let at = now + this.pollMs;
    try {
      const ready = await this.runs.nextReadyAt();
      if (ready !== undefined && this.local.size < this.slots) at = Math.min(at, ready);
      const fire = await this.registry.nextFireAt();
      if (fire !== undefined) at = Math.min(at, fire);
      const sla = await this.runs.nextSlaDeadline();
      if (sla !== undefined && this.slaMissedHook) at = Math.min(at, sla);
    } catch {
      // The poll interval still holds.
    }
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.max(0, at - now));
    this.timer.unref();
  }

  private track(p: Promise<void>): void {
    this.working.add(p);
    void p.finally(() => this.working.delete(p));
  }

  private async heartbeat(): Promise<void> {
    if (this.disposed || this.local.size === 0) return;
    try {
      const keys = [...this.local.values()].map((t) => ({ runId: t.runId, taskId: t.taskId }));
      const r = await this.runs.heartbeat(this.workerId, keys, this.leaseMs);
      for (const k of [...r.cancel, ...r.lost]) this.local.get(key(k.runId, k.taskId))?.controller.abort(new AppError('conflict', 'Cancelled'));
    } catch (err) {
      if (!this.disposed) this.logger.warn({ err: describeError(err) }, 'renewing task leases failed');
    }
  }

  private async execute(c: ClaimedTask): Promise<void> {
    const k = key(c.runId, c.taskId);
    const controller = new AbortController();
    this.local.set(k, { runId: c.runId, taskId: c.taskId, attempt: c.attempt, controller });
    this.taskEmitter.fire({ runId: c.runId, taskId: c.taskId, attempt: c.attempt, kind: 'started' });
    const logs = new LogWriter(this.runs, c, (line) => this.logEmitter.fire({ runId: c.runId, line }));
    let progressAt = 0;
    try {
      const target = c.task.target;
      // Read once: the parameters may name this version of the file, and the runner runs this very text.
      const source = target.kind === 'pipeline' ? undefined : await this.options.workspace.readText(target.path);
      const ctx: TemplateContext = {
        run: { id: c.runId, logical_date: c.run.logicalDate, trigger: c.run.trigger },
        period: c.run.period,
        params: c.run.parameters,
        tasks: c.upstream,
        pipeline: { id: c.run.pipelineId, name: c.spec.name },
        ...(target.kind !== 'pipeline' ? { task: { id: c.taskId, path: target.path, notebook_version: source === undefined ? '' : gitBlobId(source) } } : {}),
      };
      let parameters: Record<string, unknown>;
      try {
        parameters = renderTemplate(c.task.parameters, ctx) as Record<string, unknown>;
      } catch (err) {
        await this.finish(c, { status: 'failed', errorKind: 'bad_input', error: `Cannot render the parameters of task ${c.taskId}: ${describeError(err)}` });
        return;
      }
      if (c.task.target.kind === 'pipeline') {
        await this.startChild(c, parameters);
        return;
      }
      const outcome = await this.options.runner.run({
        claimed: c,
        parameters,
        ...(source !== undefined ? { source } : {}),
        outputPath: this.outputPath(c),
        env: { ...this.options.taskEnv, WORKBENCH_PIPELINE: c.run.pipelinePath, WORKBENCH_RUN_ID: c.runId, WORKBENCH_TASK: c.taskId, WORKBENCH_ATTEMPT: String(c.attempt) },
        signal: controller.signal,
        onEvent: (e: ExecutorEvent) => {
          logs.event(e);
          if (e.type === 'progress') {
            this.taskEmitter.fire({ runId: c.runId, taskId: c.taskId, attempt: c.attempt, kind: 'progress', progress: { done: e.done, total: e.total } });
            const now = this.clock.now();
            if (now - progressAt >= 250 || e.done === e.total) {
              progressAt = now;
              void this.runs.setProgress(this.workerId, c.runId, c.taskId, e.done, e.total).catch(() => undefined);
            }
          }
        },
      });
      await logs.close();
      await this.finish(c, outcome);
    } catch (err) {
      await logs.close().catch(() => undefined);
      await this.finish(c, { status: 'failed', errorKind: 'error', error: describeError(err) }).catch((e) => this.logger.error({ err: describeError(e) }, 'recording a task outcome failed'));
    } finally {
      this.local.delete(k);
      this.kick();
    }
  }

  private outputPath(c: ClaimedTask): string {
    const stem = c.run.pipelinePath.replace(/\.pipeline\.ya?ml$/, '').replace(/[^A-Za-z0-9._/-]/g, '_');
    return `${this.runsDir}/${stem}/${c.run.logicalDate.slice(0, 10)}_${c.runId.slice(0, 8)}/${c.taskId}.ipynb`;
  }

  private async startChild(c: ClaimedTask, parameters: Record<string, unknown>): Promise<void> {
    const path = c.task.target.path;
    const child = await this.registry.byPath(path);
    if (!child || !child.spec) {
      await this.finish(c, { status: 'failed', errorKind: 'bad_input', error: `Cannot run task ${c.taskId}: pipeline ${path} ${child ? 'has errors' : 'does not exist'}` });
      return;
    }
    let n: NewRun;
    try {
      n = this.prepare(child, child.spec, { trigger: 'child', by: c.run.triggeredBy, logicalDate: Date.parse(c.run.logicalDate), overrides: parameters, key: `child:${c.runId}:${c.taskId}:${c.attempt}`, parent: { runId: c.runId, taskId: c.taskId } });
    } catch (err) {
      await this.finish(c, { status: 'failed', errorKind: 'bad_input', error: describeError(err) });
      return;
    }
    const { run } = await this.runs.create(n);
    await this.runs.waitOnChild(this.workerId, c.runId, c.taskId, run.id);
    this.runEmitter.fire(run);
  }

  private async finish(c: ClaimedTask, outcome: Parameters<RunStore['finish']>[4]): Promise<void> {
    const r = await this.runs.finish(this.workerId, c.runId, c.taskId, c.attempt, outcome);
    if (r.stale) {
      this.logger.warn({ run_id: c.runId, task: c.taskId, attempt: c.attempt }, 'a task ended after its lease was recovered; its outcome was not recorded');
      return;
    }
    this.taskEmitter.fire({ runId: c.runId, taskId: c.taskId, attempt: c.attempt, kind: 'finished', status: r.retryInMs !== undefined ? 'queued' : outcome.status });
    if (r.runFinished) await this.ended(r.runFinished);
    else this.runEmitter.fire(await this.runs.get(c.runId));
  }

  /** A run ended: its parent task, pipelines that follow it, notifications. */
  private async ended(run: Run): Promise<void> {
    if (this.runEndedHook) await this.runEndedHook(run).catch((err) => this.logger.error({ err: describeError(err), run_id: run.id }, 'run-ended hook failed'));
    this.runEmitter.fire(run);
    if (run.parentRunId) {
      const r = await this.runs.finishChildTask(run);
      if (r.runFinished) await this.ended(r.runFinished);
    }
    if (run.status === 'succeeded') {
      for (const f of await this.registry.followers(run.pipelinePath)) {
        try {
          await this.runNow(f.id, { by: 'the scheduler', trigger: 'after', idempotencyKey: `after:${run.id}:${f.id}`, logicalDate: run.logicalDate });
        } catch (err) {
          this.logger.error({ err: describeError(err), pipeline: f.path }, 'could not start a pipeline that follows another');
        }
      }
    }
    this.kick();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.ticking;
    // Tasks still running are stopped; their leases expire and another worker (or this one after a restart) retries them.
    for (const t of this.local.values()) t.controller.abort(new AppError('unavailable', 'The server is shutting down'));
    await Promise.allSettled([...this.working]);
    this.runEmitter.dispose();
    this.taskEmitter.dispose();
    this.logEmitter.dispose();
  }
}

const key = (runId: string, taskId: string) => `${runId}\u0000${taskId}`;

