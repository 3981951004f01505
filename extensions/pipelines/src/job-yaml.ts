/**
 * "Create job" writes a one-task pipeline for a notebook: this file says
 * what the form holds, checks it with the server's own rules (so most
 * mistakes show under their field before anything is sent) and writes the
 * `*.pipeline.yaml` text (the format of server/pipelines/README.md). Pure.
 *
 * The YAML is generated, not templated: every string is emitted as a JSON
 * string (a valid YAML double-quoted scalar, so no value can break out of
 * its line or turn into another type), numbers and booleans as literals.
 * The notebook's parameters become pipeline parameters with their
 * defaults, passed to the task as `"{{ params.<name> }}"` (a whole-string
 * template keeps the value's type), so "Run with parameters" can change
 * them per run.
 */
import type { ParameterType } from './types';

export type JobSchedule =
  | { kind: 'none' }
  | { kind: 'cron'; cron: string; timezone: string }
  | { kind: 'business_day'; n: number; at: string; timezone: string; country: string }
  | { kind: 'business_days_after_month_end'; n: number; at: string; timezone: string; country: string }
  | { kind: 'last_business_day'; at: string; timezone: string; country: string };

export type JobScheduleKind = JobSchedule['kind'];

export interface JobParameter {
  name: string;
  type: ParameterType;
  /** A value of `type` (dates as `YYYY-MM-DD` strings). */
  value: unknown;
}

export interface JobForm {
  /** The pipeline's display name. */
  name: string;
  /** Workspace path of the notebook. */
  notebook: string;
  schedule: JobSchedule;
  parameters: JobParameter[];
  /** Retries after a failed attempt. */
  retries: number;
}

/** What is wrong with a field of the form (`field` names the input: `name`, `cron`, `n`, `at`, `timezone`, `country`, `retries`, `parameters.<i>`). */
export interface JobProblem {
  field: string;
  message: string;
}

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TIME = /^([01]?[0-9]|2[0-3]):[0-5][0-9]$/;
const COUNTRY = /^[A-Z]{2}$/;

/** `sales/report.pipeline.yaml` for `sales/report.ipynb`: next to the notebook. */
export function jobPath(notebook: string): string {
  return `${notebook.replace(/\.ipynb$/i, '')}.pipeline.yaml`;
}

/** The task's id: the notebook's stem made a valid id (letters, digits, _ and -; starting with a letter). */
export function taskIdOf(notebook: string): string {
  const stem = (notebook.split('/').pop() ?? notebook).replace(/\.ipynb$/i, '');
  const id = stem
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/[_-]+$/, '');
  return id === '' ? 'notebook' : id;
}

/** The form's problems, by the server's rules (pipeline-schema.ts); [] when it can be sent. */
export function checkJobForm(form: JobForm): JobProblem[] {
  const problems: JobProblem[] = [];
  if (form.name.trim() === '') problems.push({ field: 'name', message: 'Give the job a name.' });
  if (!Number.isInteger(form.retries) || form.retries < 0 || form.retries > 100) problems.push({ field: 'retries', message: 'Retries is a whole number from 0 to 100.' });
  const s = form.schedule;
  if (s.kind === 'cron' && s.cron.trim().split(/\s+/).length < 5) problems.push({ field: 'cron', message: 'A cron expression has 5 fields: minute hour day-of-month month day-of-week.' });
  if (s.kind !== 'none' && s.timezone.trim() === '') problems.push({ field: 'timezone', message: 'Choose a time zone.' });
  if (s.kind === 'business_day' && (!Number.isInteger(s.n) || s.n === 0 || s.n < -23 || s.n > 23)) problems.push({ field: 'n', message: 'The business day is a whole number from 1 to 23 (or -1 to -23 counting from the month end).' });
  if (s.kind === 'business_days_after_month_end' && (!Number.isInteger(s.n) || s.n < 1 || s.n > 23)) problems.push({ field: 'n', message: 'The business day is a whole number from 1 to 23.' });
  if (s.kind !== 'none' && s.kind !== 'cron') {
    if (!TIME.test(s.at)) problems.push({ field: 'at', message: 'The time is HH:MM, 24-hour.' });
    if (s.country !== '' && !COUNTRY.test(s.country)) problems.push({ field: 'country', message: 'The country is a two-letter code in capitals, such as FR.' });
  }
  const seen = new Set<string>();
  form.parameters.forEach((p, i) => {
    if (!PARAMETER_NAME.test(p.name)) problems.push({ field: `parameters.${i}`, message: `"${p.name}" is not a parameter name: a letter or _, then letters, digits or _.` });
    else if (seen.has(p.name)) problems.push({ field: `parameters.${i}`, message: `${p.name} is listed twice.` });
    seen.add(p.name);
  });
  return problems;
}

/** A scalar or flow value, one line: JSON is valid YAML, and a JSON string is a YAML double-quoted scalar. */
const scalar = (v: unknown): string => JSON.stringify(v) ?? 'null';

function scheduleLines(s: JobSchedule): string[] {
  switch (s.kind) {
    case 'none':
      return [];
    case 'cron':
      return ['schedule:', `  - cron: ${scalar(s.cron.trim().replace(/\s+/g, ' '))}`, `    timezone: ${scalar(s.timezone.trim())}`];
    default: {
      const rule = s.kind === 'last_business_day' ? 'last_business_day: true' : `${s.kind}: ${s.n}`;
      const at = s.at.length === 4 ? `0${s.at}` : s.at;
      return [
        'schedule:',
        '  - calendar:',
        `      ${rule}`,
        `    at: ${scalar(at)}`,
        `    timezone: ${scalar(s.timezone.trim())}`,
        ...(s.country ? ['    holidays:', `      country: ${scalar(s.country)}`] : []),
      ];
    }
  }
}

/** The pipeline file for `form` (call checkJobForm first). */
export function jobYaml(form: JobForm): string {
  const task = taskIdOf(form.notebook);
  // The comment is one line whatever the path holds.
  const from = form.notebook.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
  const lines = [`# Created with "Create job" from ${from}: one task that runs the notebook.`, `name: ${scalar(form.name.trim())}`];
  // Closing a month: a run after the month ends covers that month.
  if (form.schedule.kind === 'business_days_after_month_end') lines.push('period: previous_month');
  lines.push(...scheduleLines(form.schedule));
  if (form.parameters.length > 0) {
    lines.push('parameters:');
    for (const p of form.parameters) lines.push(`  ${p.name}:`, `    type: ${p.type}`, `    default: ${scalar(p.value)}`);
  }
  lines.push('tasks:', `  ${task}:`, `    notebook: ${scalar(form.notebook)}`);
  if (form.retries > 0) lines.push(`    retries: ${form.retries}`);
  if (form.parameters.length > 0) {
    lines.push('    parameters:');
    for (const p of form.parameters) lines.push(`      ${p.name}: ${scalar(`{{ params.${p.name} }}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A default as typed in the form, read as a value of `type`; what is wrong with it otherwise. */
export function readDefault(type: ParameterType, text: string): { value: unknown } | { error: string } {
  const t = text.trim();
  switch (type) {
    case 'integer':
      return /^[+-]?[0-9]+$/.test(t) && Number.isSafeInteger(Number(t)) ? { value: Number(t) } : { error: `${JSON.stringify(text)} is not an integer` };
    case 'number':
      return t !== '' && Number.isFinite(Number(t)) ? { value: Number(t) } : { error: `${JSON.stringify(text)} is not a number` };
    case 'boolean':
      return /^(true|false)$/i.test(t) ? { value: /^true$/i.test(t) } : { error: 'a boolean is true or false' };
    case 'date':
      return /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(t) || t.includes('{{') ? { value: t } : { error: 'a date is YYYY-MM-DD' };
    case 'list':
    case 'object': {
      try {
        const v: unknown = JSON.parse(t);
        const ok = type === 'list' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
        return ok ? { value: v } : { error: `not a JSON ${type === 'list' ? 'list' : 'object'}` };
      } catch {
        return { error: `not a JSON ${type === 'list' ? 'list' : 'object'}` };
      }
    }
    default:
      return { value: text };
  }
}
