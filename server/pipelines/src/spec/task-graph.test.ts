/** taskOrder / downstreamOf / findCycles on a fan-out and join DAG. */
import { isAppError } from '@workbench/core';
import { parsePipeline } from './parse-pipeline';
import { downstreamOf, findCycles, taskOrder, upstreamOf } from './task-graph';

//        extract
//       /   |   \
//   ledger  fx  (hi-priority) sales
//       \   |   /
//        join
//          |
//        report      audit (independent)
const spec = parsePipeline(
  `tasks:
  report:
    notebook: r.ipynb
    depends_on: [join]
  join:
    sql: j.sql
    depends_on: [ledger, fx, sales]
  audit:
    notebook: a.ipynb
  ledger:
    notebook: l.ipynb
    depends_on: [extract]
  fx:
    notebook: f.ipynb
    depends_on: [extract]
  sales:
    notebook: s.ipynb
    depends_on: [extract]
    priority: 5
  extract:
    notebook: e.ipynb
    priority: -1
`,
  'p.pipeline.yaml',
);

describe('taskOrder', () => {
  it('is topological, ties broken by priority (high first) then file order', () => {
    expect(taskOrder(spec)).toEqual(['audit', 'extract', 'sales', 'ledger', 'fx', 'join', 'report']);
  });

  it('puts a ready task of higher priority before earlier ones', () => {
    const order = taskOrder({ tasks: [{ id: 'a', dependsOn: [], priority: 0 }, { id: 'b', dependsOn: [], priority: 1 }, { id: 'c', dependsOn: ['b'], priority: 9 }] as never });
    expect(order).toEqual(['b', 'c', 'a']);
  });

  it('refuses a cycle', () => {
    let caught: unknown;
    try {
      taskOrder({ tasks: [{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }] as never });
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'internal')).toBe(true);
  });
});

describe('downstreamOf', () => {
  it('is the tasks plus everything depending on them', () => {
    expect(downstreamOf(spec, ['fx'])).toEqual(new Set(['fx', 'join', 'report']));
    expect(downstreamOf(spec, ['extract'])).toEqual(new Set(['extract', 'ledger', 'fx', 'sales', 'join', 'report']));
    expect(downstreamOf(spec, ['audit', 'join'])).toEqual(new Set(['audit', 'join', 'report']));
    expect(downstreamOf(spec, [])).toEqual(new Set());
  });

  it('refuses an unknown task', () => {
    expect(() => downstreamOf(spec, ['fx', 'nope'])).toThrow("Cannot find the tasks downstream: no task 'nope'");
  });
});

describe('upstreamOf and findCycles', () => {
  it('finds the ancestors of a task', () => {
    expect(upstreamOf(spec.tasks, 'join')).toEqual(new Set(['ledger', 'fx', 'sales', 'extract']));
    expect(upstreamOf(spec.tasks, 'extract')).toEqual(new Set());
  });

  it('names each cycle once, in run order, from its first task in the file', () => {
    const tasks = [
      { id: 'x', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'a', dependsOn: ['c', 'x'] },
      { id: 'c', dependsOn: ['b'] },
      { id: 'd', dependsOn: ['e'] },
      { id: 'e', dependsOn: ['d', 'e'] },
      { id: 'self', dependsOn: ['self'] },
    ];
    expect(findCycles(tasks)).toEqual([
      ['b', 'c', 'a'],
      ['d', 'e'],
    ]);
    expect(findCycles(spec.tasks)).toEqual([]);
  });
});
