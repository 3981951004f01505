import { edgePath, fitText, HEADER_HEIGHT, MAX_WIDTH, MIN_WIDTH, placeGraph, ROW_HEIGHT, toElkGraph, type MeasureText } from './lineage-graph';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutLineage } from './lineage-layout';
import { LINEAGE } from './testing/fixtures';

const measure: MeasureText = (text, font) => text.length * (font === 'title' ? 8 : 7);
const AML = JSON.stringify(['odoo', 'public', 'account_move_line']);
const elk = new ELK();
const options = { elk: async () => elk };

describe('toElkGraph', () => {
  it('makes a node per table with a row per column the edges touch, and ports on the rows', () => {
    const m = toElkGraph(LINEAGE, AML, measure);
    expect(m.nodes.map((n) => [n.title, n.subtitle, n.current])).toEqual([
      ['account_move_line', 'odoo.public', true],
      ['partner_balance', 'odoo.public', false],
      ['res_partner', 'odoo.public', false],
    ]);
    const aml = m.nodes[0]!;
    expect(aml.rows.map((r) => r.column)).toEqual(['', 'debit', 'credit', 'parent_state']);
    expect(aml.rows[1]!.y).toBe(HEADER_HEIGHT);
    expect(aml.height).toBe(HEADER_HEIGHT + 3 * ROW_HEIGHT + 4);
    expect(aml.width).toBeGreaterThanOrEqual(MIN_WIDTH);
    const elkAml = m.elk.children![0]!;
    expect(elkAml.layoutOptions).toEqual({ 'elk.portConstraints': 'FIXED_POS' });
    // Data flows out of debit, credit and parent_state (east side, at the row's middle); nothing flows in.
    expect(elkAml.ports!.map((p) => [p.id, p.x, p.y])).toEqual([
      ['n0.out.1', aml.width, HEADER_HEIGHT + ROW_HEIGHT / 2],
      ['n0.out.2', aml.width, HEADER_HEIGHT + ROW_HEIGHT * 1.5],
      ['n0.out.3', aml.width, HEADER_HEIGHT + ROW_HEIGHT * 2.5],
    ]);
    // partner_balance: balance and partner in, the table-level edge on the header.
    const pb = m.elk.children![1]!;
    expect(pb.ports!.map((p) => p.id)).toEqual(['n1.in.0', 'n1.in.1', 'n1.in.2']);
    expect(pb.ports![0]!.y).toBe(HEADER_HEIGHT / 2);
  });

  it('makes an edge per column pair, labelled with its transform unless identity or table-level', () => {
    const m = toElkGraph(LINEAGE, AML, measure);
    expect(m.elk.edges!.map((e) => [e.sources[0], e.targets[0], e.labels?.map((l) => l.text)])).toEqual([
      ['n0.out.1', 'n1.in.1', ['aggregate']],
      ['n0.out.2', 'n1.in.1', ['aggregate']],
      ['n2.out.1', 'n1.in.2', []],
      ['n0.out.3', 'n1.in.0', []],
    ]);
    expect(m.edges.map((e) => e.label)).toEqual(['aggregate', 'aggregate', null, null]);
  });

  it('keeps node widths between the bounds, and leaves out edges to unknown nodes', () => {
    const long = { ...LINEAGE, nodes: LINEAGE.nodes.map((n, i) => (i === 2 ? { ...n, name: 'x'.repeat(200) } : n)) };
    expect(toElkGraph(long, AML, measure).nodes[2]!.width).toBe(MAX_WIDTH);
    const stray = { ...LINEAGE, edges: [...LINEAGE.edges, { ...LINEAGE.edges[0]!, to: { key: '["x","y","z"]', column: 'a' } }] };
    expect(toElkGraph(stray, AML, measure).edges).toHaveLength(4);
    expect(toElkGraph({ nodes: [LINEAGE.nodes[0]!], edges: [], unparsed_runs: 0 }, AML, measure).nodes[0]!.rows).toEqual([{ column: '', y: 0 }]);
  });
});

describe('layout with elkjs', () => {
  it('puts upstream tables left of downstream ones and routes every edge from its port to its port', async () => {
    const g = await layoutLineage(LINEAGE, AML, measure, options);
    const [aml, pb, rp] = g.nodes;
    expect(pb!.x).toBeGreaterThan(aml!.x + aml!.width);
    expect(pb!.x).toBeGreaterThan(rp!.x + rp!.width);
    expect(g.width).toBeGreaterThanOrEqual(pb!.x + pb!.width);
    expect(g.height).toBeGreaterThan(0);
    for (const e of g.edges) {
      const from = g.nodes.find((n) => n.id === e.from.node)!;
      const to = g.nodes.find((n) => n.id === e.to.node)!;
      const fromRow = Number(e.from.port.split('.')[2]);
      const toRow = Number(e.to.port.split('.')[2]);
      const rowY = (n: typeof from, r: number) => n.y + (r === 0 ? HEADER_HEIGHT / 2 : n.rows[r]!.y + ROW_HEIGHT / 2);
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      expect(e.points[0]!.x).toBeCloseTo(from.x + from.width, 0);
      expect(e.points[0]!.y).toBeCloseTo(rowY(from, fromRow), 0);
      expect(e.points.at(-1)!.x).toBeCloseTo(to.x, 0);
      expect(e.points.at(-1)!.y).toBeCloseTo(rowY(to, toRow), 0);
      expect(edgePath(e.points)).toMatch(/^M [\d.]+ [\d.]+ [CL] /);
      if (e.label) expect(e.labelBox).not.toBeNull();
    }
  });

  it('lays out a table with no lineage as one node', async () => {
    const g = await layoutLineage({ nodes: [LINEAGE.nodes[0]!], edges: [], unparsed_runs: 0 }, AML, measure, options);
    expect(g.nodes).toHaveLength(1);
    expect(g.edges).toEqual([]);
  });
});

describe('drawing helpers', () => {
  it('draws straight segments or Bézier curves', () => {
    expect(edgePath([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe('M 0 0 L 10 5');
    expect(edgePath([{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 10 }, { x: 10, y: 10 }])).toBe('M 0 0 C 5 0, 5 10, 10 10');
    expect(edgePath([{ x: 0, y: 0 }])).toBe('');
  });

  it('cuts text with an ellipsis to fit', () => {
    const w = (s: string) => s.length * 10;
    expect(fitText('short', 100, w)).toBe('short');
    expect(fitText('account_move_line', 100, w)).toBe('account_m…');
    expect(w(fitText('account_move_line', 100, w))).toBeLessThanOrEqual(100);
  });

  it('places nodes where ELK put them', () => {
    const m = toElkGraph(LINEAGE, AML, measure);
    const g = placeGraph(m, { id: 'lineage', width: 500, height: 200, children: m.elk.children!.map((c, i) => ({ ...c, x: i * 200, y: 10 })), edges: [] });
    expect(g.nodes.map((n) => [n.x, n.y])).toEqual([[0, 10], [200, 10], [400, 10]]);
    expect(g.edges.every((e) => e.points.length === 0 && e.labelBox === null)).toBe(true);
  });
});
