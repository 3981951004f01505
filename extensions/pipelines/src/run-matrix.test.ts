import { buildMatrix, cellTitle } from './run-matrix';
import { RUN_ROWS, SPEC } from './testing/fixtures';
import type { RunRow } from './types';

const ids = SPEC.tasks.map((t) => t.id);

describe('buildMatrix', () => {
  it('puts runs oldest first as columns and the file’s tasks as rows, each cell the task’s status in that run', () => {
    const m = buildMatrix(RUN_ROWS, ids);
    expect(m.runs.map((r) => r.id)).toEqual(['run-1', 'run-2']);
    expect(m.rows.map((r) => r.taskId)).toEqual(['extract', 'a', 'b', 'report']);
    expect(m.rows.find((r) => r.taskId === 'a')!.cells).toEqual([
      { runId: 'run-1', status: 'succeeded', attempt: 1 },
      { runId: 'run-2', status: 'failed', attempt: 2 },
    ]);
    expect(m.rows.every((r) => !r.removed)).toBe(true);
  });

  it('keeps tasks only older runs had (marked removed), and leaves cells of tasks a run did not have empty', () => {
    const old: RunRow = { ...RUN_ROWS[1]!, id: 'run-0', tasks: { extract: { status: 'succeeded', attempt: 1 }, legacy: { status: 'skipped', attempt: 0 } } };
    const m = buildMatrix([...RUN_ROWS, old], ids);
    expect(m.rows.map((r) => [r.taskId, r.removed])).toEqual([['extract', false], ['a', false], ['b', false], ['report', false], ['legacy', true]]);
    expect(m.rows.find((r) => r.taskId === 'a')!.cells[0]).toEqual({ runId: 'run-0', status: null, attempt: 0 });
    expect(m.rows.find((r) => r.taskId === 'legacy')!.cells.map((c) => c.status)).toEqual(['skipped', null, null]);
  });

  it('shows the newest runs up to the limit; a file with errors still shows what the runs had', () => {
    const many = Array.from({ length: 25 }, (_, i): RunRow => ({ ...RUN_ROWS[0]!, id: `r${i}` }));
    const m = buildMatrix(many, ids, 20);
    expect(m.runs).toHaveLength(20);
    expect(m.runs[19]!.id).toBe('r0');
    expect(m.runs[0]!.id).toBe('r19');
    expect(buildMatrix(RUN_ROWS, []).rows.map((r) => [r.taskId, r.removed])).toEqual([['extract', true], ['a', true], ['b', true], ['report', true]]);
    expect(buildMatrix([], ids)).toEqual({ runs: [], rows: ids.map((taskId) => ({ taskId, removed: false, cells: [] })) });
  });

  it('titles each cell in words: task, run, status and attempt', () => {
    const opts = { locale: 'en-US', timeZone: 'UTC' };
    expect(cellTitle('a', RUN_ROWS[0]!, { runId: 'run-2', status: 'failed', attempt: 2 }, opts)).toBe('a, run of Mar 3, 2026, 6:00 AM: Failed (attempt 2)');
    expect(cellTitle('a', RUN_ROWS[0]!, { runId: 'run-2', status: 'timed_out', attempt: 1 }, opts)).toBe('a, run of Mar 3, 2026, 6:00 AM: Timed out');
    expect(cellTitle('x', RUN_ROWS[0]!, { runId: 'run-2', status: null, attempt: 0 }, opts)).toBe('x, run of Mar 3, 2026, 6:00 AM: not in this run');
  });
});
