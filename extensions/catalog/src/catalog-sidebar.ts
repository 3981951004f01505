/**
 * "Data Catalog": the side panel that finds tables, columns, notebooks and
 * glossary terms as you type. The search box is a combobox over the
 * results (ARIA 1.2): typing searches after a 150 ms pause, cancelling
 * the request of the previous text; ArrowDown / ArrowUp move through the
 * results, Enter opens the active one (the first when none is; pressed
 * before the pause ends, it searches at once and opens the first hit),
 * Escape clears the box. Filter chips narrow by kind (tables and views, columns,
 * notebooks, glossary) and by source. Each result shows its kind, its
 * name and qualified name with the matched word highlighted, what matched
 * when it was not the name (a tag, a description word, a table a notebook
 * used), and the match class. With nothing typed the panel lists the
 * sources (see source-list.ts). Failures show the server's message where
 * the results would be.
 *
 * Laid out for a side bar from about 250 px. Loads when first shown.
 *
 * DOM hooks: `.wb-catalog-sidebar[data-wb-catalog="sidebar"]` with
 * `data-wb-catalog-state=loading|ready|empty|error`, `data-wb-catalog-view=sources|results`,
 * `data-can-refresh`, `data-can-write`; `input.wb-catalog-query` (`aria-activedescendant`),
 * `button.wb-catalog-chip[data-kind|data-source][aria-pressed]`, `.wb-catalog-status`,
 * `ul.wb-catalog-results` with `li.wb-catalog-hit[data-hit-id][data-kind][data-match][aria-selected]`
 * (`data-table-key` for tables, views and columns): `.wb-catalog-hit-name`, `-qualified`
 * (`mark` around matched text), `-matched`, `.wb-catalog-match`; `button.wb-catalog-reload`;
 * and SourceList's.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren, type Child } from '@workbench/lab-common';
import { errorText, isAbort } from './catalog-api';
import type { CatalogClient } from './catalog-client';
import { kindLabel, matchedLine, matchLabel } from './format';
import { highlight, queryWords } from './highlight';
import { kindIcon } from './icons';
import { hitTarget, tableKey, type HitTarget } from './keys';
import { SourceList } from './source-list';
import type { CatalogAbilities, SearchHit, SearchKind, SourceInfo } from './types';

export type SidebarState = 'loading' | 'ready' | 'empty' | 'error';

export interface CatalogSidebarOptions {
  client: CatalogClient;
  /** What the user may do (asked once by the plugin); default: read only. */
  abilities?: () => Promise<CatalogAbilities>;
  /** Opens what a hit (or a table of the source list) names. */
  onOpen: (target: HitTarget, hit: SearchHit | null) => void;
  /** Pause after the last key before searching (ms). */
  debounceMs?: number;
  /** Results asked for. */
  limit?: number;
  now?: () => number;
}

/** The kind chips: what each asks the server for. */
const KIND_FILTERS: { id: string; label: string; kinds: SearchKind[] }[] = [
  { id: 'tables', label: 'Tables', kinds: ['table', 'view'] },
  { id: 'columns', label: 'Columns', kinds: ['column'] },
  { id: 'notebooks', label: 'Notebooks', kinds: ['notebook'] },
  { id: 'glossary', label: 'Glossary', kinds: ['glossary'] },
];

const READ_ONLY: CatalogAbilities = { read: true, refresh: false, write: false, pii: false };

let nextId = 0;

export class CatalogSidebar extends Widget {
  private readonly options: CatalogSidebarOptions;
  private readonly input: HTMLInputElement;
  private readonly kindChips: HTMLElement;
  private readonly sourceChips: HTMLElement;
  private readonly statusNode: HTMLElement;
  private readonly results: HTMLUListElement;
  private readonly sourcesSection: HTMLElement;
  private readonly sourceList: SourceList;
  private readonly reloadButton: HTMLButtonElement;
  private readonly uid = `wb-catalog-${++nextId}`;
  private readonly kindsOn = new Set<string>();
  private sourceOn: string | null = null;
  private sources: SourceInfo[] = [];
  private hits: SearchHit[] = [];
  private active = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private searchAbort: AbortController | null = null;
  private searchSeq = 0;
  private sourcesAbort: AbortController | null = null;
  private loaded: Promise<void> | null = null;
  private _pending: Promise<void> = Promise.resolve();

  constructor(options: CatalogSidebarOptions) {
    super();
    this.options = options;
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-catalog-sidebar');
    this.node.dataset.wbCatalog = 'sidebar';
    const resultsId = `${this.uid}-results`;
    this.input = h('input', {
      className: 'jp-mod-styled wb-input wb-catalog-query',
      attrs: {
        type: 'search',
        role: 'combobox',
        'aria-label': 'Search the catalog',
        'aria-autocomplete': 'list',
        'aria-expanded': 'false',
        'aria-controls': resultsId,
        placeholder: 'Search tables, columns, terms…',
        autocomplete: 'off',
        spellcheck: 'false',
      },
    });
    this.kindChips = h(
      'div',
      { className: 'wb-catalog-chips wb-catalog-kind-chips', attrs: { role: 'group', 'aria-label': 'Show only' } },
      KIND_FILTERS.map((f) => h('button', { className: 'wb-catalog-chip', attrs: { type: 'button', 'data-kind': f.id, 'aria-pressed': 'false' } }, [f.label])),
    );
    this.sourceChips = h('div', { className: 'wb-catalog-chips wb-catalog-source-chips', attrs: { role: 'group', 'aria-label': 'Only this source' } });
    this.statusNode = h('div', { className: 'wb-status wb-catalog-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.results = h('ul', { className: 'wb-catalog-results', attrs: { id: resultsId, role: 'listbox', 'aria-label': 'Search results' } });
    this.sourceList = new SourceList({
      client: options.client,
      now: options.now,
      onOpenTable: (table) => options.onOpen({ kind: 'table', table }, null),
      onRefreshed: () => void this.loadSources(),
    });
    this.sourcesSection = h('section', { className: 'wb-catalog-sources-section', attrs: { 'aria-label': 'Sources' } }, [h('h3', { className: 'wb-catalog-section-title' }, ['Sources']), this.sourceList.node]);
    const reload = (this.reloadButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-catalog-button-small wb-catalog-reload', attrs: { type: 'button', 'aria-label': 'Reload the catalog' }, title: 'Reload' }, ['Reload']));
    this.node.append(
      h('header', { className: 'wb-catalog-header' }, [h('h2', { className: 'wb-catalog-title' }, ['Data Catalog']), h('span', { className: 'wb-catalog-spacer' }), reload]),
      h('div', { className: 'wb-catalog-search' }, [this.input]),
      this.kindChips,
      this.sourceChips,
      this.statusNode,
      this.results,
      this.sourcesSection,
    );
    this.results.hidden = true;
    this.sourceChips.hidden = true;
    this.setView('sources');
    this.setState('loading', 'Loading the catalog…');
    this.input.addEventListener('input', this.onInput);
    this.input.addEventListener('keydown', this.onKeyDown);
    this.kindChips.addEventListener('click', this.onKindChip);
    this.sourceChips.addEventListener('click', this.onSourceChip);
    this.results.addEventListener('click', this.onResultClick);
    this.results.addEventListener('mousemove', this.onResultHover);
    this.reloadButton.addEventListener('click', this.onReload);
  }

  get state(): SidebarState {
    return (this.node.dataset.wbCatalogState as SidebarState | undefined) ?? 'loading';
  }

  /** The search or load in flight (or the last one). */
  get pending(): Promise<void> {
    return this._pending;
  }

  /** The hits shown. */
  get currentHits(): readonly SearchHit[] {
    return this.hits;
  }

  /** Loads the sources once (the first time the panel is shown). */
  ensureLoaded(): Promise<void> {
    this.loaded ??= this.loadSources();
    return this.loaded;
  }

  /** Puts the caret in the search box. */
  focusSearch(): void {
    this.input.focus();
    this.input.select();
  }

  /** Searches `query` now (as if typed), without the pause. */
  search(query: string): Promise<void> {
    this.input.value = query;
    return this.runSearch();
  }

  protected override onAfterShow(): void {
    void this.ensureLoaded();
  }

  protected override onActivateRequest(): void {
    if (this.isAttached) this.input.focus();
  }

  private async loadSources(): Promise<void> {
    this.sourcesAbort?.abort();
    const abort = (this.sourcesAbort = new AbortController());
    const abilities = (this.options.abilities?.() ?? Promise.resolve(READ_ONLY)).catch(() => READ_ONLY);
    const work = (async () => {
      try {
        const [sources, may] = await Promise.all([this.options.client.sources({ signal: abort.signal }), abilities]);
        if (abort.signal.aborted || this.isDisposed) return;
        this.sources = sources;
        this.node.dataset.canRefresh = String(may.refresh);
        this.node.dataset.canWrite = String(may.write);
        this.sourceList.render(sources, may);
        this.renderSourceChips();
        if (this.query() === '') this.showSources();
      } catch (err) {
        if (abort.signal.aborted || isAbort(err) || this.isDisposed) return;
        if (this.query() === '') this.setState('error', errorText(err, 'load the catalog sources'));
      }
    })();
    this._pending = work;
    return work;
  }

  private query(): string {
    return this.input.value.trim();
  }

  private showSources(): void {
    this.setView('sources');
    this.setHits([]);
    if (this.sources.length === 0) this.setState('empty', 'No sources yet: the warehouse appears once SQL has run, and each database connection is a source.');
    else this.setState('ready');
  }

  private renderSourceChips(): void {
    if (this.sourceOn !== null && !this.sources.some((s) => s.name === this.sourceOn)) this.sourceOn = null;
    replaceChildren(
      this.sourceChips,
      [
        h('span', { className: 'wb-catalog-chips-label', attrs: { 'aria-hidden': 'true' } }, ['In']),
        ...this.sources.map((s) => h('button', { className: 'wb-catalog-chip', attrs: { type: 'button', 'data-source': s.name, 'aria-pressed': String(this.sourceOn === s.name), title: `Only ${s.name}` } }, [s.name])),
      ],
    );
    this.sourceChips.hidden = this.sources.length < 2;
  }

  private kinds(): SearchKind[] {
    return KIND_FILTERS.filter((f) => this.kindsOn.has(f.id)).flatMap((f) => f.kinds);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runSearch();
    }, this.options.debounceMs ?? 150);
  }

  private runSearch(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const seq = ++this.searchSeq;
    this.searchAbort?.abort();
    this.searchAbort = null;
    const q = this.query();
    if (q === '') {
      this.showSources();
      this._pending = Promise.resolve();
      return this._pending;
    }
    const abort = (this.searchAbort = new AbortController());
    this.setView('results');
    this.node.dataset.wbCatalogState = 'loading';
    this.results.setAttribute('aria-busy', 'true');
    const work = (async () => {
      try {
        const answer = await this.options.client.search({ q, kinds: this.kinds(), source: this.sourceOn ?? undefined, limit: this.options.limit ?? 30 }, { signal: abort.signal });
        if (seq !== this.searchSeq || this.isDisposed) return;
        this.setHits(answer.hits, q);
        if (answer.hits.length === 0) this.setState('empty', `Nothing matches “${q}”${this.kindsOn.size || this.sourceOn ? ' with these filters' : ''}.`);
        else this.setState('ready');
      } catch (err) {
        if (seq !== this.searchSeq || isAbort(err) || this.isDisposed) return;
        this.setHits([]);
        this.setState('error', errorText(err, 'search the catalog'));
      } finally {
        if (seq === this.searchSeq) this.results.removeAttribute('aria-busy');
      }
    })();
    this._pending = work;
    return work;
  }

  private setHits(hits: SearchHit[], query = ''): void {
    this.hits = hits;
    this.active = -1;
    const words = queryWords(query);
    replaceChildren(
      this.results,
      hits.map((hit, i) => this.hitItem(hit, i, words)),
    );
    this.results.hidden = hits.length === 0;
    this.input.setAttribute('aria-expanded', String(hits.length > 0));
    this.input.removeAttribute('aria-activedescendant');
  }

  private hitItem(hit: SearchHit, index: number, words: string[]): HTMLLIElement {
    const target = hitTarget(hit);
    const nameField = hit.matched.field === 'name' || hit.matched.field === 'qualified';
    const needles = [...(nameField || hit.matched.field === 'description' ? [hit.matched.text] : []), ...(hit.match === 'fuzzy' ? [] : words)];
    // Qualified names may break after each dot (a <wbr>), not inside a word.
    const breakable = (text: string): Child[] => text.split(/(?<=\.)/).flatMap((part, i) => (i === 0 ? [part] : [h('wbr'), part]));
    const marked = (text: string): Child[] => highlight(text, needles).flatMap((s) => (s.match ? [h('mark', { className: 'wb-catalog-mark' }, breakable(s.text))] : breakable(s.text)));
    const line = matchedLine(hit);
    const li = h(
      'li',
      {
        className: 'wb-catalog-hit',
        attrs: {
          id: `${this.uid}-hit-${index}`,
          role: 'option',
          'aria-selected': 'false',
          'data-hit-id': hit.id,
          'data-kind': hit.kind,
          'data-match': hit.match,
          'data-table-key': target.kind === 'table' ? tableKey(target.table) : undefined,
          'data-column': target.kind === 'table' ? target.column : undefined,
        },
      },
      [
        h('span', { className: 'wb-catalog-hit-icon', title: kindLabel(hit.kind) }, [kindIcon(hit.kind)]),
        h('div', { className: 'wb-catalog-hit-main' }, [
          h('div', { className: 'wb-catalog-hit-head' }, [
            h('span', { className: 'wb-catalog-hit-name' }, marked(hit.name)),
            h('span', { className: 'wb-badge wb-catalog-match', attrs: { 'data-match': hit.match }, title: `Matched by ${matchLabel(hit.match, hit.matched.field)} (${hit.match})` }, [matchLabel(hit.match, hit.matched.field)]),
          ]),
          hit.qualified !== hit.name ? h('div', { className: 'wb-catalog-hit-qualified' }, marked(hit.qualified)) : null,
          line
            ? h('div', { className: 'wb-catalog-hit-matched' }, [
                h('span', { className: 'wb-catalog-hit-matched-label' }, [`${line.label}: `]),
                h('mark', { className: 'wb-catalog-mark' }, [line.text]),
              ])
            : null,
          h('span', { className: 'wb-sr-only' }, [`, ${kindLabel(hit.kind)}`]),
        ]),
      ],
    );
    return li;
  }

  private setActive(index: number): void {
    const items = this.results.querySelectorAll<HTMLLIElement>('li.wb-catalog-hit');
    if (items.length === 0) return;
    this.active = Math.max(0, Math.min(items.length - 1, index));
    items.forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === this.active));
      li.classList.toggle('wb-mod-active', i === this.active);
    });
    const li = items[this.active]!;
    this.input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  /** Opens the hit at `index` (its table page, notebook or glossary term). */
  open(index: number): void {
    const hit = this.hits[index];
    if (!hit) return;
    this.options.onOpen(hitTarget(hit), hit);
  }

  private setView(view: 'sources' | 'results'): void {
    this.node.dataset.wbCatalogView = view;
    this.sourcesSection.hidden = view !== 'sources';
  }

  private setState(state: SidebarState, message = ''): void {
    this.node.dataset.wbCatalogState = state;
    this.statusNode.dataset.state = state;
    this.statusNode.textContent = message;
    this.statusNode.hidden = message === '';
    this.statusNode.classList.toggle('wb-mod-error', state === 'error');
  }

  private readonly onInput = (): void => {
    if (this.query() === '') void this.runSearch();
    else this.schedule();
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    switch (event.key) {
      case 'ArrowDown':
        if (this.hits.length === 0) return;
        event.preventDefault();
        this.setActive(this.active < 0 ? 0 : this.active + 1);
        break;
      case 'ArrowUp':
        if (this.hits.length === 0) return;
        event.preventDefault();
        this.setActive(this.active < 0 ? this.hits.length - 1 : this.active - 1);
        break;
      case 'Enter': {
        event.preventDefault();
        if (this.timer === null && this.hits.length > 0) {
          this.open(this.active < 0 ? 0 : this.active);
          break;
        }
        // Typed faster than the pause (or nothing shown yet): search now and open the first hit, unless the text changes meanwhile.
        const q = this.query();
        if (q === '') break;
        const seq = this.searchSeq + 1;
        void this.runSearch().then(() => {
          if (seq === this.searchSeq && this.query() === q && this.hits.length > 0) this.open(0);
        });
        break;
      }
      case 'Escape':
        if (this.input.value !== '') {
          event.preventDefault();
          event.stopPropagation();
          this.input.value = '';
          void this.runSearch();
        }
        break;
    }
  };

  private readonly onKindChip = (event: MouseEvent): void => {
    const chip = (event.target as Element).closest<HTMLButtonElement>('button.wb-catalog-chip[data-kind]');
    const id = chip?.dataset.kind;
    if (!chip || !id) return;
    if (this.kindsOn.has(id)) this.kindsOn.delete(id);
    else this.kindsOn.add(id);
    chip.setAttribute('aria-pressed', String(this.kindsOn.has(id)));
    if (this.query() !== '') void this.runSearch();
  };

  private readonly onSourceChip = (event: MouseEvent): void => {
    const chip = (event.target as Element).closest<HTMLButtonElement>('button.wb-catalog-chip[data-source]');
    const source = chip?.dataset.source;
    if (!chip || source === undefined) return;
    this.sourceOn = this.sourceOn === source ? null : source;
    for (const c of this.sourceChips.querySelectorAll<HTMLButtonElement>('button.wb-catalog-chip')) c.setAttribute('aria-pressed', String(c.dataset.source === this.sourceOn));
    if (this.query() !== '') void this.runSearch();
  };

  private readonly onResultClick = (event: MouseEvent): void => {
    const li = (event.target as Element).closest<HTMLLIElement>('li.wb-catalog-hit');
    if (!li) return;
    const index = [...this.results.children].indexOf(li);
    this.setActive(index);
    this.open(index);
  };

  private readonly onResultHover = (event: MouseEvent): void => {
    const li = (event.target as Element).closest<HTMLLIElement>('li.wb-catalog-hit');
    if (li && !li.classList.contains('wb-mod-active')) this.setActive([...this.results.children].indexOf(li));
  };

  private readonly onReload = (): void => {
    void this.loadSources().then(() => (this.query() !== '' ? this.runSearch() : undefined));
  };

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.searchSeq++;
    this.searchAbort?.abort();
    this.sourcesAbort?.abort();
    this.sourceList.dispose();
    this.input.removeEventListener('input', this.onInput);
    this.input.removeEventListener('keydown', this.onKeyDown);
    this.kindChips.removeEventListener('click', this.onKindChip);
    this.sourceChips.removeEventListener('click', this.onSourceChip);
    this.results.removeEventListener('click', this.onResultClick);
    this.results.removeEventListener('mousemove', this.onResultHover);
    this.reloadButton.removeEventListener('click', this.onReload);
    super.dispose();
  }
}
