/**
 * A pipeline's task DAG as an ELK graph, and ELK's layout back as what the
 * SVG draws. Pure (no DOM, no elkjs import): the layout runs in
 * dag-layout.ts.
 *
 * Each task is a node (its id over what it runs, and the latest run's
 * status for it); each `depends_on` entry an edge from the upstream task
 * to the task (duplicates and unknown ids left out). A task whose trigger
 * rule is not `all_succeeded` has it written on each edge coming into it.
 * Layered, left to right: upstream tasks left of those depending on them.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { baseName } from './format';
import type { TaskSpec, TaskStatus, TriggerRule } from './types';

/** Width of `text` in px, in the font the graph is drawn with. */
export type MeasureText = (text: string, font: 'title' | 'body' | 'label') => number;

export const NODE_HEIGHT = 56;
export const PAD_X = 10;
export const MIN_WIDTH = 130;
export const MAX_WIDTH = 240;
const LABEL_HEIGHT = 16;

export interface DagNode {
  /** ELK id. */
  id: string;
  task: TaskSpec;
  /** In the latest run; null when no run has it yet. */
  status: TaskStatus | null;
  title: string;
  subtitle: string;
  width: number;
  height: number;
}

export interface DagEdge {
  id: string;
  from: string;
  to: string;
  /** The downstream task's rule. */
  rule: TriggerRule;
  /** Written on the edge: the rule when it is not all_succeeded. */
  label: string | null;
}

export interface DagModel {
  nodes: DagNode[];
  edges: DagEdge[];
  elk: ElkNode;
}

/** The ELK input for `tasks`, nodes marked with `statuses` (the latest run's, by task id). */
export function toDagGraph(tasks: readonly TaskSpec[], statuses: Readonly<Record<string, TaskStatus>>, measure: MeasureText): DagModel {
  const nodeId = new Map(tasks.map((t, i) => [t.id, `t${i}`]));
  const nodes: DagNode[] = tasks.map((task) => {
    const title = task.id;
    const subtitle = task.target.kind === 'pipeline' ? `pipeline ${baseName(task.target.path)}` : baseName(task.target.path);
    const widest = Math.max(measure(title, 'title'), measure(subtitle, 'body'), measure('Timed out', 'body') + 16);
    const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2 * PAD_X)));
    return { id: nodeId.get(task.id)!, task, status: statuses[task.id] ?? null, title, subtitle, width, height: NODE_HEIGHT };
  });
  const edges: DagEdge[] = [];
  const elkEdges: ElkExtendedEdge[] = [];
  for (const task of tasks) {
    for (const dep of new Set(task.dependsOn)) {
      const from = nodeId.get(dep);
      const to = nodeId.get(task.id)!;
      if (!from || dep === task.id) continue;
      const id = `e${edges.length}`;
      const label = task.triggerRule === 'all_succeeded' ? null : task.triggerRule;
      edges.push({ id, from: dep, to: task.id, rule: task.triggerRule, label });
      elkEdges.push({ id, sources: [from], targets: [to], labels: label ? [{ id: `${id}.label`, text: label, width: Math.ceil(measure(label, 'label')) + 8, height: LABEL_HEIGHT }] : [] });
    }
  }
  return {
    nodes,
    edges,
    elk: {
      id: 'dag',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.edgeRouting': 'SPLINES',
        'elk.layered.spacing.nodeNodeBetweenLayers': '56',
        'elk.spacing.nodeNode': '20',
        'elk.spacing.edgeLabel': '2',
        'elk.edgeLabels.placement': 'CENTER',
        'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
        'elk.padding': '[top=14,left=14,bottom=14,right=14]',
      },
      children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: elkEdges,
    },
  };
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends DagNode {
  x: number;
  y: number;
}

export interface PlacedEdge extends DagEdge {
  /** Start, bend or control points, end (absolute). */
  points: Point[];
  labelBox: { x: number; y: number; width: number; height: number } | null;
}

export interface PlacedDag {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Where ELK put everything (`laidOut` is ELK's answer for `model.elk`). */
export function placeDag(model: DagModel, laidOut: ElkNode): PlacedDag {
  const positions = new Map((laidOut.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  const laidEdges = new Map((laidOut.edges ?? []).map((e) => [e.id, e as ElkExtendedEdge]));
  return {
    width: Math.ceil(laidOut.width ?? 0),
    height: Math.ceil(laidOut.height ?? 0),
    nodes: model.nodes.map((n) => ({ ...n, ...(positions.get(n.id) ?? { x: 0, y: 0 }) })),
    edges: model.edges.map((e) => {
      const laid = laidEdges.get(e.id);
      const points: Point[] = [];
      for (const s of laid?.sections ?? []) {
        if (points.length === 0) points.push(s.startPoint);
        points.push(...(s.bendPoints ?? []), s.endPoint);
      }
      const l = laid?.labels?.[0];
      const labelBox = e.label && l && l.x !== undefined && l.y !== undefined ? { x: l.x, y: l.y, width: l.width ?? 0, height: l.height ?? LABEL_HEIGHT } : null;
      return { ...e, points, labelBox };
    }),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The SVG path through `points`: a line for two points, ELK's spline
 * control points as cubic Béziers (start, then groups of three), else a
 * polyline.
 */
export function edgePath(points: readonly Point[]): string {
  if (points.length < 2) return '';
  const p = (q: Point) => `${round(q.x)} ${round(q.y)}`;
  const [first, ...rest] = points as [Point, ...Point[]];
  if (rest.length >= 3 && rest.length % 3 === 0) {
    let d = `M ${p(first)}`;
    for (let i = 0; i < rest.length; i += 3) d += ` C ${p(rest[i]!)}, ${p(rest[i + 1]!)}, ${p(rest[i + 2]!)}`;
    return d;
  }
  return `M ${p(first)}${rest.map((q) => ` L ${p(q)}`).join('')}`;
}

/** `text` cut with "…" to fit `max` px. */
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
