/**
 * The run queue on both store dialects: runs and tasks move as the spec
 * says (fan-out, join, trigger rules), retries wait growing delays,
 * repair reruns only what did not succeed, cancel stops everything, a
 * lost lease is recovered once, and two workers sharing one database
 * never take the same task.
 */
import { openStore, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases } from '@workbench/store/testing';
import { pipelineSpec, task } from '../testing/spec-builder';
import { RunStore, type NewRun } from './run-store';
import type { PipelineSpec } from '../spec/pipeline-spec';

const PERIOD = { start: '2026-11-01', end: '2026-11-30', label: '2026-11' };

function newRun(spec: PipelineSpec, extra: Partial<NewRun> = {}): NewRun {
  return { pipelineId: 'p1', pipelinePath: spec.id, spec, trigger: 'manual', triggeredBy: 'ana', runAs: 'ana', logicalDate: Date.UTC(2026, 11, 3), period: PERIOD, parameters: {}, ...extra };
}

describe.each(STORE_DIALECTS)('run store on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  let now: number;
  let runs: RunStore;
  let where: { url?: string; sqlitePath?: string };
  const clock = { now: () => now };

  beforeEach(async () => {
    where = await databases.create();
    store = await openStore(where);
    now = Date.UTC(2026, 11, 3, 7, 0, 0);
    runs = new RunStore(store, clock, () => 0.5);
  });
  afterEach(() => store[Symbol.asyncDispose]());
  afterAll(() => databases[Symbol.asyncDispose]());

  const statuses = async (runId: string) => Object.fromEntries((await runs.get(runId)).tasks.map((t) => [t.taskId, t.status]));

  test('a fan-out and a join: tasks queue as their upstream succeeds; a failure skips what needs it and fails the run', async () => {
    const spec = pipelineSpec([task('extract'), task('a', { deps: ['extract'] }), task('b', { deps: ['extract'] }), task('report', { deps: ['a', 'b'] }), task('on_failure', { deps: ['a', 'b'], rule: 'any_failed' }), task('always', { deps: ['a', 'b'], rule: 'all_done' })]);
    const { run } = await runs.create(newRun(spec));
    expect(await statuses(run.id)).toEqual({ extract: 'queued', a: 'pending', b: 'pending', report: 'pending', on_failure: 'pending', always: 'pending' });
    const [first] = await runs.claim('w1', 10, 30_000);
    expect(first!.taskId).toBe('extract');
    expect((await runs.get(run.id)).status).toBe('running');
    await runs.finish('w1', run.id, 'extract', 1, { status: 'succeeded', values: { row_count: 42 } });
    const next = await runs.claim('w1', 10, 30_000);
    expect(next.map((c) => c.taskId).sort()).toEqual(['a', 'b']);
    expect(next[0]!.upstream.extract).toEqual({ values: { row_count: 42 }, status: 'succeeded' });
    await runs.finish('w1', run.id, 'a', 1, { status: 'succeeded' });
    const end = await runs.finish('w1', run.id, 'b', 1, { status: 'failed', errorKind: 'error', error: 'ZeroDivisionError: division by zero' });
    expect(end.runFinished).toBeUndefined();
    expect(await statuses(run.id)).toMatchObject({ report: 'skipped', on_failure: 'queued', always: 'queued' });
    for (const c of await runs.claim('w1', 10, 30_000)) await runs.finish('w1', run.id, c.taskId, c.attempt, { status: 'succeeded' });
    const detail = await runs.get(run.id);
    expect(detail.status).toBe('failed');
    expect(detail.error).toBe('Task b did not succeed');
    expect(detail.tasks.find((t) => t.taskId === 'b')!.error).toBe('ZeroDivisionError: division by zero');
  });

  test('a run never has more tasks running than max_parallel; priority goes first', async () => {
    const spec = pipelineSpec([task('low1'), task('low2'), task('high', { priority: 5 })], { maxParallel: 2 });
    const { run } = await runs.create(newRun(spec));
    const claimed = await runs.claim('w1', 10, 30_000);
    expect(claimed.map((c) => c.taskId)).toEqual(['high', 'low1']);
    expect(await runs.claim('w1', 10, 30_000)).toEqual([]);
    await runs.finish('w1', run.id, 'high', 1, { status: 'succeeded' });
    expect((await runs.claim('w1', 10, 30_000)).map((c) => c.taskId)).toEqual(['low2']);
  });

  test('a task that fails twice then succeeds has 3 attempts after growing delays', async () => {
    const spec = pipelineSpec([task('flaky', { retry: { retries: 3, delayMs: 1000, backoff: 2, jitter: 0.5, maxDelayMs: 60_000 } })]);
    const { run } = await runs.create(newRun(spec));
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [c] = await runs.claim('w1', 1, 30_000);
      expect(c!.attempt).toBe(attempt);
      if (attempt < 3) {
        const r = await runs.finish('w1', run.id, 'flaky', attempt, { status: 'failed', errorKind: 'error', error: `boom ${attempt}` });
        delays.push(r.retryInMs!);
        // Not before its delay.
        now += r.retryInMs! - 1;
        expect(await runs.claim('w1', 1, 30_000)).toEqual([]);
        now += 1;
      } else {
        await runs.finish('w1', run.id, 'flaky', attempt, { status: 'succeeded' });
      }
    }
    // 1000 * (1 + 0.5 * 0.5), then 2000 * 1.25.
    expect(delays).toEqual([1250, 2500]);
    const d = await runs.get(run.id);
    expect(d.status).toBe('succeeded');
    const t = d.tasks[0]!;
    expect(t.attempts.map((a) => [a.attempt, a.status, a.delayMs, a.error])).toEqual([
      [1, 'failed', 0, 'boom 1'],
      [2, 'failed', 1250, 'boom 2'],
      [3, 'succeeded', 2500, null],
    ]);
  });

  test('retry_on decides: a timeout is not retried when only errors are', async () => {
    const spec = pipelineSpec([task('t', { retry: { retries: 2, retryOn: ['error'] } })]);
    const { run } = await runs.create(newRun(spec));
    await runs.claim('w1', 1, 30_000);
    const r = await runs.finish('w1', run.id, 't', 1, { status: 'timed_out', errorKind: 'timeout', error: 'Cell 2 timed out' });
    expect(r.retryInMs).toBeUndefined();
    expect(r.runFinished?.status).toBe('failed');
  });

  test('repair reruns only the tasks that did not succeed and what depends on them', async () => {
    const spec = pipelineSpec([task('extract'), task('a', { deps: ['extract'] }), task('b', { deps: ['extract'] }), task('report', { deps: ['a', 'b'] })]);
    const { run } = await runs.create(newRun(spec));
    const drain = async (fail: string[] = []) => {
      for (let c = await runs.claim('w1', 10, 30_000); c.length > 0; c = await runs.claim('w1', 10, 30_000))
        for (const x of c) await runs.finish('w1', run.id, x.taskId, x.attempt, fail.includes(x.taskId) ? { status: 'failed', errorKind: 'error', error: 'no' } : { status: 'succeeded', values: { by: x.taskId } });
    };
    await drain(['b']);
    expect((await runs.get(run.id)).status).toBe('failed');
    await expect(runs.claim('w1', 10, 30_000)).resolves.toEqual([]);
    const repaired = await runs.repair(run.id);
    expect(repaired.tasks).toEqual(['b', 'report']);
    expect(await statuses(run.id)).toEqual({ extract: 'succeeded', a: 'succeeded', b: 'queued', report: 'pending' });
    const seen: string[] = [];
    for (let c = await runs.claim('w1', 10, 30_000); c.length > 0; c = await runs.claim('w1', 10, 30_000))
      for (const x of c) {
        seen.push(`${x.taskId}#${x.attempt}`);
        await runs.finish('w1', run.id, x.taskId, x.attempt, { status: 'succeeded' });
      }
    expect(seen).toEqual(['b#2', 'report#1']);
    const d = await runs.get(run.id);
    expect(d.status).toBe('succeeded');
    expect(d.repairCount).toBe(1);
    expect(d.tasks.find((t) => t.taskId === 'a')!.values).toEqual({ by: 'a' });
    await expect(runs.repair(run.id)).rejects.toThrow(`Cannot repair run ${run.id}: every task succeeded`);
  });

  test('cancel: waiting tasks are cancelled at once, a running one when its worker stops it; the run ends cancelled', async () => {
    const spec = pipelineSpec([task('long'), task('after', { deps: ['long'] })]);
    const { run } = await runs.create(newRun(spec));
    await runs.claim('w1', 1, 30_000);
    const c = await runs.cancel(run.id, 'ana');
    expect(c.running.map((r) => [r.taskId, r.worker])).toEqual([['long', 'w1']]);
    expect(c.runFinished).toBeUndefined();
    expect((await runs.heartbeat('w1', [{ runId: run.id, taskId: 'long' }], 30_000)).cancel).toEqual([{ runId: run.id, taskId: 'long' }]);
    const end = await runs.finish('w1', run.id, 'long', 1, { status: 'cancelled', errorKind: 'cancelled', error: 'Cancelled' });
    expect(end.runFinished?.status).toBe('cancelled');
    expect(await statuses(run.id)).toEqual({ long: 'cancelled', after: 'cancelled' });
    await expect(runs.cancel(run.id, 'ana')).rejects.toThrow(`Cannot cancel run ${run.id}: it already cancelled`);
  });

  test('a lease that is not renewed is recovered once: the attempt is lost, the task retried, the old worker\'s late answer ignored', async () => {
    const spec = pipelineSpec([task('t', { retry: { retries: 1, delayMs: 0 } })]);
    const { run } = await runs.create(newRun(spec));
    await runs.claim('dead-worker', 1, 10_000);
    now += 9_999;
    expect((await runs.recoverExpired()).recovered).toEqual([]);
    now += 2;
    expect((await runs.recoverExpired()).recovered).toEqual([{ runId: run.id, taskId: 't', worker: 'dead-worker' }]);
    expect((await runs.recoverExpired()).recovered).toEqual([]);
    const [again] = await runs.claim('w2', 1, 10_000);
    expect(again!.attempt).toBe(2);
    expect(await runs.finish('dead-worker', run.id, 't', 1, { status: 'succeeded' })).toEqual({ stale: true });
    expect((await runs.heartbeat('dead-worker', [{ runId: run.id, taskId: 't' }], 10_000)).lost).toHaveLength(1);
    await runs.finish('w2', run.id, 't', 2, { status: 'succeeded' });
    const d = await runs.get(run.id);
    expect(d.status).toBe('succeeded');
    expect(d.tasks[0]!.attempts.map((a) => [a.worker, a.status, a.errorKind])).toEqual([
      ['dead-worker', 'failed', 'worker_lost'],
      ['w2', 'succeeded', null],
    ]);
  });

  test('an idempotency key makes one run, however often it is used', async () => {
    const spec = pipelineSpec([task('t')]);
    const a = await runs.create(newRun(spec, { idempotencyKey: 'schedule:p1:2026-12-03T07:00:00.000Z' }));
    const b = await runs.create(newRun(spec, { idempotencyKey: 'schedule:p1:2026-12-03T07:00:00.000Z' }));
    expect(a.created).toBe(true);
    expect(b).toEqual({ run: a.run, created: false });
    expect(await runs.list()).toHaveLength(1);
  });

  test('a sequential backfill runs its periods one after another', async () => {
    const spec = pipelineSpec([task('t')]);
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await runs.create(newRun(spec, { backfillId: 'bf', backfillSeq: i }))).run);
    const order: string[] = [];
    for (let c = await runs.claim('w1', 10, 30_000); c.length > 0; c = await runs.claim('w1', 10, 30_000)) {
      expect(c).toHaveLength(1);
      order.push(c[0]!.runId);
      await runs.finish('w1', c[0]!.runId, 't', 1, { status: 'succeeded' });
    }
    expect(order).toEqual(made.map((r) => r.id));
  });

  test('keeps the checks each attempt evaluated; a run shows those of each task\'s latest attempt', async () => {
    const spec = pipelineSpec([task('checks', { retry: { retries: 1, delayMs: 0 } })]);
    const { run } = await runs.create(newRun(spec));
    const check = (status: 'passed' | 'failed', violations: number) => ({ name: 'unbalanced_moves', severity: 'fail' as const, status, violations, impact: violations ? '12.50' : '0', materiality: '0.01', impacts: null, sample: { columns: [{ name: 'move_id', type: 'INTEGER' }], rows: violations ? [[7]] : [] }, message: null, sqlSha256: 'ab' });
    await runs.claim('w1', 1, 30_000);
    await runs.finish('w1', run.id, 'checks', 1, { status: 'failed', errorKind: 'error', error: 'ExpectationFailed', checks: [check('failed', 1), { ...check('passed', 0), name: 'tb_zero' }] });
    expect((await runs.get(run.id)).checks.map((c) => [c.attempt, c.name, c.status, c.sample.rows])).toEqual([
      [1, 'tb_zero', 'passed', []],
      [1, 'unbalanced_moves', 'failed', [[7]]],
    ]);
    await runs.claim('w1', 1, 30_000);
    await runs.finish('w1', run.id, 'checks', 2, { status: 'succeeded', checks: [check('passed', 0)] });
    expect((await runs.get(run.id)).checks.map((c) => [c.attempt, c.name, c.status, c.impact])).toEqual([[2, 'unbalanced_moves', 'passed', '0']]);
    expect((await runs.get(run.id)).checks[0]!.impacts).toBeNull();
  });

  test('keeps the impact of each currency of a check with currency=, as the run detail shows it', async () => {
    const spec = pipelineSpec([task('checks')]);
    const { run } = await runs.create(newRun(spec));
    const impacts = [
      { currency: 'EUR', impact: '0.009', materiality: '0.01', exceeded: false },
      { currency: 'JPY', impact: '5', materiality: '1', exceeded: true },
      { currency: null, impact: '12345678901234567890.12', materiality: '0', exceeded: true },
    ];
    const fx = { name: 'fx_rounding', severity: 'fail' as const, status: 'failed' as const, violations: 4, impact: '5', materiality: '1', impacts, sample: { columns: [{ name: 'currency', type: 'VARCHAR' }], rows: [['EUR']] }, message: null, sqlSha256: 'cd' };
    await runs.claim('w1', 1, 30_000);
    await runs.finish('w1', run.id, 'checks', 1, { status: 'failed', errorKind: 'error', error: 'ExpectationFailed', checks: [fx, { ...fx, name: 'fx_none', status: 'passed', violations: 0, impact: '0', materiality: '0.05', impacts: [] }] });
    const detail = await runs.get(run.id);
    expect(detail.checks.map((c) => [c.name, c.impact, c.materiality, c.impacts])).toEqual([
      ['fx_none', '0', '0.05', []],
      ['fx_rounding', '5', '1', impacts],
    ]);
    // As the REST run detail sends it.
    expect(JSON.parse(JSON.stringify(detail)).checks[1].impacts).toEqual(impacts);
  });

  test('logs are read back per task in order, after a cursor', async () => {
    const spec = pipelineSpec([task('t')]);
    const { run } = await runs.create(newRun(spec));
    await runs.appendLogs([1, 2, 3].map((seq) => ({ runId: run.id, taskId: 't', attempt: 1, seq, at: now + seq, stream: 'stdout', cell: 0, text: `line ${seq}` })));
    expect((await runs.logs(run.id, { taskId: 't', after: { attempt: 1, seq: 1 } })).map((l) => l.text)).toEqual(['line 2', 'line 3']);
  });

  if (dialect === 'postgres') {
    test('two workers claiming at the same time on one database never take the same task', async () => {
      const other = await openStore(where);
      try {
        const spec = pipelineSpec([task('t')]);
        for (let i = 0; i < 40; i++) await runs.create(newRun(spec));
        const second = new RunStore(other, clock);
        const taken: string[] = [];
        const work = async (rs: RunStore, worker: string) => {
          for (let c = await rs.claim(worker, 3, 30_000); c.length > 0; c = await rs.claim(worker, 3, 30_000))
            for (const x of c) {
              taken.push(x.runId);
              await rs.finish(worker, x.runId, x.taskId, x.attempt, { status: 'succeeded' });
            }
        };
        await Promise.all([work(runs, 'w1'), work(second, 'w2')]);
        expect(taken).toHaveLength(40);
        expect(new Set(taken).size).toBe(40);
        expect((await runs.list({ limit: 100 })).every((r) => r.status === 'succeeded')).toBe(true);
      } finally {
        await other[Symbol.asyncDispose]();
      }
    });
  }
});
