/**
 * The parameters of a template being saved, as an editable table: one row
 * per parameter (name, type, label, default, required, and the choices of
 * a choice or the kind of a connection), rows removed and added. `value()`
 * is what `POST api/templates` takes; `problem()` is the first thing the
 * server would refuse, in words, and marks its input `aria-invalid`
 * (parameter-rows.ts holds the rules). Every control has a label (hidden
 * ones, `.wb-sr-only`, inside the table).
 *
 * DOM hooks: `.wb-templates-params` with `tr.wb-templates-param[data-index][data-type]`
 * (`input.wb-templates-param-name`, `select.wb-templates-param-type`, `input.wb-templates-param-label`,
 * `.wb-templates-param-default` (an input; for a boolean a select of (none), true, false),
 * `input.wb-templates-param-required`, `input.wb-templates-param-choices`, `input.wb-templates-param-kind`,
 * `button.wb-templates-param-remove`), `.wb-templates-params-empty`, `button.wb-templates-param-add`.
 */
import { Styling } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import type { GuessedParameter } from './detect-parameters';
import { emptyRow, MAX_PARAMETERS, parameterFromRow, rowFromParameter, rowsProblem, type ParameterRow, type RowField } from './parameter-rows';
import { PARAMETER_TYPES, type ParameterType } from './types';

const FIELD_CLASS: Record<RowField, string> = {
  name: 'wb-templates-param-name',
  label: 'wb-templates-param-label',
  default: 'wb-templates-param-default',
  choices: 'wb-templates-param-choices',
  connectionKind: 'wb-templates-param-kind',
};

const PLACEHOLDER: Record<ParameterType, string> = {
  string: '',
  integer: '0',
  number: '0.5',
  boolean: '',
  date: 'YYYY-MM-DD',
  month: 'YYYY-MM',
  choice: 'one of the choices',
  connection: 'a connection name',
};

let nextId = 0;

export class ParametersEditor extends Widget {
  private readonly uid = `wb-templates-params-${++nextId}`;
  private readonly rowsNode: HTMLTableSectionElement;
  private readonly tableBox: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private readonly addButton: HTMLButtonElement;
  /** Descriptions given with the parameters (kept, not edited here). */
  private readonly descriptions = new WeakMap<HTMLTableRowElement, string>();
  private serial = 0;

  constructor(parameters: readonly GuessedParameter[] = []) {
    super();
    this.addClass('wb-templates-params');
    this.addClass('wb-compact-buttons');
    this.rowsNode = h('tbody');
    const heads = ['Name', 'Type', 'Label', 'Default', 'Required', 'Choices / kind'].map((t) => h('th', { attrs: { scope: 'col' } }, [t]));
    this.tableBox = h('div', { className: 'wb-templates-params-scroll' }, [
      h('table', { className: 'wb-templates-params-table', attrs: { 'aria-label': 'Parameters' } }, [
        h('thead', {}, [h('tr', {}, [...heads, h('th', { attrs: { scope: 'col' } }, [h('span', { className: 'wb-sr-only' }, ['Remove'])])])]),
        this.rowsNode,
      ]),
    ]);
    this.emptyNote = h('p', { className: 'wb-templates-params-empty' }, ['No parameters: the template installs as it is.']);
    this.addButton = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-templates-param-add', attrs: { type: 'button' } }, ['Add parameter']);
    this.node.append(this.tableBox, this.emptyNote, this.addButton);
    this.render(parameters.map(rowFromParameter));
    this.rowsNode.addEventListener('change', this.onChange);
    this.rowsNode.addEventListener('click', this.onClick);
    this.addButton.addEventListener('click', this.onAdd);
  }

  /** The rows as typed. */
  rows(): ParameterRow[] {
    return this.rowNodes().map((tr) => this.readRow(tr));
  }

  /** The parameters as `POST api/templates` takes them. */
  value(): GuessedParameter[] {
    return this.rows().map(parameterFromRow);
  }

  /** The first problem in words ("Parameter 2: ..."), its input marked aria-invalid; null when there is none. */
  problem(): string | null {
    for (const el of this.rowsNode.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const p = rowsProblem(this.rows());
    if (p?.row !== undefined && p.field) this.rowNodes()[p.row]?.querySelector(`.${FIELD_CLASS[p.field]}`)?.setAttribute('aria-invalid', 'true');
    return p?.message ?? null;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.rowsNode.removeEventListener('change', this.onChange);
    this.rowsNode.removeEventListener('click', this.onClick);
    this.addButton.removeEventListener('click', this.onAdd);
    super.dispose();
  }

  private rowNodes(): HTMLTableRowElement[] {
    return [...this.rowsNode.querySelectorAll<HTMLTableRowElement>('tr.wb-templates-param')];
  }

  private render(rows: readonly ParameterRow[]): void {
    const nodes = rows.map((r, i) => this.buildRow(r, i));
    replaceChildren(this.rowsNode, nodes);
    for (const tr of nodes) this.styleLikeHost(tr);
    this.updateCount();
  }

  /**
   * Controls made after a JupyterLab Dialog was built look like those it
   * styled then (it wraps every select of its body once, Styling.styleNode);
   * outside a dialog nothing is wrapped.
   */
  private styleLikeHost(el: HTMLElement): void {
    if (el.isConnected && el.closest('.jp-Dialog')) Styling.styleNode(el);
  }

  private updateCount(): void {
    const n = this.rowsNode.rows.length;
    this.tableBox.hidden = n === 0;
    this.emptyNote.hidden = n > 0;
    this.addButton.disabled = n >= MAX_PARAMETERS;
  }

  private buildRow(row: ParameterRow, index: number): HTMLTableRowElement {
    const id = `${this.uid}-${++this.serial}`;
    const n = `Parameter ${index + 1}`;
    const label = (field: string, text: string) => h('label', { className: 'wb-sr-only', attrs: { for: `${id}-${field}` } }, [`${n} ${text}`]);
    const text = (field: RowField, value: string, attrs: Record<string, string> = {}) => {
      const input = h('input', { className: `jp-mod-styled wb-input ${FIELD_CLASS[field]}`, attrs: { id: `${id}-${field}`, type: 'text', spellcheck: 'false', autocomplete: 'off', ...attrs } });
      input.value = value;
      return input;
    };
    const type = h(
      'select',
      { className: 'wb-select wb-templates-param-type', attrs: { id: `${id}-type` } },
      PARAMETER_TYPES.map((t) => h('option', { attrs: { value: t } }, [t])),
    );
    type.value = row.type;
    const required = h('input', { className: 'wb-templates-param-required', attrs: { id: `${id}-required`, type: 'checkbox' } });
    required.checked = row.required;
    const tr = h('tr', { className: 'wb-templates-param', attrs: { 'data-index': String(index), 'data-type': row.type, 'data-id': id } }, [
      h('td', {}, [label('name', 'name'), text('name', row.name, { maxlength: '64' })]),
      h('td', {}, [label('type', 'type'), type]),
      h('td', {}, [label('label', 'label'), text('label', row.label, { maxlength: '100', spellcheck: 'true' })]),
      h('td', { className: 'wb-templates-param-default-cell' }, [label('default', 'default'), this.defaultControl(id, row.type, row.default)]),
      h('td', { className: 'wb-templates-param-required-cell' }, [label('required', 'required'), required]),
      h('td', {}, [
        h('span', { className: 'wb-templates-param-choices-field' }, [label('choices', 'choices, separated by commas'), text('choices', row.choices, { placeholder: 'a, b, c' })]),
        h('span', { className: 'wb-templates-param-kind-field' }, [label('connectionKind', 'connection kind'), text('connectionKind', row.connectionKind, { placeholder: 'any kind', maxlength: '40' })]),
      ]),
      h('td', {}, [
        h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-templates-param-remove', attrs: { type: 'button', 'aria-label': `Remove ${n.toLowerCase()}${row.name ? ` (${row.name})` : ''}` } }, ['Remove']),
      ]),
    ]);
    if (row.description !== '') this.descriptions.set(tr, row.description);
    this.showFields(tr, row.type);
    return tr;
  }

  /** A text input, or for a boolean a select of (none), true, false. */
  private defaultControl(id: string, type: ParameterType, value: string): HTMLInputElement | HTMLSelectElement {
    const attrs = { id: `${id}-default` };
    if (type === 'boolean') {
      const select = h('select', { className: `wb-select ${FIELD_CLASS.default}`, attrs }, [
        h('option', { attrs: { value: '' } }, ['(none)']),
        h('option', { attrs: { value: 'true' } }, ['true']),
        h('option', { attrs: { value: 'false' } }, ['false']),
      ]);
      select.value = value === 'true' || value === 'false' ? value : '';
      return select;
    }
    const input = h('input', { className: `jp-mod-styled wb-input ${FIELD_CLASS.default}`, attrs: { ...attrs, type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: PLACEHOLDER[type] || undefined } });
    input.value = value;
    return input;
  }

  private showFields(tr: HTMLTableRowElement, type: ParameterType): void {
    tr.dataset.type = type;
    tr.querySelector<HTMLElement>('.wb-templates-param-choices-field')!.hidden = type !== 'choice';
    tr.querySelector<HTMLElement>('.wb-templates-param-kind-field')!.hidden = type !== 'connection';
  }

  private readRow(tr: HTMLTableRowElement): ParameterRow {
    const value = (cls: string) => tr.querySelector<HTMLInputElement | HTMLSelectElement>(`.${cls}`)!.value;
    return {
      name: value(FIELD_CLASS.name),
      type: value('wb-templates-param-type') as ParameterType,
      label: value(FIELD_CLASS.label),
      description: this.descriptions.get(tr) ?? '',
      default: value(FIELD_CLASS.default),
      required: tr.querySelector<HTMLInputElement>('.wb-templates-param-required')!.checked,
      choices: value(FIELD_CLASS.choices),
      connectionKind: value(FIELD_CLASS.connectionKind),
    };
  }

  /** A new type: its fields shown, the default's control swapped when it becomes or stops being a boolean (its value kept where it fits). */
  private readonly onChange = (event: Event): void => {
    const select = event.target as HTMLElement;
    if (!select.classList.contains('wb-templates-param-type')) return;
    const tr = select.closest<HTMLTableRowElement>('tr.wb-templates-param')!;
    const type = (select as HTMLSelectElement).value as ParameterType;
    const old = tr.querySelector<HTMLInputElement | HTMLSelectElement>(`.${FIELD_CLASS.default}`)!;
    if ((old.tagName === 'SELECT') !== (type === 'boolean')) {
      const control = this.defaultControl(tr.dataset.id!, type, old.value);
      (old.parentElement?.classList.contains('jp-select-wrapper') ? old.parentElement : old).replaceWith(control);
      this.styleLikeHost(control);
    } else if (old instanceof HTMLInputElement) old.placeholder = PLACEHOLDER[type];
    this.showFields(tr, type);
  };

  private readonly onClick = (event: Event): void => {
    const button = (event.target as HTMLElement).closest('button.wb-templates-param-remove');
    if (!button) return;
    const rows = this.rowNodes();
    const at = rows.indexOf(button.closest<HTMLTableRowElement>('tr.wb-templates-param')!);
    const kept = rows.filter((_, i) => i !== at);
    const values = kept.map((tr) => this.readRow(tr));
    this.render(values);
    // Focus stays in the table: the row that took its place, else the one before, else Add.
    const next = this.rowNodes()[Math.min(at, values.length - 1)];
    (next?.querySelector<HTMLElement>('button.wb-templates-param-remove') ?? this.addButton).focus();
  };

  private readonly onAdd = (): void => {
    const tr = this.buildRow(emptyRow(), this.rowsNode.rows.length);
    this.rowsNode.append(tr);
    this.styleLikeHost(tr);
    this.updateCount();
    tr.querySelector<HTMLInputElement>(`.${FIELD_CLASS.name}`)!.focus();
  };
}
