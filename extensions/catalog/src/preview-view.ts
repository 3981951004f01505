/**
 * The Preview tab: the table's first rows or a random sample (the server
 * caps rows and cuts long cells), in a grid whose header stays put and
 * which scrolls sideways inside its own box, never the page. Nulls read
 * `null` in a muted italic; numbers are right-aligned; a cell is cut with
 * an ellipsis, its whole value (as far as the server sent it) in the
 * tooltip. Columns of personal data the user may not read arrive masked:
 * their cells show a muted "••••••" and a note says how many columns are.
 *
 * DOM hooks: `.wb-catalog-preview[data-state=loading|ready|empty|error]`, `select.wb-catalog-preview-mode`,
 * `select.wb-catalog-preview-limit`, `button.wb-catalog-preview-reload`, `.wb-catalog-preview-summary`,
 * `.wb-catalog-masked-note`, `.wb-catalog-grid-wrap` (the scrolling box), `table.wb-catalog-grid`
 * (`aria-rowcount`), `th[data-column][data-masked]`, `td[data-kind=null|masked|number|boolean|text|json]`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { maskedNote, previewCell, previewSummary } from './format';
import { qualifiedName } from './keys';
import type { Preview, PreviewMode, TableRef } from './types';

export const PREVIEW_LIMITS = [25, 100, 500, 1000] as const;

/** Cells longer than this get their text in a tooltip too (the grid cuts them visually). */
const TITLE_FROM = 24;

export class PreviewView {
  readonly node: HTMLElement;
  private readonly client: CatalogClient;
  private readonly table: TableRef;
  private readonly mode: HTMLSelectElement;
  private readonly limit: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly masked: HTMLElement;
  private readonly gridHost: HTMLElement;
  private abort: AbortController | null = null;
  private _pending: Promise<void> = Promise.resolve();

  constructor(client: CatalogClient, table: TableRef) {
    this.client = client;
    this.table = table;
    this.mode = h('select', { className: 'wb-select wb-catalog-preview-mode', attrs: { 'aria-label': 'Which rows' } }, [
      h('option', { attrs: { value: 'first' } }, ['First rows']),
      h('option', { attrs: { value: 'sample' } }, ['Random sample']),
    ]);
    this.limit = h(
      'select',
      { className: 'wb-select wb-catalog-preview-limit', attrs: { 'aria-label': 'How many rows' } },
      PREVIEW_LIMITS.map((n) => h('option', { attrs: { value: String(n) } }, [`${n} rows`])),
    );
    this.limit.value = '100';
    const reload = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-catalog-button-small wb-catalog-preview-reload', attrs: { type: 'button' } }, ['Reload']);
    this.status = h('div', { className: 'wb-status wb-catalog-preview-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.summary = h('p', { className: 'wb-catalog-preview-summary' });
    this.masked = h('p', { className: 'wb-catalog-masked-note' });
    this.gridHost = h('div', { className: 'wb-catalog-grid-host' });
    this.node = h('div', { className: 'wb-catalog-preview' }, [
      h('div', { className: 'wb-catalog-toolbar' }, [this.mode, this.limit, reload, h('span', { className: 'wb-catalog-spacer' }), this.summary]),
      this.masked,
      this.status,
      this.gridHost,
    ]);
    this.masked.hidden = true;
    this.mode.addEventListener('change', () => void this.load());
    this.limit.addEventListener('change', () => void this.load());
    reload.addEventListener('click', () => void this.load());
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.setState('loading', this.gridHost.childElementCount ? '' : 'Loading rows…');
    this.node.setAttribute('aria-busy', 'true');
    this._pending = (async () => {
      try {
        const preview = await this.client.preview(this.table, { mode: this.mode.value as PreviewMode, limit: Number(this.limit.value) }, { signal: abort.signal });
        if (abort.signal.aborted) return;
        this.render(preview);
      } catch (err) {
        if (abort.signal.aborted || isAbort(err)) return;
        replaceChildren(this.gridHost, []);
        this.summary.textContent = '';
        this.masked.hidden = true;
        this.setState('error', errorText(err, `preview ${qualifiedName(this.table)}`));
      } finally {
        if (!abort.signal.aborted) this.node.removeAttribute('aria-busy');
      }
    })();
    return this._pending;
  }

  private render(p: Preview): void {
    this.summary.textContent = previewSummary(p);
    const note = maskedNote(p);
    this.masked.textContent = note ?? '';
    this.masked.hidden = note === null;
    if (p.columns.length === 0) {
      replaceChildren(this.gridHost, []);
      return this.setState('empty', 'The table has no columns.');
    }
    const head = h(
      'tr',
      {},
      [
        h('th', { className: 'wb-catalog-grid-rownum', attrs: { scope: 'col', 'aria-label': 'Row' } }, ['#']),
        ...p.columns.map((c) =>
          h('th', { attrs: { scope: 'col', 'data-column': c.name, 'data-masked': String(c.masked) }, title: `${c.name}: ${c.type}${c.masked ? ' (masked: personal data)' : ''}` }, [
            h('span', { className: 'wb-catalog-grid-name' }, [c.name]),
            h('span', { className: 'wb-catalog-grid-type' }, [c.type, c.masked ? h('span', { className: 'wb-catalog-grid-masked' }, [' · masked']) : null]),
          ]),
        ),
      ],
    );
    const body = p.rows.map((row, r) =>
      h('tr', {}, [
        h('td', { className: 'wb-catalog-grid-rownum' }, [String(r + 1)]),
        ...row.map((v, i) => {
          const c = previewCell(v, p.columns[i]!.masked, p.columns[i]!.type);
          const title = c.kind === 'masked' ? 'Masked: personal data' : c.cut ? `${c.text}\n(cut by the server)` : c.text.length > TITLE_FROM ? c.text : undefined;
          return h('td', { attrs: { 'data-kind': c.kind }, title }, [c.text]);
        }),
      ]),
    );
    replaceChildren(this.gridHost, [
      h('div', { className: 'wb-catalog-grid-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': `Rows of ${qualifiedName(this.table)}` } }, [
        h('table', { className: 'wb-catalog-grid', attrs: { 'aria-rowcount': String(p.rows.length + 1) } }, [h('thead', {}, [head]), h('tbody', {}, body)]),
      ]),
    ]);
    if (p.rows.length === 0) this.setState('empty', 'The table has no rows.');
    else this.setState('ready');
  }

  private setState(state: 'loading' | 'ready' | 'empty' | 'error', message = ''): void {
    this.node.dataset.state = state;
    this.status.textContent = message;
    this.status.hidden = message === '';
    this.status.classList.toggle('wb-mod-error', state === 'error');
  }

  dispose(): void {
    this.abort?.abort();
  }
}
