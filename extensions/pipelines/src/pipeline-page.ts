/**
 * A pipeline's page in the main area: its name, file, description, paused
 * state and errors; the task DAG (elkjs, coloured by the latest run's
 * task statuses; a task opens its notebook); the schedules in words and
 * the next 12 fire times; the parameters with their defaults; the recent
 * runs (a row opens its run); the YAML as the server read it, read-only,
 * lines numbered, lines with issues marked, and "Open file" to edit it.
 * Actions: Run with parameters, Backfill (analysts and up), Pause /
 * Resume (engineers and up). Reloads every 10 s while shown, redrawing
 * the DAG only when the tasks or their statuses changed.
 *
 * DOM hooks: `.wb-pipelines-page[data-pipeline-id][data-wb-pipelines-state=loading|ready|error][data-paused]`,
 * `.wb-pipelines-page-title`, `.wb-pipelines-page-path`, `button.wb-pipelines-run-with-parameters`,
 * `button.wb-pipelines-backfill`, `button.wb-pipelines-pause[data-paused]`, `button.wb-pipelines-open-file`,
 * `.wb-pipelines-page-message[data-state]`, the DAG (dag-view.ts), `ul.wb-pipelines-triggers li[data-kind]`,
 * `ol.wb-pipelines-upcoming li time[datetime]`, `table.wb-pipelines-params tr[data-name]`,
 * the runs table (runs-table.ts), `pre.wb-pipelines-source` (`span.wb-pipelines-source-line[data-line][data-issue]`).
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import type { DagLayoutOptions } from './dag-layout';
import { DagView } from './dag-view';
import { describeTrigger, formatFireTime, formatTime, formatValue, plural, statusLabel, triggerZone } from './format';
import { keepFocus } from './keep-focus';
import { errorText, isAbort } from './pipelines-api';
import { Poll } from './refresh-timers';
import { backfillSummary, showBackfillDialog, showRunDialog } from './run-dialog';
import { runsTable } from './runs-table';
import { abilitiesOf, READ_ONLY, type ScreenOptions } from './screen-options';
import type { PipelineDetail, PipelinesAbilities, RunRow, TaskStatus } from './types';

export interface PipelinePageOptions extends ScreenOptions {
  pipelineId: string;
  layout?: DagLayoutOptions;
}

const RECENT_RUNS = 10;

export class PipelinePage extends Widget {
  readonly pipelineId: string;
  private readonly options: PipelinePageOptions;
  private readonly header: HTMLElement;
  private readonly message: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private readonly backfillButton: HTMLButtonElement;
  private readonly pauseButton: HTMLButtonElement;
  private readonly openFileButton: HTMLButtonElement;
  private readonly dag: DagView;
  private readonly dagNote: HTMLElement;
  private readonly schedule: HTMLElement;
  private readonly params: HTMLElement;
  private readonly recent: HTMLElement;
  private readonly source: HTMLElement;
  private readonly poll: Poll;
  private detail: PipelineDetail | null = null;
  private may: PipelinesAbilities = READ_ONLY;
  private dagKey = '';
  private abort: AbortController | null = null;
  private _pending: Promise<void>;

  constructor(options: PipelinePageOptions) {
    super();
    this.options = options;
    this.pipelineId = options.pipelineId;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-screen');
    this.addClass('wb-pipelines-page');
    this.node.dataset.pipelineId = options.pipelineId;
    this.header = h('header', { className: 'wb-pipelines-header' }, [h('h2', { className: 'wb-pipelines-title wb-pipelines-page-title' }, ['Pipeline'])]);
    const button = (cls: string, label: string) => h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button' } }, [label]);
    this.runButton = button('jp-mod-accept wb-pipelines-run-with-parameters', 'Run with parameters…');
    this.backfillButton = button('jp-mod-reject wb-pipelines-backfill', 'Backfill…');
    this.pauseButton = button('jp-mod-reject wb-pipelines-pause', 'Pause');
    this.openFileButton = button('jp-mod-reject wb-pipelines-open-file', 'Open file');
    this.message = h('div', { className: 'wb-pipelines-page-message', attrs: { role: 'status', tabindex: '-1' } });
    this.message.hidden = true;
    this.dag = new DagView({ name: 'the pipeline', onOpenTask: (t) => options.onOpenFile(t.target.path), layout: options.layout });
    this.dagNote = h('p', { className: 'wb-pipelines-note wb-pipelines-dag-note' });
    this.schedule = h('div', { className: 'wb-pipelines-schedule' });
    this.params = h('div', { className: 'wb-pipelines-params-box' });
    this.recent = h('div', { className: 'wb-pipelines-recent' });
    this.source = h('div', { className: 'wb-pipelines-source-box' });
    const section = (cls: string, title: string, children: (Node | null)[]) => h('section', { className: `wb-pipelines-section ${cls}`, attrs: { 'aria-label': title } }, [h('h3', { className: 'wb-pipelines-section-title' }, [title]), ...children]);
    this.node.append(
      this.header,
      h('div', { className: 'wb-pipelines-actions' }, [this.runButton, this.backfillButton, this.pauseButton, this.openFileButton]),
      this.message,
      section('wb-pipelines-section-dag', 'Tasks', [this.dagNote, this.dag.node]),
      h('div', { className: 'wb-pipelines-columns' }, [section('wb-pipelines-section-schedule', 'Schedule', [this.schedule]), section('wb-pipelines-section-params', 'Parameters', [this.params])]),
      section('wb-pipelines-section-runs', 'Recent runs', [this.recent]),
      section('wb-pipelines-section-source', 'YAML', [this.source]),
    );
    this.runButton.addEventListener('click', () => void this.runWithParameters());
    this.backfillButton.addEventListener('click', () => void this.backfill());
    this.pauseButton.addEventListener('click', () => void this.togglePaused());
    this.openFileButton.addEventListener('click', () => this.detail && options.onOpenFile(this.detail.path));
    this.poll = new Poll(options.pollMs ?? 10_000, () => this.load());
    this.setState('loading');
    this._pending = this.load();
  }

  /** The pipeline as last loaded. */
  get current(): PipelineDetail | null {
    return this.detail;
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  refresh(): Promise<void> {
    this._pending = this.load();
    return this._pending;
  }

  protected override onAfterShow(): void {
    this.poll.start();
  }

  protected override onBeforeHide(): void {
    this.poll.stop();
  }

  protected override onAfterAttach(): void {
    if (this.isVisible) this.poll.start();
  }

  protected override onBeforeDetach(): void {
    this.poll.stop();
  }

  private async load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const signal = abort.signal;
    try {
      const [detail, runs, may] = await Promise.all([this.options.client.pipeline(this.pipelineId, { signal }), this.options.client.runs(this.pipelineId, { limit: RECENT_RUNS }, { signal }), abilitiesOf(this.options)]);
      if (signal.aborted || this.isDisposed) return;
      this.detail = detail;
      this.may = may;
      keepFocus(this.node, () => this.render(detail, runs));
      this.setState('ready');
      await this.drawDag(detail, runs[0] ?? null);
    } catch (err) {
      if (signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error');
      this.say('error', errorText(err, 'load the pipeline'));
    }
  }

  private render(p: PipelineDetail, runs: RunRow[]): void {
    const now = (this.options.now ?? Date.now)();
    this.title.label = p.name;
    this.node.dataset.paused = String(p.paused);
    replaceChildren(this.header, [
      h('div', { className: 'wb-pipelines-titlebar' }, [
        h('h2', { className: 'wb-pipelines-title wb-pipelines-page-title' }, [p.name]),
        p.paused ? h('span', { className: 'wb-badge wb-pipelines-paused-badge' }, ['Paused']) : null,
        p.issues.length > 0 ? h('span', { className: 'wb-badge wb-pipelines-issues-badge' }, [plural(p.issues.length, 'error')]) : null,
      ]),
      h('code', { className: 'wb-pipelines-page-path' }, [p.path]),
      p.spec?.description ? h('p', { className: 'wb-pipelines-description' }, [p.spec.description]) : null,
      p.issues.length > 0
        ? h(
            'ul',
            { className: 'wb-pipelines-issues wb-error-box', attrs: { 'aria-label': `Errors in ${p.path}` } },
            p.issues.map((i) => h('li', { attrs: { 'data-line': String(i.line) } }, [h('span', { className: 'wb-pipelines-issue-line' }, [`Line ${i.line}`]), ` ${i.path ? `${i.path}: ` : ''}${i.message}`])),
          )
        : null,
    ]);
    const runnable = p.spec !== null;
    this.runButton.hidden = !this.may.execute;
    this.backfillButton.hidden = !this.may.execute;
    this.runButton.disabled = !runnable;
    this.backfillButton.disabled = !runnable || !p.spec?.triggers.some((t) => t.kind !== 'after');
    this.backfillButton.title = this.backfillButton.disabled ? 'Backfill needs a schedule: runs are made per period' : '';
    this.pauseButton.hidden = !this.may.schedule;
    this.pauseButton.textContent = p.paused ? 'Resume' : 'Pause';
    this.pauseButton.dataset.paused = String(p.paused);
    this.renderSchedule(p, now);
    this.renderParameters(p);
    replaceChildren(this.recent, [runs.length === 0 ? h('p', { className: 'wb-pipelines-none' }, ['No runs yet.']) : runsTable(runs, { onOpenRun: this.options.onOpenRun, now, label: `Recent runs of ${p.name}` })]);
    this.renderSource(p);
  }

  /** "Next 12 fire times (Europe/Paris)": each time in its schedule's zone, named once when they share one. */
  private upcomingTitle(p: PipelineDetail): string {
    const zones = [...new Set(p.upcoming.map((u) => triggerZone(u.trigger)).filter((z) => z !== undefined))];
    const title = `Next ${p.upcoming.length} fire times${zones.length === 1 ? ` (${zones[0]})` : ''}`;
    return p.paused ? `${title}: paused, they will not fire` : title;
  }

  private renderSchedule(p: PipelineDetail, now: number): void {
    const triggers = p.spec?.triggers ?? [];
    replaceChildren(this.schedule, [
      triggers.length === 0
        ? h('p', { className: 'wb-pipelines-none' }, [p.spec ? 'No schedule: it runs by hand' + (p.spec.webhook ? ' or from its webhook.' : '.') : 'Unknown while the file has errors.'])
        : h(
            'ul',
            { className: 'wb-pipelines-triggers' },
            triggers.map((t) => h('li', { attrs: { 'data-kind': t.kind } }, [describeTrigger(t)])),
          ),
      p.spec?.webhook && triggers.length > 0 ? h('p', { className: 'wb-pipelines-note' }, ['Also runs from its webhook.']) : null,
      p.upcoming.length > 0 ? h('h4', { className: 'wb-pipelines-subhead' }, [this.upcomingTitle(p)]) : null,
      p.upcoming.length > 0
        ? this.upcomingList(p, now)
        : null,
    ]);
  }

  /** The fire times as a grid (wider columns when some say their year). */
  private upcomingList(p: PipelineDetail, now: number): HTMLElement {
    const items = p.upcoming.map((u) => ({ u, text: formatFireTime(u.at, { timeZone: triggerZone(u.trigger), now }) }));
    const years = items.some(({ text }) => /\d{4}/.test(text));
    return h(
      'ol',
      { className: 'wb-pipelines-upcoming', attrs: { 'data-years': String(years) } },
      items.map(({ u, text }) => h('li', {}, [h('time', { attrs: { datetime: u.at }, title: `${describeTrigger(u.trigger)}. Your time: ${formatTime(u.at)}` }, [text])])),
    );
  }

  private renderParameters(p: PipelineDetail): void {
    const entries = Object.entries(p.spec?.parameters ?? {});
    replaceChildren(this.params, [
      entries.length === 0
        ? h('p', { className: 'wb-pipelines-none' }, [p.spec ? 'No parameters.' : 'Unknown while the file has errors.'])
        : h('div', { className: 'wb-pipelines-table-wrap' }, [
            h('table', { className: 'wb-pipelines-table wb-pipelines-params', attrs: { 'aria-label': 'Parameters' } }, [
              h('thead', {}, [h('tr', {}, ['Name', 'Type', 'Default'].map((t) => h('th', { attrs: { scope: 'col' } }, [t])))]),
              h(
                'tbody',
                {},
                entries.map(([name, param]) =>
                  h('tr', { attrs: { 'data-name': name } }, [
                    h('th', { attrs: { scope: 'row' }, title: param.description }, [name, param.description ? h('span', { className: 'wb-pipelines-param-desc' }, [param.description]) : null]),
                    h('td', {}, [param.type]),
                    h('td', { className: 'wb-pipelines-param-default' }, [param.default === undefined ? h('span', { className: 'wb-pipelines-muted' }, [param.required ? 'required' : 'none']) : h('code', {}, [formatValue(param.default)])]),
                  ]),
                ),
              ),
            ]),
          ]),
    ]);
  }

  private renderSource(p: PipelineDetail): void {
    const bad = new Map<number, string[]>();
    for (const i of p.issues) bad.set(i.line, [...(bad.get(i.line) ?? []), i.message]);
    const lines = p.source.replace(/\n$/, '').split('\n');
    replaceChildren(this.source, [
      h(
        'pre',
        { className: 'wb-pipelines-source', attrs: { tabindex: '0', 'aria-label': `${p.path}, read-only` } },
        lines.map((text, i) => {
          const issues = bad.get(i + 1);
          return h('span', { className: 'wb-pipelines-source-line', title: issues?.join('\n'), attrs: { 'data-line': String(i + 1), 'data-issue': issues ? 'true' : undefined } }, [h('span', { className: 'wb-pipelines-source-number', attrs: { 'aria-hidden': 'true' } }, [String(i + 1)]), `${text}\n`]);
        }),
      ),
    ]);
  }

  private async drawDag(p: PipelineDetail, latest: RunRow | null): Promise<void> {
    const tasks = p.spec?.tasks ?? [];
    const statuses: Record<string, TaskStatus> = Object.fromEntries(Object.entries(latest?.tasks ?? {}).map(([id, t]) => [id, t.status]));
    this.dagNote.textContent = latest ? `Coloured by the latest run (${latest.period.label}: ${statusLabel(latest.status).toLowerCase()}). A task opens its notebook.` : 'Not run yet. A task opens its notebook.';
    const key = JSON.stringify([tasks, statuses]);
    if (key === this.dagKey) return;
    this.dagKey = key;
    await this.dag.show(tasks, statuses);
  }

  private say(state: 'ok' | 'error' | 'working', text: string): void {
    this.message.dataset.state = state;
    this.message.textContent = text;
    this.message.hidden = false;
    this.message.classList.toggle('wb-error-box', state === 'error');
  }

  private setState(state: 'loading' | 'ready' | 'error'): void {
    this.node.dataset.wbPipelinesState = state;
  }

  /** The Run with parameters dialog; a run started opens its page. */
  async runWithParameters(): Promise<void> {
    const spec = this.detail?.spec;
    if (!spec) return;
    const run = await showRunDialog(this.options.client, this.pipelineId, spec);
    if (!run || this.isDisposed) return;
    this.say('ok', `Started a run of ${spec.name}.`);
    this.options.onOpenRun(run.id);
    void this.refresh();
  }

  async backfill(): Promise<void> {
    const spec = this.detail?.spec;
    if (!spec) return;
    const runs = await showBackfillDialog(this.options.client, this.pipelineId, spec, (this.options.now ?? Date.now)());
    if (runs.length === 0 || this.isDisposed) return;
    this.say('ok', backfillSummary(runs));
    await this.refresh();
  }

  async togglePaused(): Promise<void> {
    const p = this.detail;
    if (!p) return;
    this.pauseButton.disabled = true;
    try {
      await this.options.client.setPaused(this.pipelineId, !p.paused);
      this.say('ok', p.paused ? 'Resumed: the schedules fire again.' : 'Paused: the schedules do not fire; runs by hand still work.');
      await this.refresh();
    } catch (err) {
      this.say('error', errorText(err, p.paused ? 'resume the pipeline' : 'pause the pipeline'));
    } finally {
      this.pauseButton.disabled = false;
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort?.abort();
    this.poll.dispose();
    this.dag.dispose();
    super.dispose();
  }
}
