/**
 * The logic of the vendor picker (vendor-picker.ts), without the DOM: what
 * is typed becomes a search of Odoo's partners (`GET
 * api/documents/partners?q=`) once it has 2 to 100 characters and the
 * typing paused (debounced); only the newest search's answer counts (an
 * older one in flight is aborted); the state says what to show and the
 * status line says it in words. The arrow keys move through the options
 * (wrapping), Enter takes the one moved to. Pure but for the timer.
 */
import { errorText } from './review-api';
import type { Partner } from './types';

/** The server's bounds of `q`. */
export const MIN_QUERY = 2;
export const MAX_QUERY = 100;
/** The server answers at most this many partners. */
export const MAX_PARTNERS = 20;
/** How long typing pauses before it searches. */
export const SEARCH_DELAY_MS = 250;

export type SearchState =
  | { kind: 'idle' }
  /** Something typed, too short to search. */
  | { kind: 'short'; query: string }
  /** Waiting for the pause in typing, or for the server. */
  | { kind: 'searching'; query: string }
  | { kind: 'results'; query: string; partners: Partner[] }
  | { kind: 'error'; query: string; message: string };

/** The text to search for: trimmed, null when shorter than 2 characters; cut to 100 (the input allows no more). */
export function partnerQuery(text: string): string | null {
  const q = text.trim();
  return q.length < MIN_QUERY ? null : q.slice(0, MAX_QUERY);
}

export interface PartnerSearchOptions {
  search: (q: string, signal: AbortSignal) => Promise<Partner[]>;
  onState: (state: SearchState) => void;
  delayMs?: number;
}

/** What is typed, searched once typing pauses; the newest answer wins. */
export class PartnerSearch {
  private readonly options: PartnerSearchOptions;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private abort: AbortController | null = null;
  private last: string | null = null;
  private _state: SearchState = { kind: 'idle' };

  constructor(options: PartnerSearchOptions) {
    this.options = options;
  }

  get state(): SearchState {
    return this._state;
  }

  /** The text typed now. The same query as the last search does not search again. */
  input(text: string): void {
    const q = partnerQuery(text);
    if (q !== null && q === this.last && this._state.kind !== 'error') return;
    this.cancel();
    if (q === null) {
      this.set(text.trim() === '' ? { kind: 'idle' } : { kind: 'short', query: text.trim() });
      return;
    }
    this.set({ kind: 'searching', query: q });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run(q);
    }, this.options.delayMs ?? SEARCH_DELAY_MS);
  }

  /** Forgets the query and any search on its way (the picker closed). */
  reset(): void {
    this.cancel();
    this.set({ kind: 'idle' });
  }

  dispose(): void {
    this.cancel();
  }

  private async run(q: string): Promise<void> {
    const abort = (this.abort = new AbortController());
    this.last = q;
    try {
      const partners = await this.options.search(q, abort.signal);
      if (!abort.signal.aborted) this.set({ kind: 'results', query: q, partners });
    } catch (err) {
      if (!abort.signal.aborted) this.set({ kind: 'error', query: q, message: errorText(err, 'search Odoo partners') });
    }
  }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
    this.last = null;
  }

  private set(state: SearchState): void {
    this._state = state;
    this.options.onState(state);
  }
}

/** The status line under the search field. */
export function searchStatus(state: SearchState): string {
  switch (state.kind) {
    case 'idle':
      return `Type at least ${MIN_QUERY} characters of the vendor’s name or VAT number.`;
    case 'short':
      return `Type at least ${MIN_QUERY} characters.`;
    case 'searching':
      return 'Searching Odoo…';
    case 'error':
      return state.message;
    case 'results': {
      const n = state.partners.length;
      if (n === 0) return `No Odoo partner’s name or VAT number contains “${state.query}”.`;
      const keys = '↑ ↓ to move, Enter to choose';
      if (n >= MAX_PARTNERS) return `The first ${n} partners by name; type more to narrow them down. ${keys}.`;
      return `${n} partner${n === 1 ? '' : 's'}. ${keys}.`;
    }
  }
}

/**
 * The option active after `key` (ArrowDown, ArrowUp) with `count` options,
 * `active` -1 for none; wraps around. Other keys (Home and End move the
 * caret in the field, as in any combobox): unchanged.
 */
export function moveActive(active: number, count: number, key: string): number {
  if (count === 0) return -1;
  switch (key) {
    case 'ArrowDown':
      return active < 0 || active >= count - 1 ? 0 : active + 1;
    case 'ArrowUp':
      return active <= 0 ? count - 1 : active - 1;
    default:
      return active;
  }
}

/** How an option reads to a screen reader: "Delta Telecom GmbH, VAT EU138620099, Odoo partner 12". */
export function partnerLabel(p: Partner): string {
  return `${p.name}, ${p.vat ? `VAT ${p.vat}` : 'no VAT number'}, Odoo partner ${p.id}`;
}
