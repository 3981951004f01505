/**
 * The Usage tab: how often the table was queried and when last (from the
 * audit log of the SQL that ran), who queried it, and which of its
 * columns were used.
 *
 * DOM hooks: `.wb-catalog-usage[data-state=loading|ready|empty|error]`, `.wb-catalog-usage-summary`,
 * `table.wb-catalog-usage-users` (`tr[data-actor]`), `table.wb-catalog-usage-columns` (`tr[data-column]`).
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { formatAbsoluteTime, formatCount, formatRelativeTime } from './format';
import { qualifiedName } from './keys';
import type { TableRef, UsageSummary } from './types';

export class UsageView {
  readonly node: HTMLElement;
  private readonly client: CatalogClient;
  private readonly table: TableRef;
  private readonly now: () => number;
  private readonly status: HTMLElement;
  private readonly body: HTMLElement;
  private abort: AbortController | null = null;
  private _pending: Promise<void> = Promise.resolve();

  constructor(client: CatalogClient, table: TableRef, now: () => number = Date.now) {
    this.client = client;
    this.table = table;
    this.now = now;
    this.status = h('div', { className: 'wb-status wb-catalog-usage-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.body = h('div', { className: 'wb-catalog-usage-body' });
    this.node = h('div', { className: 'wb-catalog-usage' }, [this.status, this.body]);
  }

  get pending(): Promise<void> {
    return this._pending;
  }

  load(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.setState('loading', this.body.childElementCount ? '' : 'Loading usage…');
    this._pending = (async () => {
      try {
        const usage = await this.client.usage(this.table, { signal: abort.signal });
        if (!abort.signal.aborted) this.render(usage);
      } catch (err) {
        if (abort.signal.aborted || isAbort(err)) return;
        replaceChildren(this.body, []);
        this.setState('error', errorText(err, `load the usage of ${qualifiedName(this.table)}`));
      }
    })();
    return this._pending;
  }

  private render(u: UsageSummary): void {
    if (u.queries === 0) {
      replaceChildren(this.body, []);
      return this.setState('empty', 'No recorded queries of this table yet. Queries are counted when SQL cells that read it run.');
    }
    const time = (iso: string) => h('time', { attrs: { datetime: iso }, title: formatAbsoluteTime(iso) }, [formatRelativeTime(iso, this.now())]);
    const table = (className: string, label: string, head: string[], rows: HTMLTableRowElement[]) =>
      h('section', { className: 'wb-catalog-usage-section' }, [
        h('h3', { className: 'wb-catalog-section-title' }, [label]),
        h('div', { className: 'wb-catalog-table-wrap' }, [
          h('table', { className: `wb-catalog-data-table ${className}`, attrs: { 'aria-label': label } }, [
            h('thead', {}, [h('tr', {}, head.map((x, i) => h('th', { className: i > 0 ? 'wb-catalog-num' : undefined, attrs: { scope: 'col' } }, [x])))]),
            h('tbody', {}, rows),
          ]),
        ]),
      ]);
    replaceChildren(this.body, [
      h('p', { className: 'wb-catalog-usage-summary' }, [
        h('strong', {}, [`${formatCount(u.queries)} ${u.queries === 1 ? 'query' : 'queries'}`]),
        u.last_used ? ' · last used ' : null,
        u.last_used ? time(u.last_used) : null,
      ]),
      h('div', { className: 'wb-catalog-usage-tables' }, [
        table(
          'wb-catalog-usage-users',
          'Who queried it',
          ['User', 'Queries', 'Last used'],
          u.users.map((x) => h('tr', { attrs: { 'data-actor': x.actor } }, [h('td', {}, [x.actor]), h('td', { className: 'wb-catalog-num' }, [formatCount(x.queries)]), h('td', { className: 'wb-catalog-num' }, [time(x.last_used)])])),
        ),
        u.columns.length
          ? table(
              'wb-catalog-usage-columns',
              'Columns used',
              ['Column', 'Queries'],
              u.columns.map((c) => h('tr', { attrs: { 'data-column': c.name } }, [h('td', {}, [h('code', {}, [c.name])]), h('td', { className: 'wb-catalog-num' }, [formatCount(c.queries)])])),
            )
          : null,
      ]),
    ]);
    this.setState('ready');
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
