/**
 * Trust boundary: the templates API's JSON is checked here once, so the
 * dialogs can trust `./types`. A mismatch becomes a
 * TemplatesError('invalid_response') naming the first wrong field.
 */
import { readDiffResponse } from '@workbench/history/validate';
import { JsonReader, type Json } from '@workbench/lab-common';
import { TemplatesError } from './templates-api';
import {
  PARAMETER_TYPES,
  type ConnectionChoice,
  type FileStatus,
  type InstallResult,
  type ManifestChange,
  type ParameterType,
  type ParameterValue,
  type TemplateAbilities,
  type TemplateDiff,
  type TemplateFileChange,
  type TemplateInfo,
  type TemplateParameter,
  type TemplateVersion,
} from './types';

const TYPES = new Set<string>(PARAMETER_TYPES);
const SOURCES = new Set(['shipped', 'user']);
const FILE_STATUSES = new Set<string>(['added', 'removed', 'modified', 'unchanged']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, TemplatesError);
  }
  value(v: unknown, where: string): ParameterValue {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
    return this.fail(where, 'a string, a number or true/false');
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
  optString(v: unknown, where: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, where);
  }
  optNumber(v: unknown, where: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(where, 'a number');
    return v;
  }
}

function parameter(r: Reader, v: unknown, at: string): TemplateParameter {
  const o = r.object(v, at);
  const p: TemplateParameter = {
    name: r.string(o.name, `${at}.name`),
    type: r.oneOf<ParameterType>(o.type, TYPES, `${at}.type`),
    label: r.optString(o.label, `${at}.label`) ?? r.string(o.name, `${at}.name`),
    description: r.optString(o.description, `${at}.description`) ?? '',
    required: o.required === undefined ? true : r.boolean(o.required, `${at}.required`),
  };
  if (o.default !== undefined && o.default !== null) p.default = r.value(o.default, `${at}.default`);
  if (o.choices !== undefined) p.choices = r.strings(o.choices, `${at}.choices`);
  const kind = r.optString(o.connection_kind, `${at}.connection_kind`);
  if (kind !== undefined) p.connection_kind = kind;
  return p;
}

function template(r: Reader, v: unknown, at: string): TemplateInfo {
  const o = r.object(v, at);
  const t: TemplateInfo = {
    name: r.string(o.name, `${at}.name`),
    source: r.oneOf<'shipped' | 'user'>(o.source, SOURCES, `${at}.source`),
    title: r.string(o.title, `${at}.title`),
    description: r.optString(o.description, `${at}.description`) ?? '',
    folder: r.string(o.folder, `${at}.folder`),
    parameters: r.array(o.parameters ?? [], `${at}.parameters`).map((p, i) => parameter(r, p, `${at}.parameters[${i}]`)),
    files: r.strings(o.files, `${at}.files`),
    pipelines: o.pipelines === undefined ? [] : r.strings(o.pipelines, `${at}.pipelines`),
  };
  const open = r.optString(o.open, `${at}.open`);
  if (open !== undefined) t.open = open;
  const createdBy = r.optString(o.created_by, `${at}.created_by`);
  if (createdBy !== undefined) t.created_by = createdBy;
  const updatedBy = r.optString(o.updated_by, `${at}.updated_by`);
  if (updatedBy !== undefined) t.updated_by = updatedBy;
  const updatedAt = r.optNumber(o.updated_at, `${at}.updated_at`);
  if (updatedAt !== undefined) t.updated_at = updatedAt;
  const version = r.optNumber(o.version, `${at}.version`);
  if (version !== undefined) t.version = version;
  return t;
}

/** `GET api/templates`. */
export function readTemplates(json: unknown): TemplateInfo[] {
  const r = new Reader('the templates');
  return r.array(json, 'the answer').map((t, i) => template(r, t, `[${i}]`));
}

/** `GET api/templates/{name}`, `POST api/templates`. */
export function readTemplate(json: unknown): TemplateInfo {
  return template(new Reader('the template'), json, 'the answer');
}

/** `POST api/templates/{name}/install`. */
export function readInstall(json: unknown): InstallResult {
  const r = new Reader('the install');
  const o = r.object(json, 'the answer');
  const values: Record<string, ParameterValue> = {};
  const given: Json = o.values === undefined ? {} : r.object(o.values, 'values');
  for (const [k, v] of Object.entries(given)) values[k] = r.value(v, `values.${k}`);
  return {
    template: r.string(o.template, 'template'),
    folder: r.string(o.folder, 'folder'),
    files: r.strings(o.files, 'files'),
    pipelines: r.array(o.pipelines, 'pipelines').map((p, i) => {
      const x = r.object(p, `pipelines[${i}]`);
      const id = r.optString(x.id, `pipelines[${i}].id`);
      return { path: r.string(x.path, `pipelines[${i}].path`), ...(id !== undefined && { id }) };
    }),
    open: o.open === null || o.open === undefined ? null : r.string(o.open, 'open'),
    values,
  };
}

/** `GET api/templates/{name}/versions`. */
export function readVersions(json: unknown): TemplateVersion[] {
  const r = new Reader('the template\'s versions');
  return r.array(json, 'the answer').map((v, i) => {
    const o = r.object(v, `[${i}]`);
    const out: TemplateVersion = {
      version: r.optNumber(o.version, `[${i}].version`) ?? r.fail(`[${i}].version`, 'a number'),
      title: r.string(o.title, `[${i}].title`),
      files: r.strings(o.files, `[${i}].files`),
      saved_by: r.string(o.saved_by, `[${i}].saved_by`),
      saved_at: r.optNumber(o.saved_at, `[${i}].saved_at`) ?? r.fail(`[${i}].saved_at`, 'a number'),
      current: r.boolean(o.current, `[${i}].current`),
    };
    const from = r.optNumber(o.restored_from, `[${i}].restored_from`);
    if (from !== undefined) out.restored_from = from;
    return out;
  });
}

/** `GET api/templates/{name}/diff`: file diffs are checked as the version history's diffs are. */
export function readTemplateDiff(json: unknown): TemplateDiff {
  const r = new Reader('the comparison');
  const o = r.object(json, 'the answer');
  const from = r.optNumber(o.from, 'from') ?? r.fail('from', 'a number');
  const to = r.optNumber(o.to, 'to') ?? r.fail('to', 'a number');
  const side = (v: unknown, at: string): ManifestChange['old'] => (v === null || v === undefined ? null : typeof v === 'string' ? v : parameter(r, v, at));
  const manifest = r.array(o.manifest, 'manifest').map((c, i): ManifestChange => {
    const x = r.object(c, `manifest[${i}]`);
    return { field: r.string(x.field, `manifest[${i}].field`), old: side(x.old, `manifest[${i}].old`), new: side(x.new, `manifest[${i}].new`) };
  });
  const files = r.array(o.files, 'files').map((f, i): TemplateFileChange => {
    const x = r.object(f, `files[${i}]`);
    const path = r.string(x.path, `files[${i}].path`);
    const status = r.oneOf<FileStatus>(x.status, FILE_STATUSES, `files[${i}].status`);
    if (status === 'unchanged') return { path, status };
    return { path, status, diff: readDiffResponse({ path, from: String(from), to: String(to), type: x.type, diff: x.diff }) };
  });
  return { template: r.string(o.template, 'template'), from, to, manifest, files };
}

/** `GET api/connections`: names and kinds only. */
export function readConnections(json: unknown): ConnectionChoice[] {
  const r = new Reader('the connections');
  const list = Array.isArray(json) ? json : r.array(r.object(json, 'the answer').connections, 'connections');
  return list.map((c, i) => {
    const o = r.object(c, `[${i}]`);
    return { name: r.string(o.name, `[${i}].name`), kind: r.string(o.kind, `[${i}].kind`), description: r.optString(o.description, `[${i}].description`) ?? '' };
  });
}

/** `GET api/me?permissions=...`. */
export function readAbilities(json: unknown): TemplateAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const has = (resource: string, action: string) => (permissions[resource] === undefined ? false : r.strings(permissions[resource], `permissions.${resource}`).includes(action));
  const identity: Json = o.identity === undefined || o.identity === null ? {} : r.object(o.identity, 'identity');
  return {
    username: identity.username === undefined ? '' : r.string(identity.username, 'identity.username'),
    install: has('templates', 'execute'),
    save: has('templates', 'write'),
    curate: has('templates-curate', 'write'),
    pipelines: has('pipelines', 'write'),
  };
}
