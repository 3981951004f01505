/**
 * One template parameter as a form field in the install dialog, by type:
 * text, a number input (integer: step 1), a yes/no select, a date or month
 * input, a select of the choices, and for a connection a select of the
 * server's connections of the kind it needs ("(none)" when it is
 * optional); where there is no such connection, a text input and a hint to
 * add one. The declared default is filled in. `value()` answers what the
 * server should get (undefined: leave it to the default), and the server
 * checks it again.
 *
 * DOM hooks: `.wb-templates-field[data-parameter=NAME][data-type=TYPE]`
 * holding `.wb-templates-value` (input or select) and `.wb-templates-hint`.
 */
import { h } from '@workbench/lab-common';
import type { ConnectionChoice, ParameterValue, TemplateParameter } from './types';

const INPUT_TYPES: Partial<Record<TemplateParameter['type'], string>> = { integer: 'number', number: 'number', date: 'date', month: 'month' };

export class ParameterField {
  readonly node: HTMLElement;
  private readonly input: HTMLInputElement | HTMLSelectElement;

  constructor(
    readonly parameter: TemplateParameter,
    connections: readonly ConnectionChoice[],
    uid: string,
  ) {
    const p = parameter;
    const id = `${uid}-p-${p.name}`;
    const hints: string[] = [];
    // Each hint a sentence of its own.
    if (p.description) hints.push(/[.!?)]$/.test(p.description.trim()) ? p.description.trim() : `${p.description.trim()}.`);
    this.input = this.build(p, connections, id, hints);
    this.input.classList.add('wb-templates-value');
    this.input.setAttribute('aria-describedby', `${id}-hint`);
    if (p.required) this.input.setAttribute('aria-required', 'true');
    this.node = h('div', { className: 'wb-field wb-templates-field', attrs: { 'data-parameter': p.name, 'data-type': p.type } }, [
      h('label', { className: 'wb-label', attrs: { for: id } }, [p.label, p.required ? h('span', { className: 'wb-templates-required', attrs: { 'aria-hidden': 'true' } }, [' *']) : null]),
      this.input,
      h('span', { className: 'wb-templates-hint', attrs: { id: `${id}-hint` } }, [hints.join(' ')]),
    ]);
  }

  /** The value to send; undefined when left empty (the server uses the default, or says it is required). */
  value(): ParameterValue | undefined {
    const raw = this.input.value.trim();
    if (raw === '') return undefined;
    switch (this.parameter.type) {
      case 'integer':
      case 'number':
        return Number.isFinite(Number(raw)) ? Number(raw) : raw;
      case 'boolean':
        return raw === 'true';
      default:
        return this.input.value;
    }
  }

  focus(): void {
    this.input.focus();
  }

  private build(p: TemplateParameter, connections: readonly ConnectionChoice[], id: string, hints: string[]): HTMLInputElement | HTMLSelectElement {
    const initial = p.default === undefined ? '' : String(p.default);
    if (p.type === 'boolean' || p.type === 'choice' || (p.type === 'connection' && this.offered(p, connections).length > 0)) {
      const options: Array<[string, string]> =
        p.type === 'boolean'
          ? [['true', 'Yes'], ['false', 'No']]
          : p.type === 'choice'
            ? (p.choices ?? []).map((c) => [c, c])
            : this.offered(p, connections).map((c) => [c.name, c.description ? `${c.name} (${c.kind}): ${c.description}` : `${c.name} (${c.kind})`]);
      // An optional value may be left out; a required one without a default starts on a prompt.
      const empty = !p.required ? '(none)' : initial === '' ? 'Choose…' : null;
      const select = h('select', { className: 'jp-mod-styled wb-input', attrs: { id } }, [
        empty === null ? null : h('option', { attrs: { value: '' } }, [empty]),
        ...options.map(([value, text]) => h('option', { attrs: { value } }, [text])),
      ]);
      // A default naming a connection that does not exist stays visible, so the user sees what it expected.
      if (initial !== '' && !options.some(([v]) => v === initial)) select.append(h('option', { attrs: { value: initial } }, [`${initial} (not found)`]));
      select.value = initial;
      return select;
    }
    if (p.type === 'connection') hints.push(`No ${p.connection_kind ?? ''} connection exists yet: type a name, or add one in Connections first.`.replace('No  ', 'No '));
    const input = h('input', { className: 'jp-mod-styled wb-input', attrs: { id, type: INPUT_TYPES[p.type] ?? 'text', spellcheck: 'false', autocomplete: 'off', ...(p.type === 'integer' && { step: '1' }), ...(p.type === 'number' && { step: 'any' }) } });
    input.value = initial;
    return input;
  }

  private offered(p: TemplateParameter, connections: readonly ConnectionChoice[]): ConnectionChoice[] {
    return connections.filter((c) => !p.connection_kind || c.kind === p.connection_kind);
  }
}
