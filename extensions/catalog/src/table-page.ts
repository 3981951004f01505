/**
 * A table's page in the main area. The header says what the table is:
 * its name, kind and qualified name, rows and size, owner and description
 * (edited in place by those who may change the catalog), the database's
 * comment, its tags (suggestions dashed, with Confirm / Reject) and
 * glossary terms; then the actions: Insert SELECT (into the active
 * notebook, see the plugin), Classify (engineers: suggest personal-data
 * tags from a sample), Refresh source (analysts and up). Four tabs follow
 * (ARIA tabs: arrow keys, Home and End move between them): Columns,
 * Preview, Lineage, Usage, each loaded the first time it is shown. What an
 * action did, or the server's refusal, is said in one status line.
 *
 * Laid out for a main area of about 650 px (a 1024 px window with the
 * side bar open): tables scroll sideways in their own boxes.
 *
 * DOM hooks: `.wb-catalog-page[data-wb-catalog-page][data-wb-catalog-state=loading|ready|error][data-tab]`
 * (`data-can-write`, `data-can-refresh`), `.wb-catalog-page-title`, `.wb-catalog-page-kind`,
 * `.wb-catalog-page-qualified`, `.wb-catalog-page-rows`, `.wb-catalog-page-size`, the owner's and the
 * description's InlineEdit, `.wb-catalog-page-comment`, `.wb-catalog-page-terms`, the TagList,
 * `button.wb-catalog-insert-select`, `button.wb-catalog-classify`, `button.wb-catalog-refresh-source`
 * (`data-busy` while working), `.wb-catalog-page-message[data-state=ok|error|working]`,
 * `button.wb-catalog-tab[data-tab=columns|preview|lineage|usage][aria-selected]`,
 * `.wb-catalog-tabpanel[data-tab]`, and those of the four views.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { CatalogError, errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { ColumnsView } from './columns-view';
import { formatAbsoluteTime, formatBytes, formatCount, formatRelativeTime } from './format';
import { InlineEdit } from './inline-edit';
import { qualifiedName, tableKey } from './keys';
import type { LayoutOptions } from './lineage-layout';
import { LineageView } from './lineage-view';
import { PreviewView } from './preview-view';
import { tagList } from './tag-list';
import type { CatalogAbilities, ClassifyResult, TableInfo, TableRef } from './types';
import { UsageView } from './usage-view';

export type TabName = 'columns' | 'preview' | 'lineage' | 'usage';
export const TABS: readonly TabName[] = ['columns', 'preview', 'lineage', 'usage'];
const TAB_LABELS: Record<TabName, string> = { columns: 'Columns', preview: 'Preview', lineage: 'Lineage', usage: 'Usage' };

export interface TablePageOptions {
  client: CatalogClient;
  table: TableRef;
  /** What the user may do (asked once by the plugin); default: read only. */
  abilities?: () => Promise<CatalogAbilities>;
  onOpenTable: (table: TableRef) => void;
  /** Inserts the table's SELECT into a notebook; answers what was done, in words. */
  onInsertSelect: (info: TableInfo) => Promise<string>;
  layout?: LayoutOptions;
  now?: () => number;
}

const READ_ONLY: CatalogAbilities = { read: true, refresh: false, write: false, pii: false };

let nextId = 0;

/** "Classify found 2 suggestions: email (pii:email 97%), vat (pii:tax_id 90%)." */
export function classifySummary(results: readonly ClassifyResult[]): string {
  const fresh = results.filter((r) => r.stored === 'suggested');
  const kept = results.length - fresh.length;
  const keptText = kept ? ` ${kept} ${kept === 1 ? 'tag was' : 'tags were'} already decided and kept.` : '';
  if (fresh.length === 0) return `Classify suggested no new tags from a sample of the table.${keptText}`;
  const list = fresh.map((r) => `${r.column} (${r.suggestion.tag} ${Math.round(r.suggestion.confidence * 100)}%)`).join(', ');
  return `Classify suggested ${fresh.length} ${fresh.length === 1 ? 'tag' : 'tags'}: ${list}. Confirm or reject ${fresh.length === 1 ? 'it' : 'them'} below.${keptText}`;
}

export class TablePage extends Widget {
  readonly table: TableRef;
  private readonly options: TablePageOptions;
  private readonly uid = `wb-catalog-page-${++nextId}`;
  private readonly header: HTMLElement;
  private readonly message: HTMLElement;
  private readonly tabList: HTMLElement;
  private readonly panels = new Map<TabName, HTMLElement>();
  private readonly loadedTabs = new Set<TabName>();
  private readonly columns: ColumnsView;
  private readonly preview: PreviewView;
  private readonly lineage: LineageView;
  private readonly usage: UsageView;
  private readonly insertButton: HTMLButtonElement;
  private readonly classifyButton: HTMLButtonElement;
  private readonly refreshButton: HTMLButtonElement;
  private info: TableInfo | null = null;
  private abilities: CatalogAbilities = READ_ONLY;
  private _tab: TabName = 'columns';
  private loadAbort: AbortController | null = null;
  private loadSeq = 0;
  private _pending: Promise<void>;
  /** The first load of the table (tabs wait for it). */
  private readonly loaded: Promise<void>;

  constructor(options: TablePageOptions) {
    super();
    this.options = options;
    this.table = options.table;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-catalog-page');
    this.node.dataset.wbCatalogPage = tableKey(options.table);
    this.header = h('header', { className: 'wb-catalog-page-header' }, [h('h2', { className: 'wb-catalog-page-title' }, [options.table.name])]);
    const button = (cls: string, label: string, aria: string) => h('button', { className: `jp-Button jp-mod-styled ${cls}`, attrs: { type: 'button', 'aria-label': aria } }, [label]);
    this.insertButton = button('jp-mod-accept wb-catalog-insert-select', 'Insert SELECT', `Insert a SELECT of ${options.table.name} into the active notebook`);
    this.classifyButton = button('jp-mod-reject wb-catalog-classify', 'Classify', `Suggest personal-data tags for ${options.table.name} from a sample of its values`);
    this.refreshButton = button('jp-mod-reject wb-catalog-refresh-source', 'Refresh source', `Refresh ${options.table.source}: discover its tables again`);
    this.classifyButton.hidden = true;
    this.refreshButton.hidden = true;
    this.message = h('div', { className: 'wb-catalog-page-message', attrs: { role: 'status', 'aria-live': 'polite', tabindex: '-1' } });
    this.message.hidden = true;
    this.tabList = h(
      'div',
      { className: 'wb-catalog-tabs', attrs: { role: 'tablist', 'aria-label': `${options.table.name}: details` } },
      TABS.map((t) =>
        h('button', { className: 'wb-catalog-tab', attrs: { type: 'button', role: 'tab', id: `${this.uid}-tab-${t}`, 'aria-controls': `${this.uid}-panel-${t}`, 'data-tab': t, 'aria-selected': 'false', tabindex: '-1' } }, [TAB_LABELS[t]]),
      ),
    );
    this.columns = new ColumnsView({ editable: false, onDescribe: (column, d) => this.describe(column, { description: d }) });
    this.preview = new PreviewView(options.client, options.table);
    this.lineage = new LineageView({ client: options.client, table: options.table, onOpenTable: options.onOpenTable, layout: options.layout });
    this.usage = new UsageView(options.client, options.table, options.now);
    const views: Record<TabName, HTMLElement> = { columns: this.columns.node, preview: this.preview.node, lineage: this.lineage.node, usage: this.usage.node };
    for (const t of TABS) {
      this.panels.set(t, h('div', { className: 'wb-catalog-tabpanel', attrs: { role: 'tabpanel', id: `${this.uid}-panel-${t}`, 'aria-labelledby': `${this.uid}-tab-${t}`, 'data-tab': t, tabindex: '-1' } }, [views[t]]));
    }
    this.node.append(
      this.header,
      h('div', { className: 'wb-catalog-page-actions' }, [this.insertButton, this.classifyButton, this.refreshButton]),
      this.message,
      this.tabList,
      ...this.panels.values(),
    );
    this.node.addEventListener('click', this.onClick);
    this.tabList.addEventListener('keydown', this.onTabKey);
    this.setState('loading');
    this.loaded = this.load();
    this._pending = this.loaded.then(() => this.showTab(this._tab));
  }

  get tab(): TabName {
    return this._tab;
  }

  /** The table as last loaded. */
  get current(): TableInfo | null {
    return this.info;
  }

  /** The load in flight, or the last one (the tab shown included). */
  get pending(): Promise<void> {
    return this._pending;
  }

  /** Reloads the table and the tab shown; the other tabs reload when next shown. */
  refresh(): Promise<void> {
    this.loadedTabs.clear();
    this._pending = this.load().then(() => this.showTab(this._tab));
    return this._pending;
  }

  /** Shows `tab` (loading it the first time); resolves once it has loaded. */
  async showTab(tab: TabName): Promise<void> {
    await this.loaded;
    this._tab = tab;
    this.node.dataset.tab = tab;
    for (const b of this.tabList.querySelectorAll<HTMLButtonElement>('button.wb-catalog-tab')) {
      const on = b.dataset.tab === tab;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      b.classList.toggle('wb-mod-selected', on);
    }
    for (const [t, panel] of this.panels) panel.hidden = t !== tab;
    if (tab === 'columns' || this.loadedTabs.has(tab)) return;
    this.loadedTabs.add(tab);
    const view = tab === 'preview' ? this.preview : tab === 'lineage' ? this.lineage : this.usage;
    await view.load();
  }

  /** Shows the Columns tab at `column`. */
  async showColumn(column: string): Promise<void> {
    await this.showTab('columns');
    this.columns.reveal(column);
  }

  protected override onActivateRequest(): void {
    if (!this.node.contains(document.activeElement)) this.tabList.querySelector<HTMLButtonElement>('button[aria-selected="true"]')?.focus();
  }

  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    if (!this.info) this.setState('loading');
    const abilities = (this.options.abilities?.() ?? Promise.resolve(READ_ONLY)).catch(() => READ_ONLY);
    try {
      const [info, may] = await Promise.all([this.options.client.table(this.table, { signal: abort.signal }), abilities]);
      if (seq !== this.loadSeq || this.isDisposed) return;
      this.abilities = may;
      this.render(info);
      this.setState('ready');
    } catch (err) {
      if (seq !== this.loadSeq || isAbort(err) || this.isDisposed) return;
      this.info = null;
      replaceChildren(this.header, [h('h2', { className: 'wb-catalog-page-title' }, [this.table.name]), h('code', { className: 'wb-catalog-page-qualified' }, [qualifiedName(this.table)])]);
      this.setState('error');
      this.say('error', errorText(err, `load ${qualifiedName(this.table)}`));
    }
  }

  private render(info: TableInfo): void {
    this.info = info;
    const may = this.abilities;
    this.node.dataset.canWrite = String(may.write);
    this.node.dataset.canRefresh = String(may.refresh);
    this.classifyButton.hidden = !may.write;
    this.refreshButton.hidden = !may.refresh;
    const now = (this.options.now ?? Date.now)();
    const owner = new InlineEdit({
      field: 'owner',
      value: info.owner,
      placeholder: 'none',
      addLabel: 'Set',
      label: `owner of ${info.name}`,
      multiline: false,
      editable: may.write,
      maxLength: 200,
      onSave: (v) => this.describe(undefined, { owner: v }),
    });
    const description = new InlineEdit({
      field: 'description',
      value: info.description,
      placeholder: may.write ? 'No description yet: say what the table holds and how to use it.' : 'No description yet.',
      label: `description of ${info.name}`,
      multiline: true,
      editable: may.write,
      maxLength: 20_000,
      onSave: (v) => this.describe(undefined, { description: v }),
    });
    const fact = (cls: string, label: string, value: Node | string, title?: string) =>
      h('div', { className: `wb-catalog-fact ${cls}`, title }, [h('span', { className: 'wb-catalog-fact-label' }, [label]), h('span', { className: 'wb-catalog-fact-value' }, [value])]);
    replaceChildren(this.header, [
      h('div', { className: 'wb-catalog-page-titlebar' }, [
        h('h2', { className: 'wb-catalog-page-title' }, [info.name]),
        h('span', { className: 'wb-badge wb-catalog-page-kind', attrs: { 'data-kind': info.kind } }, [info.kind === 'view' ? 'View' : 'Table']),
      ]),
      h('code', { className: 'wb-catalog-page-qualified' }, [info.qualified]),
      h('div', { className: 'wb-catalog-page-facts' }, [
        fact('wb-catalog-page-rows', 'Rows', info.row_count === null ? 'unknown' : formatCount(info.row_count), 'Row count (the database’s estimate for large tables; unknown until it has analysed a new table)'),
        fact('wb-catalog-page-size', 'Size', formatBytes(info.size_bytes)),
        fact('wb-catalog-page-owner', 'Owner', owner.node),
        fact('wb-catalog-page-refreshed', 'Refreshed', h('time', { attrs: { datetime: info.refreshed }, title: formatAbsoluteTime(info.refreshed) }, [formatRelativeTime(info.refreshed, now)])),
      ]),
      info.comment ? h('p', { className: 'wb-catalog-page-comment' }, [h('span', { className: 'wb-catalog-fact-label' }, ['Database comment']), ` ${info.comment}`]) : null,
      description.node,
      h('div', { className: 'wb-catalog-page-labels' }, [
        tagList(info.tags, { editable: may.write, empty: 'No tags' }),
        info.terms.length
          ? h('div', { className: 'wb-catalog-page-terms', attrs: { 'aria-label': 'Glossary terms' } }, info.terms.map((t) => h('span', { className: 'wb-badge wb-catalog-term', title: 'Glossary term' }, [t])))
          : null,
      ]),
    ]);
    this.columns.editable = may.write;
    this.columns.render(info);
  }

  private setState(state: 'loading' | 'ready' | 'error'): void {
    this.node.dataset.wbCatalogState = state;
    const disabled = state !== 'ready';
    this.insertButton.disabled = disabled;
    this.classifyButton.disabled = disabled;
  }

  /** Says what an action did (or why it failed) in the status line. */
  private say(state: 'ok' | 'error' | 'working', text: string): void {
    this.message.dataset.state = state;
    this.message.textContent = text;
    this.message.hidden = false;
    this.message.classList.toggle('wb-error-box', state === 'error');
  }

  private async describe(column: string | undefined, change: { description?: string | null; owner?: string | null }): Promise<void> {
    const note = await this.options.client.describe(this.table, column, change);
    if (!this.info) return;
    if (column === undefined) this.info = { ...this.info, ...note };
    else this.info = { ...this.info, columns: this.info.columns.map((c) => (c.name === column ? { ...c, description: note.description } : c)) };
  }

  /** Runs `work` with `button` busy; reloads the table afterwards when asked. */
  private async act(button: HTMLButtonElement, working: string, action: string, work: () => Promise<string>, reload: boolean): Promise<void> {
    button.disabled = true;
    button.dataset.busy = 'true';
    this.say('working', working);
    try {
      const text = await work();
      if (this.isDisposed) return;
      if (reload) await this.reloadAfterChange();
      this.say('ok', text);
    } catch (err) {
      if (this.isDisposed) return;
      this.say('error', errorText(err, action));
    } finally {
      button.disabled = false;
      delete button.dataset.busy;
    }
  }

  /** After a change: the table again, and the data tabs reloaded when next shown (masking may have changed). */
  private async reloadAfterChange(): Promise<void> {
    this.loadedTabs.clear();
    await this.load();
    if (this._tab !== 'columns') await this.showTab(this._tab);
  }

  /** Inserts the SELECT (what the Insert SELECT button does). */
  insertSelect(): Promise<void> {
    const info = this.info;
    if (!info) return Promise.resolve();
    return this.act(this.insertButton, 'Inserting…', 'insert the SELECT', () => this.options.onInsertSelect(info), false);
  }

  /** Runs the personal-data detectors (engineers). */
  classify(): Promise<void> {
    if (!this.abilities.write) return Promise.resolve();
    return this.act(this.classifyButton, 'Classifying a sample of the table…', `classify ${this.table.name}`, async () => classifySummary(await this.options.client.classify(this.table)), true);
  }

  /** Discovers the table's source again (analysts and up). */
  refreshSource(): Promise<void> {
    if (!this.abilities.refresh) return Promise.resolve();
    return this.act(
      this.refreshButton,
      `Refreshing ${this.table.source}…`,
      `refresh ${this.table.source}`,
      async () => {
        const run = await this.options.client.refresh(this.table.source);
        if (run.status === 'error') throw new CatalogError('server', run.message ?? `Cannot refresh ${this.table.source}`);
        return run.message ?? `Refreshed ${this.table.source}.`;
      },
      true,
    );
  }

  private async decideTag(button: HTMLButtonElement): Promise<void> {
    const tag = button.dataset.tag!;
    const column = button.dataset.column;
    const state = button.dataset.tagAction === 'confirm' ? 'confirmed' : 'rejected';
    const where = column === undefined ? this.table.name : column;
    for (const b of button.parentElement?.querySelectorAll<HTMLButtonElement>('button') ?? []) b.disabled = true;
    await this.act(
      button,
      `${state === 'confirmed' ? 'Confirming' : 'Rejecting'} ${tag}…`,
      `${state === 'confirmed' ? 'confirm' : 'reject'} ${tag} on ${where}`,
      async () => {
        await this.options.client.setTag(this.table, column, tag, state);
        return `${state === 'confirmed' ? 'Confirmed' : 'Rejected'} ${tag} on ${where}.`;
      },
      true,
    );
    this.message.focus();
  }

  private readonly onClick = (event: MouseEvent): void => {
    const target = event.target as Element;
    const tab = target.closest<HTMLButtonElement>('button.wb-catalog-tab');
    if (tab?.dataset.tab) return void this.showTab(tab.dataset.tab as TabName);
    const tagButton = target.closest<HTMLButtonElement>('button[data-tag-action]');
    if (tagButton && this.abilities.write) return void this.decideTag(tagButton);
    if (target.closest('button.wb-catalog-insert-select')) return void this.insertSelect();
    if (target.closest('button.wb-catalog-classify')) return void this.classify();
    if (target.closest('button.wb-catalog-refresh-source')) return void this.refreshSource();
  };

  private readonly onTabKey = (event: KeyboardEvent): void => {
    const i = TABS.indexOf(this._tab);
    const next = event.key === 'ArrowRight' ? (i + 1) % TABS.length : event.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : event.key === 'Home' ? 0 : event.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    event.preventDefault();
    void this.showTab(TABS[next]!);
    this.tabList.querySelector<HTMLButtonElement>(`button[data-tab="${TABS[next]}"]`)?.focus();
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.loadSeq++;
    this.loadAbort?.abort();
    this.preview.dispose();
    this.lineage.dispose();
    this.usage.dispose();
    this.node.removeEventListener('click', this.onClick);
    this.tabList.removeEventListener('keydown', this.onTabKey);
    super.dispose();
  }
}
