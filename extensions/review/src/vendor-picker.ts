/**
 * The Odoo vendor of a document, and choosing it: the match (name, how it
 * matched, partner id; "Chosen by alice" once a reviewer chose it) and,
 * while the document waits for review and the user may write, a search of
 * Odoo's partners by name or VAT number (partner-search.ts: at least 2
 * characters, searched once typing pauses). With no match the search is
 * open under "No match — choose the Odoo vendor"; with one, "Change
 * vendor…" opens it (a similar-name match may be the wrong company).
 * Choosing a partner (click, or the arrow keys and Enter) hands it to
 * `onChoose`, which sends `POST .../correct {partner_id, version}`; the
 * page then draws the document again (`show`).
 *
 * An ARIA 1.2 combobox: the field keeps the focus, the options are
 * `aria-activedescendant`; ↑ ↓ move (wrapping), Enter chooses, Escape
 * closes the list (again: clears the field, or closes the search when
 * there is a match). The status line under the field says what happens
 * (too short, searching, how many, nothing found) and the server's
 * refusal (400, 503) in its words. The field and what was typed survive
 * the page's reloads; only a new match resets them.
 *
 * DOM hooks: `.wb-review-vendor-box[data-match=none|matched][data-editable][data-picking]`,
 * the match `.wb-review-vendor` (document-sections.ts), `button.wb-review-vendor-change`,
 * `.wb-review-vendor-picker[data-state=idle|short|searching|results|error|choosing]` with
 * `input.wb-review-vendor-search[role=combobox]`, `ul.wb-review-vendor-options[role=listbox]`
 * `li.wb-review-vendor-option[role=option][data-partner-id][aria-selected]` (`.wb-review-vendor-option-name`,
 * `-vat`, `-id`), `.wb-review-vendor-status[data-state]`, `button.wb-review-vendor-cancel`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { vendorView } from './document-sections';
import { MAX_QUERY, moveActive, PartnerSearch, partnerLabel, searchStatus, type SearchState } from './partner-search';
import type { DocumentEvent, DocumentView, Partner } from './types';

export interface VendorPickerOptions {
  /** Odoo partners whose name or VAT number contains `q`. */
  search: (q: string, signal: AbortSignal) => Promise<Partner[]>;
  /** Sends the choice; true once the server took it (the page says why not, otherwise). */
  onChoose: (partner: Partner) => Promise<boolean>;
  /** Search delay (tests); default partner-search.ts's. */
  delayMs?: number;
}

let nextId = 0;

export class VendorPicker {
  readonly node: HTMLElement;
  private readonly options: VendorPickerOptions;
  private readonly uid = `wb-review-vendor-${++nextId}`;
  private readonly current: HTMLElement;
  private readonly changeButton: HTMLButtonElement;
  private readonly picker: HTMLElement;
  private readonly pickerLabel: HTMLLabelElement;
  private readonly input: HTMLInputElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly list: HTMLUListElement;
  private readonly status: HTMLElement;
  private readonly search: PartnerSearch;
  private partners: Partner[] = [];
  private active = -1;
  private open = false;
  /** The search is shown though there is a match (Change vendor…). */
  private expanded = false;
  private choosing: Partner | null = null;
  /** The partner id matched when last shown ('none'): a new one closes and clears the search. */
  private shownMatch: string | null = null;
  private editable = false;

  constructor(options: VendorPickerOptions) {
    this.options = options;
    this.current = h('div', { className: 'wb-review-vendor-current' });
    this.changeButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-review-vendor-change', attrs: { type: 'button', 'data-focus-key': 'vendor-change' } }, ['Change vendor…']);
    this.changeButton.addEventListener('click', () => {
      this.expanded = true;
      this.layout();
      this.input.focus();
    });
    this.input = h('input', {
      className: 'jp-mod-styled wb-input wb-review-vendor-search',
      attrs: {
        id: `${this.uid}-search`,
        type: 'text',
        role: 'combobox',
        'aria-autocomplete': 'list',
        'aria-expanded': 'false',
        'aria-controls': `${this.uid}-options`,
        'aria-describedby': `${this.uid}-status`,
        'data-focus-key': 'vendor-search',
        placeholder: 'Name or VAT number',
        maxlength: String(MAX_QUERY),
        spellcheck: 'false',
        autocomplete: 'off',
      },
    });
    this.pickerLabel = h('label', { className: 'wb-label wb-review-vendor-picker-label', attrs: { for: this.input.id } }, ['Choose another Odoo vendor']);
    this.cancelButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-review-vendor-cancel', attrs: { type: 'button' } }, ['Cancel']);
    this.cancelButton.addEventListener('click', () => this.collapse(true));
    this.list = h('ul', { className: 'wb-review-vendor-options', attrs: { id: `${this.uid}-options`, role: 'listbox', 'aria-label': 'Odoo partners' } });
    // The field keeps the focus while an option is clicked.
    this.list.addEventListener('mousedown', (e) => e.preventDefault());
    this.status = h('p', { className: 'wb-review-vendor-status', attrs: { id: `${this.uid}-status`, role: 'status' } });
    this.picker = h('div', { className: 'wb-review-vendor-picker' }, [
      this.pickerLabel,
      h('div', { className: 'wb-review-vendor-combo' }, [this.input, this.cancelButton]),
      this.list,
      this.status,
    ]);
    this.node = h('div', { className: 'wb-review-vendor-box' }, [this.current, this.changeButton, this.picker]);
    this.search = new PartnerSearch({ search: options.search, onState: (s) => this.onState(s), delayMs: options.delayMs });
    this.input.addEventListener('input', () => this.search.input(this.input.value));
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('focus', () => this.setOpen(this.partners.length > 0));
    this.input.addEventListener('blur', () => this.setOpen(false));
    this.onState(this.search.state);
    this.layout();
  }

  /** Draws `doc`'s vendor; the search only when `editable` (it waits for review and the user may write). */
  show(doc: DocumentView, events: readonly DocumentEvent[], editable: boolean): void {
    const searching = this.picker.contains(document.activeElement);
    const match = doc.vendorMatch ? String(doc.vendorMatch.partnerId) : 'none';
    if (this.shownMatch !== null && match !== this.shownMatch) this.clear();
    this.shownMatch = match;
    this.editable = editable;
    if (!editable) this.clear();
    this.node.dataset.match = doc.vendorMatch ? 'matched' : 'none';
    this.node.dataset.editable = String(editable);
    replaceChildren(this.current, [vendorView(doc, events, editable && !doc.vendorMatch ? this.input.id : undefined)]);
    this.layout();
    // The search closed under the focus (a vendor was chosen): the focus goes to what replaced it. (A hidden
    // element keeps the focus until the browser's next rendering, so this cannot wait for it to be lost.)
    if (searching && this.picker.hidden && !this.changeButton.hidden) this.changeButton.focus({ preventScroll: true });
  }

  /** Focuses the search (opening it when there is a match). */
  focusSearch(): void {
    if (!this.editable) return;
    this.expanded = true;
    this.layout();
    this.input.focus();
  }

  dispose(): void {
    this.search.dispose();
  }

  private get matched(): boolean {
    return this.node.dataset.match === 'matched';
  }

  /** What shows: the search when there is no match, or Change vendor… was pressed. */
  private layout(): void {
    const picking = this.editable && (!this.matched || this.expanded);
    this.node.dataset.picking = String(picking);
    this.picker.hidden = !picking;
    this.changeButton.hidden = !(this.editable && this.matched && !picking);
    // With no match the "No match — choose the Odoo vendor" of the match labels the field.
    this.pickerLabel.hidden = !this.matched;
    this.cancelButton.hidden = !this.matched;
    if (!picking) this.setOpen(false);
  }

  private collapse(focus: boolean): void {
    this.clear();
    this.layout();
    if (focus && !this.changeButton.hidden) this.changeButton.focus();
  }

  /** Forgets what was typed and found. */
  private clear(): void {
    this.expanded = false;
    this.choosing = null;
    this.input.value = '';
    this.input.readOnly = false;
    this.search.reset();
  }

  private onState(state: SearchState): void {
    // While a new search runs the last answer stays listed (no flicker); what is listed is what can be chosen.
    this.partners = state.kind === 'results' ? state.partners : state.kind === 'searching' ? this.partners : [];
    this.active = -1;
    this.picker.dataset.state = this.choosing ? 'choosing' : state.kind;
    this.drawOptions();
    this.setOpen(this.partners.length > 0 && document.activeElement === this.input);
    this.say(searchStatus(state), state.kind === 'error' ? 'error' : state.kind);
  }

  private say(text: string, state: string): void {
    this.status.textContent = text;
    this.status.dataset.state = state;
    // A refusal is announced at once; the rest politely.
    this.status.setAttribute('role', state === 'error' ? 'alert' : 'status');
  }

  private drawOptions(): void {
    replaceChildren(
      this.list,
      this.partners.map((p, i) => {
        const li = h('li', { className: 'wb-review-vendor-option', attrs: { id: `${this.uid}-option-${i}`, role: 'option', 'aria-selected': String(i === this.active), 'aria-label': partnerLabel(p), 'data-partner-id': String(p.id) } }, [
          h('span', { className: 'wb-review-vendor-option-name' }, [p.name]),
          h('span', { className: 'wb-review-vendor-option-vat' }, [p.vat ? `VAT ${p.vat}` : 'no VAT number']),
          h('span', { className: 'wb-review-vendor-option-id' }, [`partner ${p.id}`]),
        ]);
        li.addEventListener('click', () => void this.choose(p));
        li.addEventListener('mousemove', () => i !== this.active && this.setActive(i));
        return li;
      }),
    );
  }

  private setOpen(open: boolean): void {
    this.open = open && this.partners.length > 0 && !this.picker.hidden;
    this.list.hidden = !this.open;
    this.input.setAttribute('aria-expanded', String(this.open));
    if (!this.open) this.setActive(-1);
  }

  private setActive(i: number): void {
    this.active = i;
    const options = this.list.querySelectorAll<HTMLElement>('li.wb-review-vendor-option');
    options.forEach((o, k) => o.setAttribute('aria-selected', String(k === i)));
    const el = i >= 0 ? options[i] : undefined;
    if (el) {
      this.input.setAttribute('aria-activedescendant', el.id);
      el.scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (this.choosing) {
      if (e.key !== 'Tab') e.preventDefault();
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (this.partners.length === 0) return;
        e.preventDefault();
        if (!this.open) this.setOpen(true);
        this.setActive(moveActive(this.active, this.partners.length, e.key));
        return;
      case 'Enter': {
        e.preventDefault();
        const p = this.open ? this.partners[this.active] : undefined;
        if (p) void this.choose(p);
        return;
      }
      case 'Escape':
        e.preventDefault();
        if (this.open) this.setOpen(false);
        else if (this.matched) this.collapse(true);
        else if (this.input.value !== '') {
          this.input.value = '';
          this.search.reset();
        }
        return;
      default:
        return;
    }
  }

  private async choose(p: Partner): Promise<void> {
    if (this.choosing) return;
    this.choosing = p;
    this.input.readOnly = true;
    this.input.setAttribute('aria-busy', 'true');
    this.picker.dataset.state = 'choosing';
    this.setOpen(false);
    this.say(`Setting the Odoo vendor to ${p.name}…`, 'choosing');
    let taken = false;
    try {
      taken = await this.options.onChoose(p);
    } finally {
      this.input.removeAttribute('aria-busy');
      // A new match was drawn (show) and cleared the search already; the same partner again changes nothing on the server.
      const still = this.choosing === p;
      this.choosing = null;
      this.input.readOnly = false;
      if (still && taken) this.collapse(document.activeElement === this.input);
      else if (still) this.onState(this.search.state);
    }
  }
}
