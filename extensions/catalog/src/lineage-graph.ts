/**
 * Column-level lineage as an ELK graph, and ELK's layout back as what the
 * SVG draws. Pure (no DOM, no elkjs import): the layout itself runs in
 * lineage-layout.ts.
 *
 * Each table is a node: a header (table name over `source.schema`) and one
 * row per column the edges touch, in the order the edges first name them.
 * A row has a port on the west side when data flows into it and on the
 * east side when data flows out (ports at fixed positions, so edges leave
 * and reach their rows). Table-level edges (column '': filters, joins,
 * groupings the server reports as `indirect`) use ports on the header.
 * Edges run upstream (left) to downstream (right); a transform other than
 * `identity` and `indirect` is an edge label.
 */
import type { ElkExtendedEdge, ElkLabel, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import type { LineageEdge, LineageGraph, LineageNode } from './types';

/** Width of `text` in px, in the font the graph is drawn with. */
export type MeasureText = (text: string, font: 'title' | 'body' | 'label') => number;

export const HEADER_HEIGHT = 42;
export const ROW_HEIGHT = 22;
export const PAD_X = 10;
export const MIN_WIDTH = 150;
export const MAX_WIDTH = 280;
const LABEL_HEIGHT = 16;

export interface RowModel {
  /** '' for the table-level row (not drawn as a row: its ports sit on the header). */
  column: string;
  /** Top of the row, relative to the node. */
  y: number;
}

export interface NodeModel {
  id: string;
  key: string;
  node: LineageNode;
  /** The table whose page shows the graph. */
  current: boolean;
  title: string;
  subtitle: string;
  rows: RowModel[];
  width: number;
  height: number;
}

export interface EdgeModel {
  id: string;
  edge: LineageEdge;
  from: { node: string; port: string };
  to: { node: string; port: string };
  /** The label drawn on the edge (null for identity). */
  label: string | null;
}

export interface GraphModel {
  nodes: NodeModel[];
  edges: EdgeModel[];
  elk: ElkNode;
}

const portId = (node: string, side: 'in' | 'out', row: number) => `${node}.${side}.${row}`;

/** The ELK input for `graph`, with `current` (a table key) marked. */
export function toElkGraph(graph: LineageGraph, current: string, measure: MeasureText): GraphModel {
  const byKey = new Map<string, NodeModel>();
  const ins = new Map<string, Set<string>>();
  const outs = new Map<string, Set<string>>();
  const order = new Map<string, string[]>();
  const add = (key: string, column: string, side: Map<string, Set<string>>) => {
    if (!order.has(key)) order.set(key, []);
    const cols = order.get(key)!;
    if (column !== '' && !cols.includes(column)) cols.push(column);
    if (!side.has(key)) side.set(key, new Set());
    side.get(key)!.add(column);
  };
  for (const e of graph.edges) {
    add(e.from.key, e.from.column, outs);
    add(e.to.key, e.to.column, ins);
  }

  graph.nodes.forEach((node, i) => {
    const id = `n${i}`;
    const columns = order.get(node.key) ?? [];
    const rows: RowModel[] = [{ column: '', y: 0 }, ...columns.map((column, r) => ({ column, y: HEADER_HEIGHT + r * ROW_HEIGHT }))];
    const title = node.name;
    const subtitle = `${node.source}.${node.schema}`;
    const widest = Math.max(measure(title, 'title'), measure(subtitle, 'body'), ...columns.map((c) => measure(c, 'body')));
    const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2 * PAD_X)));
    const height = HEADER_HEIGHT + columns.length * ROW_HEIGHT + (columns.length ? 4 : 0);
    byKey.set(node.key, { id, key: node.key, node, current: node.key === current, title, subtitle, rows, width, height });
  });

  const rowIndex = (n: NodeModel, column: string) => n.rows.findIndex((r) => r.column === column);
  const portY = (n: NodeModel, row: number) => (row === 0 ? HEADER_HEIGHT / 2 : n.rows[row]!.y + ROW_HEIGHT / 2);

  const children: ElkNode[] = [...byKey.values()].map((n) => {
    const ports: ElkPort[] = [];
    n.rows.forEach((r, i) => {
      if (ins.get(n.key)?.has(r.column)) ports.push({ id: portId(n.id, 'in', i), x: 0, y: portY(n, i), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
      if (outs.get(n.key)?.has(r.column)) ports.push({ id: portId(n.id, 'out', i), x: n.width, y: portY(n, i), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } });
    });
    return { id: n.id, width: n.width, height: n.height, ports, layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } };
  });

  const edges: EdgeModel[] = [];
  const elkEdges: ElkExtendedEdge[] = [];
  graph.edges.forEach((edge, i) => {
    const from = byKey.get(edge.from.key);
    const to = byKey.get(edge.to.key);
    if (!from || !to) return; // the server lists every node an edge names; a stray edge is left out
    const fromPort = portId(from.id, 'out', rowIndex(from, edge.from.column));
    const toPort = portId(to.id, 'in', rowIndex(to, edge.to.column));
    // A plain copy needs no word; table-level edges are dashed (the legend says what they are).
    const label = edge.transform === 'identity' || edge.transform === 'indirect' ? null : edge.transform;
    const id = `e${i}`;
    edges.push({ id, edge, from: { node: from.id, port: fromPort }, to: { node: to.id, port: toPort }, label });
    const labels: ElkLabel[] = label ? [{ id: `${id}.label`, text: label, width: Math.ceil(measure(label, 'label')) + 6, height: LABEL_HEIGHT }] : [];
    elkEdges.push({ id, sources: [fromPort], targets: [toPort], labels });
  });

  return {
    nodes: [...byKey.values()],
    edges,
    elk: {
      id: 'lineage',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.edgeRouting': 'SPLINES',
        'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE',
        'elk.layered.spacing.nodeNodeBetweenLayers': '90',
        'elk.spacing.nodeNode': '28',
        'elk.spacing.edgeEdge': '6',
        'elk.spacing.edgeLabel': '2',
        'elk.edgeLabels.placement': 'CENTER',
        'elk.layered.edgeLabels.sideSelection': 'SMART_UP',
        'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      },
      children,
      edges: elkEdges,
    },
  };
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends NodeModel {
  x: number;
  y: number;
}

export interface PlacedEdge extends EdgeModel {
  /** Start, bend points, end (absolute). */
  points: Point[];
  labelBox: { x: number; y: number; width: number; height: number } | null;
}

export interface PlacedGraph {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Where ELK put everything (`laidOut` is ELK's answer for `model.elk`). */
export function placeGraph(model: GraphModel, laidOut: ElkNode): PlacedGraph {
  const positions = new Map((laidOut.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  const elkEdges = new Map((laidOut.edges ?? []).map((e) => [e.id, e as ElkExtendedEdge]));
  const nodes = model.nodes.map((n) => ({ ...n, ...(positions.get(n.id) ?? { x: 0, y: 0 }) }));
  const edges = model.edges.map((e): PlacedEdge => {
    const laid = elkEdges.get(e.id);
    const points: Point[] = [];
    for (const s of laid?.sections ?? []) {
      if (points.length === 0) points.push(s.startPoint);
      points.push(...(s.bendPoints ?? []), s.endPoint);
    }
    const l = laid?.labels?.[0];
    const labelBox = e.label && l && l.x !== undefined && l.y !== undefined ? { x: l.x, y: l.y, width: l.width ?? 0, height: l.height ?? LABEL_HEIGHT } : null;
    return { ...e, points, labelBox };
  });
  return { width: Math.ceil(laidOut.width ?? 0), height: Math.ceil(laidOut.height ?? 0), nodes, edges };
}

/**
 * The SVG path through `points`: straight segments when there are two,
 * else ELK's spline control points as cubic Béziers (start, then groups
 * of three), falling back to a polyline when the count does not fit.
 */
export function edgePath(points: readonly Point[]): string {
  if (points.length < 2) return '';
  const p = (q: Point) => `${round(q.x)} ${round(q.y)}`;
  const [first, ...rest] = points as [Point, ...Point[]];
  if (rest.length % 3 === 0 && rest.length >= 3) {
    let d = `M ${p(first)}`;
    for (let i = 0; i < rest.length; i += 3) d += ` C ${p(rest[i]!)}, ${p(rest[i + 1]!)}, ${p(rest[i + 2]!)}`;
    return d;
  }
  return `M ${p(first)}${rest.map((q) => ` L ${p(q)}`).join('')}`;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** `text` cut with "…" to fit `max` px (the whole text when it fits). */
export function fitText(text: string, max: number, measure: (s: string) => number): string {
  if (measure(text) <= max) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${chars.slice(0, mid).join('')}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('')}…`;
}
