/**
 * Values of pipeline parameters by type. The YAML's own values are checked
 * strictly (`checkValue`); values from a run request may come from a form
 * as text and are coerced (`coerceValue`: '5' -> 5 for an integer).
 * Dates stay `YYYY-MM-DD` strings, datetimes ISO 8601 strings.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ParameterSpec, ParameterType } from './pipeline-spec';

const TYPE_WORDS: Record<ParameterType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'a date-time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])',
  list: 'a list',
  object: 'a mapping',
};

export function typeWords(type: ParameterType): string {
  return TYPE_WORDS[type];
}

/** A `YYYY-MM-DD` string naming a real day. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  return !!m && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?$/.exec(value);
  return !!m && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3])) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60;
}

function isCalendarDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `value` is already a value of `type` (no coercion). */
export function hasType(value: unknown, type: ParameterType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return isDate(value);
    case 'datetime':
      return isDateTime(value);
    case 'list':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
  }
}

/** `value` as `type`, reading text the way a form sends it; undefined when it cannot be one. */
export function coerceValue(value: unknown, type: ParameterType): { value: unknown } | undefined {
  if (hasType(value, type)) return { value };
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  switch (type) {
    case 'integer':
      return /^[+-]?[0-9]+$/.test(text) && Number.isSafeInteger(Number(text)) ? { value: Number(text) } : undefined;
    case 'number':
      return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text) && Number.isFinite(Number(text)) ? { value: Number(text) } : undefined;
    case 'boolean':
      if (/^true$/i.test(text)) return { value: true };
      if (/^false$/i.test(text)) return { value: false };
      return undefined;
    case 'date':
    case 'datetime':
      return hasType(text, type) ? { value: text } : undefined;
    case 'list':
    case 'object': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return undefined;
      }
      return hasType(parsed, type) ? { value: parsed } : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether `value` is one of the parameter's allowed values (always, without an enum). */
export function inEnum(value: unknown, param: Pick<ParameterSpec, 'enum'>): boolean {
  return param.enum === undefined || param.enum.some((allowed) => isDeepStrictEqual(allowed, value));
}
