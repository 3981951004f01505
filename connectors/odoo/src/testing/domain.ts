/**
 * Odoo search domains and orders to parameterised PostgreSQL, for the API
 * simulator (odoo/osv/expression.py, 17.0): prefix notation with `&`
 * (implicit between terms), `|` and `!` (pushed down into the leaves the
 * way `distribute_not` does, so `!` keeps Odoo's NULL semantics), leaves
 * `[field, operator, value]` with =, !=, <, <=, >, >=, =?, in, not in,
 * like, not like, ilike, not ilike, =like, =ilike; dotted paths through
 * many2one and one2many fields; `(1, '=', 1)` and `(0, '=', 1)`.
 *
 * Safety: field names are looked up in the model's field list (an unknown
 * one is the ValueError Odoo raises), operators come from a fixed list,
 * and every value becomes a `$n` parameter. Nothing from the caller is
 * ever spliced into the SQL text.
 */
import type { FieldType } from '../odoo17-models';
import { pyRepr, userError, valueError } from './odoo-exception';

export interface DomainField {
  name: string;
  type: FieldType | 'one2many' | 'many2many' | 'id';
  /** Column in the model's table (absent for computed fields with `sql`). */
  column?: string;
  /** SQL over `{alias}` for a computed field such as display_name. */
  sql?: string;
  translate?: boolean;
  relation?: string;
  /** one2many: the many2one on the comodel pointing back. many2many: the relation table and its columns. */
  inverse?: string;
  relTable?: string;
  relColumn1?: string;
  relColumn2?: string;
}

export interface DomainModel {
  readonly name: string;
  readonly table: string;
  field(name: string): DomainField | undefined;
  /** display_name SQL over `alias`. */
  displayName(alias: string): string;
}

export interface DomainRegistry {
  model(name: string): DomainModel | undefined;
}

export class SqlParams {
  readonly values: unknown[] = [];
  private aliases = 0;
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  alias(): string {
    return `d${++this.aliases}`;
  }
}

const OPERATORS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=', '=?', 'like', 'not like', 'ilike', 'not ilike', '=like', '=ilike', 'in', 'not in', 'child_of', 'parent_of', 'any', 'not any']);
const NEGATION: Record<string, string> = { '=': '!=', '!=': '=', '<': '>=', '>': '<=', '<=': '>', '>=': '<', in: 'not in', 'not in': 'in', like: 'not like', 'not like': 'like', ilike: 'not ilike', 'not ilike': 'ilike' };
const ARITY: Record<string, number> = { '!': 1, '&': 2, '|': 2 };

type Leaf = [unknown, unknown, unknown];

/** Odoo's normalize_domain: an explicit `&` wherever terms follow each other. */
function normalize(domain: unknown[]): unknown[] {
  if (!domain.length) return [[1, '=', 1]];
  const out: unknown[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      out.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) expected -= 1;
    else if (typeof token === 'string' && token in ARITY) expected += ARITY[token]! - 1;
    else throw valueError(`Invalid leaf ${pyRepr(token)}`);
    out.push(token);
  }
  if (expected !== 0) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
  return out;
}

export function domainToSql(registry: DomainRegistry, model: DomainModel, domain: unknown, params: SqlParams, alias = 't'): string {
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${pyRepr(domain)}`);
  if (domain.length > 1000) throw valueError('Domain too long');
  const tokens = normalize(domain);
  let pos = 0;
  const parse = (negate: boolean): string => {
    const t = tokens[pos++];
    if (t === '!') return parse(!negate);
    if (t === '&' || t === '|') {
      const a = parse(negate);
      const b = parse(negate);
      return `(${a} ${(t === '&') !== negate ? 'AND' : 'OR'} ${b})`;
    }
    return leaf(registry, model, alias, t, negate, params);
  };
  return parse(false);
}

function leaf(registry: DomainRegistry, model: DomainModel, alias: string, token: unknown, negate: boolean, params: SqlParams): string {
  const repr = pyRepr(token, true);
  if (!Array.isArray(token) || token.length !== 3) throw valueError(`Invalid leaf ${repr}`);
  const [left, rawOp, right] = token as Leaf;
  if (left === 1 && rawOp === '=' && right === 1) return negate ? 'FALSE' : 'TRUE';
  if (left === 0 && rawOp === '=' && right === 1) return negate ? 'TRUE' : 'FALSE';
  if (typeof left !== 'string' || typeof rawOp !== 'string' || !OPERATORS.has(rawOp.toLowerCase())) throw valueError(`Invalid leaf ${repr}`);
  let op = rawOp.toLowerCase() === '<>' ? '!=' : rawOp.toLowerCase();
  // ('x', '=', [1, 2]) means 'in' (expression.py)
  if (Array.isArray(right) && (op === '=' || op === '!=')) op = op === '=' ? 'in' : 'not in';
  if (negate) {
    const n = NEGATION[op];
    if (!n) return `(NOT ${condition(registry, model, alias, left, op, right, repr, params)})`;
    op = n;
  }
  return condition(registry, model, alias, left, op, right, repr, params);
}

function condition(registry: DomainRegistry, model: DomainModel, alias: string, path: string, op: string, right: unknown, repr: string, params: SqlParams): string {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const f = model.field(head);
  if (!f) throw valueError(`Invalid field ${model.name}.${head} in leaf ${repr}`);
  const comodel = f.relation ? registry.model(f.relation) : undefined;
  if (dot >= 0) {
    const rest = path.slice(dot + 1);
    const a = params.alias();
    if (f.type === 'many2one' && comodel) return `${alias}.${f.column} IN (SELECT ${a}.id FROM ${comodel.table} ${a} WHERE ${condition(registry, comodel, a, rest, op, right, repr, params)})`;
    if (f.type === 'one2many' && comodel) return `EXISTS (SELECT 1 FROM ${comodel.table} ${a} WHERE ${a}.${f.inverse} = ${alias}.id AND ${condition(registry, comodel, a, rest, op, right, repr, params)})`;
    throw valueError(`Invalid field ${model.name}.${path} in leaf ${repr}`);
  }
  if (op === 'child_of' || op === 'parent_of' || op === 'any' || op === 'not any') throw valueError(`Operator ${pyRepr(op)} is not supported by the Odoo API simulator, in leaf ${repr}`);
  if (op === '=?') {
    if (right === false || right === null) return 'TRUE';
    op = '=';
  }
  if (f.type === 'one2many' || f.type === 'many2many') return x2many(f, comodel!, alias, op, right, repr, params);
  const col = f.sql ? f.sql.replaceAll('{alias}', alias) : f.translate ? `(${alias}.${f.column}->>'en_US')` : `${alias}.${f.column}`;

  if (op === 'in' || op === 'not in') {
    const list = (Array.isArray(right) ? right : [right]) as unknown[];
    const hasFalse = list.some((v) => v === false || v === null);
    const values = list.filter((v) => v !== false && v !== null).map((v) => coerce(f, v, repr));
    if (f.type === 'boolean' && hasFalse) values.push(false);
    const any = values.length ? (op === 'in' ? `${col} = ANY(${params.add(values)})` : `${col} <> ALL(${params.add(values)})`) : null;
    if (op === 'in') return `(${[any, hasFalse ? `${col} IS NULL` : null].filter(Boolean).join(' OR ') || 'FALSE'})`;
    if (!any) return hasFalse ? `${col} IS NOT NULL` : 'TRUE';
    return hasFalse ? `(${any} AND ${col} IS NOT NULL)` : `(${any} OR ${col} IS NULL)`;
  }
  if (right !== null && typeof right === 'object') throw valueError(`Invalid leaf ${repr}`);

  if (f.type === 'many2one' && typeof right === 'string' && comodel) return nameMatch(comodel, alias, f.column!, op, right, params);
  const falsy = right === false || right === null;
  const like = op.endsWith('like');
  if (f.type === 'boolean' && (op === '=' || op === '!=')) {
    const isTrue = Boolean(right) === (op === '=');
    return isTrue ? `${col} = TRUE` : `(${col} IS NULL OR ${col} = FALSE)`;
  }
  if (falsy) {
    const textual = f.type === 'char' || f.type === 'text' || f.type === 'html' || f.type === 'selection';
    if (op === '=' || op === 'like' || op === 'ilike' || op === '=like' || op === '=ilike') return textual && !like ? `(${col} IS NULL OR ${col} = '')` : `${col} IS NULL`;
    if (op === '!=' || op === 'not like' || op === 'not ilike') return textual && !like ? `(${col} IS NOT NULL AND ${col} <> '')` : `${col} IS NOT NULL`;
    return 'FALSE';
  }
  if (like) {
    const text = f.type === 'char' || f.type === 'text' || f.type === 'html' || f.type === 'selection' ? col : `${col}::text`;
    const pattern = op.startsWith('=') ? String(right) : `%${String(right)}%`;
    const sqlOp = op.includes('ilike') ? 'ILIKE' : 'LIKE';
    if (op.startsWith('not ')) return `(${text} NOT ${sqlOp} ${params.add(pattern)} OR ${col} IS NULL)`;
    return `${text} ${sqlOp} ${params.add(pattern)}`;
  }
  const v = params.add(coerce(f, right, repr));
  if (op === '!=') return `(${col} <> ${v} OR ${col} IS NULL)`;
  return `${col} ${op} ${v}`;
}

/** many2one compared with a string: Odoo matches the comodel's display name (name_search). */
function nameMatch(comodel: DomainModel, alias: string, column: string, op: string, value: string, params: SqlParams): string {
  const a = params.alias();
  const positive = op.startsWith('not ') ? op.slice(4) : op === '!=' ? '=' : op;
  const name = comodel.displayName(a);
  const test =
    positive === '=' ? `${name} = ${params.add(value)}`
    : positive === 'like' || positive === 'ilike' ? `${name} ${positive === 'like' ? 'LIKE' : 'ILIKE'} ${params.add(`%${value}%`)}`
    : positive === '=like' || positive === '=ilike' ? `${name} ${positive === '=like' ? 'LIKE' : 'ILIKE'} ${params.add(value)}`
    : `${name} ${positive} ${params.add(value)}`;
  const sub = `${alias}.${column} IN (SELECT ${a}.id FROM ${comodel.table} ${a} WHERE ${test})`;
  return positive === op ? sub : `(NOT ${sub} OR ${alias}.${column} IS NULL)`;
}

function x2many(f: DomainField, comodel: DomainModel, alias: string, op: string, right: unknown, repr: string, params: SqlParams): string {
  const ids = (Array.isArray(right) ? right : [right]).filter((v) => v !== false && v !== null);
  if (op !== '=' && op !== '!=' && op !== 'in' && op !== 'not in') throw valueError(`Operator ${pyRepr(op)} on ${f.type} field ${f.name} is not supported by the Odoo API simulator, in leaf ${repr}`);
  for (const v of ids) if (!Number.isInteger(v)) throw valueError(`Invalid leaf ${repr}`);
  const a = params.alias();
  const sub =
    f.type === 'one2many'
      ? `EXISTS (SELECT 1 FROM ${comodel.table} ${a} WHERE ${a}.${f.inverse} = ${alias}.id${ids.length ? ` AND ${a}.id = ANY(${params.add(ids)})` : ''})`
      : `EXISTS (SELECT 1 FROM ${f.relTable} ${a} WHERE ${a}.${f.relColumn1} = ${alias}.id${ids.length ? ` AND ${a}.${f.relColumn2} = ANY(${params.add(ids)})` : ''})`;
  const positive = op === '=' || op === 'in';
  // (x2many, '=', False): no record at all.
  if (!ids.length) return positive ? `NOT ${sub}` : sub;
  return positive ? sub : `NOT ${sub}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/** A domain value checked against the field's type (what Odoo's convert_to_column would accept). */
function coerce(f: DomainField, v: unknown, repr: string): unknown {
  switch (f.type) {
    case 'id':
    case 'integer':
    case 'many2one':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
      throw valueError(`Invalid value ${pyRepr(v)} for ${f.type} field ${f.name} in leaf ${repr}`);
    case 'float':
    case 'monetary':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      throw valueError(`Invalid value ${pyRepr(v)} for ${f.type} field ${f.name} in leaf ${repr}`);
    case 'boolean':
      return Boolean(v);
    case 'date':
      if (typeof v === 'string' && (DATE.test(v) || DATETIME.test(v))) return v.slice(0, 10);
      throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d'`);
    case 'datetime':
      if (typeof v === 'string' && DATETIME.test(v)) return v;
      throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d %H:%M:%S'`);
    case 'json':
      throw valueError(`Invalid leaf ${repr}: json fields can only be matched with like operators`);
    default:
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw valueError(`Invalid leaf ${repr}`);
  }
}

/** An `order` spec (`date desc, id`) over stored fields, to SQL; anything else is Odoo's UserError. */
export function orderToSql(model: DomainModel, order: unknown, alias = 't'): string {
  if (order === null || order === undefined || order === false || order === '') return '';
  if (typeof order !== 'string') throw userError(`Invalid "order" specified (${pyRepr(order)}).`);
  const parts = order.split(',').map((word) => {
    const m = /^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i.exec(word);
    const f = m ? model.field(m[1]!) : undefined;
    if (!m || !f || f.type === 'one2many' || f.type === 'many2many' || f.type === 'json') {
      throw userError(`Invalid "order" specified (${word.trim()}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`);
    }
    const col = f.sql ? f.sql.replaceAll('{alias}', alias) : f.translate ? `(${alias}.${f.column}->>'en_US')` : `${alias}.${f.column}`;
    return `${col} ${(m[2] ?? 'asc').toUpperCase()}${m[3] ? ` NULLS ${m[3].toUpperCase()}` : ''}`;
  });
  return parts.join(', ');
}
