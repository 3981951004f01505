/**
 * The Dependencies side panel: for the active cell of the current notebook,
 * its state and why, its warnings, the names it defines and reads, the
 * cells upstream (what it reads from, transitively) and downstream (what
 * reads it), each a link to that cell, and the two run plans. Follows the
 * notebook's `changed` (new analysis, runs, edits) while it is shown.
 */
import { readDepsMetadata } from '@workbench/dependencies/metadata';
import { Widget } from '@lumino/widgets';
import { h, replaceChildren, type Child } from '@workbench/lab-common';
import { describeCell, relatedCells, type CellLabel } from './describe';
import type { NotebookDependencies } from './notebook-dependencies';
import type { PlanKind } from './plan';
import type { CellState } from './types';

export interface DependenciesPanelOptions {
  /** A link to a cell was followed: make it the active cell. */
  onSelectCell(deps: NotebookDependencies, cellId: string): void;
  /** A run button was pressed. */
  onRun(deps: NotebookDependencies, cellId: string, kind: PlanKind): void;
}

export type PanelState = 'no-notebook' | 'unsupported' | 'loading' | 'no-cell' | 'ready';

const STATE_TEXT: Record<CellState, string> = { fresh: 'Up to date', stale: 'Stale', never_run: 'Not run' };

/** The first non-blank line of a source, for a link's preview. */
export function firstLine(source: string): string {
  return source.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

export class DependenciesPanel extends Widget {
  private deps: NotebookDependencies | null = null;
  private cellId: string | null = null;
  private readonly body: HTMLElement;

  constructor(private readonly options: DependenciesPanelOptions) {
    super();
    this.addClass('wb-deps-panel');
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.node.dataset.wbDeps = 'panel';
    this.body = h('div', { className: 'wb-deps-panel-body' });
    this.node.append(h('h2', { className: 'wb-deps-panel-title' }, ['Dependencies']), this.body);
    this.render();
  }

  /** Shows `cellId` of `deps` (either may be null: nothing to show). */
  follow(deps: NotebookDependencies | null, cellId: string | null): void {
    if (deps !== this.deps) {
      this.deps?.changed.disconnect(this.render, this);
      this.deps = deps;
      deps?.changed.connect(this.render, this);
    }
    this.cellId = cellId;
    this.render();
  }

  override dispose(): void {
    this.deps?.changed.disconnect(this.render, this);
    this.deps = null;
    super.dispose();
  }

  protected override onAfterShow(): void {
    this.render();
  }

  private setState(state: PanelState, children: Child[]): void {
    this.node.dataset.wbDepsState = state;
    replaceChildren(this.body, children);
  }

  private render(): void {
    // Hidden: drawn when shown (onAfterShow).
    if (this.isDisposed || !this.isVisible) return;
    const deps = this.deps && !this.deps.isDisposed ? this.deps : null;
    if (!deps) return this.setState('no-notebook', [h('p', { className: 'wb-deps-panel-status' }, ['Open a notebook to see how its cells depend on each other.'])]);
    const graph = deps.graph;
    if (!deps.language) return this.setState('unsupported', [h('p', { className: 'wb-deps-panel-status' }, ['Dependencies are tracked in Python, SQL and TypeScript notebooks.'])]);
    if (!graph) return this.setState('loading', [h('p', { className: 'wb-deps-panel-status' }, ['Reading the notebook…'])]);
    const cellId = this.cellId;
    const tracked = cellId === null ? undefined : deps.cells.find((c) => c.id === cellId);
    if (!tracked || !graph.status[tracked.id]) return this.setState('no-cell', [h('p', { className: 'wb-deps-panel-status' }, ['Select a code cell to see what it defines and reads.']), this.analysisLine(deps)]);

    const order = deps.panel.content.widgets.map((w) => w.model.id);
    const label: CellLabel = (id) => `cell ${order.indexOf(id) + 1}`;
    const d = describeCell(graph, tracked.id, label);
    const analysis = readDepsMetadata(tracked.metadata)?.analysis;
    const current = analysis?.sourceHash === tracked.sourceHash;
    const state = d.state === 'none' ? 'never_run' : d.state;
    const title = label(tracked.id);
    const sources = new Map(deps.cells.map((c) => [c.id, c.source]));

    const names = (kind: 'defines' | 'reads', list: readonly string[] | undefined): Child =>
      h('section', { className: `wb-deps-section wb-deps-${kind}` }, [
        h('h3', {}, [kind === 'defines' ? 'Defines' : 'Reads']),
        !list
          ? h('p', { className: 'wb-deps-empty' }, ['Not analysed yet'])
          : list.length === 0
            ? h('p', { className: 'wb-deps-empty' }, ['Nothing'])
            : h('ul', { className: 'wb-deps-names' }, list.map((n) => h('li', { className: 'wb-deps-name', attrs: { 'data-name': n } }, [n]))),
      ]);

    const links = (direction: 'upstream' | 'downstream'): Child => {
      const related = relatedCells(graph, tracked.id, direction);
      return h('section', { className: `wb-deps-section wb-deps-${direction}` }, [
        h('h3', {}, [direction === 'upstream' ? 'Upstream (reads from)' : 'Downstream (read by)']),
        related.length === 0
          ? h('p', { className: 'wb-deps-empty' }, ['None'])
          : h(
              'ul',
              { className: 'wb-deps-links' },
              related.map((r) => {
                const s = graph.status[r.id]?.state ?? 'never_run';
                const button = h('button', { className: 'wb-deps-link-button', attrs: { type: 'button' }, title: `Go to ${label(r.id)}` }, [
                  h('span', { className: 'wb-deps-link-head' }, [
                    h('span', { className: 'wb-deps-dot', attrs: { 'data-state': s, 'aria-hidden': 'true' } }),
                    h('span', { className: 'wb-deps-link-cell' }, [label(r.id)]),
                    r.names.length ? h('span', { className: 'wb-deps-link-names' }, [r.names.join(', ')]) : h('span', { className: 'wb-deps-link-names wb-deps-indirect' }, ['indirect']),
                    h('span', { className: 'wb-sr-only' }, [`, ${STATE_TEXT[s].toLowerCase()}`]),
                  ]),
                  h('code', { className: 'wb-deps-link-source' }, [firstLine(sources.get(r.id) ?? '')]),
                ]);
                button.addEventListener('click', () => this.options.onSelectCell(deps, r.id));
                return h('li', { className: 'wb-deps-link', attrs: { 'data-cell-id': r.id, 'data-direction': direction, 'data-state': s } }, [button]);
              }),
            ),
      ]);
    };

    const run = (kind: PlanKind, text: string, className: string) => {
      const button = h('button', { className: `jp-mod-styled ${className}`, attrs: { type: 'button' } }, [text]);
      button.addEventListener('click', () => this.options.onRun(deps, tracked.id, kind));
      return button;
    };

    this.setState('ready', [
      h('div', { className: 'wb-deps-panel-cell', attrs: { 'data-cell-id': tracked.id, 'data-state': state } }, [
        h('div', { className: 'wb-deps-panel-head' }, [h('span', { className: 'wb-deps-panel-cell-label' }, [title.charAt(0).toUpperCase() + title.slice(1)]), h('span', { className: 'wb-deps-state', attrs: { 'data-state': state } }, [STATE_TEXT[state]])]),
        h('code', { className: 'wb-deps-panel-source' }, [firstLine(tracked.source) || '(empty)']),
        d.staleReasons.length || d.notRunButNeeded ? h('ul', { className: 'wb-deps-reasons' }, [...d.staleReasons, ...(d.notRunButNeeded ? [d.notRunButNeeded] : [])].map((r) => h('li', {}, [r]))) : null,
        d.warnings.length ? h('ul', { className: 'wb-deps-warnings' }, d.warnings.map((w) => h('li', { attrs: { 'data-kind': w.kind } }, [w.text]))) : null,
        analysis?.errors ? h('p', { className: 'wb-deps-analysis-errors', title: analysis.errors }, [`Not everything could be read: ${analysis.errors.split('\n')[0]}`]) : null,
      ]),
      h('div', { className: 'wb-deps-actions' }, [run('upstream', 'Run what it needs', 'wb-deps-run-upstream'), run('downstream', 'Run it and downstream', 'wb-deps-run-downstream')]),
      names('defines', analysis?.defines),
      names('reads', analysis?.reads),
      links('upstream'),
      links('downstream'),
      current ? null : h('p', { className: 'wb-deps-panel-status' }, ['Edited: the names above are of the source before the edit until it is analysed.']),
      this.analysisLine(deps),
    ]);
  }

  private analysisLine(deps: NotebookDependencies): Child {
    const { state, error } = deps.analysis;
    if (state === 'analysing') return h('p', { className: 'wb-deps-panel-status', attrs: { 'data-analysis': 'analysing' } }, ['Analysing…']);
    if (state === 'error') return h('p', { className: 'wb-deps-panel-error', attrs: { 'data-analysis': 'error', role: 'alert' } }, [error ?? 'Cannot analyse the cells']);
    return null;
  }
}
