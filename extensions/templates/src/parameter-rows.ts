/**
 * The parameters editor's rows as typed (text), to and from the shape
 * `POST api/templates` takes, and the first problem in them by the
 * server's rules (server/templates manifest.ts parseParameter,
 * parameter-values.ts coerceValue). The server checks again; this only
 * answers sooner, in words. Pure.
 */
import type { GuessedParameter } from './detect-parameters';
import type { ParameterType } from './types';

/** One row as the editor holds it. */
export interface ParameterRow {
  name: string;
  type: ParameterType;
  label: string;
  /** Kept as given (the editor has no field for it). */
  description: string;
  /** Text; for a boolean 'true', 'false' or '' (none). */
  default: string;
  required: boolean;
  /** Comma-separated (type choice). */
  choices: string;
  /** Type connection. */
  connectionKind: string;
}

/** Which of a row's inputs a problem is about. */
export type RowField = 'name' | 'label' | 'default' | 'choices' | 'connectionKind';

export interface RowProblem {
  /** 0-based; absent for a problem of the whole list (too many). */
  row?: number;
  field?: RowField;
  message: string;
}

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['folder', 'name', 'title']);
const CONNECTION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const MAX_PARAMETERS = 30;

const WORDS: Record<ParameterType, string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  month: 'a month (YYYY-MM)',
  choice: 'one of its choices',
  connection: 'the name of a connection (letters, digits, _ . -)',
};

export function emptyRow(): ParameterRow {
  return { name: '', type: 'string', label: '', description: '', default: '', required: true, choices: '', connectionKind: '' };
}

export function rowFromParameter(p: GuessedParameter): ParameterRow {
  return {
    name: p.name,
    type: p.type,
    label: p.label ?? '',
    description: p.description ?? '',
    default: p.default === undefined ? '' : String(p.default),
    required: p.required ?? true,
    choices: (p.choices ?? []).join(', '),
    connectionKind: p.connection_kind ?? '',
  };
}

/** "a, b ,,c" -> ['a', 'b', 'c']. */
export function splitChoices(text: string): string[] {
  return text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** The default's text as a value of `row`'s type, undefined when empty, or an error in words. */
export function readDefault(row: ParameterRow): { value?: string | number | boolean } | { error: string } {
  const text = row.type === 'string' ? row.default : row.default.trim();
  if (text === '') return {};
  const bad = { error: `the default ${JSON.stringify(text.slice(0, 40))} is not ${WORDS[row.type]}` };
  switch (row.type) {
    case 'string':
      return text.length > 2000 ? { error: 'the default is longer than 2000 characters' } : { value: text };
    case 'integer':
      return /^-?[0-9]{1,15}$/.test(text) ? { value: Number(text) } : bad;
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) && !/^0[xob]/i.test(text.replace(/^[+-]/, '')) ? { value: n } : bad;
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : bad;
    case 'date': {
      const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
      const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      return day && day.toISOString().slice(0, 10) === text ? { value: text } : bad;
    }
    case 'month':
      return /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(text) ? { value: text } : bad;
    case 'choice':
      return splitChoices(row.choices).includes(text) ? { value: text } : { error: `the default ${JSON.stringify(text.slice(0, 40))} is not one of the choices` };
    case 'connection':
      return CONNECTION.test(text) ? { value: text } : bad;
  }
}

/** The row as `POST api/templates` takes it (a default that does not read as its type is sent as typed, for the server to refuse). */
export function parameterFromRow(row: ParameterRow): GuessedParameter {
  const p: GuessedParameter = { name: row.name.trim(), type: row.type, required: row.required };
  const label = row.label.trim();
  if (label !== '') p.label = label;
  if (row.description.trim() !== '') p.description = row.description;
  const d = readDefault(row);
  if ('value' in d && d.value !== undefined) p.default = d.value;
  else if ('error' in d) p.default = row.default.trim();
  if (row.type === 'choice') p.choices = splitChoices(row.choices);
  const kind = row.connectionKind.trim();
  if (row.type === 'connection' && kind !== '') p.connection_kind = kind;
  return p;
}

/** The first problem, in the rows' order; null when the server should take them. */
export function rowsProblem(rows: readonly ParameterRow[]): RowProblem | null {
  if (rows.length > MAX_PARAMETERS) return { message: `A template takes at most ${MAX_PARAMETERS} parameters (there are ${rows.length}).` };
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const name = row.name.trim();
    const at = (field: RowField, what: string): RowProblem => ({ row: i, field, message: `Parameter ${i + 1}${field !== 'name' ? ` (${name})` : ''}: ${what}.` });
    if (name === '') return at('name', 'give it a name');
    if (!PARAMETER_NAME.test(name)) return at('name', `the name ${JSON.stringify(name.slice(0, 70))} must be letters, digits and _ (not starting with a digit, at most 64), as notebooks name variables`);
    if (RESERVED.has(name)) return at('name', `the name ${JSON.stringify(name)} is reserved (the install's own ${name})`);
    if (seen.has(name)) return at('name', `${name} is declared twice`);
    seen.add(name);
    if (row.label.trim().length > 100) return at('label', 'the label is longer than 100 characters');
    if (row.type === 'choice') {
      const choices = splitChoices(row.choices);
      if (choices.length === 0) return at('choices', 'a choice needs its choices, separated by commas');
      if (choices.length > 100) return at('choices', 'at most 100 choices');
      if (choices.some((c) => c.length > 200)) return at('choices', 'a choice is longer than 200 characters');
      const twice = choices.find((c, j) => choices.indexOf(c) !== j);
      if (twice !== undefined) return at('choices', `the choice ${JSON.stringify(twice)} is there twice`);
    }
    if (row.type === 'connection' && row.connectionKind.trim().length > 40) return at('connectionKind', 'the connection kind is longer than 40 characters');
    const d = readDefault(row);
    if ('error' in d) return at('default', d.error);
  }
  return null;
}
