/**
 * The values an install gives a template's parameters, checked against
 * their declarations. Values may come from a form as text ('5' for an
 * integer, 'true' for a boolean) and are coerced; anything else wrong is a
 * 400 naming the parameter and what it needs.
 */
import { AppError } from '@workbench/core';
import { isDate } from '@workbench/pipelines';
import type { TemplateParameter } from './manifest';

export type ParameterValue = string | number | boolean;

/** Looks up a connection by name: its kind, or undefined when there is none (or the caller may not see it). */
export type ConnectionLookup = (name: string) => Promise<{ kind: string } | undefined>;

const WORDS: Record<TemplateParameter['type'], string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  month: 'a month (YYYY-MM)',
  choice: 'one of its choices',
  connection: 'the name of a connection',
};

/** `value` as a value of `p`'s type, or bad_request saying why not (`where` prefixes the message). */
export function coerceValue(p: TemplateParameter, value: unknown, where: string): ParameterValue {
  const bad = (why = `must be ${WORDS[p.type]}`): never => {
    throw new AppError('bad_request', `${where}: parameter ${p.name} ${why} (got ${JSON.stringify(value)?.slice(0, 60) ?? String(value)})`);
  };
  switch (p.type) {
    case 'string':
    case 'connection': {
      if (typeof value !== 'string') return bad();
      if (value.length > 2000) return bad('is longer than 2000 characters');
      if (p.type === 'connection' && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(value)) return bad();
      return value;
    }
    case 'integer': {
      const n = typeof value === 'string' && /^-?[0-9]{1,15}$/.test(value.trim()) ? Number(value.trim()) : value;
      return Number.isSafeInteger(n) ? (n as number) : bad();
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : bad();
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return bad();
    case 'date':
      return isDate(value) ? value : bad();
    case 'month': {
      const m = typeof value === 'string' ? /^([0-9]{4})-(0[1-9]|1[0-2])$/.exec(value) : null;
      return m ? (value as string) : bad();
    }
    case 'choice':
      return typeof value === 'string' && p.choices!.includes(value) ? value : bad(`must be one of ${p.choices!.map((c) => JSON.stringify(c)).join(', ')}`);
  }
}

/**
 * Every declared parameter's value for an install: given, else its
 * default; a required one with neither, or a name not declared, is a 400.
 * Connection parameters must name a connection of the declared kind
 * (the template's default may name one not made yet).
 */
export async function resolveValues(template: string, params: readonly TemplateParameter[], given: Record<string, unknown>, connections?: ConnectionLookup): Promise<Record<string, ParameterValue>> {
  const where = `Cannot install template ${template}`;
  const unknown = Object.keys(given).filter((k) => !params.some((p) => p.name === k));
  if (unknown.length > 0) throw new AppError('bad_request', `${where}: it has no parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 64))).join(', ')}${params.length ? ` (it has ${params.map((p) => p.name).join(', ')})` : ' (it takes none)'}`);
  const out: Record<string, ParameterValue> = {};
  const missing: string[] = [];
  for (const p of params) {
    const raw = given[p.name] ?? p.default;
    if (raw === undefined || raw === null || (raw === '' && p.type !== 'string')) {
      if (p.required) missing.push(p.name);
      continue;
    }
    const v = coerceValue(p, raw, where);
    if (p.type === 'connection' && v !== '' && connections) {
      const c = await connections(v as string);
      // The template's own default may name a connection not made yet (install first, connect later); a name typed in may not.
      if (!c && v !== p.default) throw new AppError('bad_request', `${where}: parameter ${p.name} names connection ${JSON.stringify(v)}, which does not exist`);
      if (c && p.connection_kind && c.kind !== p.connection_kind) throw new AppError('bad_request', `${where}: parameter ${p.name} needs a ${p.connection_kind} connection; ${JSON.stringify(v)} is ${c.kind}`);
    }
    out[p.name] = v;
  }
  if (missing.length > 0) throw new AppError('bad_request', `${where}: parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'need' : 'needs'} a value`);
  return out;
}
