/**
 * Labelled inputs with their own error line, as the add/edit form and the
 * rotate dialog lay them out: each a `label.wb-field.wb-connections-field`
 * stacking the label, the control, a hint and the field's error. Reads the
 * values as text (a checkbox as "true"/"false"), shows problems beside
 * their fields, hides the fields a choice makes irrelevant, and empties
 * the credential's inputs.
 *
 * DOM hooks: `label.wb-connections-field[data-field=<field>]`
 * (`.wb-connections-field-<field>`), the control `.<inputClass>-<field>`
 * (`aria-invalid`), `.wb-connections-field-error[data-field]`.
 */
import { h, type Child } from '@workbench/lab-common';
import type { FormField, FormValues } from './form-values';
import type { FormProblem } from './read-form';

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FieldSetOptions {
  /** Prefix of the ids of the error lines (unique in the page). */
  uid: string;
  /** The control's class is `<inputClass>-<field>` ("wb-connections-input" -> "wb-connections-input-host"). */
  inputClass: string;
  /** Fields whose values are secret: never filled in, emptied by clearSecrets and when hidden. */
  secret: ReadonlySet<FormField>;
}

export class FieldSet {
  private readonly options: FieldSetOptions;
  private readonly controls = new Map<FormField, Control>();
  private readonly errors = new Map<FormField, HTMLElement>();
  private readonly wrappers = new Map<FormField, HTMLElement>();

  constructor(options: FieldSetOptions) {
    this.options = options;
  }

  /** The fields, in the order they were made. */
  get fields(): FormField[] {
    return [...this.controls.keys()];
  }

  control(field: FormField): Control | undefined {
    return this.controls.get(field);
  }

  has(field: FormField): boolean {
    return this.controls.has(field);
  }

  private classes(field: FormField, base: string): string {
    return `${base} wb-connections-input ${this.options.inputClass}-${field}`;
  }

  /** A one-line input (`type` "text", or "password" for a secret). */
  input(field: FormField, label: string, value: string, attrs: Record<string, string> = {}, hint?: string): HTMLElement {
    const secret = this.options.secret.has(field);
    const el = h('input', {
      className: this.classes(field, 'jp-mod-styled wb-input'),
      attrs: { type: secret ? 'password' : 'text', name: field, autocomplete: secret ? 'new-password' : 'off', spellcheck: 'false', ...attrs },
    });
    el.value = secret ? '' : value;
    return this.wrap(field, label, el, hint);
  }

  textarea(field: FormField, label: string, value: string, attrs: Record<string, string> = {}, hint?: string): HTMLElement {
    const el = h('textarea', { className: this.classes(field, 'jp-mod-styled wb-input'), attrs: { name: field, rows: '3', spellcheck: 'false', autocomplete: 'off', ...attrs } });
    el.value = this.options.secret.has(field) ? '' : value;
    return this.wrap(field, label, el, hint);
  }

  select(field: FormField, label: string, choices: readonly { value: string; label: string }[], value: string, hint?: string): HTMLElement {
    const el = h(
      'select',
      { className: `wb-select wb-connections-select ${this.options.inputClass}-${field}`, attrs: { name: field } },
      choices.map((c) => h('option', { attrs: { value: c.value } }, [c.label])),
    );
    el.value = value;
    return this.wrap(field, label, el, hint);
  }

  /** A checkbox, its label beside it; its value is "true" or "false". */
  checkbox(field: FormField, label: string, value: string, hint?: string): HTMLElement {
    const el = h('input', { className: `wb-connections-checkbox ${this.options.inputClass}-${field}`, attrs: { type: 'checkbox', name: field } });
    el.checked = value === 'true';
    const error = this.errorLine(field, el);
    const wrapper = h('label', { className: `wb-field wb-connections-field wb-connections-check wb-connections-field-${field}`, attrs: { 'data-field': field } }, [
      h('span', { className: 'wb-connections-check-line' }, [el, h('span', { className: 'wb-connections-check-label' }, [label])]),
      hint ? h('span', { className: 'wb-connections-hint' }, [hint]) : null,
      error,
    ]);
    this.wrappers.set(field, wrapper);
    return wrapper;
  }

  private errorLine(field: FormField, el: Control): HTMLElement {
    this.controls.set(field, el);
    const error = h('span', { className: 'wb-connections-field-error', attrs: { 'data-field': field, id: `${this.options.uid}-${field}-error` } });
    error.hidden = true;
    this.errors.set(field, error);
    el.setAttribute('aria-describedby', error.id);
    return error;
  }

  private wrap(field: FormField, label: string, el: Control, hint?: string): HTMLElement {
    const error = this.errorLine(field, el);
    const wrapper = h('label', { className: `wb-field wb-connections-field wb-connections-field-${field}`, attrs: { 'data-field': field } }, [
      h('span', { className: 'wb-label wb-connections-label' }, [label]),
      el,
      hint ? h('span', { className: 'wb-connections-hint' }, [hint]) : null,
      error,
    ]);
    this.wrappers.set(field, wrapper);
    return wrapper;
  }

  /** Fields side by side (they wrap when narrow). */
  row(...fields: Child[]): HTMLElement {
    return h('div', { className: 'wb-connections-row' }, fields);
  }

  values(): FormValues {
    const v: FormValues = {};
    for (const [k, el] of this.controls) v[k] = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
    return v;
  }

  /**
   * Marks each field with a problem (and shows its message under it, unless
   * `inline` is false: the caller shows it); returns the first problem's
   * control, opening a <details> that holds it.
   */
  showProblems(problems: readonly FormProblem[], inline = true): Control | undefined {
    let first: Control | undefined;
    for (const [k, el] of this.errors) {
      const p = problems.find((x) => x.field === k);
      el.textContent = (inline && p?.message) || '';
      el.hidden = !p || !inline;
      this.controls.get(k)!.setAttribute('aria-invalid', String(Boolean(p)));
    }
    for (const p of problems) {
      first = this.controls.get(p.field);
      if (first) break;
    }
    const details = first?.closest('details');
    if (details) details.open = true;
    return first;
  }

  /** Hides the field's message (typing in it). */
  clearProblem(field: FormField): void {
    const error = this.errors.get(field);
    if (error && !error.hidden) {
      error.hidden = true;
      this.controls.get(field)!.setAttribute('aria-invalid', 'false');
    }
  }

  /** Shows only the fields not in `hidden`; a hidden secret is emptied. */
  setHidden(hidden: ReadonlySet<FormField>): void {
    for (const [k, wrapper] of this.wrappers) {
      wrapper.hidden = hidden.has(k);
      if (wrapper.hidden && this.options.secret.has(k)) this.controls.get(k)!.value = '';
    }
  }

  /** Enables or disables every control. */
  setDisabled(disabled: boolean): void {
    for (const el of this.controls.values()) el.disabled = disabled;
  }

  /** Empties every input and text area, secret or not (a credential was sent); selects and checkboxes stay. */
  clearTyped(): void {
    for (const el of this.controls.values()) if (!(el instanceof HTMLSelectElement) && !(el instanceof HTMLInputElement && el.type === 'checkbox')) el.value = '';
  }

  /** Empties every secret input (the form closes, the credential was sent). */
  clearSecrets(): void {
    for (const [k, el] of this.controls) if (this.options.secret.has(k)) el.value = '';
  }
}
