/**
 * What the side panel shows before anything is typed: the catalog's
 * sources (the warehouse and each database connection) with their table
 * count and last refresh (when, ok or failed, the server's message), a
 * Refresh button for those who may refresh (analysts and up), and a
 * "Tables" toggle listing a source's tables to open one.
 *
 * DOM hooks: `ul.wb-catalog-sources`, `li.wb-catalog-source[data-source][data-kind][data-refresh-status=ok|error|running|never]`,
 * `.wb-catalog-source-name`, `-kind`, `-count`, `-refreshed` (`<time datetime>`, absolute time in `title`),
 * `-message`, `button.wb-catalog-source-refresh` (`data-busy` while refreshing), `button.wb-catalog-source-browse`
 * (`aria-expanded`), `ul.wb-catalog-source-tables` with `button.wb-catalog-source-table[data-table-key]`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { formatAbsoluteTime, formatRows, refreshLabel, sourceKindLabel, tableCount } from './format';
import { tableKey } from './keys';
import type { CatalogAbilities, RefreshRun, SourceInfo, TableRef, TableSummary } from './types';

export interface SourceListOptions {
  client: CatalogClient;
  onOpenTable: (table: TableRef) => void;
  /** A refresh finished (the panel reloads the counts). */
  onRefreshed: (run: RefreshRun) => void;
  now?: () => number;
}

export class SourceList {
  readonly node: HTMLUListElement;
  private readonly options: SourceListOptions;
  private readonly tables = new Map<string, TableSummary[] | Promise<void>>();
  private readonly expanded = new Set<string>();
  private sources: SourceInfo[] = [];
  private abilities: CatalogAbilities = { read: true, refresh: false, write: false, pii: false };
  private readonly abort = new AbortController();

  constructor(options: SourceListOptions) {
    this.options = options;
    this.node = h('ul', { className: 'wb-catalog-sources', attrs: { 'aria-label': 'Sources' } });
    this.node.addEventListener('click', this.onClick);
  }

  render(sources: readonly SourceInfo[], abilities: CatalogAbilities): void {
    this.sources = [...sources];
    this.abilities = abilities;
    replaceChildren(this.node, this.sources.map((s) => this.item(s)));
  }

  private item(s: SourceInfo): HTMLLIElement {
    const now = (this.options.now ?? Date.now)();
    const run = s.last_refresh;
    const when = run ? run.finished ?? run.started : null;
    const expanded = this.expanded.has(s.name);
    const listId = `wb-catalog-source-tables-${encodeURIComponent(s.name).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const li = h('li', { className: 'wb-catalog-source', attrs: { 'data-source': s.name, 'data-kind': s.kind, 'data-refresh-status': run?.status ?? 'never' } }, [
      h('div', { className: 'wb-catalog-source-head' }, [
        h('span', { className: 'wb-catalog-source-name' }, [s.name]),
        h('span', { className: 'wb-catalog-source-kind' }, [sourceKindLabel(s.kind)]),
      ]),
      h('div', { className: 'wb-catalog-source-facts' }, [
        h('span', { className: 'wb-catalog-source-count' }, [tableCount(s)]),
        h('span', { className: 'wb-catalog-source-dot', attrs: { 'aria-hidden': 'true' } }, ['·']),
        when
          ? h('time', { className: `wb-catalog-source-refreshed${run!.status === 'error' ? ' wb-mod-error' : ''}`, attrs: { datetime: when }, title: formatAbsoluteTime(when) }, [refreshLabel(run, now)])
          : h('span', { className: 'wb-catalog-source-refreshed' }, [refreshLabel(run, now)]),
      ]),
      run?.message ? h('p', { className: `wb-catalog-source-message${run.status === 'error' ? ' wb-mod-error' : ''}` }, [run.message]) : null,
      h('div', { className: 'wb-catalog-source-actions' }, [
        s.tables > 0
          ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-catalog-button-small wb-catalog-source-browse', attrs: { type: 'button', 'data-source': s.name, 'aria-expanded': String(expanded), 'aria-controls': listId, 'aria-label': `Tables of ${s.name}` } }, [expanded ? 'Hide tables' : 'Tables'])
          : null,
        this.abilities.refresh
          ? h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-button-small wb-catalog-button-small wb-catalog-source-refresh', attrs: { type: 'button', 'data-source': s.name, 'aria-label': `Refresh ${s.name}: discover its tables again` } }, ['Refresh'])
          : null,
      ]),
      h('div', { className: 'wb-catalog-source-tables-host', attrs: { id: listId } }),
    ]);
    if (expanded) void this.showTables(li, s.name);
    return li;
  }

  private itemOf(source: string): HTMLLIElement | undefined {
    return [...this.node.querySelectorAll<HTMLLIElement>('li.wb-catalog-source')].find((li) => li.dataset.source === source);
  }

  /** Discovers `source` again; resolves when the server answered. */
  async refresh(source: string): Promise<RefreshRun | null> {
    const li = this.itemOf(source);
    const button = li?.querySelector<HTMLButtonElement>('button.wb-catalog-source-refresh');
    if (button) {
      button.disabled = true;
      button.dataset.busy = 'true';
      button.textContent = 'Refreshing…';
    }
    if (li) li.dataset.refreshStatus = 'running';
    try {
      const run = await this.options.client.refresh(source, { signal: this.abort.signal });
      this.tables.delete(source);
      this.options.onRefreshed(run);
      return run;
    } catch (err) {
      if (isAbort(err)) return null;
      const at = this.itemOf(source);
      if (at) {
        at.dataset.refreshStatus = 'error';
        at.querySelector('.wb-catalog-source-message')?.remove();
        at.querySelector('.wb-catalog-source-facts')!.after(h('p', { className: 'wb-catalog-source-message wb-mod-error', attrs: { role: 'alert' } }, [errorText(err, `refresh ${source}`)]));
      }
      return null;
    } finally {
      if (button) {
        button.disabled = false;
        delete button.dataset.busy;
        button.textContent = 'Refresh';
      }
    }
  }

  private async showTables(li: HTMLLIElement, source: string): Promise<void> {
    const host = li.querySelector<HTMLElement>('.wb-catalog-source-tables-host')!;
    let cached = this.tables.get(source);
    if (!cached) {
      replaceChildren(host, [h('p', { className: 'wb-status wb-catalog-source-loading' }, ['Loading tables…'])]);
      cached = this.options.client.tables(source, undefined, { signal: this.abort.signal }).then(
        (list) => void this.tables.set(source, list),
        (err: unknown) => {
          this.tables.delete(source);
          if (!isAbort(err)) replaceChildren(host, [h('p', { className: 'wb-status wb-mod-error', attrs: { role: 'alert' } }, [errorText(err, `list the tables of ${source}`)])]);
        },
      );
      this.tables.set(source, cached);
    }
    if (cached instanceof Promise) {
      await cached;
      cached = this.tables.get(source);
      // Re-rendered meanwhile: draw into the current item.
      const now = this.itemOf(source);
      if (!Array.isArray(cached) || !now || !this.expanded.has(source)) return;
      return this.drawTables(now, cached);
    }
    this.drawTables(li, cached);
  }

  private drawTables(li: HTMLLIElement, list: TableSummary[]): void {
    const host = li.querySelector<HTMLElement>('.wb-catalog-source-tables-host')!;
    replaceChildren(host, [
      h(
        'ul',
        { className: 'wb-catalog-source-tables' },
        list.map((t) =>
          h('li', {}, [
            h('button', { className: 'wb-catalog-source-table', attrs: { type: 'button', 'data-table-key': tableKey(t), title: `${t.qualified}${t.comment ? ` — ${t.comment}` : ''}` } }, [
              h('span', { className: 'wb-catalog-source-table-name' }, [t.schema === 'public' || t.schema === 'main' ? t.name : `${t.schema}.${t.name}`]),
              h('span', { className: 'wb-catalog-source-table-rows' }, [formatRows(t.row_count)]),
            ]),
          ]),
        ),
      ),
    ]);
  }

  private readonly onClick = (event: MouseEvent): void => {
    const target = event.target as Element;
    const refresh = target.closest<HTMLButtonElement>('button.wb-catalog-source-refresh');
    if (refresh?.dataset.source) {
      void this.refresh(refresh.dataset.source);
      return;
    }
    const browse = target.closest<HTMLButtonElement>('button.wb-catalog-source-browse');
    if (browse?.dataset.source) {
      const source = browse.dataset.source;
      const li = this.itemOf(source)!;
      if (this.expanded.has(source)) {
        this.expanded.delete(source);
        replaceChildren(li.querySelector('.wb-catalog-source-tables-host')!, []);
      } else {
        this.expanded.add(source);
        void this.showTables(li, source);
      }
      browse.setAttribute('aria-expanded', String(this.expanded.has(source)));
      browse.textContent = this.expanded.has(source) ? 'Hide tables' : 'Tables';
      return;
    }
    const table = target.closest<HTMLButtonElement>('button.wb-catalog-source-table');
    const key = table?.dataset.tableKey;
    if (key) {
      const [source, schema, name] = JSON.parse(key) as [string, string, string];
      this.options.onOpenTable({ source, schema, name });
    }
  };

  dispose(): void {
    this.abort.abort();
    this.node.removeEventListener('click', this.onClick);
  }
}
