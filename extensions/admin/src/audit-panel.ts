/**
 * "Audit log" (admins): the hash-chained record of every action, oldest
 * first as the server pages it ("Load more" fetches the later ones), with
 * a filter bar (user, action, resource, from, to), the full record of a
 * clicked row, a chain check with its verdict in a banner, and JSON Lines /
 * CSV export of what the filters select.
 *
 * DOM hooks: `.wb-admin-audit[data-wb-admin="audit"][data-wb-admin-state=loading|ready|empty|error]`,
 * `form.wb-admin-audit-filters` with `input[name=user|action|resource|since|until]`,
 * `button.wb-admin-audit-apply`, `button.wb-admin-audit-clear`, `.wb-admin-audit-filter-error`
 * (the server's 400 message for a bad filter), `button.wb-admin-audit-verify`,
 * `.wb-admin-verify-banner[data-wb-admin-verify=checking|ok|broken|error]`,
 * `a.wb-admin-audit-export[data-format=jsonl|csv]`,
 * `tr.wb-admin-audit-record[data-seq][data-outcome][aria-expanded]` (cells `.wb-admin-audit-seq`, `-time`,
 * `-actor` with `-actor-name`, `-role`, `-via`, then `-resource`, `-action`, `-target`, `-outcome`), the detail
 * row after a clicked one `tr.wb-admin-audit-detail[data-seq] pre.wb-admin-audit-detail-json`,
 * `.wb-admin-audit-count`, `button.wb-admin-audit-more`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { AdminError, errorText } from './admin-api';
import type { AdminClient } from './admin-client';
import { auditQueryFromForm, formatActor, formatDateParts, formatPreciseTime, recordJson, verifyText, type AuditFormValues, type FormatOptions } from './format';
import { AdminScreen, headRow } from './screen';
import type { AuditQuery, AuditRecord, ExportFormat } from './types';

export interface AuditPanelOptions {
  client: AdminClient;
  /** Records per page (1..1000); default 200. */
  pageSize?: number;
  format?: FormatOptions;
}

export type VerifyState = 'checking' | 'ok' | 'broken' | 'error';

const COLUMNS = ['#', 'Time', 'Actor', 'Resource', 'Action', 'Target', 'Outcome'];
const FIELDS: { name: keyof AuditFormValues; label: string; type: string; placeholder?: string }[] = [
  { name: 'user', label: 'User', type: 'text', placeholder: 'username' },
  { name: 'action', label: 'Action', type: 'text', placeholder: 'e.g. write' },
  { name: 'resource', label: 'Resource', type: 'text', placeholder: 'e.g. contents' },
  { name: 'since', label: 'From', type: 'datetime-local' },
  { name: 'until', label: 'To', type: 'datetime-local' },
];

export class AuditPanel extends AdminScreen {
  private readonly options: AuditPanelOptions;
  private readonly form: HTMLFormElement;
  private readonly inputs = new Map<keyof AuditFormValues, HTMLInputElement>();
  private readonly filterError: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly verifyButton: HTMLButtonElement;
  private readonly exportLinks: Map<ExportFormat, HTMLAnchorElement>;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly countNode: HTMLElement;
  private readonly moreButton: HTMLButtonElement;
  private query: AuditQuery = {};
  private records: AuditRecord[] = [];
  private nextAfter: number | null = null;
  private expanded: number | null = null;
  private moreAbort: AbortController | null = null;
  private verifyAbort: AbortController | null = null;

  constructor(options: AuditPanelOptions) {
    super('audit', 'Audit log', [
      'Every change, data read and refused request, oldest first. Each record holds the hash of the one before it, so an edited, removed or reordered record shows up when the chain is verified. Click a record for all of it.',
    ]);
    this.options = options;

    this.verifyButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-admin-audit-verify', attrs: { type: 'button' } }, ['Verify chain']);
    this.exportLinks = new Map(
      (['jsonl', 'csv'] as const).map((f) => [
        f,
        h('a', { className: 'jp-Button jp-mod-styled wb-button-link wb-admin-link-as-button wb-admin-audit-export', attrs: { 'data-format': f, download: `audit.${f}`, role: 'button' }, title: 'Download the records the filters select' }, [
          f === 'csv' ? 'Export CSV' : 'Export JSON Lines',
        ]),
      ]),
    );
    this.headerNode.append(h('div', { className: 'wb-admin-toolbar' }, [this.verifyButton, ...this.exportLinks.values()]));
    this.banner = h('div', { className: 'wb-admin-verify-banner', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.banner.hidden = true;

    const fields = FIELDS.map((f) => {
      const input = h('input', { className: 'jp-mod-styled wb-input wb-admin-input', attrs: { type: f.type, name: f.name, placeholder: f.placeholder, autocomplete: 'off' } });
      this.inputs.set(f.name, input);
      return h('label', { className: `wb-field wb-admin-field wb-admin-field-${f.name}` }, [h('span', { className: 'wb-label wb-admin-label' }, [f.label]), input]);
    });
    this.filterError = h('div', { className: 'wb-admin-form-error wb-admin-audit-filter-error', attrs: { role: 'alert' } });
    this.filterError.hidden = true;
    this.form = h('form', { className: 'wb-form wb-admin-form wb-admin-audit-filters', attrs: { 'aria-label': 'Filter the audit log', novalidate: '' } }, [
      ...fields,
      h('div', { className: 'wb-field wb-admin-field wb-admin-field-button' }, [
        h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-admin-audit-apply', attrs: { type: 'submit' } }, ['Apply']),
        h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-admin-audit-clear', attrs: { type: 'reset' } }, ['Clear']),
      ]),
      this.filterError,
    ]);

    this.body = h('tbody');
    this.table = h('table', { className: 'wb-admin-table wb-admin-audit-table', attrs: { 'aria-label': 'Audit records, oldest first' } }, [headRow(COLUMNS), this.body]);
    this.countNode = h('span', { className: 'wb-admin-audit-count' });
    this.moreButton = h('button', { className: 'jp-Button jp-mod-styled wb-admin-audit-more', attrs: { type: 'button' } }, ['Load more']);
    this.moreButton.hidden = true;

    this.node.append(
      this.banner,
      h('section', { className: 'wb-admin-section' }, [this.form]),
      this.statusNode,
      h('div', { className: 'wb-admin-table-wrap' }, [this.table]),
      h('div', { className: 'wb-admin-footer' }, [this.countNode, this.moreButton]),
    );

    this.form.addEventListener('submit', this.onSubmit);
    this.form.addEventListener('reset', this.onReset);
    this.verifyButton.addEventListener('click', this.onVerify);
    this.moreButton.addEventListener('click', this.onMore);
    this.body.addEventListener('click', this.onRowClick);
    this.body.addEventListener('keydown', this.onRowKey);
    this.updateExportLinks();
    void this.refresh();
  }

  /** The records shown, oldest first. */
  get recordList(): readonly AuditRecord[] {
    return this.records;
  }

  /** The filters in force (those of the last load that was asked for). */
  get currentQuery(): AuditQuery {
    return { ...this.query };
  }

  private get pageSize(): number {
    return this.options.pageSize ?? 200;
  }

  private formValues(): AuditFormValues {
    const v = (k: keyof AuditFormValues) => this.inputs.get(k)!.value;
    return { user: v('user'), action: v('action'), resource: v('resource'), since: v('since'), until: v('until') };
  }

  private showFilterError(message: string | null): void {
    this.filterError.textContent = message ?? '';
    this.filterError.hidden = message === null;
  }

  /** Applies the filter bar's values and loads the first page. */
  applyFilters(): Promise<void> {
    try {
      this.query = auditQueryFromForm(this.formValues());
    } catch (err) {
      this.showFilterError(errorText(err, 'filter the audit log'));
      return Promise.resolve();
    }
    this.updateExportLinks();
    return this.refresh();
  }

  private updateExportLinks(): void {
    for (const [format, a] of this.exportLinks) a.href = this.options.client.exportUrl(format, this.query);
  }

  protected async load(signal: AbortSignal, isCurrent: () => boolean): Promise<void> {
    this.moreAbort?.abort();
    this.showFilterError(null);
    this.setState('loading', 'Loading the audit log…');
    this.moreButton.hidden = true;
    try {
      const page = await this.options.client.audit({ ...this.query, limit: this.pageSize }, { signal });
      if (!isCurrent()) return;
      this.records = page.records;
      this.nextAfter = page.next_after;
      this.expanded = null;
      this.render();
    } catch (err) {
      if (!isCurrent()) return;
      this.records = [];
      this.nextAfter = null;
      this.render();
      const message = errorText(err, 'load the audit log');
      // A filter the server refuses: its message goes beside the filters (and only there).
      const badFilter = err instanceof AdminError && err.kind === 'bad_request';
      if (badFilter) this.showFilterError(message);
      this.setState('error', badFilter ? '' : message);
    }
  }

  /** Loads the next page (later records) under the same filters. */
  async loadMore(): Promise<void> {
    if (this.nextAfter === null) return;
    this.moreAbort?.abort();
    const abort = (this.moreAbort = new AbortController());
    this.moreButton.disabled = true;
    this.moreButton.textContent = 'Loading…';
    try {
      const page = await this.options.client.audit({ ...this.query, limit: this.pageSize, after: this.nextAfter }, { signal: abort.signal });
      if (abort.signal.aborted) return;
      this.records = [...this.records, ...page.records];
      this.nextAfter = page.next_after;
      this.render();
    } catch (err) {
      if (abort.signal.aborted) return;
      this.setState('error', errorText(err, 'load more of the audit log'));
    } finally {
      this.moreButton.disabled = false;
      this.moreButton.textContent = 'Load more';
    }
  }

  /** Asks the server to walk the chain; the banner shows the verdict. */
  async verify(): Promise<void> {
    this.verifyAbort?.abort();
    const abort = (this.verifyAbort = new AbortController());
    this.setBanner('checking', 'Verifying the audit chain…');
    this.verifyButton.disabled = true;
    try {
      const result = await this.options.client.verifyAudit({ signal: abort.signal });
      if (abort.signal.aborted) return;
      this.setBanner(result.ok ? 'ok' : 'broken', verifyText(result));
    } catch (err) {
      if (abort.signal.aborted) return;
      this.setBanner('error', errorText(err, 'verify the audit log'));
    } finally {
      this.verifyButton.disabled = false;
    }
  }

  private setBanner(state: VerifyState, text: string): void {
    this.banner.dataset.wbAdminVerify = state;
    this.banner.setAttribute('role', state === 'broken' || state === 'error' ? 'alert' : 'status');
    replaceChildren(this.banner, [h('span', { className: 'wb-admin-verify-icon', attrs: { 'aria-hidden': 'true' } }, [state === 'ok' ? '✓' : state === 'checking' ? '…' : '!']), h('span', { className: 'wb-admin-verify-text' }, [text])]);
    this.banner.hidden = false;
  }

  private render(): void {
    const rows: HTMLTableRowElement[] = [];
    for (const r of this.records) {
      rows.push(this.row(r));
      if (r.seq === this.expanded) rows.push(this.detailRow(r));
    }
    replaceChildren(this.body, rows);
    this.table.hidden = this.records.length === 0;
    const filtered = Object.keys(this.query).length > 0;
    this.countNode.textContent = this.records.length
      ? `${this.records.length} record${this.records.length === 1 ? '' : 's'}${filtered ? ' matching the filters' : ''}, oldest first${this.nextAfter !== null ? '; there are more' : ''}`
      : '';
    this.moreButton.hidden = this.nextAfter === null;
    if (this.records.length === 0) this.setState('empty', filtered ? 'No records match these filters.' : 'The audit log is empty.');
    else this.setState('ready');
  }

  private row(r: AuditRecord): HTMLTableRowElement {
    const open = r.seq === this.expanded;
    const cell = (text: string | null, className: string) => h('td', { className, title: text ?? undefined }, [text ?? h('span', { className: 'wb-admin-muted' }, ['—'])]);
    const parts = formatDateParts(r.time, { ...this.options.format, seconds: true });
    // Who over how: "alice" / "analyst · sso".
    return h('tr', { className: `wb-admin-audit-record${open ? ' wb-mod-selected' : ''}`, attrs: { 'data-seq': String(r.seq), 'data-outcome': r.outcome, tabindex: '0', 'aria-expanded': String(open) } }, [
      h('td', { className: 'wb-admin-audit-seq' }, [String(r.seq)]),
      h('td', { className: 'wb-admin-audit-time' }, [
        h('time', { className: 'wb-admin-time wb-admin-time-split', attrs: { datetime: r.time }, title: formatPreciseTime(r.time, this.options.format) }, [
          h('span', { className: 'wb-admin-time-date' }, [parts.date]),
          h('span', { className: 'wb-admin-time-clock' }, [parts.time]),
        ]),
      ]),
      h('td', { className: 'wb-admin-audit-actor', title: `${formatActor(r)}, via ${r.via}` }, [
        h('span', { className: 'wb-admin-audit-actor-name' }, [r.actor ?? 'system']),
        h('span', { className: 'wb-admin-audit-how' }, [h('span', { className: 'wb-admin-audit-role' }, [r.actor_role ?? '']), r.actor_role ? ' · ' : '', h('span', { className: 'wb-admin-audit-via' }, [r.via])]),
      ]),
      cell(r.resource, 'wb-admin-audit-resource'),
      cell(r.action, 'wb-admin-audit-action'),
      cell(r.target, 'wb-admin-audit-target'),
      h('td', {}, [h('span', { className: `wb-badge wb-admin-badge wb-admin-audit-outcome wb-mod-${r.outcome === 'ok' ? 'ok' : r.outcome === 'denied' ? 'denied' : 'failed'}` }, [r.outcome])]),
    ]);
  }

  private detailRow(r: AuditRecord): HTMLTableRowElement {
    return h('tr', { className: 'wb-admin-audit-detail', attrs: { 'data-seq': String(r.seq) } }, [
      h('td', { attrs: { colspan: String(COLUMNS.length) } }, [h('pre', { className: 'wb-admin-audit-detail-json', attrs: { 'aria-label': `Audit record ${r.seq}`, tabindex: '0' } }, [recordJson(r)])]),
    ]);
  }

  /** Shows (or hides) the full record of `seq`, as a click on its row does. */
  toggle(seq: number): void {
    this.expanded = this.expanded === seq ? null : seq;
    this.render();
    this.body.querySelector<HTMLElement>(`tr.wb-admin-audit-record[data-seq="${seq}"]`)?.focus({ preventScroll: true });
    this.body.querySelector<HTMLElement>(`tr.wb-admin-audit-detail[data-seq="${seq}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  private readonly onRowClick = (event: MouseEvent): void => {
    if ((event.target as Element).closest('.wb-admin-audit-detail')) return; // selecting text in the JSON
    const tr = (event.target as Element).closest<HTMLElement>('tr.wb-admin-audit-record');
    if (tr?.dataset.seq) this.toggle(Number(tr.dataset.seq));
  };

  private readonly onRowKey = (event: KeyboardEvent): void => {
    const tr = (event.target as Element).closest<HTMLElement>('tr.wb-admin-audit-record');
    if (!tr?.dataset.seq || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    this.toggle(Number(tr.dataset.seq));
  };

  private readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    void this.applyFilters();
  };

  private readonly onReset = (event: Event): void => {
    // Cleared here rather than by the browser, which would do it only after this event.
    event.preventDefault();
    for (const input of this.inputs.values()) input.value = '';
    void this.applyFilters();
  };

  private readonly onVerify = (): void => {
    void this.verify();
  };

  private readonly onMore = (): void => {
    void this.loadMore();
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.moreAbort?.abort();
    this.verifyAbort?.abort();
    this.form.removeEventListener('submit', this.onSubmit);
    this.form.removeEventListener('reset', this.onReset);
    this.verifyButton.removeEventListener('click', this.onVerify);
    this.moreButton.removeEventListener('click', this.onMore);
    this.body.removeEventListener('click', this.onRowClick);
    this.body.removeEventListener('keydown', this.onRowKey);
    super.dispose();
  }
}
