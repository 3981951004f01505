/**
 * The version history of one file: a header (path, refresh), the versions
 * list and, for the selected version, the changes from it to the saved file
 * with a "Restore this version" button. Which file it shows is up to the
 * caller (`setPath`); restoring is delegated to `onRestore` (it confirms,
 * calls the API and reloads the open document).
 *
 * DOM hooks: `.wb-history-panel[data-wb-history-state=no-document|loading|ready|empty|error]`,
 * `.wb-history-path`, `.wb-history-refresh`, plus those of VersionsList and DiffView.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';
import { diffModel } from './diff-model';
import { DiffView } from './diff-view';
import { h } from '@workbench/lab-common';
import { versionItem, type FormatOptions, type VersionItem } from './format';
import { errorText, HistoryError } from './history-api';
import type { HistoryClient } from './history-client';
import { WORKING, type VersionInfo } from './types';
import { VersionsList } from './versions-list';

export interface RestoreRequest {
  path: string;
  version: VersionInfo;
}

export interface HistoryPanelOptions {
  client: HistoryClient;
  /** Confirm, restore and reload; resolves true when the file was restored. Without it there is no restore button. */
  onRestore?: (request: RestoreRequest) => Promise<boolean>;
  /** Clock for relative times; default `() => new Date()`. */
  now?: () => Date;
  format?: FormatOptions;
}

/** Lumino's Message, without depending on @lumino/messaging. */
type Message = Parameters<Widget['processMessage']>[0];

export type PanelState = 'no-document' | 'loading' | 'ready' | 'empty' | 'error';

const NO_DOCUMENT = 'Open a notebook or file to see its versions.';
const PICK_VERSION = 'Select a version to see what changed since then.';

export class HistoryPanel extends Panel {
  readonly list = new VersionsList();
  readonly diff: DiffView;
  private readonly options: HistoryPanelOptions;
  private readonly pathNode: HTMLElement;
  private _path: string | null = null;
  private versions: VersionInfo[] = [];
  private items: VersionItem[] = [];
  private loadSeq = 0;
  private diffSeq = 0;
  private loadAbort: AbortController | null = null;
  private diffAbort: AbortController | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly _shown = new Signal<this, void>(this);

  constructor(options: HistoryPanelOptions) {
    super();
    this.options = options;
    this.addClass('wb-history-panel');
    this.diff = new DiffView({ canRestore: options.onRestore !== undefined });

    this.pathNode = h('div', { className: 'wb-history-path' });
    const refresh = h('button', { className: 'jp-Button jp-mod-minimal wb-history-refresh', title: 'Refresh versions', attrs: { type: 'button', 'aria-label': 'Refresh versions' } }, [
      refreshIcon.element({ tag: 'span' }),
    ]);
    refresh.addEventListener('click', () => void this.refresh());
    const header = new Widget({
      node: h('div', { className: 'wb-history-header' }, [h('div', { className: 'wb-history-heading' }, [h('h2', { className: 'wb-history-title' }, ['Version history']), refresh]), this.pathNode]),
    });
    this.addWidget(header);
    this.addWidget(this.list);
    this.addWidget(this.diff);

    this.list.selectionChanged.connect((_, item) => void this.showDiff(item));
    this.diff.restoreRequested.connect((_, item) => void this.restore(item));
    void this.load(true); // the "no document" state
  }

  /** Emitted each time the panel becomes visible (e.g. its side bar tab is opened). */
  get shown(): ISignal<this, void> {
    return this._shown;
  }

  get path(): string | null {
    return this._path;
  }

  /** The versions last loaded, newest first. */
  get versionList(): readonly VersionInfo[] {
    return this.versions;
  }

  /** Shows the history of `path` (null: nothing open). Resolves when the list (and the selected diff) are loaded. */
  setPath(path: string | null): Promise<void> {
    if (path === this._path) return this.pending;
    this._path = path;
    this.list.select(null);
    this.pathNode.textContent = path ?? '';
    this.pathNode.title = path ?? '';
    return this.load(true);
  }

  /** Reloads the versions of the current path, keeping the selection if it still exists. */
  refresh(): Promise<void> {
    return this.load(false);
  }

  /** Selects a version (full or short id) and shows its changes, as a click does. */
  async selectVersion(id: string): Promise<void> {
    await this.pending;
    const item = this.items.find((i) => i.id === id || i.short === id || i.id.startsWith(id));
    if (!item) throw new HistoryError('not_found', `Cannot select version ${id}: it is not in the history of ${this._path ?? 'the file'}`);
    this.list.select(item.id);
    await this.showDiff(item);
  }

  private setState(state: PanelState): void {
    this.node.dataset.wbHistoryState = state;
  }

  private load(showLoading: boolean): Promise<void> {
    this.pending = this.doLoad(showLoading);
    return this.pending;
  }

  private async doLoad(showLoading: boolean): Promise<void> {
    const path = this._path;
    const seq = ++this.loadSeq;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    if (path === null) {
      this.cancelDiff();
      this.versions = [];
      this.items = [];
      this.setState('no-document');
      this.list.setState({ kind: 'idle', message: NO_DOCUMENT });
      this.diff.setState({ kind: 'idle', message: '' });
      return;
    }
    this.setState('loading');
    if (showLoading) {
      this.cancelDiff();
      this.list.setState({ kind: 'loading' });
      this.diff.setState({ kind: 'idle', message: '' });
    }
    try {
      const result = await this.options.client.versions(path, { signal: abort.signal });
      if (seq !== this.loadSeq) return;
      const now = (this.options.now ?? (() => new Date()))();
      this.versions = result.versions;
      this.items = result.versions.map((v) => versionItem(v, result.path, now, this.options.format));
      this.list.setState({ kind: 'ready', items: this.items });
      this.setState(this.items.length ? 'ready' : 'empty');
      const selected = this.items.find((i) => i.id === this.list.selectedId);
      if (selected) await this.showDiff(selected);
      else this.diff.setState({ kind: 'idle', message: this.items.length ? PICK_VERSION : '' });
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this.versions = [];
      this.items = [];
      this.cancelDiff();
      this.setState('error');
      this.list.setState({ kind: 'error', message: errorText(err, 'load the version history') });
      this.diff.setState({ kind: 'idle', message: '' });
    }
  }

  private cancelDiff(): void {
    this.diffSeq++;
    this.diffAbort?.abort();
    this.diffAbort = null;
  }

  private async showDiff(item: VersionItem): Promise<void> {
    const path = this._path;
    if (path === null) return;
    this.cancelDiff();
    const seq = this.diffSeq;
    const abort = (this.diffAbort = new AbortController());
    if (!item.hasContent) {
      this.diff.setState({ kind: 'error', version: item, message: 'This version deleted the file: there is nothing to compare or restore.' });
      return;
    }
    this.diff.setState({ kind: 'loading', version: item });
    try {
      const response = await this.options.client.diff(path, item.id, WORKING, { signal: abort.signal });
      if (seq !== this.diffSeq) return;
      this.diff.setState({ kind: 'ready', version: item, model: diffModel(response) });
    } catch (err) {
      if (seq !== this.diffSeq) return;
      this.diff.setState({ kind: 'error', version: item, message: errorText(err, 'load the changes') });
    }
  }

  private async restore(item: VersionItem): Promise<void> {
    const path = this._path;
    const version = this.versions.find((v) => v.id === item.id);
    if (!this.options.onRestore || path === null || !version) return;
    this.diff.busy = true;
    try {
      if (await this.options.onRestore({ path, version })) await this.refresh();
    } catch (err) {
      this.diff.setState({ kind: 'error', version: item, message: errorText(err, 'restore the version') });
    } finally {
      this.diff.busy = false;
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._shown.emit();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    Signal.clearData(this);
    this.loadAbort?.abort();
    this.diffAbort?.abort();
    super.dispose();
  }
}
