import type { TaskCheck as ServerTaskCheck } from '@workbench/pipelines';
import { errorFromResponse, issuesOf, PipelinesError } from './pipelines-api';
import { BROKEN, CHECKS, DETAIL, FX_CHECK, RUN, RUN_DETAIL, RUN_ROWS, SUMMARY } from './testing/fixtures';
import type { TaskCheck } from './types';
import { readAbilities, readIssues, readPipeline, readPipelineRecord, readPipelines, readRepair, readRun, readRunDetail, readRunEvent, readRunRows, readRuns } from './validate';

function invalid(fn: () => unknown): PipelinesError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PipelinesError);
    expect((err as PipelinesError).kind).toBe('invalid_response');
    return err as PipelinesError;
  }
  throw new Error('expected a PipelinesError');
}

/** As JSON travels: undefined keys gone. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('reading the pipelines API', () => {
  it('reads what the server sends', () => {
    expect(readPipelines(wire([SUMMARY, BROKEN]))).toEqual([SUMMARY, BROKEN]);
    expect(readPipeline(wire(DETAIL))).toEqual(DETAIL);
    const { lastRun: _l, ...record } = SUMMARY;
    expect(readPipelineRecord(wire(record))).toEqual(record);
    expect(readRunRows(wire(RUN_ROWS))).toEqual(RUN_ROWS);
    expect(readRuns(wire([RUN]))).toEqual([RUN]);
    expect(readRun(wire(RUN))).toEqual(RUN);
    expect(readRunDetail(wire(RUN_DETAIL))).toEqual(RUN_DETAIL);
    expect(readRepair({ run: wire(RUN), tasks: ['a', 'report'] })).toEqual({ run: RUN, tasks: ['a', 'report'] });
    expect(readIssues({ issues: BROKEN.issues })).toEqual(BROKEN.issues);
  });

  it('drops keys it does not know (the spec keeps only what the screens use)', () => {
    const extra = { ...wire(RUN_DETAIL), runAs: 'alice', parentRunId: null, spec: { ...wire(RUN_DETAIL.spec), priority: 3, notify: [], datasets: [] } };
    expect(readRunDetail(extra)).toEqual(RUN_DETAIL);
    const serverTask = { ...wire(RUN_DETAIL.spec.tasks[0]!), retry: { retries: 0, delayMs: 30000, backoff: 2, maxDelayMs: 3600000, jitter: 0.1, retryOn: ['error'] }, priority: 0 };
    expect(readRunDetail({ ...extra, spec: { ...extra.spec, tasks: [serverTask] } }).spec.tasks[0]).toEqual(RUN_DETAIL.spec.tasks[0]);
  });

  it('names what is wrong', () => {
    expect(invalid(() => readPipelines({})).message).toBe('Cannot read the pipelines: the server answered with unexpected JSON (the answer is not an array)');
    expect(invalid(() => readRunRows([{ ...wire(RUN_ROWS[0]!), tasks: { a: { status: 'exploded', attempt: 1 } } }])).message).toContain('[0].tasks.a.status is not one of pending, queued, running');
    expect(invalid(() => readRunDetail({ ...wire(RUN_DETAIL), spec: { ...wire(RUN_DETAIL.spec), triggers: [{ kind: 'cron', cron: 5 }] } })).message).toContain('spec.triggers[0].cron is not a string');
    expect(invalid(() => readRun({ ...wire(RUN), createdAt: 'yesterday' })).message).toContain('the answer.createdAt is not an ISO 8601 time');
    expect(invalid(() => readPipeline({ ...wire(DETAIL), upcoming: [{ at: 'x' }] })).message).toContain('upcoming[0].at is not an ISO 8601 time');
  });

  it('reads the checks of a run; a server from before checks sends none', () => {
    const { checks: _c, ...older } = wire(RUN_DETAIL);
    expect(readRunDetail(older)).toEqual({ ...RUN_DETAIL, checks: [] });
    // The mirror is the server's shape (server/pipelines runs/run-model.ts), both ways (checked by tsc).
    const server: ServerTaskCheck = CHECKS[1]!;
    const mirrored: TaskCheck = server;
    // As the server sends them: the task's attempt, decimals as text, the sample's values as the kernel gave them.
    const sent = wire(mirrored);
    expect(readRunDetail({ ...wire(RUN_DETAIL), checks: [{ ...sent, runId: 'run-2', elapsedMs: 4.2 }] }).checks).toEqual([CHECKS[1]]);
    // Absent optional texts read as null.
    const { impact: _i, materiality: _m, impacts: _is, message: _x, sqlSha256: _s, ...bare } = wire(CHECKS[0]!);
    expect(readRunDetail({ ...wire(RUN_DETAIL), checks: [bare] }).checks[0]).toEqual({ ...CHECKS[0], impact: null, materiality: null, impacts: null, message: null, sqlSha256: null });
  });

  it('reads the impacts per currency of a check with currency=; keys it does not use are dropped', () => {
    const server: ServerTaskCheck = FX_CHECK;
    const sent = wire(server) as { impacts: object[] };
    expect(readRunDetail({ ...wire(RUN_DETAIL), checks: [sent] }).checks).toEqual([FX_CHECK]);
    const extra = { ...sent, impacts: sent.impacts.map((i) => ({ ...i, rate: '1.1' })) };
    expect(readRunDetail({ ...wire(RUN_DETAIL), checks: [extra] }).checks[0]!.impacts).toEqual(FX_CHECK.impacts);
    expect(readRunDetail({ ...wire(RUN_DETAIL), checks: [{ ...sent, impacts: [] }] }).checks[0]!.impacts).toEqual([]);
  });

  it('names what is wrong in an impact per currency', () => {
    const withImpacts = (impacts: unknown) => ({ ...wire(RUN_DETAIL), checks: [{ ...wire(FX_CHECK), impacts }] });
    const one = wire(FX_CHECK.impacts![1]!) as object;
    expect(invalid(() => readRunDetail(withImpacts({ JPY: '5' }))).message).toContain('checks[0].impacts is not an array');
    expect(invalid(() => readRunDetail(withImpacts([one, { ...one, impact: 5 }]))).message).toContain('checks[0].impacts[1].impact is not a string');
    expect(invalid(() => readRunDetail(withImpacts([{ ...one, currency: 392 }]))).message).toContain('checks[0].impacts[0].currency is not a string or null');
    expect(invalid(() => readRunDetail(withImpacts([{ ...one, exceeded: 'yes' }]))).message).toContain('checks[0].impacts[0].exceeded is not true or false');
    expect(invalid(() => readRunDetail(withImpacts([{ ...one, materiality: undefined }]))).message).toContain('checks[0].impacts[0].materiality is not a string');
  });

  it('names what is wrong in a check', () => {
    const withCheck = (c: object) => ({ ...wire(RUN_DETAIL), checks: [wire(CHECKS[0]!), { ...wire(CHECKS[1]!), ...c }] });
    expect(invalid(() => readRunDetail({ ...wire(RUN_DETAIL), checks: {} })).message).toContain('(checks is not an array)');
    expect(invalid(() => readRunDetail(withCheck({ severity: 'info' }))).message).toContain('checks[1].severity is not one of warn, fail');
    expect(invalid(() => readRunDetail(withCheck({ status: 'skipped' }))).message).toContain('checks[1].status is not one of passed, failed, error');
    expect(invalid(() => readRunDetail(withCheck({ violations: -1 }))).message).toContain('checks[1].violations is not a non-negative integer');
    expect(invalid(() => readRunDetail(withCheck({ impact: 12.51 }))).message).toContain('checks[1].impact is not a string or null');
    expect(invalid(() => readRunDetail(withCheck({ at: 'later' }))).message).toContain('checks[1].at is not an ISO 8601 time');
    expect(invalid(() => readRunDetail(withCheck({ sample: { columns: [{ name: 'x' }], rows: [] } }))).message).toContain('checks[1].sample.columns[0].type is not a string');
    expect(invalid(() => readRunDetail(withCheck({ sample: { columns: [], rows: [{ x: 1 }] } }))).message).toContain('checks[1].sample.rows[0] is not an array');
    expect(invalid(() => readRunDetail(withCheck({ sample: null }))).message).toContain('checks[1].sample is not an object');
  });

  it('reads the events of a run stream', () => {
    expect(readRunEvent('run', { id: 'r', status: 'running', finishedAt: null, error: null })).toEqual({ type: 'run', id: 'r', status: 'running', finishedAt: null, error: null });
    expect(readRunEvent('task', { runId: 'r', taskId: 'a', attempt: 1, kind: 'progress', progress: { done: 1, total: 3 } })).toEqual({ type: 'task', taskId: 'a', attempt: 1, kind: 'progress', progress: { done: 1, total: 3 } });
    const line = { taskId: 'a', attempt: 1, seq: 4, at: '2026-03-03T06:00:11.000Z', stream: 'stdout', cell: 2, text: 'hello\n' };
    expect(readRunEvent('log', line)).toEqual({ type: 'log', line });
    expect(readRunEvent('end', { status: 'failed' })).toEqual({ type: 'end', status: 'failed' });
    expect(invalid(() => readRunEvent('ping', {})).message).toContain('event is not one of run, task, log, end');
    expect(invalid(() => readRunEvent('log', { ...line, seq: -1 })).message).toContain('data.seq is not a non-negative integer');
  });

  it('reads what the user may do', () => {
    expect(readAbilities({ permissions: { pipelines: ['read', 'execute'], schedules: [] } })).toEqual({ execute: true, write: false, schedule: false });
    expect(readAbilities({ permissions: { pipelines: ['read', 'execute', 'write'], schedules: ['write'] } })).toEqual({ execute: true, write: true, schedule: true });
    expect(readAbilities({})).toEqual({ execute: false, write: false, schedule: false });
  });

  it("keeps the YAML issues of a refusal, top-level or in details", () => {
    const body = JSON.stringify({ message: 'Cannot create pipeline x.pipeline.yaml: line 3: bad', code: 'bad_request', issues: [{ path: 'tasks', line: 3, column: 1, message: 'bad' }, { line: 'x' }] });
    const err = errorFromResponse('create x', 400, body);
    expect(err).toMatchObject({ kind: 'bad_request', status: 400, message: 'Cannot create pipeline x.pipeline.yaml: line 3: bad', issues: [{ path: 'tasks', line: 3, column: 1, message: 'bad' }] });
    expect(issuesOf(JSON.stringify({ details: { issues: [{ path: '', line: 1, column: 1, message: 'empty' }] } }))).toHaveLength(1);
    expect(issuesOf('<html>')).toEqual([]);
  });

  it('reads a spec’s rollback task and rollback runs', () => {
    const rollback = { ...wire(RUN_DETAIL.spec.tasks[0]!), id: 'rollback', dependsOn: [] };
    const read = readRunDetail({ ...wire(RUN_DETAIL), trigger: 'rollback', spec: { ...wire(RUN_DETAIL.spec), rollback } });
    expect(read.trigger).toBe('rollback');
    expect(read.spec.rollback).toEqual(rollback);
    // Without one (or null), none.
    expect('rollback' in readRunDetail({ ...wire(RUN_DETAIL), spec: { ...wire(RUN_DETAIL.spec), rollback: null } }).spec).toBe(false);
    expect(invalid(() => readRunDetail({ ...wire(RUN_DETAIL), spec: { ...wire(RUN_DETAIL.spec), rollback: { ...rollback, target: { kind: 'shell', path: 'x' } } } })).message).toContain('spec.rollback.target.kind is not one of notebook, sql, pipeline');
  });

});
