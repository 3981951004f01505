import { alertsOf } from './alerts';
import { describeTrigger, formatDuration, formatFireTime, formatRelative, triggerLabel } from './format';
import { defaultTask, LogStore, MAX_LINES } from './log-view';
import { changedParameters, defaultText } from './parameter-form';
import { canCancel, canRepair, canRollback, repairTasks } from './repair-plan';
import { runProgress } from './run-progress';
import { RUN, RUN_DETAIL, SPEC } from './testing/fixtures';
import type { RunDetail } from './types';

const withStatuses = (statuses: Record<string, RunDetail['tasks'][number]['status']>): RunDetail => ({ ...RUN_DETAIL, tasks: RUN_DETAIL.tasks.map((t) => ({ ...t, status: statuses[t.taskId] ?? t.status })) });

describe('repair', () => {
  it('reruns the tasks that did not succeed and everything downstream, in the file’s order', () => {
    expect(repairTasks(RUN_DETAIL)).toEqual(['a', 'report']);
    expect(repairTasks(withStatuses({ extract: 'failed', a: 'skipped', b: 'skipped', report: 'skipped' }))).toEqual(['extract', 'a', 'b', 'report']);
    expect(repairTasks(withStatuses({ a: 'succeeded', b: 'cancelled' }))).toEqual(['b', 'report']);
    expect(repairTasks(withStatuses({ a: 'succeeded' }))).toEqual([]);
  });

  it('is offered for failed, cancelled and timed-out runs; cancel while queued or running', () => {
    expect(['failed', 'cancelled', 'timed_out'].every((s) => canRepair(s as never))).toBe(true);
    expect(['queued', 'running', 'succeeded'].some((s) => canRepair(s as never))).toBe(false);
    expect(canCancel('running') && canCancel('queued')).toBe(true);
    expect(canCancel('failed')).toBe(false);
  });
});

describe('rollback', () => {
  const rollback = { ...SPEC.tasks[0]!, id: 'rollback', dependsOn: [] };
  const succeeded: RunDetail = { ...RUN_DETAIL, status: 'succeeded', spec: { ...SPEC, rollback } };
  const writer = { write: true };

  it('is offered for a succeeded run of a pipeline with a rollback task, to users who may write pipelines', () => {
    expect(canRollback(succeeded, writer)).toBe(true);
    expect(canRollback(succeeded, { write: false })).toBe(false);
    expect(canRollback({ ...succeeded, spec: SPEC }, writer)).toBe(false);
    expect(['failed', 'cancelled', 'timed_out', 'running', 'queued'].some((status) => canRollback({ ...succeeded, status: status as never }, writer))).toBe(false);
    // A rollback run itself is not rolled back.
    expect(canRollback({ ...succeeded, trigger: 'rollback' }, writer)).toBe(false);
  });

  it('labels rollback runs', () => {
    expect(triggerLabel('rollback')).toBe('Rollback');
  });
});

describe('run progress and the dashboard’s alerts', () => {
  it('counts done tasks, with the cells of running ones as parts', () => {
    expect(runProgress(RUN_DETAIL.tasks)).toEqual({ tasksDone: 4, tasks: 4, fraction: 1 });
    const going = withStatuses({ a: 'running', b: 'queued', report: 'pending' }).tasks;
    expect(runProgress(going)).toEqual({ tasksDone: 1, tasks: 4, fraction: (1 + 0.5) / 4 });
    expect(runProgress([])).toEqual({ tasksDone: 0, tasks: 0, fraction: 0 });
  });

  it('alerts on runs past their SLA deadline and on failures of the last 24 h', () => {
    const now = Date.parse('2026-03-03T12:00:00.000Z');
    const late = { ...RUN, id: 'late', status: 'running' as const, slaDeadline: '2026-03-03T11:00:00.000Z', finishedAt: null };
    const onTime = { ...late, id: 'on-time', slaDeadline: '2026-03-03T13:00:00.000Z' };
    const failed = { ...RUN, id: 'f1', status: 'failed' as const, finishedAt: '2026-03-03T06:00:00.000Z', error: 'Task a failed' };
    const old = { ...failed, id: 'f0', finishedAt: '2026-03-01T06:00:00.000Z' };
    const alerts = alertsOf([late, onTime], [failed, old], now);
    expect(alerts.map((a) => [a.kind, a.run.id])).toEqual([['sla', 'late'], ['failed', 'f1']]);
    expect(alerts[0]!.text).toBe('SLA missed: Sales report (2026-03-02) is still running, due 1 h ago');
    expect(alerts[1]!.text).toBe('Failed: Sales report (2026-03-02), 6 h ago — Task a failed');
  });
});

describe('the run form and the log', () => {
  it('sends only the parameters changed from their defaults, as typed', () => {
    expect(defaultText(SPEC.parameters.rows!)).toBe('3');
    expect(defaultText(SPEC.parameters.until!)).toBe('{{ period.end }}');
    expect(changedParameters(SPEC, { region: 'EU', rows: '3', fail: false, until: '{{ period.end }}' })).toEqual({});
    expect(changedParameters(SPEC, { region: 'US', rows: 'abc', fail: true, until: '2026-02-28' })).toEqual({ region: 'US', rows: 'abc', fail: true, until: '2026-02-28' });
  });

  it('shows a running task’s log first, else a failed one’s, else the first', () => {
    expect(defaultTask(RUN_DETAIL.tasks)).toBe('a');
    expect(defaultTask(withStatuses({ b: 'running' }).tasks)).toBe('b');
    expect(defaultTask(withStatuses({ a: 'succeeded' }).tasks)).toBe('extract');
    expect(defaultTask([])).toBeNull();
  });

  it('keeps the last lines of each task', () => {
    const store = new LogStore();
    for (let seq = 1; seq <= MAX_LINES + 2; seq++) store.add({ taskId: 'a', attempt: 1, seq, at: '2026-03-03T06:00:00.000Z', stream: 'stdout', cell: 0, text: `${seq}` });
    store.add({ taskId: 'b', attempt: 1, seq: 1, at: '2026-03-03T06:00:00.000Z', stream: 'stderr', cell: null, text: 'b' });
    expect(store.lines('a')).toHaveLength(MAX_LINES);
    expect(store.lines('a')[0]!.seq).toBe(3);
    expect(store.droppedOf('a')).toBe(2);
    expect(store.lines('b')).toHaveLength(1);
    store.clear();
    expect(store.lines('a')).toEqual([]);
  });
});

describe('format', () => {
  it('says when triggers fire, as the server words it', () => {
    expect(SPEC.triggers.map(describeTrigger)).toEqual(['Cron "0 6 * * 1-5" (Europe/Paris)', 'Business day 3 after each month end at 07:00 (Europe/Paris, FR holidays)']);
    expect(describeTrigger({ kind: 'calendar', rule: { type: 'business_day', n: -2 }, at: '18:00', timezone: 'UTC', holidays: { country: 'AE', weekend: [5, 6], closedDays: ['2026-12-24'] } })).toBe(
      'Business day 2 from the end of each month at 18:00 (UTC, AE holidays, 1 closed day, weekend Fri/Sat)',
    );
    expect(describeTrigger({ kind: 'after', pipeline: 'a.pipeline.yaml' })).toBe('After pipeline "a.pipeline.yaml" succeeds');
  });

  it('writes fire times in the schedule’s own zone, with the year only when it is not this one', () => {
    const now = Date.parse('2026-12-07T12:00:00.000Z');
    expect(formatFireTime('2026-12-08T05:00:00.000Z', { locale: 'en-US', timeZone: 'Europe/Paris', now })).toBe('Tue, Dec 8, 06:00');
    expect(formatFireTime('2027-01-06T06:00:00.000Z', { locale: 'en-US', timeZone: 'Europe/Paris', now })).toBe('Wed, Jan 6, 2027, 07:00');
    expect(formatFireTime('2026-12-08T05:00:00.000Z', { locale: 'en-US', timeZone: 'America/New_York', now })).toBe('Tue, Dec 8, 00:00');
  });

  it('writes durations and relative times', () => {
    expect([850, 12_000, 185_000, 7_620_000].map(formatDuration)).toEqual(['850 ms', '12 s', '3 min 05 s', '2 h 07 min']);
    const now = Date.parse('2026-03-03T12:00:00.000Z');
    expect(['2026-03-03T11:59:50.000Z', '2026-03-03T11:55:00.000Z', '2026-03-03T15:00:00.000Z', '2026-03-01T12:00:00.000Z'].map((t) => formatRelative(t, now))).toEqual(['just now', '5 min ago', 'in 3 h', '2 days ago']);
  });
});
