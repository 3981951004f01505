/**
 * Pipelines and their runs over HTTP. Everyone signed in reads pipelines,
 * runs and logs; analysts run, backfill, cancel and repair; engineers
 * create, change, pause and delete pipelines and set webhook secrets. A
 * webhook delivery is authenticated by its HMAC signature instead of a
 * user (the pipeline's own secret, shown once when it is set).
 *
 * `GET /api/runs/{id}/events` is a Server-Sent Events stream of the run's
 * log lines, task changes and status, starting with what is stored (a
 * `?task=<id>&after=<attempt>:<seq>` resumes one task), then live.
 */
import type { Request, Response } from 'express';
import { AppError } from '@workbench/core';
import { buildRunReport, reportMarkdown, RUN_DONE, type PipelineService, type LogLine, type ReportAuditRecord, type Run, type RunStatus } from '@workbench/pipelines';
import type { AuditLog } from '@workbench/audit';
import { jsonObject, onlyKeys } from './json-body';
import type { RouteDef } from '../route-table';

const idOf = (req: Request) => String(req.params.id);
const by = (req: Request) => req.auth!.user.username;
const STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];

function overridesOf(b: Record<string, unknown>, action: string): Record<string, unknown> {
  const p = b.parameters;
  if (p === undefined) return {};
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new AppError('bad_request', `Cannot ${action}: parameters must be an object`);
  return p as Record<string, unknown>;
}

function stringField(b: Record<string, unknown>, key: string, action: string, optional = false): string | undefined {
  const v = b[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new AppError('bad_request', `Cannot ${action}: ${key} must be a non-empty string`);
  return v;
}

function limitOf(v: unknown): number {
  if (v === undefined) return 50;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new AppError('bad_request', 'Cannot list runs: limit must be an integer from 1 to 500');
  return n;
}

function statusesOf(v: unknown): RunStatus[] | undefined {
  if (v === undefined || v === '') return undefined;
  const list = String(v).split(',');
  for (const s of list) if (!STATUSES.includes(s as RunStatus)) throw new AppError('bad_request', `Cannot list runs: unknown status ${JSON.stringify(s.slice(0, 20))} (one of ${STATUSES.join(', ')})`);
  return list as RunStatus[];
}

function cursorOf(v: unknown): { attempt: number; seq: number } | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^(\d{1,6}):(\d{1,12})$/.exec(String(v));
  if (!m) throw new AppError('bad_request', 'Cannot read run logs: after must be "<attempt>:<seq>"');
  return { attempt: Number(m[1]), seq: Number(m[2]) };
}

/** A pipeline with its latest run, for the list. */
async function summary(pipelines: PipelineService, id: string) {
  const p = await pipelines.pipeline(id);
  const [last] = await pipelines.runs.list({ pipelineId: id, limit: 1 });
  return { ...p, lastRun: last ?? null };
}

export function pipelineRoutes(pipelines: PipelineService, audit?: AuditLog): RouteDef[] {
  /** The audit records of a run's time span (the run's own are picked from them); paged through, at most 20,000. */
  async function auditOfRun(createdAt: string, finishedAt: string | null): Promise<ReportAuditRecord[]> {
    const since = Date.parse(createdAt) - 60_000;
    const until = (finishedAt ? Date.parse(finishedAt) : Date.now()) + 60_000;
    const records: ReportAuditRecord[] = [];
    for (let after: number | undefined = undefined, pages = 0; audit && pages < 20; pages++) {
      const page: ReportAuditRecord[] = await audit.query({ since, until, afterSeq: after, limit: 1000 });
      records.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    return records;
  }
  return [
    {
      method: 'get',
      path: '/api/pipelines',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'read' },
      tag: 'pipelines',
      summary: 'The workspace\'s pipelines (*.pipeline.yaml): spec or errors, paused, next fire, last run',
      handler: async (_req, res) => {
        const all = await pipelines.registry.list();
        res.json(await Promise.all(all.map((p) => summary(pipelines, p.id))));
      },
    },
    {
      method: 'post',
      path: '/api/pipelines',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'write' },
      tag: 'pipelines',
      summary: 'Create a pipeline {path: "x.pipeline.yaml", content: YAML}; a file with errors is refused (400 with issues: line, column, message) and not written',
      responses: { '201': 'The pipeline', '400': 'The YAML has errors', '409': 'The file exists' },
      auditDetail: (req) => ({ path: stringField(jsonObject(req, 'create pipeline'), 'path', 'create pipeline') }),
      handler: async (req, res) => {
        const b = jsonObject(req, 'create pipeline');
        onlyKeys(b, ['path', 'content'], 'create pipeline');
        const made = await pipelines.create(stringField(b, 'path', 'create pipeline')!, stringField(b, 'content', 'create pipeline')!, by(req));
        res.status(201).json(made);
      },
    },
    {
      method: 'post',
      path: '/api/pipelines/validate',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'read' },
      tag: 'pipelines',
      summary: 'Check a pipeline\'s YAML without saving it {path, content} -> {issues: [{path, line, column, message}]}',
      handler: (req, res) => {
        const b = jsonObject(req, 'validate pipeline');
        onlyKeys(b, ['path', 'content'], 'validate pipeline');
        res.json({ issues: pipelines.validate(stringField(b, 'content', 'validate pipeline')!, stringField(b, 'path', 'validate pipeline')!) });
      },
    },
    {
      method: 'get',
      path: '/api/pipelines/:id',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'read' },
      tag: 'pipelines',
      summary: 'A pipeline: spec or errors, its YAML, the next 12 fire times, last run',
      handler: async (req, res) => {
        const s = await summary(pipelines, idOf(req));
        res.json({ ...s, source: await pipelines.source(s.id), upcoming: await pipelines.upcoming(s.id, 12) });
      },
    },
    {
      method: 'put',
      path: '/api/pipelines/:id',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'write' },
      tag: 'pipelines',
      summary: 'Replace a pipeline\'s YAML {content}; refused with its issues when it has errors',
      auditDetail: async (req) => ({ path: (await pipelines.pipeline(idOf(req))).path }),
      handler: async (req, res) => {
        const b = jsonObject(req, 'save pipeline');
        onlyKeys(b, ['content'], 'save pipeline');
        res.json(await pipelines.replace(idOf(req), stringField(b, 'content', 'save pipeline')!, by(req)));
      },
    },
    {
      method: 'patch',
      path: '/api/pipelines/:id',
      auth: 'user',
      permission: { resource: 'schedules', action: 'write' },
      tag: 'pipelines',
      summary: 'Pause or resume a pipeline\'s schedules {paused: bool}, or run it as you from now on {run_as_me: true}',
      auditDetail: async (req) => {
        const b = jsonObject(req, 'change pipeline');
        const p = await pipelines.pipeline(idOf(req));
        return { path: p.path, ...(b.paused !== undefined ? { paused: { old: p.paused, new: b.paused } } : {}), ...(b.run_as_me ? { run_as: { old: p.runAs, new: by(req) } } : {}) };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'change pipeline');
        onlyKeys(b, ['paused', 'run_as_me'], 'change pipeline');
        if (b.paused !== undefined && typeof b.paused !== 'boolean') throw new AppError('bad_request', 'Cannot change pipeline: paused must be true or false');
        if (b.run_as_me !== undefined && b.run_as_me !== true) throw new AppError('bad_request', 'Cannot change pipeline: run_as_me can only be true');
        const p = await pipelines.registry.update(idOf(req), { paused: b.paused as boolean | undefined, runAs: b.run_as_me ? by(req) : undefined }, by(req));
        pipelines.kick();
        res.json(p);
      },
    },
    {
      method: 'delete',
      path: '/api/pipelines/:id',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'write' },
      tag: 'pipelines',
      summary: 'Delete a pipeline (its file; its runs stay)',
      auditDetail: async (req) => ({ path: (await pipelines.pipeline(idOf(req))).path }),
      handler: async (req, res) => {
        await pipelines.remove(idOf(req), by(req));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/pipelines/:id/runs',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'pipelines',
      summary: 'A pipeline\'s runs, newest first, each with its tasks\' statuses (the run-history matrix): ?limit&before&status',
      handler: async (req, res) => {
        const q = req.query as Record<string, unknown>;
        const before = q.before === undefined ? undefined : Date.parse(String(q.before));
        if (before !== undefined && Number.isNaN(before)) throw new AppError('bad_request', 'Cannot list runs: before must be an ISO 8601 time');
        const runs = await pipelines.runs.list({ pipelineId: idOf(req), limit: limitOf(q.limit), before, statuses: statusesOf(q.status) });
        const tasks = await pipelines.runs.taskStatuses(runs.map((r) => r.id));
        res.json(runs.map((r) => ({ ...r, tasks: tasks.get(r.id) ?? {} })));
      },
    },
    {
      method: 'post',
      path: '/api/pipelines/:id/runs',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'execute' },
      tag: 'pipelines',
      summary: 'Run a pipeline now {parameters?: overrides, logical_date?}; overrides are type-checked and recorded old -> new',
      responses: { '201': 'The run', '400': 'An unknown parameter or a value of the wrong type' },
      auditDetail: async (req) => {
        const b = jsonObject(req, 'run pipeline');
        return { pipeline: idOf(req), overrides: await pipelines.overrideChanges(idOf(req), overridesOf(b, 'run pipeline')) };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'run pipeline');
        onlyKeys(b, ['parameters', 'logical_date'], 'run pipeline');
        const run = await pipelines.runNow(idOf(req), { by: by(req), overrides: overridesOf(b, 'run pipeline'), logicalDate: stringField(b, 'logical_date', 'run pipeline', true) });
        res.status(201).json(run);
      },
    },
    {
      method: 'post',
      path: '/api/pipelines/:id/backfill',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'execute' },
      tag: 'pipelines',
      summary: 'One run per period from..to ("YYYY-MM" or "YYYY-MM-DD") {from, to, parallel?: false, parameters?}',
      auditDetail: (req) => {
        const b = jsonObject(req, 'backfill pipeline');
        return { pipeline: idOf(req), from: b.from, to: b.to, parallel: b.parallel === true };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'backfill pipeline');
        onlyKeys(b, ['from', 'to', 'parallel', 'parameters'], 'backfill pipeline');
        if (b.parallel !== undefined && typeof b.parallel !== 'boolean') throw new AppError('bad_request', 'Cannot backfill pipeline: parallel must be true or false');
        const runs = await pipelines.backfill(idOf(req), { by: by(req), from: stringField(b, 'from', 'backfill pipeline')!, to: stringField(b, 'to', 'backfill pipeline')!, parallel: b.parallel === true, overrides: overridesOf(b, 'backfill pipeline') });
        res.status(201).json(runs);
      },
    },
    {
      method: 'post',
      path: '/api/pipelines/:id/webhook-secret',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'write' },
      tag: 'pipelines',
      summary: 'Set a new webhook secret (answered once, kept encrypted; the old one stops working)',
      auditDetail: async (req) => ({ path: (await pipelines.pipeline(idOf(req))).path, secret: 'rotated' }),
      handler: async (req, res) => {
        res.status(201).json({ secret: await pipelines.rotateWebhookSecret(idOf(req), by(req)), header: 'X-Workbench-Signature', scheme: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>' });
      },
    },
    {
      method: 'post',
      path: '/api/pipelines/:id/webhook',
      auth: 'public',
      tag: 'pipelines',
      summary: 'Start a run from a signed webhook (X-Workbench-Signature over the raw body, X-Workbench-Delivery makes it idempotent) {parameters?}',
      responses: { '202': 'The run', '403': 'Missing, stale or wrong signature, or the pipeline has no webhook' },
      handler: async (req, res) => {
        const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
        const delivery = req.headers['x-workbench-delivery'] as string | undefined;
        // No user signed in: the record is the webhook's own, written once its signature checked out and before the run exists.
        const run = await pipelines.webhook(idOf(req), raw, req.headers['x-workbench-signature'] as string | undefined, delivery, async (p, overrides) => {
          await audit?.record({
            actor: 'webhook',
            actorRole: null,
            via: 'system',
            resource: 'pipelines',
            action: 'execute',
            target: p.id,
            ip: req.clientIp ?? req.socket.remoteAddress ?? null,
            userAgent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
            outcome: 'ok',
            detail: { method: req.method, route: '/api/pipelines/:id/webhook', request_id: req.id, path: p.path, delivery: delivery?.slice(0, 100) ?? null, parameters: overrides },
          });
        });
        res.status(202).json({ id: run.id, status: run.status });
      },
    },
    {
      method: 'get',
      path: '/api/runs',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'pipelines',
      summary: 'Runs of every pipeline, newest first: ?status=running,failed&limit&before (the dashboard)',
      handler: async (req, res) => {
        const q = req.query as Record<string, unknown>;
        const before = q.before === undefined ? undefined : Date.parse(String(q.before));
        if (before !== undefined && Number.isNaN(before)) throw new AppError('bad_request', 'Cannot list runs: before must be an ISO 8601 time');
        res.json(await pipelines.runs.list({ statuses: statusesOf(q.status), limit: limitOf(q.limit), before }));
      },
    },
    {
      method: 'get',
      path: '/api/runs/:id',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'pipelines',
      summary: 'A run with its spec, tasks, attempts, values, errors and output notebooks',
      handler: async (req, res) => {
        res.json(await pipelines.runs.get(idOf(req)));
      },
    },
    {
      method: 'post',
      path: '/api/runs/:id/cancel',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'execute' },
      tag: 'pipelines',
      summary: 'Cancel a run: waiting tasks are cancelled, running ones stopped (their kernels shut down)',
      responses: { '200': 'The run', '409': 'The run already ended' },
      auditDetail: (req) => ({ run: idOf(req) }),
      handler: async (req, res) => {
        res.json(await pipelines.cancel(idOf(req), by(req)));
      },
    },
    {
      method: 'post',
      path: '/api/runs/:id/repair',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'execute' },
      tag: 'pipelines',
      summary: 'Rerun the tasks of an ended run that did not succeed, and what depends on them',
      responses: { '200': '{run, tasks}', '409': 'The run is still going or succeeded' },
      auditDetail: (req) => ({ run: idOf(req) }),
      handler: async (req, res) => {
        res.json(await pipelines.repair(idOf(req), by(req)));
      },
    },
    {
      method: 'post',
      path: '/api/runs/:id/rollback',
      auth: 'user',
      permission: { resource: 'pipelines', action: 'write' },
      tag: 'pipelines',
      summary: 'Undo a run that succeeded {reason}: the pipeline\'s rollback task runs alone and restores the outputs of the run before it for the same period',
      responses: { '201': 'The rollback run', '400': 'No reason, or the pipeline has no rollback task', '409': 'The run did not succeed, or nothing earlier to restore' },
      auditDetail: (req) => {
        const b = jsonObject(req, 'roll back run');
        return { run: idOf(req), reason: typeof b.reason === 'string' ? b.reason.slice(0, 1000) : null };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'roll back run');
        onlyKeys(b, ['reason'], 'roll back run');
        res.status(201).json(await pipelines.rollback(idOf(req), by(req), typeof b.reason === 'string' ? b.reason : ''));
      },
    },
    {
      method: 'get',
      path: '/api/runs/:id/logs',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'run-data',
      summary: 'A run\'s log as JSON Lines {taskId, attempt, seq, at, stream, cell, text}: ?task&after=<attempt>:<seq>',
      handler: async (req, res) => {
        const q = req.query as Record<string, unknown>;
        await pipelines.runs.get(idOf(req));
        const after = cursorOf(q.after);
        if (after && q.task === undefined) throw new AppError('bad_request', 'Cannot read run logs: after needs task (each task\'s log has its own order)');
        const lines = await pipelines.runs.logs(idOf(req), { taskId: q.task === undefined ? undefined : String(q.task), after });
        res.type('application/x-ndjson').send(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : ''));
      },
    },
    {
      method: 'get',
      path: '/api/runs/:id/report',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'run-data',
      summary: 'A run as a report to file (e.g. a month-end close per period): parameters and overrides, task attempts with their values, every check with its offending rows, output notebooks, the audit records the run left; ?format=json (default) or md',
      handler: async (req, res) => {
        const run = await pipelines.runs.get(idOf(req));
        const format = (req.query as Record<string, unknown>).format ?? 'json';
        if (format !== 'json' && format !== 'md') throw new AppError('bad_request', 'Cannot make the run report: format must be json or md');
        const report = buildRunReport(run, await auditOfRun(run.createdAt, run.finishedAt));
        if (format === 'md') res.type('text/markdown').send(reportMarkdown(report));
        else res.json(report);
      },
    },
    {
      method: 'get',
      path: '/api/pipelines/:id/periods/:period/report',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'run-data',
      summary: 'The close report of one period (e.g. 2026-11): every run of the pipeline for it (reruns, repairs, rollbacks, newest first) and the full report of the run whose figures stand (the latest that succeeded; a rollback names the run it restored); ?format=json (default) or md',
      handler: async (req, res) => {
        const label = String(req.params.period);
        if (!/^\d{4}-\d{2}(-\d{2})?$/.test(label)) throw new AppError('bad_request', 'Cannot make the period report: period must be YYYY-MM or YYYY-MM-DD');
        const format = (req.query as Record<string, unknown>).format ?? 'json';
        if (format !== 'json' && format !== 'md') throw new AppError('bad_request', 'Cannot make the period report: format must be json or md');
        const p = await pipelines.pipeline(idOf(req));
        const runs = (await pipelines.runs.list({ pipelineId: p.id, limit: 500 })).filter((r) => r.period.label === label);
        if (runs.length === 0) throw new AppError('not_found', `Cannot make the period report: ${p.path} has no run for ${label}`);
        const latest = runs.find((r) => r.status === 'succeeded');
        // A rollback's figures are those of the run it restored.
        const standing = latest?.trigger === 'rollback' ? (await pipelines.runs.get(latest.id)).spec.tasks[0]?.parameters.restore_run : latest?.id;
        const detail = await pipelines.runs.get(typeof standing === 'string' ? standing : runs[0]!.id);
        const records = await auditOfRun(detail.createdAt, detail.finishedAt);
        const report = buildRunReport(detail, records);
        const history = runs.map((r) => ({ id: r.id, status: r.status, trigger: r.trigger, triggeredBy: r.triggeredBy, createdAt: r.createdAt, finishedAt: r.finishedAt, error: r.error }));
        if (format === 'md') {
          const lines = [`# ${p.name}: close report for ${label}`, '', `Figures from run \`${detail.id}\` (${detail.status}).`, '', '## Runs for this period', '', '| run | trigger | by | status | created | finished |', '|---|---|---|---|---|---|'];
          for (const h of history) lines.push(`| \`${h.id}\` | ${h.trigger} | ${h.triggeredBy ?? ''} | ${h.status} | ${h.createdAt} | ${h.finishedAt ?? ''} |`);
          res.type('text/markdown').send(`${lines.join('\n')}\n\n${reportMarkdown(report).replace(/^# /, '## Run: ').replace(/\n## /g, '\n### ')}`);
        } else res.json({ pipeline: { id: p.id, path: p.path, name: p.name }, period: label, standing: detail.id, runs: history, report });
      },
    },
    {
      method: 'get',
      path: '/api/runs/:id/events',
      auth: 'user',
      permission: { resource: 'runs', action: 'read' },
      tag: 'run-data',
      summary: 'Server-Sent Events: the run\'s stored log lines, then live lines, task changes and run status; ends when the run ends. ?task (one task) &after=<attempt>:<seq> (resume that task); ?logs=false (status and task changes only)',
      handler: (req, res) => streamRun(pipelines, req, res),
    },
  ];
}

async function streamRun(pipelines: PipelineService, req: Request, res: Response): Promise<void> {
  const runId = idOf(req);
  const detail = await pipelines.runs.get(runId);
  let run: Run = detail;
  const q = req.query as Record<string, unknown>;
  const only = q.task === undefined ? undefined : String(q.task);
  // ?logs=false: status and task changes only (a dashboard following several runs).
  const withLogs = q.logs !== 'false' && q.logs !== '0';
  if (only !== undefined && !detail.spec.tasks.some((t) => t.id === only)) throw new AppError('not_found', `Cannot stream run ${runId}: it has no task ${JSON.stringify(only.slice(0, 60))}`);
  const tasks = !withLogs ? [] : only ? [only] : detail.spec.tasks.map((t) => t.id);
  // Each task's log has its own (attempt, seq) order; a resumed stream names where it was for one task.
  const cursors = new Map<string, { attempt: number; seq: number }>();
  const resume = cursorOf(q.after);
  if (resume && only) cursors.set(only, resume);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  let closed = false;
  const send = (event: string, data: unknown) => {
    if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendLine = (l: LogLine) => {
    if (!tasks.includes(l.taskId)) return;
    const c = cursors.get(l.taskId);
    if (c && (l.attempt < c.attempt || (l.attempt === c.attempt && l.seq <= c.seq))) return;
    cursors.set(l.taskId, { attempt: l.attempt, seq: l.seq });
    send('log', l);
  };
  // Live lines that come while the stored ones are read wait, so nothing falls between the two.
  const early: LogLine[] = [];
  let live = false;
  const subs = [
    pipelines.onLog((e) => {
      if (e.runId !== runId) return;
      if (live) sendLine(e.line);
      else early.push(e.line);
    }),
    pipelines.onTaskChanged((e) => {
      if (e.runId === runId && (!only || e.taskId === only)) send('task', e);
    }),
    pipelines.onRunChanged((r) => {
      if (r.id !== runId) return;
      run = r;
      send('run', { id: r.id, status: r.status, finishedAt: r.finishedAt, error: r.error });
      if (RUN_DONE.has(r.status)) end();
    }),
  ];
  const stop = () => {
    closed = true;
    clearInterval(poll);
    clearInterval(ping);
    for (const s of subs) s[Symbol.dispose]();
  };
  // A comment line now and then keeps proxies from closing a quiet stream (a task can print nothing for minutes).
  const ping = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, 15_000);
  // Lines and status changes written by another replica reach this stream through the store.
  const poll = setInterval(() => void catchUp().then(checkEnded), 1000);
  let ending = false;
  function end(): void {
    if (ending) return;
    ending = true;
    void catchUp().finally(() => {
      send('end', { status: run.status });
      stop();
      res.end();
    });
  }
  async function checkEnded(): Promise<void> {
    if (closed) return;
    const r = await pipelines.runs.get(runId).catch(() => undefined);
    if (r && r.status !== run.status) {
      run = r;
      send('run', { id: r.id, status: r.status, finishedAt: r.finishedAt, error: r.error });
    }
    if (r && RUN_DONE.has(r.status)) end();
  }
  async function catchUp(): Promise<void> {
    for (const t of tasks) {
      const lines = await pipelines.runs.logs(runId, { taskId: t, after: cursors.get(t) }).catch(() => []);
      for (const l of lines) sendLine(l);
    }
  }
  req.on('close', stop);
  send('run', { id: run.id, status: run.status, finishedAt: run.finishedAt, error: run.error });
  await catchUp();
  live = true;
  for (const l of early.splice(0)) sendLine(l);
  if (RUN_DONE.has(run.status)) end();
}
