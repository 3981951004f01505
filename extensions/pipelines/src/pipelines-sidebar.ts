/**
 * The Pipelines side panel (left side bar): the way in to the dashboard
 * and the list, and every pipeline by name with its last run's status
 * (a click opens its page). Loads when first shown, then every 30 s
 * while shown, and on Reload.
 *
 * DOM hooks: `#wb-pipelines.wb-pipelines-sidebar[data-wb-pipelines-state=loading|ready|empty|error]`,
 * `button.wb-pipelines-side-dashboard`, `button.wb-pipelines-side-list`, `button.wb-pipelines-side-refresh`,
 * `li.wb-pipelines-side-item[data-pipeline-id][data-status]` (`button.wb-pipelines-side-open`).
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { formatRelative, statusLabel } from './format';
import { keepFocus } from './keep-focus';
import { errorText, isAbort } from './pipelines-api';
import type { PipelinesClient } from './pipelines-client';
import { Poll } from './refresh-timers';
import type { PipelineSummary } from './types';

export interface PipelinesSidebarOptions {
  client: PipelinesClient;
  onOpenPipeline: (id: string) => void;
  onOpenDashboard: () => void;
  onOpenList: () => void;
  now?: () => number;
  /** Reload period while shown; default 30 s. */
  pollMs?: number;
}

export class PipelinesSidebar extends Widget {
  private readonly options: PipelinesSidebarOptions;
  private readonly list: HTMLElement;
  private readonly statusLine: HTMLElement;
  private loadedAt = 0;
  private readonly poll: Poll;
  private abort: AbortController | null = null;
  private _pending: Promise<void> | null = null;

  constructor(options: PipelinesSidebarOptions) {
    super();
    this.options = options;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-sidebar');
    const button = (cls: string, label: string, onClick: () => void) => {
      const b = h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button' } }, [label]);
      b.addEventListener('click', onClick);
      return b;
    };
    const refresh = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-pipelines-side-refresh', title: 'Reload the pipelines', attrs: { type: 'button', 'aria-label': 'Reload the pipelines' } }, ['Reload']);
    refresh.addEventListener('click', () => void this.refresh());
    this.statusLine = h('div', { className: 'wb-status wb-pipelines-status-line', attrs: { role: 'status' } });
    this.list = h('ul', { className: 'wb-pipelines-side-list-items', attrs: { 'aria-label': 'Pipelines' } });
    this.node.append(
      h('div', { className: 'wb-pipelines-side-header' }, [h('h2', { className: 'wb-pipelines-side-title' }, ['Pipelines']), h('span', { className: 'wb-pipelines-spacer' }), refresh]),
      h('div', { className: 'wb-pipelines-side-actions' }, [
        button('jp-mod-accept wb-pipelines-side-dashboard', 'Dashboard', () => options.onOpenDashboard()),
        button('jp-mod-reject wb-pipelines-side-list', 'All pipelines', () => options.onOpenList()),
      ]),
      this.statusLine,
      this.list,
    );
    this.node.dataset.wbPipelinesState = 'loading';
    this.poll = new Poll(options.pollMs ?? 30_000, () => this.refresh());
  }

  /** Loads the list unless it was (or is being) loaded; resolves once loaded. */
  ensureLoaded(): Promise<void> {
    return this._pending ?? this.refresh();
  }

  refresh(): Promise<void> {
    this._pending = this.load();
    return this._pending;
  }

  protected override onAfterShow(): void {
    // Shown again: what it lists may be old.
    void (this.loadedAt === 0 ? this.ensureLoaded() : this.refresh());
    this.poll.start();
  }

  protected override onBeforeHide(): void {
    this.poll.stop();
  }

  private async load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    if (this.loadedAt === 0) this.setState('loading', 'Loading…');
    try {
      const pipelines = await this.options.client.pipelines({ signal: abort.signal });
      if (abort.signal.aborted || this.isDisposed) return;
      this.loadedAt = Date.now();
      keepFocus(this.node, () => replaceChildren(this.list, pipelines.map((p) => this.item(p))));
      if (pipelines.length === 0) this.setState('empty', 'No pipelines yet: "Create job" in a notebook’s toolbar makes one.');
      else this.setState('ready');
    } catch (err) {
      if (abort.signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error', errorText(err, 'list the pipelines'));
    }
  }

  private item(p: PipelineSummary): HTMLElement {
    const now = (this.options.now ?? Date.now)();
    const status = p.issues.length > 0 ? 'error' : (p.lastRun?.status ?? 'none');
    const state = p.issues.length > 0 ? 'the file has errors' : p.lastRun ? `${statusLabel(p.lastRun.status)} ${formatRelative(p.lastRun.createdAt, now)}` : 'never run';
    const open = h('button', { className: 'wb-pipelines-side-open', title: `${p.path}: ${state}${p.paused ? ', paused' : ''}`, attrs: { type: 'button', 'data-focus-key': `side:${p.id}` } }, [
      h('span', { className: 'wb-pipelines-swatch', attrs: { 'data-status': status, 'aria-hidden': 'true' } }),
      h('span', { className: 'wb-pipelines-side-name' }, [p.name]),
      h('span', { className: 'wb-pipelines-side-state' }, [`${state}${p.paused ? ' · paused' : ''}`]),
    ]);
    open.addEventListener('click', () => this.options.onOpenPipeline(p.id));
    return h('li', { className: 'wb-pipelines-side-item', attrs: { 'data-pipeline-id': p.id, 'data-status': status } }, [open]);
  }

  private setState(state: 'loading' | 'ready' | 'empty' | 'error', message = ''): void {
    this.node.dataset.wbPipelinesState = state;
    this.statusLine.textContent = message;
    this.statusLine.hidden = message === '';
    this.statusLine.classList.toggle('wb-mod-error', state === 'error');
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort?.abort();
    this.poll.dispose();
    super.dispose();
  }
}
