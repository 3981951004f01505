/**
 * The marks on the cells: a column of small badges in the prompt area,
 * left of the execution count (stale, not run while cells reading it ran,
 * reads a later cell's name, defined twice, in a cycle), each with its
 * reasons in the tooltip and opening the Dependencies panel on click; and
 * on the cell node `data-wb-deps-state` (fresh, stale, never_run) and
 * `data-wb-deps-warnings` (the warning kinds, space-separated) for styles
 * and tests. A stale cell's outputs are dimmed, as marimo does
 * (`data-wb-deps-outdated`), unless its last run failed: an error stays
 * readable.
 *
 * The badges are a plain element appended to the cell's node (the prompt
 * itself rewrites its text on every run); it is only replaced when what it
 * says changed.
 */
import type { Cell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import { h, replaceChildren } from '@workbench/lab-common';
import { describeCell, type CellDescription, type CellLabel } from './describe';
import type { DependencyGraph } from './types';

export type BadgeKind = 'stale' | 'not_run' | 'reads_later' | 'multiply_defined' | 'cycle';

const ICONS: Record<BadgeKind, string> = {
  // Material Symbols (Apache 2.0): update, radio_button_unchecked, warning, filter_none, autorenew.
  stale:
    'M21 10.12h-6.78l2.74-2.82c-2.73-2.7-7.15-2.8-9.88-.1-2.73 2.71-2.73 7.08 0 9.79s7.15 2.71 9.88 0C18.32 15.65 19 14.08 19 12.1h2c0 1.98-.88 4.55-2.64 6.29-3.51 3.48-9.21 3.48-12.72 0-3.5-3.47-3.53-9.11-.02-12.58s9.14-3.47 12.65 0L21 3v7.12zM12.5 8v4.25l3.5 2.08-.72 1.21L11 13V8h1.5z',
  not_run: 'M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm0 18c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8z',
  reads_later: 'M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z',
  multiply_defined: 'M3 5H1v16c0 1.1.9 2 2 2h16v-2H3V5zm18-4H7c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2V3c0-1.1-.9-2-2-2zm0 16H7V3h14v14z',
  cycle:
    'M12 4V1L8 5l4 4V6c3.31 0 6 2.69 6 6 0 1.01-.25 1.97-.7 2.8l1.46 1.46A7.93 7.93 0 0 0 20 12c0-4.42-3.58-8-8-8zm0 14c-3.31 0-6-2.69-6-6 0-1.01.25-1.97.7-2.8L5.24 7.74A7.93 7.93 0 0 0 4 12c0 4.42 3.58 8 8 8v3l4-4-4-4v3z',
};

const HEADINGS: Record<BadgeKind, string> = {
  stale: 'Stale',
  not_run: 'Not run',
  reads_later: 'Reads a name defined below',
  multiply_defined: 'Defined in more than one cell',
  cycle: 'In a cycle',
};

export interface Badge {
  kind: BadgeKind;
  /** The tooltip: a heading, then a line per reason. */
  title: string;
  /** The same on one line, for screen readers. */
  label: string;
}

/** The badges a cell shows, most pressing first. Pure. */
export function badgesOf(d: CellDescription): Badge[] {
  const out: Badge[] = [];
  const add = (kind: BadgeKind, lines: string[]) => {
    if (lines.length) out.push({ kind, title: [HEADINGS[kind], ...lines.map((l) => `• ${l}`)].join('\n'), label: `${HEADINGS[kind]}: ${lines.join('; ')}` });
  };
  if (d.state === 'stale') add('stale', d.staleReasons);
  if (d.notRunButNeeded) add('not_run', [d.notRunButNeeded]);
  for (const kind of ['reads_later', 'multiply_defined', 'cycle'] as const) add(kind, d.warnings.filter((w) => w.kind === kind).map((w) => w.text));
  return out;
}

function icon(kind: BadgeKind): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[kind]);
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}

export interface CellMarksOptions {
  /** A badge was clicked: show that cell's dependencies. */
  onOpen(cellId: string): void;
}

/** Draws the marks of every cell of `notebook` from `graph` (null: none). */
export class CellMarks {
  private readonly drawn = new WeakMap<Cell, string>();

  constructor(private readonly options: CellMarksOptions) {}

  render(notebook: Notebook, graph: DependencyGraph | null): void {
    const ids = notebook.widgets.map((w) => w.model.id);
    const position = new Map<string, number>();
    ids.forEach((id, i) => position.has(id) || position.set(id, i));
    const label: CellLabel = (id) => `cell ${(position.get(id) ?? -1) + 1}`;
    for (const cell of notebook.widgets) this.renderCell(cell, graph ? describeCell(graph, cell.model.id, label) : null);
  }

  /** Takes every mark off `notebook`'s cells. */
  clear(notebook: Notebook): void {
    for (const cell of notebook.widgets) this.renderCell(cell, null);
  }

  private renderCell(cell: Cell, d: CellDescription | null): void {
    const badges = d ? badgesOf(d) : [];
    const state = d && d.state !== 'none' ? d.state : null;
    const warnings = d ? [...new Set(d.warnings.map((w) => w.kind))].join(' ') : '';
    const outdated = d?.state === 'stale' && !d.reasonKinds.includes('failed');
    const key = JSON.stringify([state, warnings, outdated, badges]);
    if (this.drawn.get(cell) === key) return;
    this.drawn.set(cell, key);
    const node = cell.node;
    if (state) node.dataset.wbDepsState = state;
    else delete node.dataset.wbDepsState;
    if (warnings) node.dataset.wbDepsWarnings = warnings;
    else delete node.dataset.wbDepsWarnings;
    if (outdated) node.dataset.wbDepsOutdated = 'true';
    else delete node.dataset.wbDepsOutdated;
    let box = node.querySelector<HTMLElement>(':scope > .wb-deps-marks');
    if (!badges.length) {
      box?.remove();
      node.classList.remove('wb-deps-marked');
      return;
    }
    if (!box) {
      box = h('div', { className: 'wb-deps-marks' });
      node.appendChild(box);
    }
    node.classList.add('wb-deps-marked');
    const cellId = cell.model.id;
    replaceChildren(
      box,
      badges.map((b) => {
        const button = h('button', { className: 'wb-deps-badge', title: b.title, attrs: { type: 'button', 'data-kind': b.kind, 'aria-label': b.label } }, [icon(b.kind)]);
        button.addEventListener('click', (event) => {
          event.stopPropagation();
          this.options.onOpen(cellId);
        });
        // The notebook would take the mouse down for a drag of the cell or a selection.
        button.addEventListener('mousedown', (event) => event.stopPropagation());
        return button;
      }),
    );
  }
}
