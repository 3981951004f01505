import ELK from 'elkjs/lib/elk.bundled.js';
import { edgePath, fitText, MAX_WIDTH, MIN_WIDTH, NODE_HEIGHT, placeDag, toDagGraph, type MeasureText } from './dag-graph';
import { layoutDag } from './dag-layout';
import { SPEC } from './testing/fixtures';
import type { TaskSpec } from './types';

const measure: MeasureText = (text, font) => text.length * (font === 'title' ? 8 : 7);
const elk = new ELK();
const options = { elk: async () => elk };
const statuses = { extract: 'succeeded', a: 'failed', b: 'succeeded' } as const;

describe('toDagGraph', () => {
  it('makes a node per task and an edge per depends_on: extract -> [a, b] -> report', () => {
    const m = toDagGraph(SPEC.tasks, statuses, measure);
    expect(m.nodes.map((n) => [n.id, n.title, n.subtitle, n.status])).toEqual([
      ['t0', 'extract', 'extract.ipynb', 'succeeded'],
      ['t1', 'a', 'a.ipynb', 'failed'],
      ['t2', 'b', 'b.ipynb', 'succeeded'],
      ['t3', 'report', 'report.ipynb', null],
    ]);
    expect(m.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['extract->a', 'extract->b', 'a->report', 'b->report']);
    expect(m.elk.edges!.map((e) => [e.sources[0], e.targets[0]])).toEqual([['t0', 't1'], ['t0', 't2'], ['t1', 't3'], ['t2', 't3']]);
    expect(m.elk.layoutOptions).toMatchObject({ 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' });
    expect(m.elk.children!.every((c) => c.height === NODE_HEIGHT && c.width! >= MIN_WIDTH && c.width! <= MAX_WIDTH)).toBe(true);
  });

  it('writes a trigger rule other than all_succeeded on the edges into its task', () => {
    const m = toDagGraph(SPEC.tasks, {}, measure);
    expect(m.edges.map((e) => e.label)).toEqual([null, null, 'all_done', 'all_done']);
    expect(m.elk.edges!.map((e) => e.labels?.map((l) => l.text))).toEqual([[], [], ['all_done'], ['all_done']]);
  });

  it('leaves out unknown, repeated and self dependencies; names a pipeline task as such', () => {
    const tasks: TaskSpec[] = [
      { ...SPEC.tasks[0]!, dependsOn: ['ghost', 'extract'] },
      { ...SPEC.tasks[1]!, dependsOn: ['extract', 'extract'], target: { kind: 'pipeline', path: 'sub/close.pipeline.yaml' } },
    ];
    const m = toDagGraph(tasks, {}, measure);
    expect(m.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['extract->a']);
    expect(m.nodes[1]!.subtitle).toBe('pipeline close.pipeline.yaml');
  });
});

describe('layout with elkjs', () => {
  it('puts each task right of the tasks it depends on, and routes each edge from its source to its target', async () => {
    const g = await layoutDag(SPEC.tasks, statuses, measure, options);
    const at = Object.fromEntries(g.nodes.map((n) => [n.task.id, n]));
    expect(at.a!.x).toBeGreaterThan(at.extract!.x + at.extract!.width);
    expect(at.b!.x).toBeGreaterThan(at.extract!.x + at.extract!.width);
    expect(at.report!.x).toBeGreaterThan(Math.max(at.a!.x + at.a!.width, at.b!.x + at.b!.width));
    expect(at.a!.y).not.toBe(at.b!.y);
    expect(g.width).toBeGreaterThanOrEqual(at.report!.x + at.report!.width);
    for (const e of g.edges) {
      const from = at[e.from]!;
      const to = at[e.to]!;
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      expect(e.points[0]!.x).toBeCloseTo(from.x + from.width, 0);
      expect(e.points.at(-1)!.x).toBeCloseTo(to.x, 0);
      expect(edgePath(e.points)).toMatch(/^M [\d.]+ [\d.]+ [CL] /);
      if (e.label) expect(e.labelBox).not.toBeNull();
    }
  });

  it('places nodes where ELK put them; draws lines, curves and cut text', () => {
    const m = toDagGraph(SPEC.tasks, {}, measure);
    const g = placeDag(m, { id: 'dag', width: 600, height: 200, children: m.elk.children!.map((c, i) => ({ ...c, x: i * 150, y: 10 })), edges: [] });
    expect(g.nodes.map((n) => [n.x, n.y])).toEqual([[0, 10], [150, 10], [300, 10], [450, 10]]);
    expect(g.edges.every((e) => e.points.length === 0 && e.labelBox === null)).toBe(true);
    expect(edgePath([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe('M 0 0 L 10 5');
    expect(edgePath([{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 10 }, { x: 10, y: 10 }])).toBe('M 0 0 C 5 0, 5 10, 10 10');
    expect(fitText('monthly_revenue_report', 100, (s) => s.length * 10)).toBe('monthly_r…');
  });
});
