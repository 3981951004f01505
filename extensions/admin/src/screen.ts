/**
 * What the three screens share: a scrolling root with a heading and an
 * intro, a `data-wb-admin-state` for tests (`loading`, `ready`, `empty`,
 * `error`), one status line for the loading/empty/error text, and the
 * abort controller of the load in flight (aborted by the next load and on
 * dispose).
 */
import { Widget } from '@lumino/widgets';
import { h, type Child } from '@workbench/lab-common';
import { formatAbsoluteTime, formatDateParts, type FormatOptions } from './format';

export type ScreenState = 'loading' | 'ready' | 'empty' | 'error';

export abstract class AdminScreen extends Widget {
  protected readonly headerNode: HTMLElement;
  protected readonly statusNode: HTMLElement;
  private loadAbort: AbortController | null = null;
  private loadSeq = 0;
  private _pending: Promise<void> = Promise.resolve();

  constructor(screen: string, title: string, intro: Child[]) {
    super();
    this.addClass('wb-screen');
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-admin-screen');
    this.addClass(`wb-admin-${screen}`);
    this.node.dataset.wbAdmin = screen;
    this.headerNode = h('header', { className: 'wb-admin-header' }, [h('h2', { className: 'wb-admin-title' }, [title]), h('p', { className: 'wb-admin-intro' }, intro)]);
    this.statusNode = h('div', { className: 'wb-status wb-admin-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.node.append(this.headerNode);
  }

  get state(): ScreenState {
    return (this.node.dataset.wbAdminState as ScreenState | undefined) ?? 'loading';
  }

  /** The load in flight (or the last one): resolves when the screen shows its answer. */
  get pending(): Promise<void> {
    return this._pending;
  }

  /** Reloads from the server. */
  refresh(): Promise<void> {
    this._pending = this.runLoad();
    return this._pending;
  }

  /** Fetches and renders; `isCurrent()` turns false when a newer load started (or the screen was disposed). */
  protected abstract load(signal: AbortSignal, isCurrent: () => boolean): Promise<void>;

  protected setState(state: ScreenState, message = ''): void {
    this.node.dataset.wbAdminState = state;
    this.statusNode.dataset.wbAdminState = state;
    this.statusNode.textContent = message;
    this.statusNode.hidden = message === '';
    this.statusNode.classList.toggle('wb-mod-error', state === 'error');
  }

  private async runLoad(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    await this.load(abort.signal, () => seq === this.loadSeq && !this.isDisposed);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.loadSeq++;
    this.loadAbort?.abort();
    super.dispose();
  }
}

/** A `<time>` with the machine-readable value and a readable text. */
export function timeElement(iso: string, text: string, className = 'wb-admin-time'): HTMLTimeElement {
  return h('time', { className, attrs: { datetime: iso }, title: iso }, [text]);
}

/** A `<time>` showing the date over the time of day (the full ISO time in the tooltip). */
export function dateTimeElement(iso: string, options: FormatOptions = {}): HTMLTimeElement {
  const parts = formatDateParts(iso, options);
  return h('time', { className: 'wb-admin-time wb-admin-time-split', attrs: { datetime: iso }, title: formatAbsoluteTime(iso, options) }, [
    h('span', { className: 'wb-admin-time-date' }, [parts.date]),
    h('span', { className: 'wb-admin-time-clock' }, [parts.time]),
  ]);
}

/** A table head row from column titles (`null` for a column without a title). */
export function headRow(columns: (string | null)[]): HTMLTableSectionElement {
  return h('thead', {}, [h('tr', {}, columns.map((c) => h('th', { attrs: { scope: 'col' } }, [c === null ? h('span', { className: 'wb-sr-only' }, ['Actions']) : c])))]);
}
