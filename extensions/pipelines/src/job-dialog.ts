/**
 * "Create job" for a saved notebook: a dialog that makes it a scheduled
 * pipeline. Job name; schedule (none: by hand; cron with its time zone;
 * business day N of the month, N business days after the month ends, or
 * the last business day, at a time, in a time zone, with a country's
 * holidays); the notebook's parameters (read from its `parameters` cell
 * when its lines are simple, each with a type and a default; rows can be
 * changed, added and removed); retries. Create checks the form by the
 * server's rules, asks the server to check the YAML (its issues are
 * listed with their line numbers, nothing is written), then writes
 * `<notebook stem>.pipeline.yaml` next to the notebook (POST
 * api/pipelines; a refusal, such as an existing file, is shown).
 *
 * DOM hooks: `.jp-Dialog .wb-pipelines-job-form[data-schedule]` with `input.wb-pipelines-job-name`,
 * `select.wb-pipelines-job-schedule`, `input.wb-pipelines-job-cron`, `input.wb-pipelines-job-n`,
 * `input.wb-pipelines-job-at`, `input.wb-pipelines-job-timezone`, `input.wb-pipelines-job-country`,
 * `tr.wb-pipelines-job-param[data-index]` (`input.wb-pipelines-job-param-name`, `select.wb-pipelines-job-param-type`,
 * `input.wb-pipelines-job-param-default`, `button.wb-pipelines-job-param-remove`), `button.wb-pipelines-job-param-add`,
 * `.wb-pipelines-job-skipped`, `input.wb-pipelines-job-retries`, `.wb-pipelines-job-path`,
 * `.wb-pipelines-field-error[data-field]`, `ul.wb-pipelines-job-issues li[data-line]`, `.wb-pipelines-form-error`;
 * accept `button.wb-pipelines-job-submit`.
 */
import { Widget } from '@lumino/widgets';
import { h, replaceChildren } from '@workbench/lab-common';
import { showSubmitDialog } from '@workbench/lab-common/submit-dialog';
import { checkJobForm, jobPath, jobYaml, readDefault, type JobForm, type JobProblem, type JobSchedule, type JobScheduleKind } from './job-yaml';
import { readParametersCell, type NotebookParameter } from './notebook-parameters';
import { errorText, PipelinesError } from './pipelines-api';
import type { PipelinesClient } from './pipelines-client';
import { PARAMETER_TYPES, type ParameterType, type PipelineRecord, type SpecIssue } from './types';

export interface CreateJobOptions {
  client: PipelinesClient;
  /** Workspace path of the (saved) notebook. */
  notebook: string;
  /** The source of its `parameters` cell, if it has one. */
  parametersSource?: string;
  /** Default time zone (the browser's). */
  timezone?: string;
}

const SCHEDULES: [JobScheduleKind, string][] = [
  ['none', 'None: run it by hand'],
  ['cron', 'Cron expression'],
  ['business_day', 'Business day N of the month'],
  ['business_days_after_month_end', 'N business days after the month ends'],
  ['last_business_day', 'Last business day of the month'],
];

const COUNTRIES = ['AT', 'AU', 'BE', 'CA', 'CH', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'JP', 'LU', 'NL', 'NO', 'PL', 'PT', 'SE', 'US'];

let nextId = 0;

class JobBody extends Widget {
  created: PipelineRecord | null = null;
  private readonly options: CreateJobOptions;
  private readonly uid = `wb-pipelines-job-${++nextId}`;
  private readonly form: HTMLFormElement;
  private readonly name: HTMLInputElement;
  private readonly schedule: HTMLSelectElement;
  private readonly cron: HTMLInputElement;
  private readonly n: HTMLInputElement;
  private readonly at: HTMLInputElement;
  private readonly timezone: HTMLInputElement;
  private readonly country: HTMLInputElement;
  private readonly retries: HTMLInputElement;
  private readonly paramRows: HTMLElement;
  private readonly issuesNode: HTMLElement;
  private readonly errorNode: HTMLElement;
  private readonly groups: Record<'cron' | 'n' | 'calendar' | 'timezone', HTMLElement>;
  private params: { name: string; type: ParameterType; text: string }[];

  constructor(options: CreateJobOptions) {
    super();
    this.options = options;
    this.addClass('wb-themed');
    this.addClass('wb-compact-buttons');
    this.addClass('wb-pipelines-dialog-body');
    this.addClass('wb-pipelines-job-body');
    const stem = (options.notebook.split('/').pop() ?? options.notebook).replace(/\.ipynb$/i, '');
    const input = (field: string, attrs: Record<string, string | undefined> = {}) =>
      h('input', { className: `jp-mod-styled wb-input wb-pipelines-job-${field}`, attrs: { id: `${this.uid}-${field}`, 'aria-describedby': `${this.uid}-${field}-error`, spellcheck: 'false', autocomplete: 'off', ...attrs } });
    this.name = input('name', { type: 'text', maxlength: '200' });
    this.name.value = stem.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
    this.schedule = h(
      'select',
      { className: 'wb-select wb-pipelines-job-schedule', attrs: { id: `${this.uid}-schedule` } },
      SCHEDULES.map(([v, label]) => h('option', { attrs: { value: v } }, [label])),
    );
    this.cron = input('cron', { type: 'text', placeholder: '0 7 * * 1-5' });
    this.cron.value = '0 7 * * 1-5';
    this.n = input('n', { type: 'text', inputmode: 'numeric' });
    this.n.value = '3';
    this.at = input('at', { type: 'time' });
    this.at.value = '07:00';
    this.timezone = input('timezone', { type: 'text', list: `${this.uid}-zones` });
    this.timezone.value = options.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
    this.country = input('country', { type: 'text', list: `${this.uid}-countries`, maxlength: '2', placeholder: 'FR' });
    this.retries = input('retries', { type: 'text', inputmode: 'numeric' });
    this.retries.value = '0';
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
    const field = (key: string, label: string, control: HTMLElement, hint?: string) =>
      h('div', { className: 'wb-field wb-pipelines-field', attrs: { 'data-field': key } }, [
        h('label', { className: 'wb-label', attrs: { for: control.id } }, [label]),
        control,
        hint ? h('span', { className: 'wb-pipelines-hint' }, [hint]) : null,
        h('span', { className: 'wb-pipelines-field-error', attrs: { id: `${this.uid}-${key}-error`, 'data-field': key, role: 'alert' } }),
      ]);
    this.groups = {
      cron: field('cron', 'Cron expression', this.cron, 'minute hour day month weekday'),
      n: field('n', 'Business day', this.n, ' '),
      calendar: h('div', { className: 'wb-pipelines-job-calendar' }, [field('at', 'At', this.at), field('country', 'Holidays of', this.country, 'Empty: weekends only')]),
      timezone: field('timezone', 'Time zone', this.timezone),
    };
    const found = options.parametersSource === undefined ? null : readParametersCell(options.parametersSource);
    this.params = (found?.parameters ?? []).map((p: NotebookParameter) => ({ name: p.name, type: p.type, text: String(p.value) }));
    this.paramRows = h('tbody');
    const add = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-pipelines-job-param-add', attrs: { type: 'button' } }, ['Add parameter']);
    add.addEventListener('click', () => {
      this.readParams();
      this.params.push({ name: '', type: 'string', text: '' });
      this.renderParams();
      this.paramRows.querySelector<HTMLInputElement>('tr:last-child input.wb-pipelines-job-param-name')?.focus();
    });
    this.issuesNode = h('div', { className: 'wb-error-box wb-pipelines-job-issues-box', attrs: { role: 'alert' } });
    this.issuesNode.hidden = true;
    this.errorNode = h('div', { className: 'wb-error-box wb-pipelines-form-error', attrs: { role: 'alert' } });
    this.errorNode.hidden = true;
    this.form = h('form', { className: 'wb-pipelines-form wb-pipelines-job-form', attrs: { novalidate: '' } }, [
      h('p', { className: 'wb-dialog-text' }, ['Runs ', h('code', {}, [options.notebook]), ' as a pipeline. Writes ', h('code', { className: 'wb-pipelines-job-path' }, [jobPath(options.notebook)]), '.']),
      this.issuesNode,
      this.errorNode,
      h('div', { className: 'wb-pipelines-row' }, [field('name', 'Job name', this.name), field('retries', 'Retries', this.retries, 'after a failure, 0 to 100')]),
      field('schedule', 'Schedule', this.schedule),
      h('div', { className: 'wb-pipelines-row wb-pipelines-job-when' }, [this.groups.cron, this.groups.n, this.groups.calendar, this.groups.timezone]),
      h('datalist', { attrs: { id: `${this.uid}-zones` } }, zones.map((z) => h('option', { attrs: { value: z } }))),
      h('datalist', { attrs: { id: `${this.uid}-countries` } }, COUNTRIES.map((c) => h('option', { attrs: { value: c } }))),
      h('fieldset', { className: 'wb-pipelines-fieldset wb-pipelines-job-params' }, [
        h('legend', { className: 'wb-label' }, ['Parameters']),
        h('p', { className: 'wb-pipelines-hint' }, [
          found === null
            ? 'The notebook has no cell tagged "parameters"; parameters added here are set in a cell injected at its top, as papermill does.'
            : 'From the notebook’s "parameters" cell. Each run can change them (Run with parameters).',
        ]),
        h('div', { className: 'wb-pipelines-table-wrap' }, [
          h('table', { className: 'wb-pipelines-table wb-pipelines-job-param-table', attrs: { 'aria-label': 'Parameters' } }, [
            h('thead', {}, [h('tr', {}, ['Name', 'Type', 'Default', ''].map((t) => h('th', { attrs: { scope: 'col' } }, [t])))]),
            this.paramRows,
          ]),
        ]),
        found && found.skipped.length > 0 ? h('p', { className: 'wb-pipelines-hint wb-pipelines-job-skipped' }, [`Not read (not a simple name = value line): ${found.skipped.join('; ')}`]) : null,
        h('span', { className: 'wb-pipelines-field-error', attrs: { 'data-field': 'parameters', role: 'alert' } }),
        add,
      ]),
    ]);
    this.node.append(this.form);
    this.renderParams();
    this.schedule.addEventListener('change', this.onSchedule);
    this.onSchedule();
  }

  private readonly onSchedule = (): void => {
    const kind = this.schedule.value as JobScheduleKind;
    this.form.dataset.schedule = kind;
    this.groups.cron.hidden = kind !== 'cron';
    this.groups.n.hidden = kind !== 'business_day' && kind !== 'business_days_after_month_end';
    this.groups.calendar.hidden = kind === 'none' || kind === 'cron';
    this.groups.timezone.hidden = kind === 'none';
    const hint = this.groups.n.querySelector('.wb-pipelines-hint');
    if (hint) hint.textContent = kind === 'business_day' ? 'of the month (-1: the last)' : 'after the month ends';
  };

  private renderParams(): void {
    replaceChildren(
      this.paramRows,
      this.params.map((p, i) => {
        const name = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-job-param-name', attrs: { type: 'text', 'aria-label': `Parameter ${i + 1} name`, spellcheck: 'false', autocomplete: 'off' } });
        name.value = p.name;
        const type = h(
          'select',
          { className: 'wb-select wb-pipelines-job-param-type', attrs: { 'aria-label': `Parameter ${i + 1} type` } },
          PARAMETER_TYPES.map((t) => h('option', { attrs: { value: t } }, [t])),
        );
        type.value = p.type;
        const value = h('input', { className: 'jp-mod-styled wb-input wb-pipelines-job-param-default', attrs: { type: 'text', 'aria-label': `Parameter ${i + 1} default`, spellcheck: 'false', autocomplete: 'off' } });
        value.value = p.text;
        const remove = h('button', { className: 'jp-Button jp-mod-styled jp-mod-reject wb-button-small wb-pipelines-job-param-remove', attrs: { type: 'button', 'aria-label': `Remove parameter ${p.name || i + 1}` } }, ['Remove']);
        remove.addEventListener('click', () => {
          this.readParams();
          this.params.splice(i, 1);
          this.renderParams();
        });
        return h('tr', { className: 'wb-pipelines-job-param', attrs: { 'data-index': String(i) } }, [h('td', {}, [name]), h('td', {}, [type]), h('td', {}, [value]), h('td', {}, [remove])]);
      }),
    );
  }

  private readParams(): void {
    this.params = [...this.paramRows.querySelectorAll<HTMLTableRowElement>('tr.wb-pipelines-job-param')].map((row) => ({
      name: row.querySelector<HTMLInputElement>('.wb-pipelines-job-param-name')!.value.trim(),
      type: row.querySelector<HTMLSelectElement>('.wb-pipelines-job-param-type')!.value as ParameterType,
      text: row.querySelector<HTMLInputElement>('.wb-pipelines-job-param-default')!.value,
    }));
  }

  /** The form as a JobForm, and the defaults that do not read as their type. */
  private read(): { form: JobForm; problems: JobProblem[] } {
    this.readParams();
    const problems: JobProblem[] = [];
    const parameters = this.params.map((p, i) => {
      const v = readDefault(p.type, p.text);
      if ('error' in v) problems.push({ field: `parameters.${i}`, message: `${p.name || `Parameter ${i + 1}`}: ${v.error}.` });
      return { name: p.name, type: p.type, value: 'value' in v ? v.value : p.text };
    });
    const kind = this.schedule.value as JobScheduleKind;
    const where = { at: this.at.value, timezone: this.timezone.value.trim(), country: this.country.value.trim().toUpperCase() };
    const n = /^[+-]?[0-9]+$/.test(this.n.value.trim()) ? Number(this.n.value) : Number.NaN;
    const schedule: JobSchedule =
      kind === 'none'
        ? { kind }
        : kind === 'cron'
          ? { kind, cron: this.cron.value, timezone: where.timezone }
          : kind === 'last_business_day'
            ? { kind, ...where }
            : { kind, n, ...where };
    const retries = /^[0-9]+$/.test(this.retries.value.trim()) ? Number(this.retries.value) : Number.NaN;
    const form: JobForm = { name: this.name.value, notebook: this.options.notebook, schedule, parameters, retries };
    return { form, problems: [...checkJobForm(form), ...problems] };
  }

  private showProblems(problems: readonly JobProblem[]): void {
    const byField = new Map<string, string[]>();
    for (const p of problems) {
      const key = p.field.startsWith('parameters.') ? 'parameters' : p.field;
      byField.set(key, [...(byField.get(key) ?? []), p.message]);
    }
    for (const node of this.form.querySelectorAll<HTMLElement>('.wb-pipelines-field-error')) {
      const messages = byField.get(node.dataset.field ?? '');
      node.textContent = messages?.join(' ') ?? '';
      node.hidden = !messages;
    }
    for (const [key, control] of Object.entries({ name: this.name, cron: this.cron, n: this.n, at: this.at, timezone: this.timezone, country: this.country, retries: this.retries })) {
      if (byField.has(key)) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
    const bad = new Set(problems.filter((p) => p.field.startsWith('parameters.')).map((p) => p.field.slice('parameters.'.length)));
    for (const row of this.paramRows.querySelectorAll<HTMLElement>('tr.wb-pipelines-job-param')) {
      for (const input of row.querySelectorAll('input')) {
        if (bad.has(row.dataset.index ?? '')) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    }
  }

  private showIssues(issues: readonly SpecIssue[], intro: string): void {
    replaceChildren(this.issuesNode, [
      h('p', { className: 'wb-pipelines-job-issues-intro' }, [intro]),
      h(
        'ul',
        { className: 'wb-pipelines-job-issues' },
        issues.map((i) => h('li', { attrs: { 'data-line': String(i.line) } }, [h('span', { className: 'wb-pipelines-issue-line' }, [`Line ${i.line}`]), ` ${i.path ? `${i.path}: ` : ''}${i.message}`])),
      ),
    ]);
    this.issuesNode.hidden = issues.length === 0;
    if (issues.length > 0) this.issuesNode.scrollIntoView({ block: 'nearest' });
  }

  async submit(signal: AbortSignal): Promise<boolean> {
    const { form, problems } = this.read();
    this.showProblems(problems);
    this.showIssues([], '');
    this.errorNode.hidden = true;
    if (problems.length > 0) {
      this.form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return false;
    }
    const path = jobPath(form.notebook);
    const yaml = jobYaml(form);
    try {
      const issues = await this.options.client.validate(path, yaml, { signal });
      if (issues.length > 0) {
        this.showIssues(issues, `The server refused the pipeline (${path}); nothing was written:`);
        return false;
      }
      this.created = await this.options.client.create(path, yaml, { signal });
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (err instanceof PipelinesError && err.issues.length > 0) this.showIssues(err.issues, `The server refused the pipeline (${path}):`);
      this.errorNode.textContent = errorText(err, `create ${path}`);
      this.errorNode.hidden = false;
      this.errorNode.scrollIntoView({ block: 'nearest' });
      return false;
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.schedule.removeEventListener('change', this.onSchedule);
    super.dispose();
  }
}

/** The Create job dialog; resolves with the pipeline it wrote, or null when closed. */
export async function showCreateJobDialog(options: CreateJobOptions): Promise<PipelineRecord | null> {
  const body = new JobBody(options);
  const ok = await showSubmitDialog({ className: 'wb-pipelines-dialog', title: `Create job: ${options.notebook.split('/').pop() ?? options.notebook}`, body, acceptLabel: 'Create job', acceptClass: 'wb-pipelines-job-submit', focusNodeSelector: '.wb-pipelines-job-name' });
  return ok ? body.created : null;
}
