/**
 * The extracted fields as an editable form (vendor, VAT number, invoice
 * number, dates, currency, subtotal, tax, total) and the line items as an
 * editable table (description, quantity, unit price, amount; Add line,
 * remove a line). Each field shows how sure the engine was; below 85% it
 * is flagged (a warning edge and the word "low", not colour alone), a
 * field a person set says "corrected", and the rule issues about a field
 * are written under it. Focusing or hovering a field or line lights up
 * its box on the page (`onFocusKey`: the one pointed at, else the one with
 * the focus); `highlight(key)` does the reverse.
 * What was typed is read back by `texts()` and `lines()`; `changed` says
 * whether anything differs from the document (corrections.ts decides).
 *
 * DOM hooks: `form.wb-review-fields`, `.wb-review-field[data-field][data-low][data-source][data-changed][data-active]`
 * with `input.wb-review-input[data-field]`, `.wb-review-field-confidence` (`.wb-review-confidence[data-level]`),
 * `.wb-review-corrected`, `.wb-review-field-issue[data-severity]`; `table.wb-review-lines`,
 * `tr.wb-review-line[data-index][data-key][data-low][data-active]` with `input.wb-review-line-input[data-column=description|quantity|unit_price|amount]`,
 * `button.wb-review-line-remove`; `button.wb-review-line-add`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { confidenceBar } from './badges';
import { changedFields, fieldTexts, lineInputs, linesChanged, type FieldTexts } from './corrections';
import { fieldLabel, isLowConfidence } from './format';
import { FIELD_NAMES, type DocumentView, type FieldName, type LineInput } from './types';

export interface FieldFormOptions {
  /** The field or line with the focus or the pointer (`field:<name>`, `line:<index>`), or null. */
  onFocusKey: (key: string | null) => void;
  /** Something was typed. */
  onChange: () => void;
}

const PLACEHOLDER: Partial<Record<FieldName, string>> = { invoice_date: 'YYYY-MM-DD', due_date: 'YYYY-MM-DD', currency: 'EUR', subtotal: '0.00', tax: '0.00', total: '0.00' };
const LINE_COLUMNS: { key: keyof LineInput; label: string; numeric: boolean }[] = [
  { key: 'description', label: 'Description', numeric: false },
  { key: 'quantity', label: 'Qty', numeric: true },
  { key: 'unit_price', label: 'Unit price', numeric: true },
  { key: 'amount', label: 'Amount', numeric: true },
];

export class FieldForm {
  readonly fieldsNode: HTMLFormElement;
  readonly linesNode: HTMLElement;
  private readonly options: FieldFormOptions;
  private readonly inputs = new Map<FieldName, HTMLInputElement>();
  private readonly linesBody: HTMLTableSectionElement;
  private readonly addLine: HTMLButtonElement;
  private doc: DocumentView | null = null;
  private editable = false;
  /** The lines as edited; `origin` is the index of the document's line it came from (its box), null for an added one. */
  private rows: { line: LineInput; origin: number | null; low: boolean }[] = [];
  private uid = `wb-review-${Math.random().toString(36).slice(2, 10)}`;

  constructor(options: FieldFormOptions) {
    this.options = options;
    this.fieldsNode = h('form', { className: 'wb-review-fields', attrs: { novalidate: '', 'aria-label': 'Fields' } });
    // Enter in a field must not submit (and reload) anything; Save is a button of the page.
    this.fieldsNode.addEventListener('submit', (e) => e.preventDefault());
    this.linesBody = h('tbody', {});
    this.addLine = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-review-line-add', attrs: { type: 'button' } }, ['Add line']);
    this.addLine.addEventListener('click', () => {
      this.rows.push({ line: { description: '', quantity: null, unit_price: null, amount: null }, origin: null, low: false });
      this.drawLines();
      this.linesBody.querySelector<HTMLInputElement>(`tr.wb-review-line[data-index="${this.rows.length - 1}"] input`)?.focus();
      this.options.onChange();
    });
    this.linesNode = h('div', { className: 'wb-review-lines-box' }, [
      h('div', { className: 'wb-review-lines-wrap' }, [
        h('table', { className: 'wb-review-lines' }, [
          h('thead', {}, [h('tr', {}, [...LINE_COLUMNS.map((c) => h('th', { className: c.numeric ? 'wb-review-num' : '', attrs: { scope: 'col' } }, [c.label])), h('th', {}, [h('span', { className: 'wb-sr-only' }, ['Remove'])])])]),
          this.linesBody,
        ]),
      ]),
      this.addLine,
    ]);
  }

  /** Draws `doc`'s fields and lines (what was typed is dropped); `editable` only while it waits for review and the user may write. */
  show(doc: DocumentView, editable: boolean): void {
    this.doc = doc;
    this.editable = editable;
    const texts = fieldTexts(doc.fields);
    this.inputs.clear();
    replaceChildren(
      this.fieldsNode,
      FIELD_NAMES.map((name) => this.fieldRow(doc, name, texts[name])),
    );
    this.rows = lineInputs(doc.lines).map((line, i) => ({ line, origin: i, low: isLowConfidence(doc.lines[i]!.confidence) }));
    this.addLine.hidden = !editable;
    this.drawLines();
  }

  /** The typed text of every field. */
  texts(): FieldTexts {
    const out = fieldTexts(this.doc?.fields ?? null);
    for (const [name, input] of this.inputs) out[name] = input.value;
    return out;
  }

  /** The lines as typed. */
  lines(): LineInput[] {
    return this.rows.map((r) => ({ ...r.line }));
  }

  /** Whether anything typed differs from the document. */
  get changed(): boolean {
    if (!this.doc) return false;
    return Object.keys(changedFields(this.doc.fields, this.texts())).length > 0 || linesChanged(this.doc.lines, this.lines());
  }

  /** Lights up the field or line of `key` (null: none). */
  highlight(key: string | null): void {
    for (const el of this.fieldsNode.querySelectorAll<HTMLElement>('.wb-review-field')) el.dataset.active = String(key === `field:${el.dataset.field}`);
    for (const el of this.linesBody.querySelectorAll<HTMLElement>('tr.wb-review-line')) el.dataset.active = String(el.dataset.key !== undefined && key === el.dataset.key);
  }

  /** The key of the field or line whose input has the focus, or null. */
  focusedKey(): string | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !(this.fieldsNode.contains(active) || this.linesNode.contains(active))) return null;
    return active.dataset.boxKey ?? null;
  }

  /** Focuses the input of `key` (a box on the page was clicked). */
  focusKey(key: string): void {
    const [kind, id] = key.split(':');
    const input = kind === 'field' ? this.inputs.get(id as FieldName) : this.linesBody.querySelector<HTMLInputElement>(`tr.wb-review-line[data-key="line:${id}"] input`);
    input?.focus();
    input?.select();
  }

  private fieldRow(doc: DocumentView, name: FieldName, text: string): HTMLElement {
    const f = doc.fields?.[name] ?? null;
    const id = `${this.uid}-${name}`;
    const low = f !== null && f.value !== null && f.source !== 'user' && isLowConfidence(f.confidence);
    const issues = doc.issues.filter((i) => i.field === name);
    const issueIds = issues.map((_, k) => `${id}-issue-${k}`);
    const input = h('input', {
      className: 'jp-mod-styled wb-input wb-review-input',
      attrs: {
        id,
        type: 'text',
        'data-field': name,
        'data-focus-key': `field:${name}`,
        'data-box-key': `field:${name}`,
        spellcheck: 'false',
        autocomplete: 'off',
        placeholder: PLACEHOLDER[name],
        inputmode: name === 'subtotal' || name === 'tax' || name === 'total' ? 'decimal' : undefined,
        maxlength: '500',
        'aria-invalid': String(issues.some((i) => i.severity === 'error')),
        'aria-describedby': [`${id}-confidence`, ...issueIds].join(' '),
      },
    });
    input.value = text;
    input.readOnly = !this.editable;
    this.inputs.set(name, input);
    const row = h('div', { className: 'wb-field wb-review-field', attrs: { 'data-field': name, 'data-low': String(low), 'data-source': f?.source ?? 'none', 'data-changed': 'false', 'data-active': 'false' } }, [
      h('div', { className: 'wb-review-field-head' }, [
        h('label', { className: 'wb-label', attrs: { for: id } }, [fieldLabel(name)]),
        h('span', { className: 'wb-review-spacer' }),
        f?.source === 'user' ? h('span', { className: 'wb-badge wb-review-corrected', title: 'Set by a reviewer' }, ['corrected']) : null,
        h('span', { className: 'wb-review-field-confidence', attrs: { id: `${id}-confidence` } }, [
          f === null || f.value === null ? h('span', { className: 'wb-review-not-read' }, ['not read']) : confidenceBar(f.confidence, `Confidence of ${fieldLabel(name)}`),
          low ? h('span', { className: 'wb-review-low-word' }, ['low']) : null,
        ]),
      ]),
      input,
      ...issues.map((i, k) => h('span', { className: 'wb-review-field-issue', attrs: { id: issueIds[k]!, 'data-severity': i.severity } }, [i.message])),
    ]);
    const key = `field:${name}`;
    input.addEventListener('focus', () => this.options.onFocusKey(key));
    input.addEventListener('blur', () => this.options.onFocusKey(null));
    row.addEventListener('mouseenter', () => this.options.onFocusKey(key));
    row.addEventListener('mouseleave', () => this.options.onFocusKey(this.focusedKey()));
    input.addEventListener('input', () => {
      row.dataset.changed = String(Object.keys(changedFields(doc.fields, { [name]: input.value })).length > 0);
      this.options.onChange();
    });
    return row;
  }

  private drawLines(): void {
    if (this.rows.length === 0) {
      replaceChildren(this.linesBody, [h('tr', { className: 'wb-review-lines-empty' }, [h('td', { attrs: { colspan: String(LINE_COLUMNS.length + 1) } }, ['No line items were read.'])])]);
      return;
    }
    replaceChildren(
      this.linesBody,
      this.rows.map((r, i) => this.lineRow(r, i)),
    );
  }

  private lineRow(r: { line: LineInput; origin: number | null; low: boolean }, i: number): HTMLTableRowElement {
    const l = r.line;
    // The key of the document's line it came from: its box on the page.
    const key = r.origin === null ? null : `line:${r.origin}`;
    const cells = LINE_COLUMNS.map((c) => {
      const input = h('input', {
        className: `jp-mod-styled wb-input wb-review-line-input${c.numeric ? ' wb-review-num' : ''}`,
        attrs: { type: 'text', 'data-column': c.key, 'data-focus-key': `line-input:${i}:${c.key}`, 'data-box-key': key ?? undefined, 'aria-label': `Line ${i + 1} ${c.label.toLowerCase()}`, inputmode: c.numeric ? 'decimal' : undefined, maxlength: '500', spellcheck: 'false', autocomplete: 'off' },
      });
      input.value = l[c.key] ?? '';
      input.readOnly = !this.editable;
      input.addEventListener('input', () => {
        const line = r.line;
        if (c.key === 'description') line.description = input.value;
        else line[c.key] = input.value === '' ? null : input.value;
        this.options.onChange();
      });
      input.addEventListener('focus', () => this.options.onFocusKey(key));
      input.addEventListener('blur', () => this.options.onFocusKey(null));
      return h('td', { className: c.numeric ? 'wb-review-num' : 'wb-review-line-description' }, [input]);
    });
    const remove = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-review-line-remove', title: `Remove line ${i + 1}`, attrs: { type: 'button', 'aria-label': `Remove line ${i + 1}` } }, ['✕']);
    remove.hidden = !this.editable;
    remove.addEventListener('click', () => {
      this.rows.splice(i, 1);
      this.drawLines();
      this.options.onChange();
    });
    const row = h('tr', { className: 'wb-review-line', attrs: { 'data-index': String(i), 'data-key': key ?? undefined, 'data-low': String(r.low), 'data-active': 'false' } }, [...cells, h('td', { className: 'wb-review-line-actions' }, [remove])]);
    row.addEventListener('mouseenter', () => this.options.onFocusKey(key));
    row.addEventListener('mouseleave', () => this.options.onFocusKey(this.focusedKey()));
    return row;
  }
}
