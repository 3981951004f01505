/**
 * The pipelines' home: what needs attention first (alerts: runs still
 * going past their SLA deadline, runs that failed or timed out in the
 * last 24 hours), then the runs going on now with their progress, the
 * runs that failed in the last 7 days, and the latest runs of every
 * pipeline. A run opens its page. Reloads every 5 s while shown, and
 * sooner when a run it shows changes (it follows the event streams of up
 * to three running runs: a browser has few connections per server).
 *
 * DOM hooks: `.wb-pipelines-dashboard[data-wb-pipelines-state=loading|ready|error]`, `.wb-pipelines-dashboard-summary`,
 * `button.wb-pipelines-open-list`, `section.wb-pipelines-dash-section[data-section=alerts|running|failed|recent]`
 * (`data-count`), `li.wb-pipelines-alert[data-kind=sla|failed][data-run-id]` (`button.wb-pipelines-alert-open`),
 * the runs tables (runs-table.ts), `.wb-pipelines-progress` in the running table.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { alertsOf, DAY } from './alerts';
import { formatTime, plural } from './format';
import { keepFocus } from './keep-focus';
import { errorText, isAbort } from './pipelines-api';
import { Coalescer, Poll } from './refresh-timers';
import type { RunEventStream } from './run-events';
import { runProgress, type RunProgress } from './run-progress';
import { runsTable } from './runs-table';
import type { ScreenOptions } from './screen-options';
import { progressBar } from './status-badge';
import type { Run } from './types';

export interface DashboardOptions extends ScreenOptions {
  /** Opens the list of every pipeline. */
  onOpenList: () => void;
}

/** Running runs whose event streams are followed. */
const MAX_STREAMS = 3;
/** Running runs whose progress is read (one request each). */
const MAX_PROGRESS = 10;

export interface DashboardData {
  active: Run[];
  failed: Run[];
  recent: Run[];
  progress: Map<string, RunProgress>;
}

export class PipelinesDashboard extends Widget {
  private readonly options: DashboardOptions;
  private readonly summary: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly sections: HTMLElement;
  private readonly poll: Poll;
  private readonly reload: Coalescer;
  private readonly streams = new Map<string, RunEventStream>();
  private data: DashboardData | null = null;
  private abort: AbortController | null = null;
  private _pending: Promise<void>;

  constructor(options: DashboardOptions) {
    super();
    this.options = options;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-screen');
    this.addClass('wb-pipelines-dashboard');
    this.summary = h('p', { className: 'wb-pipelines-subtitle wb-pipelines-dashboard-summary', attrs: { role: 'status' } });
    this.statusLine = h('div', { className: 'wb-status wb-pipelines-status-line', attrs: { role: 'status' } });
    this.sections = h('div', { className: 'wb-pipelines-dash-sections' });
    const list = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-pipelines-open-list', attrs: { type: 'button' } }, ['All pipelines']);
    list.addEventListener('click', () => options.onOpenList());
    this.node.append(
      h('header', { className: 'wb-pipelines-header' }, [h('div', { className: 'wb-pipelines-titlebar' }, [h('h2', { className: 'wb-pipelines-title' }, ['Pipelines dashboard']), h('span', { className: 'wb-pipelines-spacer' }), list]), this.summary]),
      this.statusLine,
      this.sections,
    );
    this.poll = new Poll(options.pollMs ?? 5000, () => this.load());
    this.reload = new Coalescer(1000, () => this.load());
    this.setState('loading', 'Loading the runs…');
    this._pending = this.load();
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  refresh(): Promise<void> {
    this._pending = this.load();
    return this._pending;
  }

  protected override onAfterShow(): void {
    this.resume();
  }

  protected override onAfterAttach(): void {
    if (this.isVisible) this.resume();
  }

  protected override onBeforeHide(): void {
    this.pause();
  }

  protected override onBeforeDetach(): void {
    this.pause();
  }

  private resume(): void {
    this.poll.start();
    if (this.data) this.followRunning(this.data.active);
  }

  private pause(): void {
    this.poll.stop();
    this.followRunning([]);
  }

  /** Follows the first running runs (and drops streams of runs no longer running). */
  private followRunning(active: readonly Run[]): void {
    const wanted = new Set(active.filter((r) => r.status === 'running').slice(0, MAX_STREAMS).map((r) => r.id));
    for (const [id, s] of this.streams) {
      if (wanted.has(id)) continue;
      s.dispose();
      this.streams.delete(id);
    }
    for (const id of wanted) {
      if (this.streams.has(id)) continue;
      const stream = this.options.client.follow(id, {
        onEvent: (e) => {
          if (e.type !== 'log') this.reload.request();
        },
        onState: (state) => {
          if ((state === 'ended' || state === 'failed') && this.streams.get(id) === stream) this.streams.delete(id);
        },
      });
      this.streams.set(id, stream);
      void stream.start();
    }
  }

  private async load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const signal = abort.signal;
    const client = this.options.client;
    try {
      const [active, failedAll, recent] = await Promise.all([
        client.allRuns({ statuses: ['running', 'queued'], limit: 50 }, { signal }),
        client.allRuns({ statuses: ['failed', 'timed_out'], limit: 100 }, { signal }),
        client.allRuns({ limit: 15 }, { signal }),
      ]);
      const now = (this.options.now ?? Date.now)();
      const failed = failedAll.filter((r) => now - Date.parse(r.finishedAt ?? r.createdAt) <= 7 * DAY);
      const details = await Promise.all(active.slice(0, MAX_PROGRESS).map((r) => client.run(r.id, { signal }).catch(() => null)));
      if (signal.aborted || this.isDisposed) return;
      const progress = new Map(details.filter((d) => d !== null).map((d) => [d.id, runProgress(d.tasks)]));
      this.data = { active, failed, recent, progress };
      keepFocus(this.node, () => this.render(this.data!, now));
      this.setState('ready');
      if (this.isVisible) this.followRunning(active);
    } catch (err) {
      if (signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error', errorText(err, 'load the runs'));
    }
  }

  private render(d: DashboardData, now: number): void {
    const alerts = alertsOf(d.active, d.failed, now);
    const running = d.active.filter((r) => r.status === 'running').length;
    const queued = d.active.length - running;
    this.summary.textContent = `${running} running${queued ? `, ${queued} queued` : ''} · ${plural(d.failed.length, 'failure')} in the last 7 days · ${plural(alerts.length, 'alert')}`;
    const open = this.options.onOpenRun;
    const section = (key: string, title: string, count: number, body: Node) =>
      h('section', { className: 'wb-pipelines-section wb-pipelines-dash-section', attrs: { 'data-section': key, 'data-count': String(count), 'aria-label': title } }, [h('h3', { className: 'wb-pipelines-section-title' }, [title, h('span', { className: 'wb-pipelines-count' }, [String(count)])]), body]);
    const none = (text: string) => h('p', { className: 'wb-pipelines-none' }, [text]);
    replaceChildren(this.sections, [
      section(
        'alerts',
        'Alerts',
        alerts.length,
        alerts.length === 0
          ? none('Nothing needs attention: no SLA missed, no failure in the last 24 hours.')
          : h(
              'ul',
              { className: 'wb-pipelines-alerts' },
              alerts.map((a) => {
                const b = h('button', { className: 'wb-pipelines-link wb-pipelines-alert-open', title: formatTime(a.run.createdAt), attrs: { type: 'button', 'data-focus-key': `alert:${a.kind}:${a.run.id}` } }, [a.text]);
                b.addEventListener('click', () => open(a.run.id));
                return h('li', { className: 'wb-pipelines-alert', attrs: { 'data-kind': a.kind, 'data-run-id': a.run.id } }, [h('span', { className: 'wb-pipelines-alert-icon', attrs: { 'aria-hidden': 'true' } }, ['!']), b]);
              }),
            ),
      ),
      section(
        'running',
        'Running now',
        d.active.length,
        d.active.length === 0
          ? none('No run is going on.')
          : runsTable(d.active, {
              onOpenRun: open,
              now,
              showPipeline: true,
              label: 'Runs going on now',
              extra: {
                header: 'Progress',
                cell: (r) => {
                  const p = d.progress.get(r.id);
                  return p ? progressBar(p.fraction, `${p.tasksDone}/${p.tasks} tasks`, `${r.pipelineName}: ${p.tasksDone} of ${p.tasks} tasks done`) : h('span', { className: 'wb-pipelines-muted' }, ['—']);
                },
              },
            }),
      ),
      section('failed', 'Failed in the last 7 days', d.failed.length, d.failed.length === 0 ? none('No failed run in the last 7 days.') : runsTable(d.failed, { onOpenRun: open, now, showPipeline: true, label: 'Runs that failed in the last 7 days' })),
      section('recent', 'Recent activity', d.recent.length, d.recent.length === 0 ? none('No run yet.') : runsTable(d.recent, { onOpenRun: open, now, showPipeline: true, label: 'Latest runs' })),
    ]);
  }

  private setState(state: 'loading' | 'ready' | 'error', message = ''): void {
    this.node.dataset.wbPipelinesState = state;
    this.statusLine.textContent = message;
    this.statusLine.hidden = message === '';
    this.statusLine.classList.toggle('wb-mod-error', state === 'error');
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort?.abort();
    this.pause();
    this.poll.dispose();
    this.reload.dispose();
    super.dispose();
  }
}
