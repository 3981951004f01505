/**
 * A pipeline's task DAG, laid out by elkjs (dag-graph.ts, dag-layout.ts)
 * and drawn as SVG: a box per task (its id, what it runs, its status in
 * the latest run, filled in that status's colour), an arrow per
 * `depends_on` from the upstream task, the downstream task's trigger rule
 * written on the arrow when it is not all_succeeded (and the arrow
 * dashed). A task opens its notebook on click, Enter or Space. The
 * drawing scrolls inside its own box.
 *
 * DOM hooks: `.wb-pipelines-dag[data-state=loading|ready|empty|error]`, `svg.wb-pipelines-dag-svg`,
 * `g.wb-pipelines-dag-node[data-task-id][data-status]` (`data-status="none"`: not run yet),
 * `path.wb-pipelines-dag-edge[data-from][data-to][data-rule]`, `g.wb-pipelines-dag-label`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { edgePath, fitText, PAD_X, type MeasureText, type PlacedDag, type PlacedNode } from './dag-graph';
import { layoutDag, type DagLayoutOptions } from './dag-layout';
import { statusLabel } from './format';
import { errorText } from './pipelines-api';
import { svg } from './svg';
import type { TaskSpec, TaskStatus } from './types';

const FONT_PX = { title: 13, body: 12, label: 11 } as const;

export interface DagViewOptions {
  /** The pipeline's name, for the drawing's accessible name. */
  name: string;
  onOpenTask: (task: TaskSpec) => void;
  layout?: DagLayoutOptions;
}

let nextId = 0;

export class DagView {
  readonly node: HTMLElement;
  private readonly options: DagViewOptions;
  private readonly status: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly uid = `wb-pipelines-dag-${++nextId}`;
  private seq = 0;
  private measureCtx: CanvasRenderingContext2D | null = null;
  private tasks = new Map<string, TaskSpec>();

  constructor(options: DagViewOptions) {
    this.options = options;
    this.status = h('div', { className: 'wb-status wb-pipelines-dag-status', attrs: { role: 'status' } });
    this.canvas = h('div', { className: 'wb-pipelines-dag-canvas' });
    this.canvas.hidden = true;
    this.node = h('div', { className: 'wb-pipelines-dag', attrs: { 'data-state': 'loading' } }, [this.status, this.canvas]);
    this.canvas.addEventListener('click', this.onClick);
    this.canvas.addEventListener('keydown', this.onKeyDown);
  }

  /** Lays out and draws `tasks`, coloured by `statuses`; resolves once drawn. A later call supersedes an earlier one. */
  async show(tasks: readonly TaskSpec[], statuses: Readonly<Record<string, TaskStatus>>): Promise<void> {
    const seq = ++this.seq;
    this.tasks = new Map(tasks.map((t) => [t.id, t]));
    if (tasks.length === 0) return this.setState('empty', 'The pipeline has no tasks.');
    if (this.canvas.hidden) this.setState('loading', 'Laying out the tasks…');
    try {
      const placed = await layoutDag(tasks, statuses, this.measure, this.options.layout);
      if (seq !== this.seq) return;
      this.draw(placed);
      this.setState('ready');
    } catch (err) {
      if (seq !== this.seq) return;
      this.canvas.hidden = true;
      this.setState('error', errorText(err, 'draw the tasks'));
    }
  }

  /** Text widths in the page's UI font (a canvas measures; without one, an estimate). */
  private readonly measure: MeasureText = (text, font) => {
    this.measureCtx ??= document.createElement('canvas').getContext('2d');
    const ctx = this.measureCtx;
    if (!ctx) return text.length * FONT_PX[font] * 0.6;
    const family = getComputedStyle(this.node).fontFamily || 'sans-serif';
    ctx.font = `${font === 'title' ? '600 ' : ''}${FONT_PX[font]}px ${family}`;
    return ctx.measureText(text).width;
  };

  private draw(g: PlacedDag): void {
    const marker = `${this.uid}-arrow`;
    const root = svg('svg', { class: 'wb-pipelines-dag-svg', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'group', 'aria-label': `Tasks of ${this.options.name}` }, [
      svg('defs', {}, [svg('marker', { id: marker, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'wb-pipelines-dag-arrow' })])]),
      svg(
        'g',
        { class: 'wb-pipelines-dag-edges' },
        g.edges.map((e) =>
          svg('path', { class: `wb-pipelines-dag-edge${e.label ? ' wb-mod-rule' : ''}`, d: edgePath(e.points), 'marker-end': `url(#${marker})`, 'data-from': e.from, 'data-to': e.to, 'data-rule': e.rule }, [
            svg('title', {}, [`${e.from} → ${e.to}${e.label ? ` (${e.to} runs when ${e.rule === 'all_done' ? 'all its upstream tasks are done' : 'an upstream task failed'})` : ''}`]),
          ]),
        ),
      ),
      svg('g', { class: 'wb-pipelines-dag-nodes' }, g.nodes.map((n) => this.drawNode(n))),
      svg(
        'g',
        { class: 'wb-pipelines-dag-labels' },
        g.edges
          .filter((e) => e.labelBox && e.label)
          .map((e) =>
            svg('g', { class: 'wb-pipelines-dag-label', 'data-rule': e.rule }, [
              svg('rect', { x: e.labelBox!.x, y: e.labelBox!.y, width: e.labelBox!.width, height: e.labelBox!.height, rx: 3 }),
              svg('text', { x: e.labelBox!.x + e.labelBox!.width / 2, y: e.labelBox!.y + e.labelBox!.height / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, [e.label!]),
            ]),
          ),
      ),
    ]);
    replaceChildren(this.canvas, [root]);
    this.canvas.hidden = false;
  }

  private drawNode(n: PlacedNode): SVGGElement {
    const fit = (text: string, font: 'title' | 'body') => fitText(text, n.width - 2 * PAD_X, (s) => this.measure(s, font));
    const state = n.status ? statusLabel(n.status) : 'Not run yet';
    return svg(
      'g',
      {
        class: 'wb-pipelines-dag-node',
        transform: `translate(${n.x} ${n.y})`,
        'data-task-id': n.task.id,
        'data-status': n.status ?? 'none',
        tabindex: 0,
        role: 'link',
        'aria-label': `${n.task.id}: ${state}. Open ${n.task.target.path}`,
      },
      [
        svg('title', {}, [`${n.task.id} runs ${n.task.target.path} (line ${n.task.line}). Latest run: ${state}.`]),
        svg('rect', { class: 'wb-pipelines-dag-box', width: n.width, height: n.height, rx: 6 }),
        svg('text', { class: 'wb-pipelines-dag-title', x: PAD_X, y: 17 }, [fit(n.title, 'title')]),
        svg('text', { class: 'wb-pipelines-dag-subtitle', x: PAD_X, y: 33 }, [fit(n.subtitle, 'body')]),
        svg('text', { class: 'wb-pipelines-dag-state', x: PAD_X, y: 48 }, [state]),
      ],
    );
  }

  private openNode(target: EventTarget | null): boolean {
    const g = (target as Element | null)?.closest?.('g.wb-pipelines-dag-node');
    const task = g ? this.tasks.get(g.getAttribute('data-task-id') ?? '') : undefined;
    if (!task) return false;
    this.options.onOpenTask(task);
    return true;
  }

  private readonly onClick = (event: MouseEvent): void => {
    this.openNode(event.target);
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if ((event.key === 'Enter' || event.key === ' ') && this.openNode(event.target)) event.preventDefault();
  };

  private setState(state: 'loading' | 'ready' | 'empty' | 'error', message = ''): void {
    this.node.dataset.state = state;
    this.status.textContent = message;
    this.status.hidden = message === '';
    this.status.classList.toggle('wb-mod-error', state === 'error');
  }

  dispose(): void {
    this.seq++;
    this.canvas.removeEventListener('click', this.onClick);
    this.canvas.removeEventListener('keydown', this.onKeyDown);
  }
}
