/**
 * Every pipeline of the workspace, one card each: its name (opens its
 * page), file path, an errors badge when the file does not load (and the
 * issues with their line numbers), paused, the next scheduled run, the
 * last run's status, and the run-history matrix (the last 20 runs × its
 * tasks). Open, Run and Pause / Resume act on it (Run and Pause as the
 * role allows; the server checks anyway); what an action did, or why it
 * failed, is said under the card. Reloads every 10 s while shown and
 * after each action. "New pipeline from template…" (for users who may
 * write pipelines) opens the template dialog.
 *
 * Laid out for a main area of about 650 px (a 1024 px window with the
 * side bar open): the matrix scrolls sideways in its own box.
 *
 * DOM hooks: `.wb-pipelines-list[data-wb-pipelines-state=loading|ready|empty|error]`,
 * `button.wb-pipelines-from-template`, `.wb-pipelines-status-line`, `section.wb-pipelines-card[data-pipeline-id][data-path][data-paused][data-issues]`
 * with `.wb-pipelines-card-title` (button), `.wb-pipelines-card-path`, `.wb-pipelines-issues-badge`,
 * `ul.wb-pipelines-issues li[data-line]`, `.wb-pipelines-paused-badge`, `.wb-pipelines-next-run`,
 * `.wb-pipelines-last-run` (its `.wb-pipelines-status[data-status]`), `button.wb-pipelines-open`,
 * `button.wb-pipelines-run-now`, `button.wb-pipelines-pause[data-paused]`,
 * `.wb-pipelines-card-message[data-state=ok|error|working]` and the matrix (matrix-view.ts).
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { formatFireTime, formatRelative, formatTime, plural, triggerZone } from './format';
import { keepFocus } from './keep-focus';
import { matrixView } from './matrix-view';
import { errorText, isAbort } from './pipelines-api';
import { Poll } from './refresh-timers';
import { abilitiesOf, READ_ONLY, type ScreenOptions } from './screen-options';
import { buildMatrix, MATRIX_RUNS } from './run-matrix';
import { statusBadge } from './status-badge';
import type { PipelinesAbilities, PipelineSummary, RunRow } from './types';

type State = 'loading' | 'ready' | 'empty' | 'error';

/** The zone of a pipeline's schedules when they share one (its next fire time is shown there). */
function zoneOf(p: PipelineSummary): string | undefined {
  const zones = new Set((p.spec?.triggers ?? []).map(triggerZone).filter((z) => z !== undefined));
  return zones.size === 1 ? [...zones][0] : undefined;
}

export class PipelinesList extends Widget {
  private readonly options: ScreenOptions;
  private readonly statusLine: HTMLElement;
  private readonly cards: HTMLElement;
  private readonly fromTemplate: HTMLButtonElement;
  private readonly poll: Poll;
  private readonly messages = new Map<string, { state: 'ok' | 'error' | 'working'; text: string; runId?: string }>();
  private pipelines: PipelineSummary[] = [];
  private runs = new Map<string, RunRow[]>();
  private may: PipelinesAbilities = READ_ONLY;
  private abort: AbortController | null = null;
  private _pending: Promise<void> = Promise.resolve();

  constructor(options: ScreenOptions) {
    super();
    this.options = options;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-screen');
    this.addClass('wb-pipelines-list');
    this.statusLine = h('div', { className: 'wb-status wb-pipelines-status-line', attrs: { role: 'status' } });
    this.cards = h('div', { className: 'wb-pipelines-cards' });
    this.fromTemplate = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-pipelines-from-template', attrs: { type: 'button' } }, ['New pipeline from template…']);
    this.fromTemplate.hidden = true;
    this.fromTemplate.addEventListener('click', () => options.onNewFromTemplate?.());
    this.node.append(
      h('header', { className: 'wb-pipelines-header' }, [
        h('div', { className: 'wb-pipelines-titlebar' }, [h('h2', { className: 'wb-pipelines-title' }, ['Pipelines']), h('span', { className: 'wb-pipelines-spacer' }), this.fromTemplate]),
        h('p', { className: 'wb-pipelines-subtitle' }, ['Every *.pipeline.yaml of the workspace, with the last 20 runs of each.']),
      ]),
      this.statusLine,
      this.cards,
    );
    this.poll = new Poll(options.pollMs ?? 10_000, () => this.load());
    this.setState('loading', 'Loading the pipelines…');
    this._pending = this.load();
  }

  /** The load in flight, or the last one. */
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
      const [pipelines, may] = await Promise.all([this.options.client.pipelines({ signal }), abilitiesOf(this.options)]);
      const runs = new Map<string, RunRow[]>();
      // A few at a time: one request per pipeline.
      const queue = pipelines.filter((p) => p.lastRun !== null);
      const worker = async () => {
        for (let p = queue.shift(); p; p = queue.shift()) runs.set(p.id, await this.options.client.runs(p.id, { limit: MATRIX_RUNS }, { signal }));
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      if (signal.aborted || this.isDisposed) return;
      this.pipelines = pipelines;
      this.runs = runs;
      this.may = may;
      this.fromTemplate.hidden = !may.write || this.options.onNewFromTemplate === undefined;
      keepFocus(this.node, () => this.render());
      if (pipelines.length === 0) this.setState('empty', 'No pipelines yet. A pipeline is a *.pipeline.yaml file in the workspace; "Create job" in a notebook’s toolbar writes one, and so does "New pipeline from template…".');
      else this.setState('ready');
    } catch (err) {
      if (signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error', errorText(err, 'list the pipelines'));
    }
  }

  private render(): void {
    const now = (this.options.now ?? Date.now)();
    replaceChildren(
      this.cards,
      this.pipelines.map((p) => this.card(p, now)),
    );
  }

  private card(p: PipelineSummary, now: number): HTMLElement {
    const button = (cls: string, label: string, aria: string, key: string) =>
      h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button', 'aria-label': aria, 'data-focus-key': `${key}:${p.id}` } }, [label]);
    const open = button('jp-mod-reject wb-pipelines-open', 'Open', `Open ${p.name}`, 'open');
    open.addEventListener('click', () => this.options.onOpenPipeline(p.id));
    const run = button('jp-mod-accept wb-pipelines-run-now', 'Run', `Run ${p.name} now`, 'run');
    run.hidden = !this.may.execute;
    run.disabled = p.spec === null;
    run.addEventListener('click', () => void this.runNow(p));
    const pause = button('jp-mod-reject wb-pipelines-pause', p.paused ? 'Resume' : 'Pause', `${p.paused ? 'Resume' : 'Pause'} the schedules of ${p.name}`, 'pause');
    pause.dataset.paused = String(p.paused);
    pause.hidden = !this.may.schedule;
    pause.addEventListener('click', () => void this.setPaused(p, !p.paused));
    const title = h('button', { className: 'wb-pipelines-link wb-pipelines-card-title', attrs: { type: 'button', 'data-focus-key': `title:${p.id}` } }, [p.name]);
    title.addEventListener('click', () => this.options.onOpenPipeline(p.id));

    const scheduled = p.spec !== null && p.spec.triggers.some((t) => t.kind !== 'after');
    const next = p.paused
      ? 'paused'
      : p.nextFireAt
        ? h('time', { attrs: { datetime: p.nextFireAt }, title: formatTime(p.nextFireAt) }, [`${formatFireTime(p.nextFireAt, { timeZone: zoneOf(p), now })}${zoneOf(p) ? ` ${zoneOf(p)}` : ''} (${formatRelative(p.nextFireAt, now)})`])
        : scheduled
          ? 'none'
          : 'not scheduled';
    const last = p.lastRun
      ? h('span', {}, [statusBadge(p.lastRun.status), ' ', h('time', { attrs: { datetime: p.lastRun.createdAt }, title: formatTime(p.lastRun.createdAt) }, [formatRelative(p.lastRun.createdAt, now)])])
      : 'never run';
    const issueList = p.issues.map((i) => `Line ${i.line}: ${i.message}`);
    const message = this.messages.get(p.id);
    const messageNode = message
      ? h('div', { className: `wb-pipelines-card-message${message.state === 'error' ? ' wb-error-box' : ''}`, attrs: { 'data-state': message.state, role: 'status' } }, [message.text])
      : null;
    if (message?.runId && messageNode) {
      const link = h('button', { className: 'wb-pipelines-link wb-pipelines-card-message-open', attrs: { type: 'button' } }, ['Open the run']);
      const runId = message.runId;
      link.addEventListener('click', () => this.options.onOpenRun(runId));
      messageNode.append(' ', link);
    }
    const taskIds = p.spec?.tasks.map((t) => t.id) ?? [];
    return h('section', { className: 'wb-pipelines-card', attrs: { 'data-pipeline-id': p.id, 'data-path': p.path, 'data-paused': String(p.paused), 'data-issues': String(p.issues.length), 'aria-label': p.name } }, [
      h('div', { className: 'wb-pipelines-card-head' }, [
        h('h3', { className: 'wb-pipelines-card-name' }, [title]),
        p.issues.length > 0 ? h('span', { className: 'wb-badge wb-pipelines-issues-badge', title: issueList.join('\n') }, [plural(p.issues.length, 'error')]) : null,
        p.paused ? h('span', { className: 'wb-badge wb-pipelines-paused-badge', title: 'Its schedules do not fire; runs by hand still work' }, ['Paused']) : null,
        h('span', { className: 'wb-pipelines-spacer' }),
        h('div', { className: 'wb-pipelines-card-actions' }, [open, run, pause]),
      ]),
      h('code', { className: 'wb-pipelines-card-path' }, [p.path]),
      h('div', { className: 'wb-pipelines-facts' }, [
        h('div', { className: 'wb-pipelines-fact wb-pipelines-next-run' }, [h('span', { className: 'wb-pipelines-fact-label' }, ['Next run']), h('span', {}, [next])]),
        h('div', { className: 'wb-pipelines-fact wb-pipelines-last-run' }, [h('span', { className: 'wb-pipelines-fact-label' }, ['Last run']), h('span', {}, [last])]),
      ]),
      p.issues.length > 0
        ? h(
            'ul',
            { className: 'wb-pipelines-issues wb-error-box', attrs: { 'aria-label': `Errors in ${p.path}` } },
            p.issues.map((i) => h('li', { attrs: { 'data-line': String(i.line) } }, [h('span', { className: 'wb-pipelines-issue-line' }, [`Line ${i.line}`]), ` ${i.path ? `${i.path}: ` : ''}${i.message}`])),
          )
        : null,
      messageNode,
      p.lastRun ? matrixView(buildMatrix(this.runs.get(p.id) ?? [], taskIds), { name: p.name, onOpenRun: this.options.onOpenRun }) : null,
    ]);
  }

  private async act(p: PipelineSummary, working: string, action: string, work: () => Promise<{ text: string; runId?: string }>): Promise<void> {
    this.messages.set(p.id, { state: 'working', text: working });
    keepFocus(this.node, () => this.render());
    try {
      const done = await work();
      this.messages.set(p.id, { state: 'ok', ...done });
    } catch (err) {
      this.messages.set(p.id, { state: 'error', text: errorText(err, action) });
    }
    if (this.isDisposed) return;
    await this.refresh();
    keepFocus(this.node, () => this.render());
  }

  /** Runs `p` now with its defaults. */
  runNow(p: PipelineSummary): Promise<void> {
    return this.act(p, `Starting ${p.name}…`, `run ${p.name}`, async () => {
      const run = await this.options.client.runNow(p.id);
      return { text: `Started a run of ${p.name}.`, runId: run.id };
    });
  }

  setPaused(p: PipelineSummary, paused: boolean): Promise<void> {
    return this.act(p, paused ? 'Pausing…' : 'Resuming…', paused ? `pause ${p.name}` : `resume ${p.name}`, async () => {
      await this.options.client.setPaused(p.id, paused);
      return { text: paused ? `Paused: the schedules of ${p.name} do not fire.` : `Resumed: the schedules of ${p.name} fire again.` };
    });
  }

  private setState(state: State, message = ''): void {
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
