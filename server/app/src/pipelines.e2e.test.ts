/**
 * Pipelines end to end on a real server with real kernels: a 5-task
 * pipeline (Python, SQL and TypeScript notebooks, a fan-out and a join)
 * run by hand with overrides, a task that fails twice then succeeds
 * (3 attempts, growing delays), repair, cancel of a running task (its
 * kernel is gone), a cron schedule, a signed webhook, live logs over SSE,
 * and bad input refused before anything is queued.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForEvent } from '@workbench/core';
import { signWebhook, verifyWebhookSignature, type RunDetail } from '@workbench/pipelines';
import { startTestSmtpServer, startTestWebhookReceiver, type TestSmtpServer, type TestWebhookReceiver } from '@workbench/pipelines/notify/test-harness';
import { api, startTestServer, type TestServer } from './testing/harness';
import { jsonRequest, notebookJson, pipelineId, runEnded, writeWorkspace } from './testing/pipelines';

const CLOSE = `name: Close
description: Extract, load, check, report
period: previous_month
parameters:
  company_id: { type: integer, default: 1 }
max_parallel: 3
tasks:
  extract:
    notebook: close/extract.ipynb
    parameters: { company_id: "{{ params.company_id }}", period_start: "{{ period.start }}" }
  load:
    sql: close/load.sql
    depends_on: [extract]
    parameters: { company_id: "{{ params.company_id }}" }
  typed:
    notebook: close/typed.ipynb
    depends_on: [extract]
    parameters: { rows: "{{ tasks.extract.values.row_count }}" }
  flaky:
    notebook: close/flaky.ipynb
    depends_on: [extract]
    retries: 2
    retry_delay: 1s
    retry_backoff: 2
    retry_jitter: 0
  report:
    notebook: close/report.ipynb
    depends_on: [load, typed, flaky]
`;

describe('pipelines on a real server', () => {
  let ts: TestServer;
  let smtp: TestSmtpServer;
  let hooks: TestWebhookReceiver;

  beforeAll(async () => {
    smtp = await startTestSmtpServer({ starttls: false });
    hooks = await startTestWebhookReceiver();
    ts = await startTestServer([], process.env, { pipelines: { poll_ms: 200, smtp: { host: smtp.host, port: smtp.port, from: 'workbench@example.com' }, public_url: 'https://workbench.example.com' } });
    await writeWorkspace(ts, {
      'close/extract.ipynb': notebookJson('python3', [
        { source: 'company_id = 0\nperiod_start = ""', tags: ['parameters'] },
        { source: 'import workbench\nprint("extracting", company_id, period_start)\nworkbench.task_value("row_count", 10 * company_id)' },
      ]),
      'close/load.sql': '%params {"company_id": 0}\nSELECT $company_id * 2 AS doubled;\n',
      'close/typed.ipynb': notebookJson('tslab', [{ source: 'let rows: number = 0;', tags: ['parameters'] }, { source: 'console.log(`rows=${rows * 1}`);' }]),
      'close/flaky.ipynb': notebookJson('python3', [{ source: 'import os\nattempt = int(os.environ["WORKBENCH_ATTEMPT"])\nassert attempt >= 3, f"attempt {attempt} fails on purpose"\nprint("attempt", attempt, "works")' }]),
      'close/report.ipynb': notebookJson('python3', [{ source: 'print("report done")' }]),
      'close/close.pipeline.yaml': CLOSE,
    });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await hooks?.[Symbol.asyncDispose]();
    await smtp?.[Symbol.asyncDispose]();
  });

  it('runs a 5-task pipeline by hand with an override: fan-out, join, task values downstream, 3 attempts of a flaky task with growing delays, outputs saved', async () => {
    const id = await pipelineId(ts, 'close/close.pipeline.yaml');
    const created = await jsonRequest<{ id: string; overrides: Record<string, unknown> }>(ts, 'POST', `api/pipelines/${id}/runs`, { parameters: { company_id: '3' } });
    expect(created.status).toBe(201);
    expect(created.body.overrides).toEqual({ company_id: { old: 1, new: 3 } });
    const run = await runEnded(ts, created.body.id);
    expect(run.tasks.map((t) => [t.taskId, t.status, t.attempt])).toEqual([
      ['extract', 'succeeded', 1],
      ['load', 'succeeded', 1],
      ['typed', 'succeeded', 1],
      ['flaky', 'succeeded', 3],
      ['report', 'succeeded', 1],
    ]);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]!.values).toEqual({ row_count: 30 });
    const flaky = run.tasks.find((t) => t.taskId === 'flaky')!;
    expect(flaky.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(flaky.attempts[0]!.error).toContain('attempt 1 fails on purpose');
    const [d1, d2] = [flaky.attempts[1]!.delayMs, flaky.attempts[2]!.delayMs];
    expect(d1).toBeGreaterThanOrEqual(1000);
    expect(d2).toBeGreaterThanOrEqual(2000);
    expect(d2).toBeGreaterThan(d1);
    // The TypeScript task got the upstream value; the output notebooks are saved with papermill metadata.
    const typed = JSON.parse(readFileSync(join(ts.rootDir, run.tasks[2]!.outputPath!), 'utf8')) as { cells: { outputs?: { text?: string | string[] }[] }[]; metadata: { papermill: { parameters: unknown } } };
    expect(typed.metadata.papermill.parameters).toEqual({ rows: 30 });
    expect(JSON.stringify(typed.cells)).toContain('rows=30');
    expect(run.tasks.every((t) => t.outputPath && existsSync(join(ts.rootDir, t.outputPath)))).toBe(true);
    // Each output is a git version (flaky's three attempts wrote one file, three times).
    expect(await ts.wb.versions!.versions(run.tasks[0]!.outputPath!)).toHaveLength(1);
    expect((await ts.wb.versions!.versions(flaky.outputPath!)).length).toBe(3);
    // The audit record of the manual run says what the override changed.
    const audit = await ts.wb.audit.query({ action: 'execute', resource: 'pipelines' });
    expect(audit.at(-1)!.detail).toMatchObject({ overrides: { company_id: { old: 1, new: 3 } } });
    // Every attempt of every task left an audit record before its kernel started: who it ran as, the file's hash, the parameters.
    const attempts = (await ts.wb.audit.query({ action: 'run_task', resource: 'pipelines', limit: 1000 })).filter((r) => r.detail.run === run.id);
    expect(attempts.map((r) => `${String(r.detail.task)}#${String(r.detail.attempt)}`).sort()).toEqual(['extract#1', 'flaky#1', 'flaky#2', 'flaky#3', 'load#1', 'report#1', 'typed#1']);
    expect(attempts.find((r) => r.detail.task === 'typed')).toMatchObject({ via: 'system', target: 'close/typed.ipynb', detail: { parameters: { rows: 30 } } });
    expect(attempts[0]!.detail.code_sha256).toMatch(/^[0-9a-f]{64}$/);
    // Logs are kept: the extract task printed its parameters.
    const logs = await (await api(ts, `api/runs/${run.id}/logs?task=extract`)).text();
    expect(logs).toContain('extracting 3 2026-');
    expect(ts.wb.kernels.list()).toEqual([]);
  }, 180_000); // eight kernel starts (Python, SQL, TypeScript) and two retry delays: minutes on a loaded 2-core machine

  it('repair reruns only the failed task and what depends on it', async () => {
    await writeWorkspace(ts, {
      'repair/a.ipynb': notebookJson('python3', [{ source: 'print("a")' }]),
      'repair/b.ipynb': notebookJson('python3', [{ source: 'import os\nassert os.path.exists("fixed.txt"), "fixed.txt is missing"' }]),
      'repair/c.ipynb': notebookJson('python3', [{ source: 'print("c")' }]),
      'repair/r.pipeline.yaml': 'name: Repairable\ntasks:\n  a: { notebook: repair/a.ipynb }\n  b: { notebook: repair/b.ipynb, depends_on: [a] }\n  c: { notebook: repair/c.ipynb, depends_on: [b] }\n',
    });
    const id = await pipelineId(ts, 'repair/r.pipeline.yaml');
    const first = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    expect(first.status).toBe('failed');
    expect(first.tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(first.tasks[1]!.error).toContain('fixed.txt is missing');
    await writeFile(join(ts.rootDir, 'repair', 'fixed.txt'), 'yes');
    const repaired = await jsonRequest<{ tasks: string[] }>(ts, 'POST', `api/runs/${first.id}/repair`);
    expect(repaired.status).toBe(200);
    expect(repaired.body.tasks).toEqual(['b', 'c']);
    const after = await runEnded(ts, first.id);
    expect(after.status).toBe('succeeded');
    expect(after.tasks.map((t) => [t.taskId, t.attempt])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
    ]);
    expect(after.repairCount).toBe(1);
  });

  it('cancel stops a running task and shuts its kernel down', async () => {
    await writeWorkspace(ts, {
      'cancel/long.ipynb': notebookJson('python3', [{ source: 'print("started", flush=True)' }, { source: 'import time\ntime.sleep(600)' }]),
      'cancel/l.pipeline.yaml': 'name: Long\ntasks:\n  long: { notebook: cancel/long.ipynb }\n  after: { notebook: cancel/long.ipynb, depends_on: [long] }\n',
    });
    const id = await pipelineId(ts, 'cancel/l.pipeline.yaml');
    const secondCell = waitForEvent(ts.wb.pipelines.onLog, (e) => e.line.text === 'cell 2 started');
    const run = await ts.wb.pipelines.runNow(id, { by: 'test' });
    await secondCell;
    expect(ts.wb.kernels.list()).toHaveLength(1);
    const cancelled = await jsonRequest<RunDetail>(ts, 'POST', `api/runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const end = await runEnded(ts, run.id);
    expect(end.status).toBe('cancelled');
    expect(end.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(ts.wb.kernels.list()).toEqual([]);
    expect((await jsonRequest(ts, 'POST', `api/runs/${run.id}/cancel`)).status).toBe(409);
  });

  it('runs the 5-task pipeline on its cron schedule and shows the next 12 fire times', async () => {
    await writeWorkspace(ts, { 'close/cron.pipeline.yaml': CLOSE.replace('name: Close', 'name: Close on cron\nschedule:\n  - cron: "* * * * * *"\n    timezone: Europe/Paris') });
    const fired = waitForEvent(ts.wb.pipelines.onRunChanged, (r) => r.trigger === 'cron');
    const id = await pipelineId(ts, 'close/cron.pipeline.yaml');
    const first = await fired;
    // Paused at once: no more fires (a fire already taken in the same second may still run).
    const paused = await jsonRequest<{ paused: boolean }>(ts, 'PATCH', `api/pipelines/${id}`, { paused: true });
    expect(paused.body.paused).toBe(true);
    const run = await runEnded(ts, first.id);
    expect(run.pipelineId).toBe(id);
    expect(run.status).toBe('succeeded');
    expect(run.tasks).toHaveLength(5);
    expect(run.parameters).toEqual({ company_id: 1 });
    const page = await jsonRequest<{ upcoming: { at: string }[] }>(ts, 'GET', `api/pipelines/${id}`);
    expect(page.body.upcoming).toHaveLength(12);
    const times = page.body.upcoming.map((u) => Date.parse(u.at));
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === 1000)).toBe(true);
  }, 180_000);

  it('retries a task whose kernel died mid-cell, as retry_on says', async () => {
    await writeWorkspace(ts, {
      'die/die.ipynb': notebookJson('python3', [{ source: 'import os, signal\nif os.environ["WORKBENCH_ATTEMPT"] == "1":\n    os.kill(os.getpid(), signal.SIGKILL)\nprint("survived")' }]),
      'die/d.pipeline.yaml': 'name: Dies\ntasks:\n  d: { notebook: die/die.ipynb, retries: 1, retry_delay: 1s, retry_on: [kernel_death] }\n',
    });
    const id = await pipelineId(ts, 'die/d.pipeline.yaml');
    const run = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]!.attempts.map((a) => `${a.status}/${a.errorKind ?? ''}`)).toEqual(['failed/kernel_death', 'succeeded/']);
    expect(ts.wb.kernels.list()).toEqual([]);
  });

  it('runs another pipeline as a task, starts a follower after success, and backfills three months one after another', async () => {
    await writeWorkspace(ts, {
      'chain/p.ipynb': notebookJson('python3', [{ source: 'label = ""', tags: ['parameters'] }, { source: 'import workbench\nworkbench.task_value("label", label)' }]),
      'chain/child.pipeline.yaml': 'name: Child\nparameters:\n  label: { type: string, default: none }\ntasks:\n  c: { notebook: chain/p.ipynb, parameters: { label: "{{ params.label }}" } }\n',
      'chain/parent.pipeline.yaml': 'name: Parent\nperiod: previous_month\ntasks:\n  own: { notebook: chain/p.ipynb, parameters: { label: "{{ period.label }}" } }\n  sub: { pipeline: chain/child.pipeline.yaml, depends_on: [own], parameters: { label: "from parent" } }\n',
      'chain/follower.pipeline.yaml': 'name: Follower\nschedule:\n  - after: chain/parent.pipeline.yaml\ntasks:\n  f: { notebook: chain/p.ipynb }\n',
    });
    const parent = await pipelineId(ts, 'chain/parent.pipeline.yaml');
    const follower = await pipelineId(ts, 'chain/follower.pipeline.yaml');
    const followed = waitForEvent(ts.wb.pipelines.onRunChanged, (r) => r.pipelineId === follower && r.trigger === 'after');
    const run = await runEnded(ts, (await ts.wb.pipelines.runNow(parent, { by: 'test', logicalDate: '2026-12-03T07:00:00Z' })).id);
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]!.values).toEqual({ label: '2026-11' });
    const child = await ts.wb.pipelines.runs.get(run.tasks[1]!.childRunId!);
    expect(child.parentRunId).toBe(run.id);
    expect(child.tasks[0]!.values).toEqual({ label: 'from parent' });
    expect((await runEnded(ts, (await followed).id)).status).toBe('succeeded');

    const backfill = await jsonRequest<{ id: string; period: { label: string } }[]>(ts, 'POST', `api/pipelines/${parent}/backfill`, { from: '2026-08', to: '2026-10', parallel: false });
    expect(backfill.status).toBe(201);
    expect(backfill.body.map((r) => r.period.label)).toEqual(['2026-08', '2026-09', '2026-10']);
    const ended = [];
    for (const r of backfill.body) ended.push(await runEnded(ts, r.id));
    expect(ended.map((r) => [r.status, r.tasks[0]!.values.label])).toEqual([
      ['succeeded', '2026-08'],
      ['succeeded', '2026-09'],
      ['succeeded', '2026-10'],
    ]);
    // Sequential: each period's run started after the one before ended.
    for (let i = 1; i < ended.length; i++) expect(Date.parse(ended[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ended[i - 1]!.finishedAt!));
  }, 180_000); // six runs one after another, each with its kernel: over a minute on a loaded 2-core machine

  it('starts a run from a signed webhook, once per delivery, and refuses a bad signature', async () => {
    await writeWorkspace(ts, {
      'hook/h.ipynb': notebookJson('python3', [{ source: 'n = 0', tags: ['parameters'] }, { source: 'print("n", n)' }]),
      'hook/h.pipeline.yaml': 'name: Hooked\nwebhook: true\nparameters:\n  n: { type: integer, default: 1 }\ntasks:\n  h: { notebook: hook/h.ipynb, parameters: { n: "{{ params.n }}" } }\n',
    });
    const id = await pipelineId(ts, 'hook/h.pipeline.yaml');
    const secret = (await jsonRequest<{ secret: string }>(ts, 'POST', `api/pipelines/${id}/webhook-secret`)).body.secret;
    const body = JSON.stringify({ parameters: { n: 7 } });
    const post = (sig: string, delivery: string) => fetch(`${ts.baseUrl}api/pipelines/${id}/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Workbench-Signature': sig, 'X-Workbench-Delivery': delivery }, body });
    const now = Math.floor(Date.now() / 1000);
    const bad = await post(signWebhook('wrong-secret', body, now), 'd1');
    expect({ status: bad.status, message: ((await bad.json()) as { message: string }).message }).toEqual({ status: 403, message: 'Cannot run hook/h.pipeline.yaml from a webhook: signature does not match' });
    const ok = await post(signWebhook(secret, body, now), 'd2');
    expect(ok.status).toBe(202);
    const again = await post(signWebhook(secret, body, now), 'd2');
    const [a, b] = [(await ok.json()) as { id: string }, (await again.json()) as { id: string }];
    expect(b.id).toBe(a.id);
    const run = await runEnded(ts, a.id);
    expect(run.trigger).toBe('webhook');
    expect(run.parameters).toEqual({ n: 7 });
  });

  it('emails the team when a run fails; on success posts signed run.succeeded and data_ready webhooks', async () => {
    await writeWorkspace(ts, {
      'notify/n.ipynb': notebookJson('python3', [{ source: 'fail = True', tags: ['parameters'] }, { source: 'import workbench\nworkbench.task_value("row_count", 12)\nassert not fail, "the checks failed"' }]),
      'notify/n.pipeline.yaml': `name: Notified\nparameters:\n  fail: { type: boolean, default: true }\ntasks:\n  tb: { notebook: notify/n.ipynb, parameters: { fail: "{{ params.fail }}" } }\nnotify:\n  - on: [failure]\n    email: [close-team@example.com]\n  - on: [success, data_ready]\n    webhook: ${hooks.url}\ndatasets:\n  - name: gold.trial_balance\n    task: tb\n    schema_version: "3"\n`,
    });
    const id = await pipelineId(ts, 'notify/n.pipeline.yaml');
    const failed = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    expect(failed.status).toBe('failed');
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.envelopeTo).toEqual(['close-team@example.com']);
    expect(mail.subject).toContain('Notified failed');
    expect(mail.text).toContain('the checks failed');
    expect(mail.text).toContain(`https://workbench.example.com/lab?pipeline-run=${failed.id}`);
    expect(hooks.requests).toHaveLength(0);

    const ok = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test', overrides: { fail: false } })).id);
    expect(ok.status).toBe('succeeded');
    expect(smtp.messages).toHaveLength(1);
    const events = hooks.requests.map((r) => r.headers['x-workbench-event']).sort();
    expect(events).toEqual(['data_ready', 'run.succeeded']);
    const secret = await ts.wb.secrets.get('pipelines/webhook-signing');
    for (const r of hooks.requests) expect(verifyWebhookSignature(secret, r.headers['x-workbench-signature'] as string, r.body, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    const ready = JSON.parse(hooks.requests.find((r) => r.headers['x-workbench-event'] === 'data_ready')!.body.toString()) as Record<string, unknown>;
    expect(ready).toMatchObject({ dataset: 'gold.trial_balance', row_count: 12, schema_version: '3', run_id: ok.id });
  });

  it('tells the team once when a run misses its SLA', async () => {
    await writeWorkspace(ts, {
      'sla/wait.ipynb': notebookJson('python3', [{ source: 'import os, time\nwhile not os.path.exists("go"):\n    time.sleep(0.05)' }]),
      'sla/s.pipeline.yaml': 'name: Late\nsla: 1s\ntasks:\n  w: { notebook: sla/wait.ipynb }\nnotify:\n  - on: [sla_miss]\n    email: [close-team@example.com]\n',
    });
    const id = await pipelineId(ts, 'sla/s.pipeline.yaml');
    const hook = ts.wb.pipelines.slaMissedHook!;
    const missed = new Promise<string>((resolve) => {
      ts.wb.pipelines.slaMissedHook = async (run) => {
        await hook(run);
        resolve(run.id);
      };
    });
    const mailsBefore = smtp.messages.length;
    const run = await ts.wb.pipelines.runNow(id, { by: 'test' });
    try {
      expect(await missed).toBe(run.id);
      expect(smtp.messages.slice(mailsBefore).map((m) => m.subject)).toEqual([expect.stringMatching(/Late missed its SLA/)]);
    } finally {
      ts.wb.pipelines.slaMissedHook = hook;
      await writeFile(join(ts.rootDir, 'sla', 'go'), '');
    }
    expect((await runEnded(ts, run.id)).status).toBe('succeeded');
    expect(smtp.messages.length - mailsBefore).toBe(1);
  });

  it('stores the data-quality checks a SQL task evaluated, and fails the task when a fail-severity one failed', async () => {
    const sqlNotebook = (cells: string[]) =>
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'sql', display_name: 'SQL', language: 'sql' } }, cells: cells.map((source, i) => ({ id: `q${i}`, cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })) });
    await writeWorkspace(ts, {
      'quality/checks.ipynb': sqlNotebook([
        '%%expect no_negative_amounts severity=fail amount=x materiality=1 continue\nSELECT * FROM (VALUES (1), (-2), (-3)) t(x) WHERE x < 0',
        '%%expect small_warning severity=warn\nSELECT 1 AS one WHERE false',
        '%expect_summary',
      ]),
      'quality/q.pipeline.yaml': 'name: Checked\ntasks:\n  checks: { notebook: quality/checks.ipynb }\n',
    });
    const id = await pipelineId(ts, 'quality/q.pipeline.yaml');
    const run = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    expect(run.status).toBe('failed');
    expect(run.tasks[0]!.error).toContain('ExpectationFailed');
    expect(run.checks.map((c) => [c.taskId, c.name, c.severity, c.status, c.violations, c.impact, c.materiality, c.sample.rows])).toEqual([
      ['checks', 'no_negative_amounts', 'fail', 'failed', 2, '5', '1', [[-2], [-3]]],
      ['checks', 'small_warning', 'warn', 'passed', 0, null, null, []],
    ]);
    // The run as a report to file: checks with their verdicts, and the audit records it left.
    const report = await jsonRequest<{ checks: { summary: object }; audit: { action: string; detail: { task?: string } }[]; tasks: { id: string }[] }>(ts, 'GET', `api/runs/${run.id}/report`);
    expect(report.body.checks.summary).toEqual({ passed: 1, failed: 1, warnings: 0, errors: 0 });
    expect(report.body.audit.map((a) => [a.action, a.detail.task])).toEqual([['run_task', 'checks']]);
    const md = await (await api(ts, `api/runs/${run.id}/report?format=md`)).text();
    expect(md).toContain('| no_negative_amounts | fail | failed | 2 | 5 / 1 | [[-2],[-3]] |');
    expect(md).toContain('## Audit trail');
  });

  it('builds a dbt-style model folder as a SQL task after the load, and fails the run when a model test catches a duplicate', async () => {
    await writeWorkspace(ts, {
      'marts/load.sql': '%params {"dup": false}\nCREATE OR REPLACE TABLE raw_orders AS SELECT * FROM (VALUES (1, 10.0), (2, 20.0)) t(id, amount) UNION ALL SELECT 2, 5.0 WHERE $dup;\n',
      'marts/build.sql': '%build_models models schema=marts\n',
      'marts/models/stg_orders.sql': 'SELECT id, amount FROM raw_orders',
      'marts/models/order_totals.sql': "SELECT count(*) AS orders, sum(amount) AS total FROM {{ ref('stg_orders') }}",
      'marts/models/schema.yml': 'models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests: [unique, not_null]\n',
      'marts/m.pipeline.yaml': 'name: Marts\nparameters:\n  dup: { type: boolean, default: false }\ntasks:\n  load: { sql: marts/load.sql, parameters: { dup: "{{ params.dup }}" } }\n  build: { sql: marts/build.sql, depends_on: [load] }\n',
    });
    const id = await pipelineId(ts, 'marts/m.pipeline.yaml');
    const ok = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    expect({ status: ok.status, error: ok.tasks.find((t) => t.taskId === 'build')?.error ?? null }).toEqual({ status: 'succeeded', error: null });
    const seeded = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test', overrides: { dup: true } })).id);
    expect(seeded.status).toBe('failed');
    expect(seeded.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['load', 'succeeded'],
      ['build', 'failed'],
    ]);
    expect(seeded.tasks[1]!.error).toMatch(/ModelsFailed/);
  });

  it('streams a run\'s logs over Server-Sent Events, stored lines first, then the end', async () => {
    await writeWorkspace(ts, {
      'sse/a.ipynb': notebookJson('python3', [{ source: 'print("a")' }]),
      'sse/s.pipeline.yaml': 'name: Streamed\ntasks:\n  a: { notebook: sse/a.ipynb }\n',
    });
    const id = await pipelineId(ts, 'sse/s.pipeline.yaml');
    const run = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
    const res = await api(ts, `api/runs/${run.id}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toContain('event: log');
    expect(text).toContain('"text":"a\\n"');
    expect(text.trim().endsWith(`data: {"status":"succeeded"}`)).toBe(true);
  });

  describe('bad input is refused before anything is queued', () => {
    it('a cyclic pipeline is not written, and the error names the line', async () => {
      const content = 'name: Cyclic\ntasks:\n  a: { notebook: x.ipynb, depends_on: [b] }\n  b: { notebook: x.ipynb, depends_on: [a] }\n';
      const r = await jsonRequest<{ message: string; issues?: { line: number; message: string }[] }>(ts, 'POST', 'api/pipelines', { path: 'bad/cyclic.pipeline.yaml', content });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/cycle/i);
      expect(r.body.issues).toEqual([expect.objectContaining({ line: expect.any(Number), message: expect.stringMatching(/cycle/i) })]);
      expect(existsSync(join(ts.rootDir, 'bad/cyclic.pipeline.yaml'))).toBe(false);
    });

    it('an override of the wrong type or an unknown parameter creates no run', async () => {
      const id = await pipelineId(ts, 'close/close.pipeline.yaml');
      const before = (await ts.wb.pipelines.runs.list({ pipelineId: id, limit: 500 })).length;
      const wrong = await jsonRequest<{ message: string }>(ts, 'POST', `api/pipelines/${id}/runs`, { parameters: { company_id: 'three' } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toContain('company_id');
      expect(Object.keys((wrong.body as unknown as { parameters: object }).parameters)).toEqual(['company_id']);
      const unknown = await jsonRequest<{ message: string }>(ts, 'POST', `api/pipelines/${id}/runs`, { parameters: { nope: 1 } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('nope');
      expect((await ts.wb.pipelines.runs.list({ pipelineId: id, limit: 500 })).length).toBe(before);
    });

    it('a notebook that does not exist fails its task with the path and the pipeline line', async () => {
      await writeWorkspace(ts, { 'bad/missing.pipeline.yaml': 'name: Missing\ntasks:\n  gone:\n    notebook: bad/nowhere.ipynb\n' });
      const id = await pipelineId(ts, 'bad/missing.pipeline.yaml');
      const run = await runEnded(ts, (await ts.wb.pipelines.runNow(id, { by: 'test' })).id);
      expect(run.status).toBe('failed');
      expect(run.tasks[0]!.error).toBe('Cannot run task gone: notebook bad/nowhere.ipynb does not exist (pipeline line 3)');
    });
  });
});
