/**
 * A document's page in the main area: on the left its page images with
 * every extracted field's box drawn over them (page-view.ts), on the right
 * the fields as an editable form with their confidences and the line items
 * (field-form.ts), then the Odoo vendor and the search to choose it
 * (vendor-picker.ts), why it waits and the rule issues, possible duplicates, the posting (the Odoo record and the
 * posting key, once posted) and the history (document-sections.ts). A box
 * and its field light up together, from either side.
 *
 * Save corrections sends only the fields that changed (and the lines, when
 * one did) with the version loaded (`POST .../correct`); the answer is the
 * document checked again, drawn at once. Approve (`POST .../approve
 * {version}`) is offered once nothing is left unsaved; a refusal is shown
 * in a banner at the top with the server's message, the four-eyes rule's
 * (403) under its own heading. When the document says the four-eyes rule
 * keeps the signed-in user from approving it (four-eyes.ts: they uploaded
 * or corrected it, and the total is at or over the limit), Approve is
 * disabled (aria-disabled, so it stays in the tab order described by the
 * reason) and the reason is written beside it. Choosing the Odoo vendor
 * sends `POST .../correct {partner_id, version}` (with any field typed
 * and not saved yet: one correction). Reject asks for a reason (reject-dialog.ts).
 * Replay posts a failed posting again. The page reloads every 2 s while
 * the server works on the document (reading, posting) and every 10 s
 * otherwise, only while shown; a reload never drops what was typed (it
 * says so when someone else changed the document meanwhile).
 *
 * Laid out in two columns from about 760 px of width, one below it (a
 * container query); nothing scrolls sideways but the zoomed pages and the
 * lines table, each in its own box.
 *
 * DOM hooks: `.wb-review-document[data-document-id][data-wb-review-state=loading|ready|error][data-status][data-dirty]`,
 * `.wb-review-doc-bar` (sticky) with `.wb-review-doc-title`, `.wb-review-doc-status .wb-review-status[data-status]`, `.wb-review-doc-facts`,
 * `.wb-review-doc-odoo` (`.wb-review-odoo-record`), `button.wb-review-save`, `button.wb-review-approve[aria-disabled]`,
 * `.wb-review-four-eyes-note` (`.wb-review-four-eyes-text`),
 * `button.wb-review-reject`, `button.wb-review-replay`, `.wb-review-dirty-note`,
 * `.wb-review-banner[data-kind=working|ok|error|four_eyes|changed]` (`.wb-review-banner-title`, `.wb-review-banner-text`),
 * sections `.wb-review-section-fields`, `-lines`, `-vendor`, `-reasons`, `-duplicates`, `-posting`, `-history`;
 * the pages (page-view.ts), the form (field-form.ts), the vendor (vendor-picker.ts), the sections (document-sections.ts).
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { statusBadge } from './badges';
import { correctionOf } from './corrections';
import { duplicatesView, factsLine, historyView, outcomeLine, postingView, reasonsView, section } from './document-sections';
import { FieldForm } from './field-form';
import { fourEyesHint } from './four-eyes';
import { fieldLabel, formatConfidence, isLowConfidence, savedText } from './format';
import { keepFocus } from './keep-focus';
import { PageView, type BoxItem } from './page-view';
import { Poll } from './poll';
import { errorText, isAbort, ReviewError } from './review-api';
import { showRejectDialog } from './reject-dialog';
import { READ_ONLY, abilitiesOf, type ReviewScreenOptions } from './screen-options';
import { FIELD_NAMES, UNSETTLED, type Correction, type DocumentDetail, type DocumentView, type Partner, type ReviewAbilities } from './types';
import { VendorPicker } from './vendor-picker';

export interface DocumentPageOptions extends ReviewScreenOptions {
  documentId: string;
  /** Reload period while the server works on the document; default 2 s. */
  busyPollMs?: number;
}

type BannerKind = 'working' | 'ok' | 'error' | 'four_eyes' | 'changed';

export class DocumentPage extends Widget {
  readonly documentId: string;
  private readonly options: DocumentPageOptions;
  private readonly titleNode: HTMLElement;
  private readonly statusBox: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly odooBox: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly barSize: ResizeObserver;
  private readonly saveButton: HTMLButtonElement;
  private readonly approveButton: HTMLButtonElement;
  private readonly fourEyesNote: HTMLElement;
  private readonly rejectButton: HTMLButtonElement;
  private readonly replayButton: HTMLButtonElement;
  private readonly dirtyNote: HTMLElement;
  private readonly pages: PageView;
  private readonly form: FieldForm;
  private readonly vendor: VendorPicker;
  private readonly reasonsBox: HTMLElement;
  private readonly duplicatesSection: HTMLElement;
  private readonly duplicatesBox: HTMLElement;
  private readonly postingSection: HTMLElement;
  private readonly postingBox: HTMLElement;
  private readonly historyBox: HTMLElement;
  private readonly poll: Poll;
  private detail: DocumentDetail | null = null;
  /** What the form shows (its version); a reload with another one redraws it, unless something is typed. */
  private formDrawn = '';
  private may: ReviewAbilities = READ_ONLY;
  private busy = false;
  private abort: AbortController | null = null;
  private _pending: Promise<void>;

  constructor(options: DocumentPageOptions) {
    super();
    this.options = options;
    this.documentId = options.documentId;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-review-screen');
    this.addClass('wb-review-document');
    this.node.dataset.documentId = options.documentId;
    this.node.dataset.dirty = 'false';
    const button = (cls: string, label: string, onClick: () => void) => {
      const b = h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button' } }, [label]);
      b.addEventListener('click', onClick);
      return b;
    };
    this.saveButton = button('jp-mod-accept wb-review-save', 'Save corrections', () => void this.save());
    this.approveButton = button('jp-mod-accept wb-review-approve', 'Approve', () => void this.approve());
    this.fourEyesNote = h('span', { className: 'wb-review-four-eyes-note', attrs: { id: `wb-review-four-eyes-${options.documentId}` } }, [
      h('span', { className: 'wb-badge wb-review-four-eyes-badge', attrs: { 'aria-hidden': 'true' } }, ['Four eyes']),
      ' ',
      h('span', { className: 'wb-review-four-eyes-text' }),
    ]);
    this.fourEyesNote.hidden = true;
    this.rejectButton = button('jp-mod-warn wb-review-reject', 'Reject…', () => void this.reject());
    this.replayButton = button('jp-mod-reject wb-review-replay', 'Replay posting', () => void this.replay());
    this.replayButton.title = 'Post this document to Odoo again (it is never posted twice: the posting key is kept)';
    this.dirtyNote = h('span', { className: 'wb-review-dirty-note', attrs: { role: 'status' } });
    this.titleNode = h('h2', { className: 'wb-review-title wb-review-doc-title' }, ['Document']);
    this.statusBox = h('span', { className: 'wb-review-doc-status' });
    this.facts = h('p', { className: 'wb-review-doc-facts' });
    this.odooBox = h('p', { className: 'wb-review-doc-odoo' });
    this.odooBox.hidden = true;
    this.bar = h('div', { className: 'wb-review-doc-bar' }, [
      h('div', { className: 'wb-review-titlebar' }, [this.titleNode, this.statusBox]),
      h('div', { className: 'wb-review-actions' }, [this.saveButton, this.approveButton, this.rejectButton, this.replayButton, this.dirtyNote, this.fourEyesNote]),
    ]);
    // Sticky things below the bar (the pages column, a banner scrolled to) need its height, which wraps with the width.
    this.barSize = new ResizeObserver(() => this.node.style.setProperty('--wb-review-bar-height', `${this.bar.offsetHeight}px`));
    this.barSize.observe(this.bar);
    this.banner = h('div', { className: 'wb-review-banner', attrs: { role: 'status', tabindex: '-1' } });
    this.banner.hidden = true;
    this.pages = new PageView({
      client: options.client,
      documentId: options.documentId,
      // The box pointed at, else the field with the focus.
      onHover: (key) => this.light(key ?? this.form.focusedKey(), false),
      onPick: (key) => this.form.focusKey(key),
    });
    this.form = new FieldForm({ onFocusKey: (key) => this.light(key, true), onChange: () => this.updateButtons() });
    this.vendor = new VendorPicker({ search: (q, signal) => options.client.partners(q, { signal }), onChoose: (p) => this.chooseVendor(p) });
    this.reasonsBox = h('div', {});
    this.duplicatesBox = h('div', {});
    this.postingBox = h('div', {});
    this.historyBox = h('div', {});
    this.duplicatesSection = section('Possible duplicates', 'wb-review-section-duplicates', [this.duplicatesBox]);
    this.postingSection = section('Posting to Odoo', 'wb-review-section-posting', [this.postingBox]);
    this.node.append(
      // The title, status and actions stay at the top while the page scrolls (Save and Approve always at hand).
      this.bar,
      h('header', { className: 'wb-review-header wb-review-doc-header' }, [this.facts, this.odooBox]),
      this.banner,
      h('div', { className: 'wb-review-doc-body' }, [
        h('div', { className: 'wb-review-doc-pages' }, [this.pages.node]),
        h('div', { className: 'wb-review-doc-details' }, [
          section('Fields', 'wb-review-section-fields', [this.form.fieldsNode]),
          section('Line items', 'wb-review-section-lines', [this.form.linesNode]),
          section('Odoo vendor', 'wb-review-section-vendor', [this.vendor.node]),
          section('Why it waits', 'wb-review-section-reasons', [this.reasonsBox]),
          this.duplicatesSection,
          this.postingSection,
          section('History', 'wb-review-section-history', [this.historyBox]),
        ]),
      ]),
    );
    this.poll = new Poll(10_000, () => this.load());
    this.setState('loading');
    this.facts.textContent = 'Loading the document…';
    this.updateButtons();
    this._pending = this.load();
  }

  /** The load in flight, or the last one. */
  get pending(): Promise<void> {
    return this._pending;
  }

  /** The document as last loaded. */
  get document(): DocumentView | null {
    return this.detail?.document ?? null;
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
    try {
      const [detail, may] = await Promise.all([this.options.client.get(this.documentId, { signal: abort.signal }), abilitiesOf(this.options)]);
      if (abort.signal.aborted || this.isDisposed) return;
      this.may = may;
      this.draw(detail);
      this.setState('ready');
    } catch (err) {
      if (abort.signal.aborted || isAbort(err) || this.isDisposed) return;
      if (this.detail === null) {
        this.setState('error');
        this.say('error', errorText(err, 'load the document'));
      }
    }
  }

  /**
   * Draws `detail`; the form only when nothing is typed (else it says the
   * document changed, when it did), or when `ours` (the answer to this
   * page's own save: what was typed is what it holds now).
   */
  private draw(detail: DocumentDetail, ours = false): void {
    const before = this.detail?.document;
    // An answer older than what is shown (a reload sent before a save) changes nothing.
    if (before && detail.document.version < before.version) return;
    this.detail = detail;
    const doc = detail.document;
    this.poll.setPeriod(UNSETTLED.has(doc.status) ? (this.options.busyPollMs ?? 2_000) : (this.options.pollMs ?? 10_000));
    this.node.dataset.status = doc.status;
    this.titleNode.textContent = doc.filename;
    this.titleNode.title = doc.filename;
    replaceChildren(this.statusBox, [statusBadge(doc.status)]);
    this.drawFacts(doc);
    const formKey = `${doc.version}:${doc.status}:${this.may.write}`;
    if (formKey !== this.formDrawn) {
      if (!ours && this.form.changed && before && before.version !== doc.version) {
        this.say('changed', 'Someone changed this document since you loaded it (see History). Your edits are kept, but saving them will be refused: copy what you need, then Reload.');
      } else if (ours || !this.form.changed) {
        this.formDrawn = formKey;
        keepFocus(this.node, () => this.form.show(doc, this.editable(doc)));
      }
    }
    const items: BoxItem[] = [];
    for (const name of FIELD_NAMES) {
      const f = doc.fields?.[name];
      if (f?.box) items.push({ key: `field:${name}`, label: `${fieldLabel(name)}: ${f.value ?? 'not read'} (${formatConfidence(f.confidence)})`, box: f.box, low: f.value !== null && f.source !== 'user' && isLowConfidence(f.confidence) });
    }
    doc.lines.forEach((l, i) => l.box && items.push({ key: `line:${i}`, label: `Line ${i + 1}: ${l.description}`, box: l.box, low: isLowConfidence(l.confidence) }));
    if (before && before.status !== doc.status) this.sayProgress(doc);
    this.pages.show(doc.pageSizes, items, doc.status === 'received' || doc.status === 'extracting' ? 'The document is being read; its pages show here once it is.' : 'No page images.');
    this.vendor.show(doc, detail.events, this.editable(doc));
    replaceChildren(this.reasonsBox, reasonsView(doc));
    const dups = duplicatesView(doc, this.options.onOpenDocument);
    replaceChildren(this.duplicatesBox, [dups]);
    this.duplicatesSection.hidden = dups === null;
    const posting = postingView(doc);
    replaceChildren(this.postingBox, [posting]);
    this.postingSection.hidden = posting === null;
    replaceChildren(this.historyBox, [historyView(detail.events)]);
    this.updateButtons();
  }

  private drawFacts(doc: DocumentView): void {
    replaceChildren(this.facts, factsLine(doc, this.may.username));
    const outcome = outcomeLine(doc);
    this.odooBox.hidden = outcome.length === 0;
    replaceChildren(this.odooBox, outcome);
  }

  private editable(doc: DocumentView): boolean {
    return doc.status === 'needs_review' && this.may.write;
  }

  private updateButtons(): void {
    const doc = this.detail?.document ?? null;
    const reviewing = doc !== null && this.editable(doc);
    const dirty = reviewing && this.form.changed;
    this.node.dataset.dirty = String(dirty);
    this.saveButton.hidden = !reviewing;
    this.saveButton.disabled = this.busy || !dirty;
    this.approveButton.hidden = !reviewing;
    this.approveButton.disabled = this.busy || dirty;
    // The four-eyes rule keeps this user from approving: said beside Approve, which stays focusable (and says it too).
    const hint = reviewing ? fourEyesHint(doc, this.may.username) : null;
    this.fourEyesNote.hidden = hint === null;
    this.fourEyesNote.querySelector('.wb-review-four-eyes-text')!.textContent = hint?.text ?? '';
    this.approveButton.setAttribute('aria-disabled', String(hint !== null));
    if (hint) this.approveButton.setAttribute('aria-describedby', this.fourEyesNote.id);
    else this.approveButton.removeAttribute('aria-describedby');
    this.rejectButton.hidden = !(doc !== null && this.may.write && (doc.status === 'needs_review' || doc.status === 'failed'));
    this.rejectButton.disabled = this.busy;
    this.replayButton.hidden = !(doc !== null && this.may.write && doc.status === 'failed' && doc.posting !== null);
    this.replayButton.disabled = this.busy;
    this.dirtyNote.textContent = dirty ? 'Unsaved corrections: save them before approving.' : '';
  }

  /** Lights up `key`'s box and field together; `reveal` scrolls its box into view (the form had the focus). */
  private light(key: string | null, reveal: boolean): void {
    this.pages.highlight(key, reveal);
    this.form.highlight(key);
  }

  private async act(working: string, work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.updateButtons();
    this.say('working', working);
    try {
      await work();
    } finally {
      this.busy = false;
      if (!this.isDisposed) this.updateButtons();
    }
  }

  /** Sends the fields that changed (and the lines, when one did). */
  save(): Promise<void> {
    return this.act('Saving the corrections…', async () => {
      const doc = this.detail?.document;
      if (!doc) return;
      const change = correctionOf(doc, this.form.texts(), this.form.lines());
      if (change === null) {
        this.say('ok', 'Nothing to save: no field differs from the document.');
        return;
      }
      await this.sendCorrection(doc, change);
    });
  }

  /** Makes `partner` the document's Odoo vendor (with what was typed and not saved yet); true once the server took it. */
  async chooseVendor(partner: Partner): Promise<boolean> {
    let taken = false;
    await this.act(`Setting the Odoo vendor to ${partner.name}…`, async () => {
      const doc = this.detail?.document;
      if (!doc) return;
      // The server records no change for the partner already matched (a similar-name match stays one): nothing to send.
      if (doc.vendorMatch?.partnerId === partner.id) {
        this.say('ok', `“${doc.vendorMatch.name}” (partner ${partner.id}) is already the Odoo vendor of this document.`);
        taken = true;
        return;
      }
      const change: Correction = { ...correctionOf(doc, this.form.texts(), this.form.lines()), partner_id: partner.id, version: doc.version };
      taken = await this.sendCorrection(doc, change, partner);
    });
    return taken;
  }

  /** Sends a correction and draws the answer at once (then the history with a reload); true once the server took it. */
  private async sendCorrection(doc: DocumentView, change: Correction, partner?: Partner): Promise<boolean> {
    try {
      const saved = await this.options.client.correct(doc.id, change);
      if (this.isDisposed) return false;
      this.draw({ document: saved, events: this.detail?.events ?? [] }, true);
      this.say('ok', savedText(change, saved, partner));
      await this.refresh();
      return true;
    } catch (err) {
      this.sayError(err, partner ? 'set the Odoo vendor' : 'save the corrections');
      return false;
    }
  }

  approve(): Promise<void> {
    // Disabled by the four-eyes rule (aria-disabled keeps it clickable): the note beside it says why.
    if (this.approveButton.getAttribute('aria-disabled') === 'true') return Promise.resolve();
    return this.act('Approving…', async () => {
      const doc = this.detail?.document;
      if (!doc) return;
      try {
        const approved = await this.options.client.approve(doc.id, doc.version);
        if (this.isDisposed) return;
        this.draw({ document: approved, events: this.detail?.events ?? [] });
        this.say('ok', 'Approved: it is being posted to Odoo.');
      } catch (err) {
        this.sayError(err, 'approve the document');
      }
      await this.refresh();
    });
  }

  async reject(): Promise<void> {
    const doc = this.detail?.document;
    if (!doc || this.busy) return;
    const rejected = await showRejectDialog(this.options.client, doc);
    if (!rejected || this.isDisposed) return;
    this.draw({ document: rejected, events: this.detail?.events ?? [] });
    this.say('ok', `Rejected: ${rejected.rejectReason ?? ''}`);
    await this.refresh();
  }

  replay(): Promise<void> {
    return this.act('Posting again…', async () => {
      try {
        const r = await this.options.client.replay(this.documentId);
        if (this.isDisposed) return;
        const skipped = r.skipped[0];
        this.say('ok', skipped ? `Not replayed: ${skipped.reason}.` : 'Replayed: it is being posted to Odoo again.');
      } catch (err) {
        this.sayError(err, 'replay the posting');
      }
      await this.refresh();
    });
  }

  /** The banner follows what this page started (an approval, a replay) to its end: posted, or failed. */
  private sayProgress(doc: DocumentView): void {
    const kind = this.banner.hidden ? null : this.banner.dataset.kind;
    if (kind !== 'ok' && kind !== 'working') return;
    if (doc.status === 'posted' && doc.odoo) this.say('ok', `Posted to Odoo as ${doc.odoo.model} ${doc.odoo.id}.`);
    else if (doc.status === 'failed') this.say('error', `Posting failed: ${doc.error ?? 'no reason given'}. Replay posts it again.`);
  }

  private sayError(err: unknown, action: string): void {
    if (err instanceof ReviewError && err.rule === 'four_eyes') this.say('four_eyes', errorText(err, action), 'Four-eyes rule: another reviewer must approve');
    else this.say('error', errorText(err, action));
  }

  private say(kind: BannerKind, text: string, title?: string): void {
    this.banner.hidden = false;
    this.banner.dataset.kind = kind;
    const alert = kind === 'error' || kind === 'four_eyes' || kind === 'changed';
    this.banner.className = `wb-review-banner${alert ? ' wb-error-box' : ''}`;
    this.banner.setAttribute('role', alert ? 'alert' : 'status');
    replaceChildren(this.banner, [title ? h('strong', { className: 'wb-review-banner-title' }, [title]) : null, h('span', { className: 'wb-review-banner-text' }, [text])]);
    if (alert) this.banner.scrollIntoView({ block: 'nearest' });
  }

  private setState(state: 'loading' | 'ready' | 'error'): void {
    this.node.dataset.wbReviewState = state;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.abort?.abort();
    this.barSize.disconnect();
    this.poll.dispose();
    this.pages.dispose();
    this.vendor.dispose();
    super.dispose();
  }
}
