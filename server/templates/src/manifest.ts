/**
 * What a template says about itself: the shipped ones in `template.json`
 * beside their files, the user-added ones in the body that saved them.
 *
 *   {
 *     "title": "Month-end close (Odoo)",
 *     "description": "...",
 *     "folder": "close",                    // the default destination
 *     "open": "month-end-close.pipeline.yaml", // opened after install (optional)
 *     "parameters": [
 *       { "name": "connection", "type": "connection", "connection_kind": "postgres",
 *         "default": "odoo", "label": "Odoo database", "description": "..." },
 *       { "name": "threshold", "type": "number", "default": 0.5 },
 *       { "name": "entity", "type": "choice", "choices": ["FR01", "PH01"], "required": true }
 *     ]
 *   }
 *
 * Parameter types: string, integer, number, boolean, date (YYYY-MM-DD),
 * month (YYYY-MM), choice (one of `choices`), connection (the name of a
 * Workbench connection, of `connection_kind` when given). A parameter
 * without a default is required unless it says `"required": false` (then
 * it is left as the files have it).
 */
import { AppError } from '@workbench/core';
import { coerceValue } from './parameter-values';

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'month', 'choice', 'connection'] as const;
export type TemplateParameterType = (typeof PARAMETER_TYPES)[number];

export interface TemplateParameter {
  name: string;
  type: TemplateParameterType;
  label: string;
  description: string;
  default?: string | number | boolean;
  required: boolean;
  choices?: string[];
  connection_kind?: string;
}

export interface TemplateManifest {
  title: string;
  description: string;
  folder: string;
  open?: string;
  parameters: TemplateParameter[];
}

/** A template's name: also its id in URLs. */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A workspace folder a template installs into, relative, no dot segments. */
export const FOLDER = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}(\/[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}){0,7}$/;
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['folder', 'name', 'title']);
const MAX_PARAMETERS = 30;

export function isFolder(value: string): boolean {
  return FOLDER.test(value) && !value.split('/').some((s) => s === '..' || s === '.' || s.startsWith('.'));
}

function fail(where: string, message: string): never {
  throw new AppError('bad_request', `Cannot read template ${where}: ${message}`);
}

function text(o: Record<string, unknown>, key: string, where: string, opts: { max: number; required?: boolean }): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.required) fail(where, `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') fail(where, `${key} must be a string`);
  if (opts.required && v.trim() === '') fail(where, `${key} must not be empty`);
  if (v.length > opts.max) fail(where, `${key} is longer than ${opts.max} characters`);
  return v;
}

function onlyKeys(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length > 0) fail(where, `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')} (known: ${keys.join(', ')})`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const PARAMETER_KEYS = ['name', 'type', 'label', 'description', 'default', 'required', 'choices', 'connection_kind'] as const;

function parseParameter(raw: unknown, i: number, where: string): TemplateParameter {
  const at = `${where} parameter ${i + 1}`;
  if (!isObject(raw)) fail(at, 'must be an object {name, type, ...}');
  onlyKeys(raw, PARAMETER_KEYS, at);
  const name = text(raw, 'name', at, { max: 64, required: true })!;
  if (!PARAMETER_NAME.test(name)) fail(at, `name ${JSON.stringify(name)} must be letters, digits and _ (not starting with a digit), as notebooks name variables`);
  if (RESERVED.has(name)) fail(at, `name ${JSON.stringify(name)} is reserved (the install's own ${name})`);
  const type = raw.type ?? 'string';
  if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) fail(`${where} parameter ${name}`, `type must be one of ${PARAMETER_TYPES.join(', ')}`);
  const p: TemplateParameter = {
    name,
    type: type as TemplateParameterType,
    label: text(raw, 'label', at, { max: 100 }) ?? name,
    description: text(raw, 'description', at, { max: 500 }) ?? '',
    required: true,
  };
  if (raw.choices !== undefined) {
    if (p.type !== 'choice') fail(`${where} parameter ${name}`, 'choices are for type choice');
    if (!Array.isArray(raw.choices) || raw.choices.length === 0 || raw.choices.length > 100 || !raw.choices.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 200)) fail(`${where} parameter ${name}`, 'choices must be 1 to 100 non-empty strings');
    if (new Set(raw.choices).size !== raw.choices.length) fail(`${where} parameter ${name}`, 'choices must not repeat');
    p.choices = raw.choices as string[];
  } else if (p.type === 'choice') fail(`${where} parameter ${name}`, 'a choice needs its choices');
  if (raw.connection_kind !== undefined) {
    if (p.type !== 'connection') fail(`${where} parameter ${name}`, 'connection_kind is for type connection');
    p.connection_kind = text(raw, 'connection_kind', at, { max: 40 });
  }
  if (raw.default !== undefined && raw.default !== null) {
    const d = raw.default;
    if (typeof d !== 'string' && typeof d !== 'number' && typeof d !== 'boolean') fail(`${where} parameter ${name}`, 'default must be a string, a number or true/false');
    p.default = d;
  }
  if (p.default !== undefined && !(p.default === '' && p.type !== 'choice')) p.default = coerceValue(p, p.default, `Cannot read template ${where}`);
  if (raw.required !== undefined) {
    if (typeof raw.required !== 'boolean') fail(`${where} parameter ${name}`, 'required must be true or false');
    p.required = raw.required;
  }
  return p;
}

/** A manifest from JSON (template.json, or a save request's fields), checked; `where` names it in errors. */
export function parseManifest(raw: unknown, where: string, defaults: { title?: string; folder?: string } = {}): TemplateManifest {
  if (!isObject(raw)) fail(where, 'must be a JSON object');
  onlyKeys(raw, ['title', 'description', 'folder', 'open', 'parameters'], where);
  const title = text(raw, 'title', where, { max: 120 }) ?? defaults.title;
  if (!title || title.trim() === '') fail(where, 'title is required');
  const folder = (text(raw, 'folder', where, { max: 300 }) ?? defaults.folder ?? '').replace(/\/+$/, '');
  if (!isFolder(folder)) fail(where, `folder must be a relative workspace path of letters, digits, _ - . and spaces (got ${JSON.stringify(folder.slice(0, 100))})`);
  const open = text(raw, 'open', where, { max: 300 });
  if (open !== undefined && !isFolder(open)) fail(where, `open must be a path inside the template (got ${JSON.stringify(open.slice(0, 100))})`);
  const params = raw.parameters ?? [];
  if (!Array.isArray(params)) fail(where, 'parameters must be a list');
  if (params.length > MAX_PARAMETERS) fail(where, `at most ${MAX_PARAMETERS} parameters`);
  const parameters = params.map((p, i) => parseParameter(p, i, where));
  const names = parameters.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) fail(where, `parameter ${twice} is declared twice`);
  const m: TemplateManifest = { title: title.trim(), description: text(raw, 'description', where, { max: 2000 }) ?? '', folder, parameters };
  if (open !== undefined) m.open = open;
  return m;
}
