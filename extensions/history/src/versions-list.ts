/**
 * The list of a file's versions, newest first: message, author, relative
 * time (absolute in the tooltip), change kind. One version can be selected
 * (click, Enter or Space; arrow keys move between rows).
 *
 * DOM hooks: `ul.wb-history-versions`, `li.wb-history-version[data-version-id]`
 * (`aria-selected="true"` and `.wb-mod-selected` on the selected one),
 * `.wb-history-status[data-wb-history-state]` for loading/empty/error text.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import type { VersionItem } from './format';

export type ListState =
  | { kind: 'idle'; message: string }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; items: VersionItem[] };

export class VersionsList extends Widget {
  private readonly statusNode: HTMLElement;
  private readonly listNode: HTMLUListElement;
  private readonly _selectionChanged = new Signal<this, VersionItem>(this);
  private items: VersionItem[] = [];
  private _selectedId: string | null = null;

  constructor() {
    super();
    this.addClass('wb-history-versions-list');
    this.statusNode = h('div', { className: 'wb-history-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.listNode = h('ul', { className: 'wb-history-versions', attrs: { role: 'listbox', 'aria-label': 'Versions, newest first' } });
    this.node.append(this.statusNode, this.listNode);
    this.listNode.addEventListener('click', this.onClick);
    this.listNode.addEventListener('keydown', this.onKeyDown);
    this.setState({ kind: 'idle', message: '' });
  }

  /** Emitted when the user picks a version (not when `select` is called). */
  get selectionChanged(): ISignal<this, VersionItem> {
    return this._selectionChanged;
  }

  get selectedId(): string | null {
    return this._selectedId;
  }

  setState(state: ListState): void {
    this.node.dataset.wbHistoryState = state.kind === 'ready' && state.items.length === 0 ? 'empty' : state.kind;
    this.statusNode.dataset.wbHistoryState = this.node.dataset.wbHistoryState;
    this.items = state.kind === 'ready' ? state.items : [];
    if (state.kind === 'ready') {
      this.statusNode.textContent = state.items.length === 0 ? 'No versions yet: save the file to record one.' : '';
    } else if (state.kind === 'loading') {
      this.statusNode.textContent = 'Loading versions…';
    } else {
      this.statusNode.textContent = state.message;
    }
    this.statusNode.hidden = this.statusNode.textContent === '';
    this.statusNode.classList.toggle('wb-mod-error', state.kind === 'error');
    replaceChildren(this.listNode, this.items.map((item) => this.row(item)));
    this.listNode.hidden = this.items.length === 0;
    if (this._selectedId !== null && !this.items.some((i) => i.id === this._selectedId)) this._selectedId = null;
    this.markSelected();
  }

  /** Marks `id` selected without emitting `selectionChanged`. */
  select(id: string | null): void {
    this._selectedId = id;
    this.markSelected();
  }

  private row(item: VersionItem): HTMLLIElement {
    const time = h('time', { className: 'wb-history-version-time', attrs: { datetime: item.isoTime }, title: item.absoluteTime }, [item.relativeTime]);
    return h(
      'li',
      {
        className: 'wb-history-version',
        attrs: { role: 'option', tabindex: '-1', 'data-version-id': item.id, 'data-change': item.change, 'aria-selected': 'false' },
        title: `${item.message}\n${item.authorTitle}\n${item.absoluteTime}\n${item.short}`,
      },
      [
        h('div', { className: 'wb-history-version-line' }, [
          h('span', { className: 'wb-history-version-message' }, [item.message]),
          h('span', { className: `wb-history-version-change wb-history-kind-${item.change}` }, [item.changeLabel]),
        ]),
        h('div', { className: 'wb-history-version-line wb-history-version-meta' }, [
          h('span', { className: 'wb-history-version-author', title: item.authorTitle }, [item.author]),
          time,
          h('span', { className: 'wb-history-version-absolute' }, [item.absoluteTime]),
          h('code', { className: 'wb-history-version-id' }, [item.short]),
        ]),
        item.pathNote ? h('div', { className: 'wb-history-version-path' }, [item.pathNote]) : null,
      ],
    );
  }

  private markSelected(): void {
    let focusable: HTMLElement | null = null;
    for (const li of Array.from(this.listNode.children) as HTMLElement[]) {
      const selected = li.dataset.versionId === this._selectedId;
      li.classList.toggle('wb-mod-selected', selected);
      li.setAttribute('aria-selected', String(selected));
      li.tabIndex = -1;
      if (selected) focusable = li;
    }
    // One row in the tab order: the selected one, else the first.
    const first = focusable ?? (this.listNode.firstElementChild as HTMLElement | null);
    if (first) first.tabIndex = 0;
  }

  private choose(li: HTMLElement): void {
    const item = this.items.find((i) => i.id === li.dataset.versionId);
    if (!item) return;
    this.select(item.id);
    li.focus();
    this._selectionChanged.emit(item);
  }

  private readonly onClick = (event: MouseEvent): void => {
    const li = (event.target as Element).closest<HTMLElement>('.wb-history-version');
    if (li && this.listNode.contains(li)) this.choose(li);
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const li = (event.target as Element).closest<HTMLElement>('.wb-history-version');
    if (!li) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.choose(li);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = (event.key === 'ArrowDown' ? li.nextElementSibling : li.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  };

  override dispose(): void {
    if (this.isDisposed) return;
    this.listNode.removeEventListener('click', this.onClick);
    this.listNode.removeEventListener('keydown', this.onKeyDown);
    Signal.clearData(this);
    super.dispose();
  }
}
