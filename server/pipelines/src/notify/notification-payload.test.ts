import { dataReadyPayload, runEventPayload, runUrl, runWebhookEvent } from './notification-payload';
import { pipelineSpec, runDetail, taskRun } from './test-harness';

const ID = '1a2b3c4d-0000-4000-8000-000000000001';

describe('run event payloads', () => {
  it('call a cancelled or timed out run a failure, and list only failed and timed out tasks', () => {
    for (const status of ['failed', 'cancelled', 'timed_out'] as const) expect(runWebhookEvent(runDetail(ID, status))).toBe('run.failed');
    expect(runWebhookEvent(runDetail(ID, 'succeeded'))).toBe('run.succeeded');
    expect(runWebhookEvent(runDetail(ID, 'running'), true)).toBe('run.sla_missed');
    const run = runDetail(ID, 'timed_out', {
      tasks: [taskRun('a', 'succeeded'), taskRun('b', 'timed_out', { errorKind: 'timeout', error: 'no end in 1 h' }), taskRun('c', 'skipped'), taskRun('d', 'cancelled')],
    });
    expect(runEventPayload(run, 'run.failed', { now: 0 }).failed_tasks).toEqual([{ task_id: 'b', status: 'timed_out', attempts: 1, max_attempts: 3, error: 'no end in 1 h', error_kind: 'timeout' }]);
  });

  it('link the run page under the base URL, or not at all', () => {
    expect(runUrl('https://wb.example.com//', 'r 1')).toBe('https://wb.example.com/lab?pipeline-run=r%201');
    expect(runUrl(undefined, ID)).toBeNull();
    expect(runUrl('', ID)).toBeNull();
    expect(runEventPayload(runDetail(ID, 'failed'), 'run.failed', { now: 0 }).run.url).toBeNull();
  });
});

describe('data_ready payloads', () => {
  const spec = pipelineSpec({ datasets: [{ name: 'gl', task: 'extract_gl' }] });

  it.each([
    [48213, 48213],
    ['1200', 1200],
    [-1, null],
    [1.5, null],
    ['12 rows', null],
    [undefined, null],
  ])('read row_count %p as %p', (value, expected) => {
    const run = runDetail(ID, 'succeeded', { spec, tasks: [taskRun('extract_gl', 'succeeded', { values: { row_count: value } })] });
    expect(dataReadyPayload(run, spec.datasets[0]!, { now: 0 })?.row_count).toBe(expected);
  });

  it("take the spec's schema version over the task's, and announce nothing when the task did not succeed", () => {
    const run = (status: 'succeeded' | 'skipped') => runDetail(ID, 'succeeded', { spec, tasks: [taskRun('extract_gl', status, { values: { schema_version: '7' } })] });
    expect(dataReadyPayload(run('succeeded'), { name: 'gl', task: 'extract_gl', schemaVersion: '3' }, { now: 0 })?.schema_version).toBe('3');
    expect(dataReadyPayload(run('succeeded'), { name: 'gl', task: 'extract_gl' }, { now: 0 })?.schema_version).toBe('7');
    expect(dataReadyPayload(run('skipped'), { name: 'gl', task: 'extract_gl' }, { now: 0 })).toBeUndefined();
    expect(dataReadyPayload(run('succeeded'), { name: 'gl', task: 'no_such_task' }, { now: 0 })).toBeUndefined();
  });
});
