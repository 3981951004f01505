/**
 * The request bodies the simulator loads, as marshmallow loads them with
 * the schemas Superset and Flask-AppBuilder declare: unknown fields are
 * errors (marshmallow 3's RAISE), a missing required field, a null where
 * allow_none is off, a wrong type or length each give marshmallow's default
 * message, collected per field: {field: [messages]} (pure).
 */
import { MARSHMALLOW } from './sim-responses';

type FieldType = 'integer' | 'string' | 'boolean' | 'integerList' | 'uuid' | 'list';

interface FieldSpec {
  readonly type: FieldType;
  readonly required?: boolean;
  readonly allowNone?: boolean;
  readonly length?: readonly [number, number?];
  readonly loadDefault?: unknown;
  readonly oneOf?: readonly string[];
}

export type Schema = Readonly<Record<string, FieldSpec>>;

/** flask_appbuilder/security/schemas.py LoginPost (validate_provider is checked by the caller). */
export const LOGIN_POST: Schema = {
  username: { type: 'string', required: true, length: [1] },
  password: { type: 'string', required: true, length: [1] },
  provider: { type: 'string', oneOf: ['db', 'ldap'] },
  refresh: { type: 'boolean' },
};

/** superset/datasets/schemas.py DatasetPostSchema (4.1/5.x). */
export const DATASET_POST: Schema = {
  database: { type: 'integer', required: true },
  catalog: { type: 'string', allowNone: true, length: [0, 250] },
  schema: { type: 'string', allowNone: true, length: [0, 250] },
  table_name: { type: 'string', required: true, length: [1, 250] },
  sql: { type: 'string', allowNone: true },
  owners: { type: 'integerList' },
  is_managed_externally: { type: 'boolean', allowNone: true },
  external_url: { type: 'string', allowNone: true },
  normalize_columns: { type: 'boolean', loadDefault: false },
  always_filter_main_dttm: { type: 'boolean', loadDefault: false },
  template_params: { type: 'string', allowNone: true },
  uuid: { type: 'uuid', allowNone: true },
};

/** superset/datasets/schemas.py DatasetPutSchema (4.1/5.x); columns and metrics are lists of nested schemas, checked only as lists. */
export const DATASET_PUT: Schema = {
  table_name: { type: 'string', allowNone: true, length: [1, 250] },
  database_id: { type: 'integer' },
  sql: { type: 'string', allowNone: true },
  filter_select_enabled: { type: 'boolean', allowNone: true },
  fetch_values_predicate: { type: 'string', allowNone: true, length: [0, 1000] },
  catalog: { type: 'string', allowNone: true, length: [0, 250] },
  schema: { type: 'string', allowNone: true, length: [0, 255] },
  description: { type: 'string', allowNone: true },
  main_dttm_col: { type: 'string', allowNone: true },
  normalize_columns: { type: 'boolean', allowNone: true },
  always_filter_main_dttm: { type: 'boolean', allowNone: true },
  offset: { type: 'integer', allowNone: true },
  default_endpoint: { type: 'string', allowNone: true },
  cache_timeout: { type: 'integer', allowNone: true },
  is_sqllab_view: { type: 'boolean', allowNone: true },
  template_params: { type: 'string', allowNone: true },
  owners: { type: 'integerList' },
  columns: { type: 'list' },
  metrics: { type: 'list' },
  extra: { type: 'string', allowNone: true },
  is_managed_externally: { type: 'boolean', allowNone: true },
  external_url: { type: 'string', allowNone: true },
};

const TRUTHY = new Set(['t', 'true', 'on', 'y', 'yes', '1']);
const FALSY = new Set(['f', 'false', 'off', 'n', 'no', '0']);

type Loaded = { ok: true; value: unknown } | { ok: false; message: string };

function loadField(spec: FieldSpec, v: unknown): Loaded {
  switch (spec.type) {
    case 'integer': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isInteger(n) ? { ok: true, value: n } : { ok: false, message: MARSHMALLOW.integer };
    }
    case 'boolean':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if ((typeof v === 'number' || typeof v === 'string') && TRUTHY.has(String(v).toLowerCase())) return { ok: true, value: true };
      if ((typeof v === 'number' || typeof v === 'string') && FALSY.has(String(v).toLowerCase())) return { ok: true, value: false };
      return { ok: false, message: MARSHMALLOW.boolean };
    case 'string': {
      if (typeof v !== 'string') return { ok: false, message: MARSHMALLOW.string };
      const [min, max] = spec.length ?? [];
      if (min !== undefined && max !== undefined && (v.length < min || v.length > max)) return { ok: false, message: MARSHMALLOW.length(min, max) };
      if (min !== undefined && max === undefined && v.length < min) return { ok: false, message: MARSHMALLOW.shorter(min) };
      if (spec.oneOf && !spec.oneOf.includes(v)) return { ok: false, message: MARSHMALLOW.oneOf(spec.oneOf) };
      return { ok: true, value: v };
    }
    case 'uuid':
      return typeof v === 'string' && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v) ? { ok: true, value: v } : { ok: false, message: MARSHMALLOW.uuid };
    case 'integerList':
      if (!Array.isArray(v)) return { ok: false, message: MARSHMALLOW.list };
      return v.every((x) => Number.isInteger(x)) ? { ok: true, value: v } : { ok: false, message: MARSHMALLOW.integer };
    case 'list':
      return Array.isArray(v) ? { ok: true, value: v } : { ok: false, message: MARSHMALLOW.list };
  }
}

export type LoadResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, string[]> };

export function loadSchema(schema: Schema, data: unknown): LoadResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, errors: { _schema: ['Invalid input type.'] } };
  const input = data as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const value: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    if (!(name in input)) {
      if (spec.required) errors[name] = [MARSHMALLOW.required];
      else if (spec.loadDefault !== undefined) value[name] = spec.loadDefault;
      continue;
    }
    const v = input[name];
    if (v === null) {
      if (spec.allowNone) value[name] = null;
      else errors[name] = [MARSHMALLOW.null];
      continue;
    }
    const r = loadField(spec, v);
    if (r.ok) value[name] = r.value;
    else errors[name] = [r.message];
  }
  for (const name of Object.keys(input)) if (!(name in schema)) errors[name] = [MARSHMALLOW.unknown];
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}
