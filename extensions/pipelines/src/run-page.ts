/**
 * A run's page in the main area. The header says what ran: the pipeline,
 * status, trigger and who, logical date and period, times, and the
 * parameters (overrides of a manual run as old → new). The tasks table
 * gives each task's status, attempt n/max (each attempt's wait before it
 * and its error), progress (cells done/total), duration and output
 * notebook (opens it). Under it, when the tasks ran data-quality checks,
 * the Checks section (checks-view.ts), then the live log of the selected task
 * (click a task, or its tab): the run's event stream, while the page is
 * shown, carries log lines, task changes and the run's status; the page
 * reloads the run when tasks change (coalesced) and every 5 s while the
 * run goes on. Cancel (while it runs) and Repair (once it failed, was
 * cancelled or timed out; the dialog names the tasks that run again: the
 * ones that did not succeed and everything downstream) ask first. Roll
 * back (a succeeded run of a pipeline with a `rollback` task, for users
 * who may write pipelines) asks for a reason, then opens the rollback run.
 *
 * DOM hooks: `.wb-pipelines-run-page[data-run-id][data-wb-pipelines-state=loading|ready|error][data-status][data-stream]`
 * (`data-stream`: connecting, open, retrying, ended, failed), `.wb-pipelines-run-title`,
 * `.wb-pipelines-run-status .wb-pipelines-status[data-status]`, `.wb-pipelines-run-facts`,
 * `tr.wb-pipelines-param-row[data-name][data-overridden]` (`.wb-pipelines-override-old`, `-new`),
 * `button.wb-pipelines-cancel`, `button.wb-pipelines-repair`, `button.wb-pipelines-rollback`, `button.wb-pipelines-open-pipeline`,
 * `.wb-pipelines-page-message[data-state]`, `tr.wb-pipelines-task[data-task-id][data-status][aria-selected]`
 * with `button.wb-pipelines-task-select`, `.wb-pipelines-task-attempt`, `li.wb-pipelines-attempt[data-attempt]`,
 * `.wb-pipelines-progress` (`[role=progressbar][aria-valuenow]`), `.wb-pipelines-task-duration`,
 * `button.wb-pipelines-output[data-path]`; `section.wb-pipelines-section-checks[data-count]` (hidden without checks) holding
 * the checks (checks-view.ts); `button.wb-pipelines-log-tab[data-task-id][aria-selected]`, the log
 * (log-view.ts); dialogs `.jp-Dialog button.wb-pipelines-cancel-confirm`, `.jp-Dialog .wb-pipelines-repair-tasks li`,
 * `.jp-Dialog button.wb-pipelines-repair-confirm`.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { elapsed, formatDuration, formatPeriod, formatTime, formatValue, statusLabel, triggerLabel } from './format';
import { keepFocus } from './keep-focus';
import { defaultTask, LogStore, LogView } from './log-view';
import { errorText, isAbort } from './pipelines-api';
import { Coalescer, Poll } from './refresh-timers';
import { canCancel, canRepair, canRollback, repairTasks } from './repair-plan';
import { RunChecksSection } from './run-checks-section';
import { showRollbackDialog } from './rollback-dialog';
import type { RunEventStream, StreamState } from './run-events';
import { confirmCancel, confirmRepair } from './run-confirm';
import { abilitiesOf, READ_ONLY, type ScreenOptions } from './screen-options';
import { statusBadge } from './status-badge';
import { tasksTable } from './tasks-table';
import { RUN_DONE, type PipelinesAbilities, type RunDetail, type RunEvent } from './types';

export interface RunPageOptions extends ScreenOptions {
  runId: string;
  /** A check to show once the run is drawn (a link in a run's email names it): its row highlighted, its sample open, scrolled to. */
  focusCheck?: string;
}

const STREAM_WORDS: Record<StreamState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  retrying: 'Reconnecting…',
  ended: 'Complete',
  failed: 'Not live',
};

export class RunPage extends Widget {
  readonly runId: string;
  private readonly options: RunPageOptions;
  private readonly header: HTMLElement;
  private readonly message: HTMLElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly repairButton: HTMLButtonElement;
  private readonly rollbackButton: HTMLButtonElement;
  private readonly openPipelineButton: HTMLButtonElement;
  private readonly tasksBox: HTMLElement;
  private readonly checks: RunChecksSection;
  private readonly logTabs: HTMLElement;
  private readonly streamState: HTMLElement;
  private readonly logs = new LogStore();
  private readonly logView = new LogView(this.logs);
  private readonly poll: Poll;
  private readonly reload: Coalescer;
  private stream: RunEventStream | null = null;
  /** The stream got `end`: every line is here, no need to follow again. */
  private complete = false;
  private detail: RunDetail | null = null;
  private may: PipelinesAbilities = READ_ONLY;
  private selected: string | null = null;
  /** A cancel was asked and the run had not ended yet: say so once it has. */
  private cancelling = false;
  private abort: AbortController | null = null;
  private _pending: Promise<void>;

  constructor(options: RunPageOptions) {
    super();
    this.options = options;
    this.runId = options.runId;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-screen');
    this.addClass('wb-pipelines-run-page');
    this.node.dataset.runId = options.runId;
    this.header = h('header', { className: 'wb-pipelines-header' }, [h('h2', { className: 'wb-pipelines-title wb-pipelines-run-title' }, ['Run'])]);
    const button = (cls: string, label: string) => h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button' } }, [label]);
    this.cancelButton = button('jp-mod-warn wb-pipelines-cancel', 'Cancel run');
    this.repairButton = button('jp-mod-accept wb-pipelines-repair', 'Repair…');
    this.rollbackButton = button('jp-mod-warn wb-pipelines-rollback', 'Roll back…');
    this.rollbackButton.title = 'Run the pipeline’s rollback task: put back the outputs of the run before this one';
    this.rollbackButton.hidden = true;
    this.openPipelineButton = button('jp-mod-reject wb-pipelines-open-pipeline', 'Open pipeline');
    this.message = h('div', { className: 'wb-pipelines-page-message', attrs: { role: 'status', tabindex: '-1' } });
    this.message.hidden = true;
    this.tasksBox = h('div', { className: 'wb-pipelines-tasks-box' });
    this.checks = new RunChecksSection(options.focusCheck);
    this.logTabs = h('div', { className: 'wb-pipelines-log-tabs', attrs: { role: 'tablist', 'aria-label': 'Task logs' } });
    this.streamState = h('span', { className: 'wb-pipelines-stream-state', attrs: { role: 'status' } });
    this.node.append(
      this.header,
      h('div', { className: 'wb-pipelines-actions' }, [this.cancelButton, this.repairButton, this.rollbackButton, this.openPipelineButton]),
      this.message,
      h('section', { className: 'wb-pipelines-section', attrs: { 'aria-label': 'Tasks' } }, [h('h3', { className: 'wb-pipelines-section-title' }, ['Tasks']), this.tasksBox]),
      this.checks.node,
      h('section', { className: 'wb-pipelines-section wb-pipelines-section-logs', attrs: { 'aria-label': 'Logs' } }, [
        h('div', { className: 'wb-pipelines-log-head' }, [h('h3', { className: 'wb-pipelines-section-title' }, ['Logs']), this.streamState]),
        this.logTabs,
        this.logView.node,
      ]),
    );
    this.cancelButton.addEventListener('click', () => void this.cancel());
    this.repairButton.addEventListener('click', () => void this.repair());
    this.rollbackButton.addEventListener('click', () => void this.rollback());
    this.openPipelineButton.addEventListener('click', () => this.detail && options.onOpenPipeline(this.detail.pipelineId));
    this.node.addEventListener('click', this.onClick);
    this.logTabs.addEventListener('keydown', this.onTabKey);
    this.poll = new Poll(options.pollMs ?? 5000, () => this.load());
    this.reload = new Coalescer(300, () => this.load());
    this.setState('loading');
    this._pending = this.load();
  }

  get current(): RunDetail | null {
    return this.detail;
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  /** The task whose log is shown. */
  get selectedTask(): string | null {
    return this.selected;
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

  /** Shown: follow the run (its logs from the start) and poll while it goes on. */
  private resume(): void {
    if (this.detail && !RUN_DONE.has(this.detail.status)) this.poll.start();
    if (!this.complete && !this.stream) this.follow();
  }

  /** Hidden: no stream, no poll (a browser has few connections per server). */
  private pause(): void {
    this.poll.stop();
    this.stream?.dispose();
    this.stream = null;
  }

  private follow(): void {
    this.stream?.dispose();
    this.logs.clear();
    this.logView.show(this.selected, this.logLabel());
    const stream = this.options.client.follow(this.runId, {
      onEvent: (e) => this.onEvent(e),
      onState: (state, err) => {
        // Ended or failed: the next time the page is shown follows again, unless every line is here.
        if ((state === 'ended' || state === 'failed') && this.stream === stream) this.stream = null;
        this.node.dataset.stream = state;
        this.streamState.textContent = state === 'failed' && err ? `${STREAM_WORDS[state]}: ${err.message}` : STREAM_WORDS[state];
        this.streamState.dataset.state = state;
      },
    });
    this.stream = stream;
    void stream.start();
  }

  private onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'log':
        this.logs.add(e.line);
        this.logView.append(e.line);
        break;
      case 'task':
      case 'run':
        this.reload.request();
        break;
      case 'end':
        this.complete = true;
        this.reload.request();
        break;
    }
  }

  private async load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    try {
      const [detail, may] = await Promise.all([this.options.client.run(this.runId, { signal: abort.signal }), abilitiesOf(this.options)]);
      if (abort.signal.aborted || this.isDisposed) return;
      this.detail = detail;
      this.may = may;
      if (RUN_DONE.has(detail.status)) this.poll.stop();
      else if (this.isVisible) this.poll.start();
      keepFocus(this.node, () => this.render(detail));
      this.setState('ready');
      if (this.cancelling && RUN_DONE.has(detail.status)) {
        this.cancelling = false;
        this.say('ok', `The run is ${statusLabel(detail.status).toLowerCase()}.`);
      }
    } catch (err) {
      if (abort.signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error');
      this.say('error', errorText(err, 'load the run'));
    }
  }

  private render(run: RunDetail): void {
    const now = (this.options.now ?? Date.now)();
    this.node.dataset.status = run.status;
    this.title.label = `${run.pipelineName} · ${run.period.label}`;
    const took = elapsed(run.startedAt, run.finishedAt, now);
    const fact = (label: string, value: Node | string, title?: string) => h('div', { className: 'wb-pipelines-fact', title }, [h('span', { className: 'wb-pipelines-fact-label' }, [label]), h('span', {}, [value])]);
    const time = (t: string | null) => (t ? h('time', { attrs: { datetime: t } }, [formatTime(t)]) : '—');
    const params = Object.keys({ ...run.parameters, ...run.overrides });
    replaceChildren(this.header, [
      h('div', { className: 'wb-pipelines-titlebar' }, [
        h('h2', { className: 'wb-pipelines-title wb-pipelines-run-title' }, [`${run.pipelineName}`, h('span', { className: 'wb-pipelines-title-sub' }, [` run of ${formatTime(run.createdAt)}`])]),
        h('span', { className: 'wb-pipelines-run-status' }, [statusBadge(run.status)]),
        run.repairCount > 0 ? h('span', { className: 'wb-badge wb-pipelines-repaired-badge' }, [`Repaired ${run.repairCount}×`]) : null,
      ]),
      h('div', { className: 'wb-pipelines-facts wb-pipelines-run-facts' }, [
        fact('Trigger', `${triggerLabel(run.trigger)}${run.triggeredBy ? ` by ${run.triggeredBy}` : ''}`),
        fact('Logical date', time(run.logicalDate)),
        fact('Period', formatPeriod(run.period)),
        fact('Started', time(run.startedAt)),
        fact('Finished', time(run.finishedAt)),
        fact('Duration', took === null ? '—' : formatDuration(took)),
        run.slaDeadline ? fact('SLA', time(run.slaDeadline), 'Past this, a run still going is an SLA miss') : null,
      ]),
      run.error ? h('p', { className: 'wb-error-box wb-pipelines-run-error' }, [run.error]) : null,
      params.length === 0
        ? null
        : h('div', { className: 'wb-pipelines-table-wrap' }, [
            h('table', { className: 'wb-pipelines-table wb-pipelines-run-params', attrs: { 'aria-label': 'Parameters of this run' } }, [
              h('thead', {}, [h('tr', {}, [h('th', { attrs: { scope: 'col' } }, ['Parameter']), h('th', { attrs: { scope: 'col' } }, ['Value'])])]),
              h(
                'tbody',
                {},
                params.map((name) => {
                  const change = run.overrides[name];
                  return h('tr', { className: 'wb-pipelines-param-row', attrs: { 'data-name': name, 'data-overridden': String(change !== undefined) } }, [
                    h('th', { attrs: { scope: 'row' } }, [name]),
                    h(
                      'td',
                      {},
                      change
                        ? [
                            h('code', { className: 'wb-pipelines-override-old', title: 'Default' }, [formatValue(change.old)]),
                            h('span', { className: 'wb-pipelines-override-arrow', attrs: { 'aria-label': 'changed to' } }, [' → ']),
                            h('code', { className: 'wb-pipelines-override-new', title: 'Set for this run' }, [formatValue(change.new)]),
                          ]
                        : [h('code', {}, [formatValue(run.parameters[name])])],
                    ),
                  ]);
                }),
              ),
            ]),
          ]),
    ]);
    this.cancelButton.hidden = !this.may.execute;
    this.repairButton.hidden = !this.may.execute;
    this.cancelButton.disabled = !canCancel(run.status) || run.cancelRequested;
    this.repairButton.disabled = !canRepair(run.status);
    this.rollbackButton.hidden = !canRollback(run, this.may);
    this.repairButton.title = canRepair(run.status) ? 'Rerun the tasks that did not succeed, and what depends on them' : 'Repair is for runs that failed, were cancelled or timed out';
    if (this.selected === null || !run.tasks.some((t) => t.taskId === this.selected)) this.select(defaultTask(run.tasks), false);
    this.renderTasks(run, now);
    this.checks.render(run.checks);
    this.renderLogTabs(run);
  }

  private renderTasks(run: RunDetail, now: number): void {
    replaceChildren(this.tasksBox, [tasksTable(run, this.selected, now)]);
  }

  /** Brings a check into view (now, or when the run is drawn with it). */
  focusCheck(name: string): void {
    this.checks.focus(name);
  }

  private renderLogTabs(run: RunDetail): void {
    replaceChildren(
      this.logTabs,
      run.tasks.map((t) =>
        h(
          'button',
          {
            className: 'wb-pipelines-log-tab',
            attrs: { type: 'button', role: 'tab', 'data-task-id': t.taskId, 'data-status': t.status, 'aria-selected': String(t.taskId === this.selected), tabindex: t.taskId === this.selected ? '0' : '-1', 'data-focus-key': `tab:${t.taskId}` },
          },
          [h('span', { className: 'wb-pipelines-swatch', attrs: { 'data-status': t.status, 'aria-hidden': 'true' } }), t.taskId],
        ),
      ),
    );
  }

  private logLabel(): string {
    return this.selected ? `Log of ${this.selected}` : 'Log';
  }

  /** Shows the log of `taskId`. */
  select(taskId: string | null, redraw = true): void {
    this.selected = taskId;
    this.logView.show(taskId, this.logLabel());
    if (!redraw || !this.detail) return;
    for (const el of this.node.querySelectorAll<HTMLElement>('tr.wb-pipelines-task, button.wb-pipelines-log-tab')) {
      const on = el.dataset.taskId === taskId;
      el.setAttribute('aria-selected', String(on));
      if (el.classList.contains('wb-pipelines-log-tab')) el.tabIndex = on ? 0 : -1;
    }
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

  /** Asks, then cancels the run. */
  async cancel(): Promise<void> {
    const run = this.detail;
    if (!run || !canCancel(run.status)) return;
    if (!(await confirmCancel(run)) || this.isDisposed) return;
    this.cancelButton.disabled = true;
    this.say('working', 'Cancelling…');
    try {
      const detail = await this.options.client.cancel(this.runId);
      if (this.isDisposed) return;
      this.detail = detail;
      keepFocus(this.node, () => this.render(detail));
      this.cancelling = !RUN_DONE.has(detail.status);
      this.say(this.cancelling ? 'working' : 'ok', this.cancelling ? 'Cancelling: running tasks are being stopped.' : `The run is ${statusLabel(detail.status).toLowerCase()}.`);
    } catch (err) {
      this.say('error', errorText(err, 'cancel the run'));
      this.cancelButton.disabled = false;
    }
  }

  /** Asks (naming the tasks that run again), then repairs the run. */
  async repair(): Promise<void> {
    const run = this.detail;
    if (!run || !canRepair(run.status)) return;
    const redo = repairTasks(run);
    if (!(await confirmRepair(run, redo)) || this.isDisposed) return;
    this.repairButton.disabled = true;
    this.say('working', 'Repairing…');
    try {
      const result = await this.options.client.repair(this.runId);
      if (this.isDisposed) return;
      this.say('ok', `Repair started: ${result.tasks.join(', ')} run again.`);
      this.complete = false;
      this.stream?.dispose();
      this.stream = null;
      await this.refresh();
      if (this.isVisible) this.resume();
    } catch (err) {
      this.say('error', errorText(err, 'repair the run'));
      this.repairButton.disabled = false;
    }
  }

  /** Asks for the reason, rolls the run back, then opens the rollback run. */
  async rollback(): Promise<void> {
    const run = this.detail;
    if (!run || !canRollback(run, this.may)) return;
    const started = await showRollbackDialog({ client: this.options.client, run });
    if (!started || this.isDisposed) return;
    this.say('ok', 'Rollback started.');
    this.options.onOpenRun(started.id);
  }

  private readonly onClick = (event: MouseEvent): void => {
    const target = event.target as Element;
    const pick = target.closest<HTMLElement>('button.wb-pipelines-task-select, button.wb-pipelines-log-tab');
    if (pick?.dataset.taskId) return this.select(pick.dataset.taskId);
    const output = target.closest<HTMLElement>('button.wb-pipelines-output');
    if (output?.dataset.path) return this.options.onOpenFile(output.dataset.path);
    const child = target.closest<HTMLElement>('button.wb-pipelines-child-run');
    if (child?.dataset.runId) this.options.onOpenRun(child.dataset.runId);
  };

  private readonly onTabKey = (event: KeyboardEvent): void => {
    const tabs = [...this.logTabs.querySelectorAll<HTMLButtonElement>('button.wb-pipelines-log-tab')];
    const i = tabs.findIndex((t) => t.dataset.taskId === this.selected);
    const next = event.key === 'ArrowRight' ? (i + 1) % tabs.length : event.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : -1;
    if (next < 0 || tabs.length === 0) return;
    event.preventDefault();
    this.select(tabs[next]!.dataset.taskId ?? null);
    tabs[next]!.focus();
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort?.abort();
    this.pause();
    this.poll.dispose();
    this.reload.dispose();
    this.logView.dispose();
    this.node.removeEventListener('click', this.onClick);
    this.logTabs.removeEventListener('keydown', this.onTabKey);
    super.dispose();
  }
}
