/**
 * A text shown in place that those who may change it edit in place: the
 * text (or a muted placeholder) with an Edit button; editing swaps in an
 * input (one line) or a text area, Save and Cancel. Enter saves a one-line
 * field, Ctrl/Cmd+Enter a text area; Escape cancels. A refused save keeps
 * the edit open with the server's message under it.
 *
 * DOM hooks: `.wb-catalog-inline[data-field][data-state=view|edit|saving]`, `.wb-catalog-inline-text`
 * (`.wb-mod-empty` for the placeholder), `button.wb-catalog-inline-edit`, `.wb-catalog-inline-input`,
 * `button.wb-catalog-inline-save`, `button.wb-catalog-inline-cancel`, `.wb-catalog-inline-error`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import { errorText } from './catalog-api';

export interface InlineEditOptions {
  /** For hooks and labels: `description`, `owner`. */
  field: string;
  value: string | null;
  /** Shown when there is no value ('' shows nothing). */
  placeholder: string;
  /** The button's text when there is no value (default "Edit"). */
  addLabel?: string;
  /** "description of email": for buttons' accessible names. */
  label: string;
  multiline: boolean;
  editable: boolean;
  maxLength: number;
  /** Saves; null clears. Throws the client's error to refuse. */
  onSave: (value: string | null) => Promise<void>;
}

export class InlineEdit {
  readonly node: HTMLElement;
  private readonly options: InlineEditOptions;
  private value: string | null;

  constructor(options: InlineEditOptions) {
    this.options = options;
    this.value = options.value;
    this.node = h('div', { className: `wb-catalog-inline wb-catalog-inline-${options.field}`, attrs: { 'data-field': options.field } });
    this.view();
  }

  private view(): void {
    this.node.dataset.state = 'view';
    const o = this.options;
    const text = this.value ?? o.placeholder;
    replaceChildren(this.node, [
      text ? h('span', { className: `wb-catalog-inline-text${this.value ? '' : ' wb-mod-empty'}` }, [text]) : null,
      o.editable
        ? h('button', { className: 'wb-catalog-link-button wb-catalog-inline-edit', attrs: { type: 'button', 'aria-label': `${this.value ? 'Edit' : 'Add'} the ${o.label}` } }, [this.value ? 'Edit' : o.addLabel ?? 'Edit'])
        : null,
    ]);
    this.node.querySelector('button.wb-catalog-inline-edit')?.addEventListener('click', () => this.edit());
  }

  /** Opens the editor. */
  edit(): void {
    const o = this.options;
    if (!o.editable) return;
    this.node.dataset.state = 'edit';
    const input = o.multiline
      ? h('textarea', { className: 'jp-mod-styled wb-input wb-catalog-inline-input', attrs: { rows: '3', maxlength: String(o.maxLength), 'aria-label': o.label, placeholder: o.placeholder } })
      : h('input', { className: 'jp-mod-styled wb-input wb-catalog-inline-input', attrs: { type: 'text', maxlength: String(o.maxLength), 'aria-label': o.label, placeholder: o.placeholder, autocomplete: 'off' } });
    input.value = this.value ?? '';
    const save = h('button', { className: 'jp-Button jp-mod-styled jp-mod-accept wb-button-small wb-catalog-button-small wb-catalog-inline-save', attrs: { type: 'button' } }, ['Save']);
    const cancel = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-catalog-button-small wb-catalog-inline-cancel', attrs: { type: 'button' } }, ['Cancel']);
    const error = h('div', { className: 'wb-error-box wb-catalog-inline-error', attrs: { role: 'alert' } });
    error.hidden = true;
    replaceChildren(this.node, [input, h('div', { className: 'wb-catalog-inline-buttons' }, [save, cancel]), error]);
    const submit = async () => {
      const text = input.value.trim();
      const next = text === '' ? null : text;
      if (next === this.value) return this.view();
      this.node.dataset.state = 'saving';
      save.disabled = cancel.disabled = input.disabled = true;
      try {
        await o.onSave(next);
        this.value = next;
        this.view();
      } catch (err) {
        this.node.dataset.state = 'edit';
        save.disabled = cancel.disabled = input.disabled = false;
        error.textContent = errorText(err, `save the ${o.label}`);
        error.hidden = false;
        input.focus();
      }
    };
    save.addEventListener('click', () => void submit());
    cancel.addEventListener('click', () => {
      this.view();
      this.node.querySelector<HTMLButtonElement>('button.wb-catalog-inline-edit')?.focus();
    });
    input.addEventListener('keydown', (event: Event) => {
      const e = event as KeyboardEvent;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        cancel.click();
      } else if (e.key === 'Enter' && (!o.multiline || e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit();
      }
    });
    input.focus();
  }
}
