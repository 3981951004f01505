/**
 * The review queue (main area): documents newest first under filter tabs
 * (Needs review, Failed / dead letters, Posted, All; the first two with
 * how many wait), one row each: file, vendor, invoice number, date, total
 * and currency, confidence (a bar and its %), status, why it waits (the
 * first reason and how many more; a failure's error), received. A click on
 * a row (or Enter on its file name) opens the document. "Upload…" sends
 * PDF, PNG, JPEG or TIFF files as they are (`POST api/documents`); the
 * server's refusal (413, 415, 400) is shown with its own message. On the
 * dead-letter tab "Replay all" posts every failed posting again and says
 * what was replayed and what skipped. Reloads every 5 s while shown (never
 * while hidden, detached or disposed) and after each action.
 *
 * Laid out for a main area of about 650 to 1000 px: the table scrolls
 * sideways in its own box when it must, never the screen.
 *
 * DOM hooks: `.wb-review-queue[data-wb-review-state=loading|ready|empty|error][data-tab]`,
 * `button.wb-review-tab[data-tab][aria-selected]` (`.wb-review-tab-count`), `button.wb-review-upload`,
 * `input.wb-review-upload-input[type=file]`, `button.wb-review-replay-all`, `.wb-review-queue-message[data-state=working|ok|error]`
 * (`button.wb-review-open-uploaded[data-document-id]`), `.wb-review-status-line`, `table.wb-review-table`,
 * `tr.wb-review-row[data-document-id][data-status]` with cells `.wb-review-cell-file` (`button.wb-review-open`),
 * `-vendor` (`.wb-review-cut`), `-number`, `-date`, `-total` (`.wb-review-amount`), `-confidence`
 * (`.wb-review-confidence[data-level]`), `-status` (`.wb-review-status[data-status]`), `-why`
 * (`.wb-review-why-count`), `-received`; in a main area under about 1,080 px the number, date, confidence, why
 * and received columns fold into `.wb-review-sub` lines under the file, vendor, total and status.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { confidenceBar, statusBadge } from './badges';
import { formatAmount, formatRelative, formatTime, reasonSummary } from './format';
import { keepFocus } from './keep-focus';
import { Poll } from './poll';
import { COUNTED, QUEUE_TABS, tabCounts, tabSpec, type QueueTab } from './queue-tabs';
import { errorText, isAbort } from './review-api';
import type { ReviewClient } from './review-client';
import { abilitiesOf, type ReviewScreenOptions } from './screen-options';
import type { DocumentSummary } from './types';
import { UPLOAD_ACCEPT } from './upload-check';

type State = 'loading' | 'ready' | 'empty' | 'error';

export interface ReviewQueueOptions extends ReviewScreenOptions {
  /** The tab shown first (default Needs review). */
  tab?: QueueTab;
}

const EMPTY: Record<QueueTab, string> = {
  review: 'Nothing waits for review. Upload a receipt or a vendor bill, or send them to the intake webhook.',
  failed: 'No failed documents.',
  posted: 'Nothing has been posted to Odoo yet.',
  all: 'No documents yet. Upload a receipt or a vendor bill (PDF, PNG, JPEG or TIFF).',
};

export class ReviewQueue extends Widget {
  private readonly options: ReviewQueueOptions;
  private readonly client: ReviewClient;
  private readonly tabs: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly message: HTMLElement;
  private readonly body: HTMLElement;
  private readonly uploadButton: HTMLButtonElement;
  private readonly fileInput: HTMLInputElement;
  private readonly replayAllButton: HTMLButtonElement;
  private readonly poll: Poll;
  private tab: QueueTab;
  private docs: DocumentSummary[] = [];
  private deadLetters = new Set<string>();
  private counts: Partial<Record<QueueTab, number>> = {};
  private drawn = '';
  private abort: AbortController | null = null;
  private _pending: Promise<void>;

  constructor(options: ReviewQueueOptions) {
    super();
    this.options = options;
    this.client = options.client;
    this.tab = options.tab ?? 'review';
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-review-screen');
    this.addClass('wb-review-queue');
    this.fileInput = h('input', { className: 'wb-review-upload-input wb-sr-only', attrs: { type: 'file', accept: UPLOAD_ACCEPT, multiple: '', tabindex: '-1', 'aria-hidden': 'true' } });
    this.fileInput.addEventListener('change', () => void this.uploadChosen());
    this.uploadButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-review-upload', title: 'Upload receipts or vendor bills: PDF, PNG, JPEG or TIFF', attrs: { type: 'button' } }, ['Upload…']);
    this.uploadButton.addEventListener('click', () => this.fileInput.click());
    this.replayAllButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-review-replay-all', title: 'Post every failed posting to Odoo again (documents already posted are skipped)', attrs: { type: 'button' } }, ['Replay all']);
    this.replayAllButton.addEventListener('click', () => void this.replayAll());
    this.tabs = h('div', { className: 'wb-review-tabs', attrs: { role: 'tablist', 'aria-label': 'Which documents' } });
    this.message = h('div', { className: 'wb-review-queue-message', attrs: { role: 'status' } });
    this.message.hidden = true;
    this.statusLine = h('div', { className: 'wb-status wb-review-status-line', attrs: { role: 'status' } });
    this.body = h('div', { className: 'wb-review-table-wrap', attrs: { role: 'tabpanel' } });
    this.node.append(
      h('header', { className: 'wb-review-header' }, [
        h('div', { className: 'wb-review-titlebar' }, [h('h2', { className: 'wb-review-title' }, ['Documents']), h('span', { className: 'wb-review-spacer' }), this.replayAllButton, this.uploadButton, this.fileInput]),
        h('p', { className: 'wb-review-subtitle' }, ['Receipts and vendor bills: read, checked against Odoo, reviewed, posted as vendor bills.']),
      ]),
      this.tabs,
      this.message,
      this.statusLine,
      this.body,
    );
    this.poll = new Poll(options.pollMs ?? 5_000, () => this.load());
    this.drawTabs();
    this.setState('loading', 'Loading the documents…');
    this._pending = this.load();
  }

  /** The load in flight, or the last one. */
  get pending(): Promise<void> {
    return this._pending;
  }

  get currentTab(): QueueTab {
    return this.tab;
  }

  refresh(): Promise<void> {
    this._pending = this.load();
    return this._pending;
  }

  /** Shows `tab` (and loads it). */
  showTab(tab: QueueTab): Promise<void> {
    if (tab !== this.tab) {
      this.tab = tab;
      this.message.hidden = true;
      this.docs = [];
      this.drawn = '';
      replaceChildren(this.body, []);
      this.drawTabs();
      this.setState('loading', 'Loading the documents…');
    }
    return this.refresh();
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
    const spec = tabSpec(this.tab);
    try {
      const [docs, waiting, dead, may] = await Promise.all([
        this.client.list({ statuses: spec.statuses, limit: 200 }, { signal }),
        this.client.list({ statuses: COUNTED, limit: 1000 }, { signal }),
        this.tab === 'failed' || this.tab === 'all' ? this.client.deadLetters({ signal }) : Promise.resolve([]),
        abilitiesOf(this.options),
      ]);
      if (signal.aborted || this.isDisposed) return;
      this.docs = docs;
      this.deadLetters = new Set(dead.map((d) => d.id));
      this.counts = tabCounts(waiting);
      this.drawTabs();
      this.uploadButton.hidden = !may.write;
      this.replayAllButton.hidden = !(may.write && this.tab === 'failed');
      this.replayAllButton.disabled = this.deadLetters.size === 0;
      this.render();
      if (docs.length === 0) this.setState('empty', EMPTY[this.tab]);
      else this.setState('ready');
    } catch (err) {
      if (signal.aborted || isAbort(err) || this.isDisposed) return;
      this.setState('error', errorText(err, 'list the documents'));
    }
  }

  private drawTabs(): void {
    keepFocus(this.node, () =>
      replaceChildren(
        this.tabs,
        QUEUE_TABS.map((t) => {
          const selected = t.id === this.tab;
          const count = this.counts[t.id];
          const b = h('button', { className: 'wb-review-tab', attrs: { type: 'button', role: 'tab', 'aria-selected': String(selected), 'data-tab': t.id, tabindex: selected ? '0' : '-1', 'data-focus-key': `tab:${t.id}` } }, [
            t.label,
            count !== undefined && count > 0 ? h('span', { className: 'wb-review-tab-count', attrs: { 'aria-label': `${count} waiting` } }, [String(count)]) : null,
          ]);
          b.addEventListener('click', () => void this.showTab(t.id));
          b.addEventListener('keydown', (e) => this.tabKey(e, t.id));
          return b;
        }),
      ),
    );
    this.node.dataset.tab = this.tab;
  }

  /** Arrow keys move between tabs (the WAI-ARIA tabs pattern). */
  private tabKey(e: KeyboardEvent, id: QueueTab): void {
    const i = QUEUE_TABS.findIndex((t) => t.id === id);
    const to = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? QUEUE_TABS.length - 1 : -1;
    if (to < 0 || to >= QUEUE_TABS.length || (e.key !== 'Home' && e.key !== 'End' && to === i)) return;
    e.preventDefault();
    const next = QUEUE_TABS[to]!.id;
    void this.showTab(next).then(() => this.tabs.querySelector<HTMLElement>(`[data-tab="${next}"]`)?.focus());
  }

  private render(): void {
    const now = (this.options.now ?? Date.now)();
    // Unchanged rows are not redrawn (a hover, a selection or a scroll position survives the poll).
    const key = JSON.stringify([this.docs, [...this.deadLetters], Math.floor(now / 60_000)]);
    if (key === this.drawn) return;
    this.drawn = key;
    if (this.docs.length === 0) {
      replaceChildren(this.body, []);
      return;
    }
    const head = ['File', 'Vendor', 'Invoice no.', 'Date', 'Total', 'Confidence', 'Status', 'Why it waits', 'Received'];
    const cls = ['file', 'vendor', 'number', 'date', 'total', 'confidence', 'status', 'why', 'received'];
    keepFocus(this.node, () =>
      replaceChildren(this.body, [
        h('table', { className: 'wb-review-table' }, [
          h('thead', {}, [h('tr', {}, head.map((t, i) => h('th', { className: `wb-review-cell-${cls[i]}`, attrs: { scope: 'col' } }, [t])))]),
          h('tbody', {}, this.docs.map((d) => this.row(d, now))),
        ]),
      ]),
    );
  }

  private row(d: DocumentSummary, now: number): HTMLTableRowElement {
    const open = h('button', { className: 'wb-review-link wb-review-open', title: d.filename, attrs: { type: 'button', 'data-focus-key': `open:${d.id}`, 'aria-label': `Open ${d.filename}` } }, [d.filename]);
    open.addEventListener('click', (e) => {
      e.stopPropagation();
      this.options.onOpenDocument(d.id);
    });
    const why = this.why(d);
    const received = () => h('time', { attrs: { datetime: d.receivedAt }, title: `${formatTime(d.receivedAt)} by ${d.uploadedBy}` }, [formatRelative(d.receivedAt, now)]);
    // In a narrow main area the table folds to four columns: what the hidden cells say goes under the visible ones (.wb-review-sub).
    const sub = (children: (Node | string | null)[]) => h('span', { className: 'wb-review-sub' }, children);
    const tr = h('tr', { className: 'wb-review-row', attrs: { 'data-document-id': d.id, 'data-status': d.status } }, [
      h('td', { className: 'wb-review-cell-file' }, [
        open,
        d.status === 'failed' ? h('span', { className: 'wb-review-failed-kind' }, [this.deadLetters.has(d.id) ? 'Posting failed' : 'Reading failed']) : null,
        sub([received(), ` · ${d.uploadedBy}`]),
      ]),
      h('td', { className: 'wb-review-cell-vendor', title: d.vendor ?? '' }, [h('span', { className: 'wb-review-cut' }, [d.vendor ?? '—']), sub([[d.invoiceNumber, d.invoiceDate].filter((x) => x).join(' · ')])]),
      h('td', { className: 'wb-review-cell-number', title: d.invoiceNumber ?? '' }, [d.invoiceNumber ?? '—']),
      h('td', { className: 'wb-review-cell-date' }, [d.invoiceDate ?? '—']),
      h('td', { className: 'wb-review-cell-total' }, [h('span', { className: 'wb-review-amount' }, [formatAmount(d.total, d.currency)]), sub([confidenceBar(d.confidence, `Confidence of ${d.filename}`)])]),
      h('td', { className: 'wb-review-cell-confidence' }, [confidenceBar(d.confidence, `Confidence of ${d.filename}`)]),
      h('td', { className: 'wb-review-cell-status', title: why.title }, [statusBadge(d.status), sub(this.why(d).node)]),
      h('td', { className: 'wb-review-cell-why', title: why.title }, why.node),
      h('td', { className: 'wb-review-cell-received' }, [received()]),
    ]);
    tr.addEventListener('click', () => this.options.onOpenDocument(d.id));
    return tr;
  }

  private why(d: DocumentSummary): { node: (Node | string)[]; title: string } {
    if (d.status === 'failed' && d.error) return { node: [h('span', { className: 'wb-review-why-error' }, [d.error])], title: d.error };
    if (d.status === 'posted' && d.odoo) return { node: [`${d.odoo.model} ${d.odoo.id}`], title: `Posted to Odoo as ${d.odoo.model} ${d.odoo.id}` };
    // Reasons are why it waits: only a document waiting for review has them to show.
    const s = reasonSummary(d.status === 'needs_review' ? d.reviewReasons : []);
    if (s.first === '') return { node: [], title: '' };
    return { node: [h('span', { className: 'wb-review-why-first' }, [s.first]), s.more > 0 ? h('span', { className: 'wb-badge wb-review-why-count', title: d.reviewReasons.slice(1).join('\n') }, [`+${s.more}`]) : null].filter((n): n is HTMLElement => n !== null), title: d.reviewReasons.join('\n') };
  }

  private async uploadChosen(): Promise<void> {
    const files = [...(this.fileInput.files ?? [])];
    this.fileInput.value = '';
    if (files.length === 0) return;
    this.uploadButton.disabled = true;
    const done: { id: string; text: string }[] = [];
    const failed: string[] = [];
    try {
      for (const [i, file] of files.entries()) {
        this.say('working', `Uploading ${file.name}${files.length > 1 ? ` (${i + 1} of ${files.length})` : ''}…`);
        try {
          const r = await this.client.upload(file);
          done.push({ id: r.document.id, text: r.duplicate ? `${file.name} was received before (${formatTime(r.document.receivedAt)}); it is that document.` : `Uploaded ${file.name}: it is being read.` });
        } catch (err) {
          failed.push(errorText(err, `upload ${file.name}`));
        }
      }
    } finally {
      this.uploadButton.disabled = false;
    }
    if (this.isDisposed) return;
    const open = done.length === 1 ? h('button', { className: 'wb-review-link wb-review-open-uploaded', attrs: { type: 'button', 'data-document-id': done[0]!.id } }, ['Open it']) : null;
    open?.addEventListener('click', () => this.options.onOpenDocument(done[0]!.id));
    this.say(failed.length > 0 ? 'error' : 'ok', [...done.map((d) => d.text), ...failed].join(' '), open);
    await this.refresh();
  }

  private async replayAll(): Promise<void> {
    this.replayAllButton.disabled = true;
    this.say('working', 'Posting the failed documents again…');
    try {
      const r = await this.client.replayAll();
      const skipped = r.skipped.map((s) => `${this.docs.find((d) => d.id === s.id)?.filename ?? s.id}: ${s.reason}`);
      this.say('ok', `Replayed ${r.replayed.length}, skipped ${r.skipped.length}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}.`);
    } catch (err) {
      this.say('error', errorText(err, 'replay the failed postings'));
    }
    if (!this.isDisposed) await this.refresh();
  }

  private say(state: 'working' | 'ok' | 'error', text: string, extra: Node | null = null): void {
    this.message.hidden = false;
    this.message.dataset.state = state;
    this.message.className = `wb-review-queue-message${state === 'error' ? ' wb-error-box' : ''}`;
    this.message.setAttribute('role', state === 'error' ? 'alert' : 'status');
    replaceChildren(this.message, [text, extra ? ' ' : null, extra]);
  }

  private setState(state: State, message = ''): void {
    this.node.dataset.wbReviewState = state;
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
