/**
 * The Lineage tab: where the table's data comes from and where it goes,
 * column by column, `depth` hops each way, from the SQL that wrote tables
 * (CTAS, INSERT ... SELECT, CREATE VIEW). Laid out by elkjs
 * (lineage-graph.ts, lineage-layout.ts) and drawn as SVG: each table a box
 * (its name over `source.schema`, a row per column the edges touch), each
 * edge a curve from a column to a column with its transform written on it
 * when it is not a plain copy, table-level edges (filters, joins,
 * groupings) dashed. The table of the page is outlined in the accent
 * colour; any other table the catalog knows opens on click, Enter or
 * Space. The drawing scrolls inside its own box. A note says how many
 * statements of the source could not be parsed (their lineage is unknown).
 *
 * DOM hooks: `.wb-catalog-lineage[data-state=loading|ready|empty|error]`, `select.wb-catalog-lineage-depth`,
 * `.wb-catalog-lineage-unparsed`, `.wb-catalog-lineage-canvas`, `svg.wb-catalog-lineage-svg`,
 * `g.wb-catalog-lineage-node[data-key][data-current][data-in-catalog]` (`.wb-catalog-lineage-column[data-column]` rows),
 * `path.wb-catalog-lineage-edge[data-transform][data-from][data-to]` (`data-from`/`data-to` are `table.column`),
 * `g.wb-catalog-lineage-label`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { lineageColumnLabel, unparsedNote } from './format';
import { qualifiedName, tableKey } from './keys';
import { edgePath, fitText, HEADER_HEIGHT, PAD_X, ROW_HEIGHT, type MeasureText, type PlacedGraph, type PlacedNode } from './lineage-graph';
import { layoutLineage, type LayoutOptions } from './lineage-layout';
import type { LineageGraph, TableRef } from './types';

const SVG = 'http://www.w3.org/2000/svg';
const FONT_PX = { title: 13, body: 12, label: 11 } as const;

export interface LineageViewOptions {
  client: CatalogClient;
  table: TableRef;
  onOpenTable: (table: TableRef) => void;
  layout?: LayoutOptions;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | undefined> = {}, children: (SVGElement | string | null)[] = []): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null) el.append(c);
  return el;
}

let nextId = 0;

export class LineageView {
  readonly node: HTMLElement;
  private readonly options: LineageViewOptions;
  private readonly depth: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly unparsed: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly uid = `wb-catalog-lineage-${++nextId}`;
  private abort: AbortController | null = null;
  private _pending: Promise<void> = Promise.resolve();
  private measureCtx: CanvasRenderingContext2D | null = null;

  constructor(options: LineageViewOptions) {
    this.options = options;
    this.depth = h(
      'select',
      { className: 'wb-select wb-catalog-lineage-depth', attrs: { 'aria-label': 'Hops each way' } },
      [1, 2, 3, 4, 5].map((n) => h('option', { attrs: { value: String(n) } }, [`${n} ${n === 1 ? 'hop' : 'hops'} each way`])),
    );
    this.depth.value = '2';
    this.status = h('div', { className: 'wb-status wb-catalog-lineage-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.unparsed = h('p', { className: 'wb-catalog-lineage-unparsed' });
    this.unparsed.hidden = true;
    this.canvas = h('div', { className: 'wb-catalog-lineage-canvas' });
    this.canvas.hidden = true;
    this.node = h('div', { className: 'wb-catalog-lineage' }, [
      h('div', { className: 'wb-catalog-toolbar' }, [
        this.depth,
        h('span', { className: 'wb-catalog-spacer' }),
        h('span', { className: 'wb-catalog-lineage-legend', attrs: { 'aria-hidden': 'true' } }, [
          h('span', { className: 'wb-catalog-legend-line' }),
          'column to column',
          h('span', { className: 'wb-catalog-legend-line wb-mod-indirect' }),
          'filter, join or grouping',
        ]),
      ]),
      this.unparsed,
      this.status,
      this.canvas,
    ]);
    this.depth.addEventListener('change', () => void this.load());
    this.canvas.addEventListener('click', this.onClick);
    this.canvas.addEventListener('keydown', this.onKeyDown);
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.setState('loading', this.canvas.hidden ? 'Loading lineage…' : '');
    this._pending = (async () => {
      try {
        const graph = await this.options.client.lineage(this.options.table, Number(this.depth.value), { signal: abort.signal });
        if (abort.signal.aborted) return;
        const note = unparsedNote(graph.unparsed_runs);
        this.unparsed.textContent = note ?? '';
        this.unparsed.hidden = note === null;
        if (graph.edges.length === 0) {
          this.canvas.hidden = true;
          replaceChildren(this.canvas, []);
          return this.setState('empty', 'No lineage recorded for this table yet. It is recorded when SQL that writes a table from others runs in a SQL notebook (CREATE TABLE … AS SELECT, INSERT … SELECT, CREATE VIEW).');
        }
        const placed = await layoutLineage(graph, tableKey(this.options.table), this.measure, this.options.layout);
        if (abort.signal.aborted) return;
        this.draw(graph, placed);
        this.setState('ready');
      } catch (err) {
        if (abort.signal.aborted || isAbort(err)) return;
        this.canvas.hidden = true;
        replaceChildren(this.canvas, []);
        this.setState('error', errorText(err, `show the lineage of ${qualifiedName(this.options.table)}`));
      }
    })();
    return this._pending;
  }

  /** Text widths in the page's UI font (a canvas measures; before the node is styled, an estimate). */
  private readonly measure: MeasureText = (text, font) => {
    this.measureCtx ??= document.createElement('canvas').getContext('2d');
    const ctx = this.measureCtx;
    if (!ctx) return text.length * FONT_PX[font] * 0.6;
    const family = getComputedStyle(this.node).fontFamily || 'sans-serif';
    ctx.font = `${font === 'title' ? '600 ' : ''}${FONT_PX[font]}px ${family}`;
    return ctx.measureText(text).width;
  };

  private draw(graph: LineageGraph, g: PlacedGraph): void {
    const marker = `${this.uid}-arrow`;
    const nameOf = new Map(graph.nodes.map((n) => [n.key, n.name]));
    const end = (key: string, column: string) => `${nameOf.get(key) ?? key}.${lineageColumnLabel(column)}`;
    const root = svg('svg', { class: 'wb-catalog-lineage-svg', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'group', 'aria-label': `Lineage of ${qualifiedName(this.options.table)}` }, [
      svg('defs', {}, [svg('marker', { id: marker, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'wb-catalog-lineage-arrow' })])]),
      svg('g', { class: 'wb-catalog-lineage-nodes' }, g.nodes.map((n) => this.drawNode(n))),
      svg(
        'g',
        { class: 'wb-catalog-lineage-edges' },
        g.edges.map((e) =>
          svg('path', { class: `wb-catalog-lineage-edge${e.edge.transform === 'indirect' || e.edge.to.column === '' ? ' wb-mod-indirect' : ''}`, d: edgePath(e.points), 'marker-end': `url(#${marker})`, 'data-transform': e.edge.transform, 'data-from': end(e.edge.from.key, e.edge.from.column), 'data-to': end(e.edge.to.key, e.edge.to.column) }, [
            svg('title', {}, [`${end(e.edge.from.key, e.edge.from.column)} → ${end(e.edge.to.key, e.edge.to.column)} (${e.edge.transform})`]),
          ]),
        ),
      ),
      svg(
        'g',
        { class: 'wb-catalog-lineage-labels' },
        g.edges
          .filter((e) => e.labelBox && e.label)
          .map((e) =>
            svg('g', { class: 'wb-catalog-lineage-label', 'data-transform': e.edge.transform }, [
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
    const openable = n.node.in_catalog && !n.current;
    const fit = (text: string, font: 'title' | 'body') => fitText(text, n.width - 2 * PAD_X, (s) => this.measure(s, font));
    const rows = n.rows.slice(1);
    return svg(
      'g',
      {
        class: `wb-catalog-lineage-node${openable ? ' wb-mod-openable' : ''}`,
        transform: `translate(${n.x} ${n.y})`,
        'data-key': n.key,
        'data-current': String(n.current),
        'data-in-catalog': String(n.node.in_catalog),
        tabindex: openable ? 0 : undefined,
        role: openable ? 'link' : undefined,
        'aria-label': openable ? `Open ${n.node.qualified}` : undefined,
      },
      [
        svg('title', {}, [n.current ? `${n.node.qualified} (this table)` : n.node.in_catalog ? `${n.node.qualified}: open its page` : `${n.node.qualified} (not in the catalog: refresh its source)`]),
        svg('rect', { class: 'wb-catalog-lineage-box', width: n.width, height: n.height, rx: 5 }),
        svg('path', { class: 'wb-catalog-lineage-header', d: `M 0 5 a 5 5 0 0 1 5 -5 h ${n.width - 10} a 5 5 0 0 1 5 5 v ${HEADER_HEIGHT - 5} h ${-n.width} z` }),
        svg('text', { class: 'wb-catalog-lineage-title', x: PAD_X, y: 18 }, [fit(n.title, 'title')]),
        svg('text', { class: 'wb-catalog-lineage-subtitle', x: PAD_X, y: 34 }, [fit(n.subtitle, 'body')]),
        ...rows.flatMap((r, i): (SVGElement | null)[] => [
          i > 0 ? svg('line', { class: 'wb-catalog-lineage-rule', x1: 0, x2: n.width, y1: r.y, y2: r.y }) : null,
          svg('text', { class: 'wb-catalog-lineage-column', 'data-column': r.column, x: PAD_X, y: r.y + ROW_HEIGHT / 2, 'dominant-baseline': 'central' }, [fit(r.column, 'body')]),
        ]),
      ],
    );
  }

  private openNode(target: EventTarget | null): boolean {
    const g = (target as Element | null)?.closest?.('g.wb-catalog-lineage-node.wb-mod-openable');
    const key = g?.getAttribute('data-key');
    if (!key) return false;
    const [source, schema, name] = JSON.parse(key) as [string, string, string];
    this.options.onOpenTable({ source, schema, name });
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
    this.abort?.abort();
    this.canvas.removeEventListener('click', this.onClick);
    this.canvas.removeEventListener('keydown', this.onKeyDown);
  }
}
