/**
 * Draws a DiffModel: a header (which version, summary, restore button), then
 * the changed cells in notebook order (status, type, position, source lines
 * with +/-, outputs and metadata changes), or a file's line diff.
 *
 * DOM hooks: `.wb-history-diff[data-wb-history-diff-state=idle|loading|ready|empty|error]`,
 * `.wb-history-restore`, `.wb-history-cell[data-status][data-cell-type]`,
 * `.wb-history-line-insert|delete|equal|gap`, `.wb-history-outputs`,
 * `.wb-history-metadata`, `.wb-history-diff-empty`.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { CellBlock, ChangeLine, DiffModel, RenderLine } from './diff-model';
import { h, replaceChildren } from '@workbench/lab-common';
import type { VersionItem } from './format';

export type DiffState =
  | { kind: 'idle'; message: string }
  | { kind: 'loading'; version: VersionItem }
  | { kind: 'error'; version: VersionItem; message: string }
  | { kind: 'ready'; version: VersionItem; model: DiffModel };

export interface DiffViewOptions {
  /** Show the "Restore this version" button (default true). */
  canRestore?: boolean;
}

export class DiffView extends Widget {
  private readonly _restoreRequested = new Signal<this, VersionItem>(this);
  private readonly canRestore: boolean;
  private state: DiffState = { kind: 'idle', message: '' };
  private restoreButton: HTMLButtonElement | null = null;
  private _busy = false;

  constructor(options: DiffViewOptions = {}) {
    super();
    this.canRestore = options.canRestore ?? true;
    this.addClass('wb-history-diff');
    this.node.setAttribute('aria-label', 'Changes');
    this.setState(this.state);
  }

  /** Emitted when "Restore this version" is clicked. */
  get restoreRequested(): ISignal<this, VersionItem> {
    return this._restoreRequested;
  }

  /** While true the restore button is disabled (a restore is under way). */
  set busy(value: boolean) {
    this._busy = value;
    if (this.restoreButton) this.restoreButton.disabled = value;
  }

  setState(state: DiffState): void {
    this.state = state;
    const kind = state.kind === 'ready' && state.model.empty ? 'empty' : state.kind;
    this.node.dataset.wbHistoryDiffState = kind;
    this.restoreButton = null;
    switch (state.kind) {
      case 'idle':
        replaceChildren(this.node, [state.message ? h('div', { className: 'wb-history-status' }, [state.message]) : null]);
        return;
      case 'loading':
        replaceChildren(this.node, [this.header(state.version), h('div', { className: 'wb-history-status', attrs: { role: 'status' } }, ['Loading changes…'])]);
        return;
      case 'error':
        replaceChildren(this.node, [
          this.header(state.version),
          h('div', { className: 'wb-history-status wb-mod-error', attrs: { role: 'alert' } }, [state.message]),
        ]);
        return;
      case 'ready':
        replaceChildren(this.node, [this.header(state.version, state.model), ...this.body(state.model)]);
    }
  }

  private header(version: VersionItem, model?: DiffModel): HTMLElement {
    const children: HTMLElement[] = [
      h('div', { className: 'wb-history-diff-title' }, [
        'Changes since ',
        h('code', {}, [version.short]),
        ` (${version.relativeTime}, ${version.author}) to the saved file`,
      ]),
    ];
    if (model) children.push(h('div', { className: 'wb-history-diff-summary' }, [model.summary]));
    if (this.canRestore && version.hasContent) {
      const button = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-history-restore', attrs: { type: 'button', 'data-version-id': version.id } }, [
        'Restore this version',
      ]);
      button.disabled = this._busy;
      button.addEventListener('click', () => this._restoreRequested.emit(version));
      this.restoreButton = button;
      children.push(button);
    }
    return h('div', { className: 'wb-history-diff-header' }, children);
  }

  private body(model: DiffModel): HTMLElement[] {
    if (model.empty) {
      return [h('div', { className: 'wb-history-diff-empty' }, ['No changes: this version matches the saved file.'])];
    }
    return diffBody(model);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    Signal.clearData(this);
    super.dispose();
  }
}

/**
 * A diff's changes as elements (a file's lines, or a notebook's metadata
 * and changed cells), without a header: for other screens that show a
 * diff (a template's versions). Nothing for an empty diff.
 */
export function diffBody(model: DiffModel): HTMLElement[] {
  if (model.empty) return [];
  if (model.kind === 'file') {
    const out = [lineList(model.lines)];
    if (model.truncatedLines > 0) out.push(h('div', { className: 'wb-history-note' }, [`${model.truncatedLines} more lines not shown`]));
    return out;
  }
  const out: HTMLElement[] = [];
  if (model.notebookMetadata.length) out.push(changeList('Notebook metadata', model.notebookMetadata, 'wb-history-metadata wb-history-notebook-metadata'));
  for (const cell of model.cells) out.push(cellSection(cell));
  if (model.unchangedCells > 0) {
    out.push(h('div', { className: 'wb-history-note' }, [`${model.unchangedCells} unchanged cell${model.unchangedCells === 1 ? '' : 's'} not shown`]));
  }
  return out;
}

function cellSection(cell: CellBlock): HTMLElement {
  const attrs = {
    'data-status': cell.status,
    'data-cell-type': cell.cellType,
    'data-moved': String(cell.moved),
    'data-old-index': cell.oldIndex === null ? undefined : String(cell.oldIndex),
    'data-new-index': cell.newIndex === null ? undefined : String(cell.newIndex),
  };
  return h('section', { className: `wb-history-cell wb-history-cell-${cell.status}`, attrs: { ...attrs, 'aria-label': `${cell.statusLabel} ${cell.cellType} ${cell.position}` } }, [
    h('div', { className: 'wb-history-cell-header' }, [
      h('span', { className: `wb-history-badge wb-history-badge-${cell.status}` }, [cell.statusLabel]),
      h('span', { className: 'wb-history-cell-type' }, [cell.cellType]),
      h('span', { className: 'wb-history-cell-position' }, [cell.position]),
    ]),
    ...cell.notes.map((n) => h('div', { className: 'wb-history-note' }, [n])),
    cell.lines.length ? lineList(cell.lines) : null,
    cell.outputs
      ? h('div', { className: 'wb-history-outputs' }, [
          h('div', { className: 'wb-history-subtitle' }, [cell.outputs.title]),
          ...cell.outputs.old.map((t) => h('div', { className: 'wb-history-output wb-history-output-old' }, [h('span', { className: 'wb-history-sign' }, ['-']), t])),
          ...cell.outputs.new.map((t) => h('div', { className: 'wb-history-output wb-history-output-new' }, [h('span', { className: 'wb-history-sign' }, ['+']), t])),
        ])
      : null,
    cell.metadata.length ? changeList('Cell metadata', cell.metadata, 'wb-history-metadata') : null,
    cell.attachments.length ? changeList('Attachments', cell.attachments, 'wb-history-attachments') : null,
  ]);
}

function lineList(lines: RenderLine[]): HTMLElement {
  return h(
    'div',
    { className: 'wb-history-source', attrs: { role: 'table', 'aria-label': 'Source changes' } },
    lines.map((l) =>
      h('div', { className: `wb-history-line wb-history-line-${l.kind}`, attrs: { role: 'row' } }, [
        h('span', { className: 'wb-history-lineno', attrs: { role: 'cell', 'aria-label': 'old line' } }, [l.oldLine === null ? '' : String(l.oldLine)]),
        h('span', { className: 'wb-history-lineno', attrs: { role: 'cell', 'aria-label': 'new line' } }, [l.newLine === null ? '' : String(l.newLine)]),
        h('span', { className: 'wb-history-sign', attrs: { role: 'cell', 'aria-hidden': 'true' } }, [l.sign]),
        h('span', { className: 'wb-history-text', attrs: { role: 'cell' } }, [
          l.kind === 'insert' || l.kind === 'delete' ? h('span', { className: 'wb-sr-only' }, [l.kind === 'insert' ? 'added: ' : 'removed: ']) : null,
          l.text,
        ]),
      ]),
    ),
  );
}

function changeList(title: string, changes: ChangeLine[], className: string): HTMLElement {
  return h('div', { className }, [
    h('div', { className: 'wb-history-subtitle' }, [title]),
    h(
      'ul',
      {},
      changes.map((c) => h('li', { className: `wb-history-change wb-history-change-${c.kind}`, attrs: { 'data-path': c.path } }, [c.text])),
    ),
  ]);
}
