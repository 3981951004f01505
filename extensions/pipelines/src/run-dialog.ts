/**
 * "Run with parameters": a typed field per parameter of the pipeline,
 * prefilled with its default (a checkbox for booleans, a list for enums,
 * a date picker for dates, JSON for lists and mappings; a default that is
 * a template such as "{{ period.end }}" is shown as written and rendered
 * per run), and the logical date (empty: now). Only the fields changed
 * from their defaults are sent, as typed: the server reads them by type
 * and refuses what does not fit, and its message is shown in the dialog,
 * values kept. Also "Backfill": one run per period from..to, one after
 * another or all at once.
 *
 * DOM hooks: `.jp-Dialog .wb-pipelines-run-form` with `label.wb-pipelines-param[data-name][data-type]`,
 * `.wb-pipelines-param-input[data-name]`, `input.wb-pipelines-logical-date`,
 * `.wb-pipelines-form-error`, accept `button.wb-pipelines-run-submit`;
 * `.jp-Dialog .wb-pipelines-backfill-form` with `input.wb-pipelines-backfill-from`, `-to`,
 * `input[name=mode][value=sequential|parallel]`, accept `button.wb-pipelines-backfill-submit`.
 */
import { Widget } from '@lumino/widgets';
import { h } from '@workbench/lab-common';
import { showSubmitDialog } from '@workbench/lab-common/submit-dialog';
import { formatValue, plural } from './format';
import { changedParameters, defaultText, isTemplate } from './parameter-form';
import { errorText } from './pipelines-api';
import type { PipelinesClient } from './pipelines-client';
import type { ParameterSpec, PipelineSpec, Run } from './types';

let nextId = 0;

class RunBody extends Widget {
  run: Run | null = null;
  private readonly form: HTMLFormElement;
  private readonly errorNode: HTMLElement;
  private readonly logicalDate: HTMLInputElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();

  constructor(
    private readonly client: PipelinesClient,
    private readonly pipelineId: string,
    private readonly spec: PipelineSpec,
  ) {
    super();
    this.addClass('wb-themed');
    this.addClass('wb-pipelines-dialog-body');
    const uid = `wb-pipelines-run-${++nextId}`;
    const fields = Object.entries(spec.parameters).map(([name, p], i) => this.field(`${uid}-${i}`, name, p));
    this.logicalDate = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-logical-date', attrs: { type: 'date', id: `${uid}-date`, 'aria-describedby': `${uid}-date-hint` } });
    this.errorNode = h('div', { className: 'wb-error-box wb-pipelines-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.form = h('form', { className: 'wb-pipelines-form wb-pipelines-run-form', attrs: { novalidate: '' } }, [
      this.errorNode,
      fields.length === 0 ? h('p', { className: 'wb-dialog-text' }, ['This pipeline has no parameters.']) : null,
      ...fields,
      h('div', { className: 'wb-field wb-pipelines-field' }, [
        h('label', { className: 'wb-label', attrs: { for: `${uid}-date` } }, ['Logical date']),
        this.logicalDate,
        h('span', { className: 'wb-pipelines-hint', attrs: { id: `${uid}-date-hint` } }, ['Empty: now. The run covers the period of this date.']),
      ]),
    ]);
    this.node.append(this.form);
  }

  private field(id: string, name: string, p: ParameterSpec): HTMLElement {
    const hintId = `${id}-hint`;
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    const common = { id, 'data-name': name, 'aria-describedby': hintId };
    if (p.type === 'boolean' && !isTemplate(p.default)) {
      const box = h('input', { className: 'wb-pipelines-param-input', attrs: { ...common, type: 'checkbox' } });
      box.checked = p.default === true;
      input = box;
    } else if (p.enum) {
      input = h(
        'select',
        { className: 'wb-select wb-pipelines-param-input', attrs: common },
        [...(p.default === undefined ? [h('option', { attrs: { value: '' } }, ['—'])] : []), ...p.enum.map((v) => h('option', { attrs: { value: formatValue(v) } }, [formatValue(v)]))],
      );
      input.value = defaultText(p);
    } else if (p.type === 'list' || p.type === 'object') {
      input = h('textarea', { className: 'jp-mod-styled wb-pipelines-param-input wb-pipelines-json', attrs: { ...common, rows: '2', spellcheck: 'false' } });
      input.value = defaultText(p);
    } else {
      const type = p.type === 'date' && !isTemplate(p.default) ? 'date' : 'text';
      const mode = p.type === 'integer' ? 'numeric' : p.type === 'number' ? 'decimal' : undefined;
      input = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-param-input', attrs: { ...common, type, inputmode: mode, spellcheck: 'false', autocomplete: 'off' } });
      input.value = defaultText(p);
    }
    this.inputs.set(name, input);
    const hint = [p.description, isTemplate(p.default) ? `Default ${defaultText(p)}, rendered per run.` : null, p.required && p.default === undefined ? 'Required.' : null].filter(Boolean).join(' ');
    const label = h('label', { className: 'wb-label', attrs: { for: id } }, [name, h('span', { className: 'wb-pipelines-param-type' }, [` ${p.type}`])]);
    if (input instanceof HTMLInputElement && input.type === 'checkbox') {
      return h('div', { className: 'wb-pipelines-field wb-pipelines-param wb-pipelines-check', attrs: { 'data-name': name, 'data-type': p.type } }, [input, label, hint ? h('span', { className: 'wb-pipelines-hint', attrs: { id: hintId } }, [hint]) : null]);
    }
    return h('div', { className: 'wb-field wb-pipelines-field wb-pipelines-param', attrs: { 'data-name': name, 'data-type': p.type } }, [label, input, h('span', { className: 'wb-pipelines-hint', attrs: { id: hintId } }, [hint])]);
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    const values: Record<string, string | boolean> = {};
    for (const [name, input] of this.inputs) values[name] = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value;
    const missing = Object.entries(this.spec.parameters).filter(([name, p]) => p.required && p.default === undefined && values[name] === '');
    for (const input of this.inputs.values()) input.removeAttribute('aria-invalid');
    if (missing.length > 0) {
      for (const [name] of missing) this.inputs.get(name)?.setAttribute('aria-invalid', 'true');
      return this.fail(`Give ${missing.map(([n]) => n).join(', ')} a value: ${missing.length === 1 ? 'it has' : 'they have'} no default.`);
    }
    this.errorNode.hidden = true;
    try {
      this.run = await this.client.runNow(this.pipelineId, { parameters: changedParameters(this.spec, values), logicalDate: this.logicalDate.value || undefined }, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      return this.fail(errorText(err, `run ${this.spec.name}`));
    }
  }

  private fail(message: string): false {
    this.errorNode.textContent = message;
    this.errorNode.hidden = false;
    this.errorNode.scrollIntoView({ block: 'nearest' });
    return false;
  }
}

/** The "Run with parameters" dialog; resolves with the run it started, or null when closed. */
export async function showRunDialog(client: PipelinesClient, pipelineId: string, spec: PipelineSpec): Promise<Run | null> {
  const body = new RunBody(client, pipelineId, spec);
  const ok = await showSubmitDialog({ className: 'wb-pipelines-dialog', title: `Run ${spec.name}`, body, acceptLabel: 'Run', acceptClass: 'wb-pipelines-run-submit', focusNodeSelector: '.wb-pipelines-param-input, .wb-pipelines-logical-date' });
  return ok ? body.run : null;
}

class BackfillBody extends Widget {
  runs: Run[] = [];
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly parallel: HTMLInputElement;
  private readonly errorNode: HTMLElement;
  private readonly daily: boolean;

  constructor(
    private readonly client: PipelinesClient,
    private readonly pipelineId: string,
    private readonly spec: PipelineSpec,
    now: number,
  ) {
    super();
    this.addClass('wb-themed');
    this.addClass('wb-pipelines-dialog-body');
    const uid = `wb-pipelines-backfill-${++nextId}`;
    this.daily = spec.period === 'previous_day' || spec.period === 'current_day';
    const type = this.daily ? 'date' : 'month';
    const today = new Date(now).toISOString();
    this.from = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-backfill-from', attrs: { type, id: `${uid}-from` } });
    this.to = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-backfill-to', attrs: { type, id: `${uid}-to` } });
    this.from.value = this.to.value = this.daily ? today.slice(0, 10) : today.slice(0, 7);
    const radio = (value: 'sequential' | 'parallel', label: string, hint: string) => {
      const input = h('input', { attrs: { type: 'radio', name: 'mode', value, id: `${uid}-${value}` } });
      return { input, node: h('div', { className: 'wb-pipelines-check' }, [input, h('label', { attrs: { for: `${uid}-${value}` } }, [label]), h('span', { className: 'wb-pipelines-hint' }, [hint])]) };
    };
    const seq = radio('sequential', 'One after another', 'each period starts when the previous one ended');
    const par = radio('parallel', 'All at once', 'as many at a time as the queue allows');
    seq.input.checked = true;
    this.parallel = par.input;
    this.errorNode = h('div', { className: 'wb-error-box wb-pipelines-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.node.append(
      h('form', { className: 'wb-pipelines-form wb-pipelines-backfill-form', attrs: { novalidate: '' } }, [
        h('p', { className: 'wb-dialog-text' }, [`One run of ${spec.name} per ${this.daily ? 'day' : 'month'}, each with the logical date of its period and the parameters’ defaults.`]),
        h('div', { className: 'wb-pipelines-row' }, [
          h('div', { className: 'wb-field' }, [h('label', { className: 'wb-label', attrs: { for: `${uid}-from` } }, [this.daily ? 'From day' : 'From month']), this.from]),
          h('div', { className: 'wb-field' }, [h('label', { className: 'wb-label', attrs: { for: `${uid}-to` } }, [this.daily ? 'To day' : 'To month']), this.to]),
        ]),
        h('fieldset', { className: 'wb-pipelines-fieldset' }, [h('legend', { className: 'wb-label' }, ['Runs']), seq.node, par.node]),
        this.errorNode,
      ]),
    );
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    if (!this.from.value || !this.to.value) return this.fail('Choose the first and the last period.');
    this.errorNode.hidden = true;
    try {
      this.runs = await this.client.backfill(this.pipelineId, { from: this.from.value, to: this.to.value, parallel: this.parallel.checked }, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      return this.fail(errorText(err, `backfill ${this.spec.name}`));
    }
  }

  private fail(message: string): false {
    this.errorNode.textContent = message;
    this.errorNode.hidden = false;
    return false;
  }
}

/** The Backfill dialog; resolves with the runs it created ([] when closed). */
export async function showBackfillDialog(client: PipelinesClient, pipelineId: string, spec: PipelineSpec, now: number): Promise<Run[]> {
  const body = new BackfillBody(client, pipelineId, spec, now);
  const ok = await showSubmitDialog({ className: 'wb-pipelines-dialog', title: `Backfill ${spec.name}`, body, acceptLabel: 'Backfill', acceptClass: 'wb-pipelines-backfill-submit', focusNodeSelector: '.wb-pipelines-backfill-from' });
  return ok ? body.runs : [];
}

/** "Backfill: 3 runs created (2026-01 to 2026-03)." */
export function backfillSummary(runs: readonly Run[]): string {
  if (runs.length === 0) return 'Backfill: no run created.';
  const labels = runs.map((r) => r.period.label).sort();
  return `Backfill: ${plural(runs.length, 'run')} created (${labels[0] === labels.at(-1) ? labels[0] : `${labels[0]} to ${labels.at(-1)}`}).`;
}
