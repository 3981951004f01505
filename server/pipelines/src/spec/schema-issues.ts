/**
 * ajv's errors for PIPELINE_JSON_SCHEMA, as issues a person can act on:
 * placed on the offending YAML node (the key, for unknown or badly named
 * keys), worded from the schema itself, with the noise of combinators
 * (the failing branches of a oneOf) dropped.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { PATTERNS, PIPELINE_JSON_SCHEMA } from './pipeline-schema';
import { pointerToPath, type PathSegment } from './source-map';
import type { IssueList } from './spec-issue';

let compiled: ValidateFunction | undefined;

/** The schema, compiled once on first use. */
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false, validateFormats: false, verbose: true }).compile(PIPELINE_JSON_SCHEMA);
  return compiled;
}

/** Validates the YAML data, reporting every violation; true when it has the schema's shape. */
export function checkSchema(data: unknown, issues: IssueList): boolean {
  const validate = validator();
  if (validate(data)) return true;
  const errors = validate.errors ?? [];
  const combinators = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  for (const e of errors) {
    // The branch errors of a combinator are explained by the combinator's own error.
    if (combinators.some((c) => c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`))) continue;
    // A bad key name gets its own `pattern` error, placed on the key.
    if (e.keyword === 'propertyNames') continue;
    const path = pointerToPath(e.instancePath, data);
    const issue = describe(e, path, data);
    // A mapping missing something is named by its key (`tasks.load:`), not by its first entry.
    const key = issue.key ?? (ABOUT_A_MAPPING.has(e.keyword) && issue.path.length > 0);
    issues.at(issue.path, issue.message, { key });
  }
  return false;
}

const ABOUT_A_MAPPING = new Set(['required', 'oneOf', 'anyOf', 'minProperties']);

interface Described {
  path: PathSegment[];
  message: string;
  key?: boolean;
}

function describe(e: ErrorObject, path: PathSegment[], data: unknown): Described {
  const value = valueAt(data, path);
  // With ajv's `verbose`, `schema` is the keyword's value and `parentSchema` the schema holding it.
  const schema: unknown = e.schema;
  const parent = (e.parentSchema ?? {}) as { properties?: object; pattern?: string };
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      return { path: [...path, key], key: true, message: `unknown key '${key}'${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}` };
    }
    case 'required':
      return { path, message: `missing required key '${String(params.missingProperty)}'` };
    case 'dependencies':
      return { path: [...path, String(params.property)], key: true, message: `'${String(params.property)}' requires '${String(params.missingProperty)}'` };
    case 'oneOf':
    case 'anyOf':
      return { path, message: choiceMessage(e.keyword, schema, value) };
    case 'type': {
      const duration = parent.pattern === PATTERNS.duration.pattern;
      const what = duration ? `${PATTERNS.duration.noun} (${PATTERNS.duration.hint})` : typeWords(params.type);
      return { path, message: `must be ${what}, not ${kindOf(value)}` };
    }
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map(show).join(', ')}, not ${show(value)}` };
    case 'const':
      return { path, message: `must be ${show(params.allowedValue)}, not ${show(value)}` };
    case 'not':
      return { path, message: `must not be ${show((schema as { const?: unknown } | undefined)?.const)}` };
    case 'pattern': {
      const known = Object.values(PATTERNS).find((p) => p.pattern === params.pattern);
      const what = known ? `${known.noun} (${known.hint})` : `a string matching ${String(params.pattern)}`;
      if (e.propertyName !== undefined) return { path: [...path, e.propertyName], key: true, message: `'${e.propertyName}' is not ${what}` };
      return { path, message: `'${String(value)}' is not ${what}` };
    }
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, not ${show(value)}` };
    case 'maximum':
      return { path, message: `must be at most ${String(params.limit)}, not ${show(value)}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'minItems':
      return { path, message: `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'minProperties':
      return { path, message: `must have at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems':
      return { path: [...path, Number(params.i)], message: `${show((value as unknown[])[Number(params.i)])} is listed twice` };
    default:
      return { path, message: e.message ?? `fails the schema's ${e.keyword}` };
  }
}

/** A oneOf/anyOf of `{ required: [k] }` branches, in words: which keys are expected and which were given. */
function choiceMessage(keyword: string, schema: unknown, value: unknown): string {
  const keys = ((schema ?? []) as { required?: string[] }[]).map((b) => b.required?.[0]).filter((k): k is string => k !== undefined);
  const present = value !== null && typeof value === 'object' ? keys.filter((k) => Object.hasOwn(value, k)) : [];
  const list = keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}` : (keys[0] ?? '?');
  if (keyword === 'anyOf') return `needs ${list}`;
  return present.length === 0 ? `needs exactly one of ${list}` : `needs exactly one of ${list}, not ${present.join(' and ')}`;
}

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping',
    null: 'empty',
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return show(value);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let here = data;
  for (const seg of path) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, seg)) return undefined;
    here = (here as Record<PathSegment, unknown>)[seg];
  }
  return here;
}
