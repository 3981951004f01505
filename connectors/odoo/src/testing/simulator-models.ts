/**
 * The models the Odoo API simulator serves, and their read side: the
 * field whitelist (the stored fields of odoo17-models.ts, `id`,
 * `display_name` and a few x2many fields), `search`, `search_count`,
 * `search_read`, `read` and `fields_get`, with values shaped the way
 * Odoo's RPC answers them (many2one `[id, name]`, empty values `false`,
 * dates `YYYY-MM-DD`, datetimes `YYYY-MM-DD HH:MM:SS` UTC).
 */
import type { PoolClient } from 'pg';
import { ODOO17_MODELS, type FieldDef, type ModelDef } from '../odoo17-models';
import { XmlRpcDouble, type XmlRpcValue } from '../xmlrpc';
import { domainToSql, orderToSql, SqlParams, type DomainField, type DomainModel, type DomainRegistry } from './domain';
import { missingError, pyRepr, typeError, valueError } from './odoo-exception';

export const SERVED_MODELS = ['res.partner', 'res.company', 'res.currency', 'account.account', 'account.journal', 'account.tax', 'account.move', 'account.move.line'] as const;

export interface SimField extends DomainField {
  string: string;
  required: boolean;
  readonly: boolean;
  store: boolean;
  selection?: readonly (readonly [string, string])[];
  /** one2many: only comodel rows matching this SQL over alias `x` (invoice_line_ids). */
  filter?: string;
}

export class SimModel implements DomainModel {
  readonly fields = new Map<string, SimField>();
  readonly hasCompany: boolean;

  constructor(readonly def: ModelDef) {
    this.fields.set('id', { name: 'id', type: 'id', column: 'id', string: 'ID', required: false, readonly: true, store: true });
    for (const f of def.fields) if (f.name !== 'id') this.fields.set(f.name, fromDef(f));
    this.fields.set('display_name', { name: 'display_name', type: 'char', sql: this.displayName('{alias}'), string: 'Display Name', required: false, readonly: true, store: false });
    this.hasCompany = this.fields.has('company_id');
  }

  get name(): string {
    return this.def.model;
  }
  get table(): string {
    return this.def.table;
  }
  field(name: string): SimField | undefined {
    return this.fields.get(name);
  }
  displayName(alias: string): string {
    return this.def.displayName.replace(/\bt\./g, `${alias}.`);
  }
}

function fromDef(f: FieldDef): SimField {
  return {
    name: f.name, type: f.type, column: f.name, translate: f.translate, relation: f.relation, string: f.string, required: Boolean(f.required),
    readonly: ['create_uid', 'create_date', 'write_uid', 'write_date'].includes(f.name), store: true, selection: f.selection,
  };
}

export class SimRegistry implements DomainRegistry {
  private readonly models = new Map<string, SimModel>();

  constructor() {
    for (const def of ODOO17_MODELS) this.models.set(def.model, new SimModel(def));
    const move = this.models.get('account.move')!;
    const lines = { type: 'one2many' as const, relation: 'account.move.line', inverse: 'move_id', required: false, readonly: false, store: false };
    move.fields.set('line_ids', { name: 'line_ids', string: 'Journal Items', ...lines });
    move.fields.set('invoice_line_ids', { name: 'invoice_line_ids', string: 'Invoice lines', ...lines, filter: "x.display_type IN ('product', 'line_section', 'line_note')" });
    this.models.get('account.move.line')!.fields.set('tax_ids', {
      name: 'tax_ids', type: 'many2many', string: 'Taxes', relation: 'account.tax', relTable: 'account_move_line_account_tax_rel', relColumn1: 'account_move_line_id', relColumn2: 'account_tax_id',
      required: false, readonly: false, store: true,
    });
  }

  model(name: string): SimModel | undefined {
    return this.models.get(name);
  }

  served(name: string): SimModel | undefined {
    return (SERVED_MODELS as readonly string[]).includes(name) ? this.models.get(name) : undefined;
  }
}

export interface Env {
  db: PoolClient;
  uid: number;
  /** Companies records are restricted to (context allowed_company_ids); null: all of the user's. */
  companies: number[] | null;
}

/** WHERE for a search: the domain plus the multi-company rule. */
function where(reg: SimRegistry, model: SimModel, env: Env, domain: unknown, params: SqlParams): string {
  const parts = [domainToSql(reg, model, domain ?? [], params)];
  if (env.companies) {
    if (model.name === 'res.company') parts.push(`t.id = ANY(${params.add(env.companies)})`);
    else if (model.hasCompany) parts.push(`(t.company_id IS NULL OR t.company_id = ANY(${params.add(env.companies)}))`);
  }
  return parts.join(' AND ');
}

function limitOffset(limit: unknown, offset: unknown, params: SqlParams): string {
  let sql = '';
  if (limit !== undefined && limit !== null && limit !== false) {
    if (!Number.isInteger(limit) || (limit as number) < 0) throw valueError(`Invalid limit ${pyRepr(limit)}`);
    sql += ` LIMIT ${params.add(limit)}`;
  }
  if (offset !== undefined && offset !== null && offset !== false && offset !== 0) {
    if (!Number.isInteger(offset) || (offset as number) < 0) throw valueError(`Invalid offset ${pyRepr(offset)}`);
    sql += ` OFFSET ${params.add(offset)}`;
  }
  return sql;
}

export async function search(reg: SimRegistry, model: SimModel, env: Env, a: { domain?: unknown; offset?: unknown; limit?: unknown; order?: unknown }): Promise<number[]> {
  const params = new SqlParams();
  const w = where(reg, model, env, a.domain, params);
  const order = orderToSql(model, a.order || model.def.order);
  const { rows } = await env.db.query<{ id: number }>(`SELECT t.id FROM ${model.table} t WHERE ${w} ORDER BY ${order}, t.id${limitOffset(a.limit, a.offset, params)}`, params.values);
  return rows.map((r) => r.id);
}

export async function searchCount(reg: SimRegistry, model: SimModel, env: Env, a: { domain?: unknown; limit?: unknown }): Promise<number> {
  const params = new SqlParams();
  const w = where(reg, model, env, a.domain, params);
  const { rows } = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${model.table} t WHERE ${w}${limitOffset(a.limit, undefined, params)}) x`, params.values);
  return rows[0]!.n;
}

function fieldList(model: SimModel, fields: unknown): SimField[] {
  if (fields === undefined || fields === null || fields === false || (Array.isArray(fields) && fields.length === 0)) return [...model.fields.values()];
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) throw typeError(`fields must be a list of field names, not ${pyRepr(fields)}`);
  const out = [model.fields.get('id')!];
  for (const name of fields as string[]) {
    const f = model.field(name);
    if (!f) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model.name)}`);
    if (name !== 'id') out.push(f);
  }
  return out;
}

function selectExpr(f: SimField): string {
  if (f.sql) return f.sql.replaceAll('{alias}', 't');
  const c = `t.${f.column}`;
  switch (f.type) {
    case 'char':
    case 'text':
    case 'html':
      return f.translate ? `(${c}->>'en_US')` : c;
    case 'float':
    case 'monetary':
      return `${c}::float8`;
    case 'date':
      return `to_char(${c}, 'YYYY-MM-DD')`;
    case 'datetime':
      return `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS')`;
    default:
      return c;
  }
}

/** Records of `ids` (in that order) with `fields`, as Odoo's read answers them; a missing id is MissingError. */
export async function read(reg: SimRegistry, model: SimModel, env: Env, ids: number[], fields: unknown): Promise<Record<string, XmlRpcValue>[]> {
  if (!ids.length) return [];
  const list = fieldList(model, fields);
  const columns = list.filter((f) => f.type !== 'one2many' && f.type !== 'many2many');
  const params = new SqlParams();
  const company = env.companies && model.hasCompany ? ` AND (t.company_id IS NULL OR t.company_id = ANY(${params.add(env.companies)}))` : '';
  const { rows } = await env.db.query<Record<string, unknown>>(`SELECT ${columns.map((f, i) => `${selectExpr(f)} AS c${i}`).join(', ')} FROM ${model.table} t WHERE t.id = ANY(${params.add(ids)})${company}`, params.values);
  const byId = new Map(rows.map((r) => [r.c0 as number, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model.name}(${missing.join(', ')},), User: ${env.uid})`);

  // Names of many2one targets, one query per comodel.
  const names = new Map<string, Map<number, string>>();
  for (const f of columns.filter((x) => x.type === 'many2one' && x.relation && reg.model(x.relation))) {
    const i = columns.indexOf(f);
    const targets = [...new Set(rows.map((r) => r[`c${i}`]).filter((v): v is number => typeof v === 'number'))];
    const comodel = reg.model(f.relation!)!;
    const known = names.get(comodel.name) ?? new Map<number, string>();
    const wanted = targets.filter((t) => !known.has(t));
    if (wanted.length) {
      const r = await env.db.query<{ id: number; n: string }>(`SELECT t.id, ${comodel.displayName('t')} AS n FROM ${comodel.table} t WHERE t.id = ANY($1)`, [wanted]);
      for (const x of r.rows) known.set(x.id, x.n ?? '');
    }
    names.set(comodel.name, known);
  }
  // x2many ids.
  const x2many = new Map<string, Map<number, number[]>>();
  for (const f of list.filter((x) => x.type === 'one2many' || x.type === 'many2many')) {
    const r =
      f.type === 'one2many'
        ? await env.db.query<{ k: number; ids: number[] }>(`SELECT x.${f.inverse} AS k, array_agg(x.id ORDER BY x.id) AS ids FROM ${reg.model(f.relation!)!.table} x WHERE x.${f.inverse} = ANY($1)${f.filter ? ` AND ${f.filter}` : ''} GROUP BY 1`, [ids])
        : await env.db.query<{ k: number; ids: number[] }>(`SELECT x.${f.relColumn1} AS k, array_agg(x.${f.relColumn2} ORDER BY x.${f.relColumn2}) AS ids FROM ${f.relTable} x WHERE x.${f.relColumn1} = ANY($1) GROUP BY 1`, [ids]);
    x2many.set(f.name, new Map(r.rows.map((x) => [x.k, x.ids])));
  }

  return ids.map((id) => {
    const row = byId.get(id)!;
    const rec: Record<string, XmlRpcValue> = {};
    columns.forEach((f, i) => (rec[f.name] = toRpc(f, row[`c${i}`], names.get(f.relation ?? '')?.get(row[`c${i}`] as number))));
    for (const f of list) if (x2many.has(f.name)) rec[f.name] = x2many.get(f.name)!.get(id) ?? [];
    return rec;
  });
}

function toRpc(f: SimField, v: unknown, name: string | undefined): XmlRpcValue {
  switch (f.type) {
    case 'integer':
      return typeof v === 'number' ? v : 0;
    case 'float':
    case 'monetary':
      return new XmlRpcDouble(typeof v === 'number' ? v : 0);
    case 'boolean':
      return v === true;
    case 'many2one':
      return typeof v === 'number' ? [v, name ?? ''] : false;
    case 'json':
      return v === null || v === undefined ? false : (v as XmlRpcValue);
    default:
      return v === null || v === undefined ? false : (v as XmlRpcValue);
  }
}

export async function searchRead(reg: SimRegistry, model: SimModel, env: Env, a: { domain?: unknown; fields?: unknown; offset?: unknown; limit?: unknown; order?: unknown }): Promise<Record<string, XmlRpcValue>[]> {
  fieldList(model, a.fields); // unknown fields fail before the search
  const ids = await search(reg, model, env, a);
  return read(reg, model, env, ids, a.fields);
}

const ATTRIBUTES = ['type', 'string', 'required', 'readonly', 'store', 'relation', 'selection', 'sortable', 'searchable'];

export function fieldsGet(model: SimModel, allfields: unknown, attributes: unknown): Record<string, XmlRpcValue> {
  const wanted = Array.isArray(attributes) && attributes.length ? (attributes as unknown[]).filter((a): a is string => typeof a === 'string') : ATTRIBUTES;
  const names = Array.isArray(allfields) && allfields.length ? (allfields as unknown[]).filter((n): n is string => typeof n === 'string' && model.fields.has(n)) : [...model.fields.keys()];
  const out: Record<string, XmlRpcValue> = {};
  for (const n of names) {
    const f = model.fields.get(n)!;
    const type = f.type === 'id' ? 'integer' : f.type;
    const all: Record<string, XmlRpcValue> = {
      type, string: f.string, required: f.required, readonly: f.readonly, store: f.store, sortable: f.store && type !== 'one2many' && type !== 'many2many', searchable: true,
    };
    if (f.relation) all.relation = f.relation;
    if (f.selection) all.selection = f.selection.map(([k, v]) => [k, v]);
    out[n] = Object.fromEntries(wanted.filter((k) => k in all).map((k) => [k, all[k]!]));
  }
  return out;
}

