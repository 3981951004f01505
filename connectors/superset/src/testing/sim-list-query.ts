/**
 * Flask-AppBuilder's list endpoint arguments, as ModelRestApi.get_list
 * handles them (flask_appbuilder/api/__init__.py): the `q` parameter is
 * Rison, or JSON when Rison fails (FAB_API_ALLOW_JSON_QS, default on),
 * checked against get_list_schema (flask_appbuilder/api/schemas.py); filters
 * {col, opr, value} are allowed on the API's search_columns with the
 * operators SQLAFilterConverter gives each column type
 * (flask_appbuilder/models/sqla/filters.py, messages from
 * models/filters.py rest_add_filters); order_column must be one of
 * order_columns; page/page_size as _sanitize_page_args. Pure.
 */
import { RisonSyntaxError, risonDecode } from '../rison';
import { fab, type SimAnswer } from './sim-responses';

export type ColumnKind = 'string' | 'integer' | 'boolean' | 'relation';

export interface SearchColumn<Row> {
  readonly kind: ColumnKind;
  /** The row's value; a relation gives the related row's primary key. Absent: a search column the simulator does not model. */
  readonly get?: (row: Row) => string | number | boolean | null;
}

export interface ListSpec<Row> {
  readonly search: Readonly<Record<string, SearchColumn<Row>>>;
  readonly order: Readonly<Record<string, (row: Row) => string | number | null>>;
  readonly id: (row: Row) => number;
  /** FAB_API_MAX_PAGE_SIZE (100) or the API's max_page_size; -1 uncaps. */
  readonly maxPageSize: number;
}

/** SQLAFilterConverter.conversion_table: the operators of each column type. */
const OPERATORS: Readonly<Record<ColumnKind, readonly string[]>> = {
  relation: ['rel_o_m', 'nrel_o_m'],
  string: ['sw', 'ew', 'ct', 'eq', 'nsw', 'new', 'nct', 'neq', 'in', 'not_in'],
  integer: ['eq', 'gt', 'lt', 'neq', 'in', 'not_in'],
  boolean: ['eq', 'neq'],
};

const KNOWN_OPERATORS = new Set([...Object.values(OPERATORS).flat(), 'rel_m_m', 'eqf', 'inf']);

type Args = Record<string, unknown>;
type Result<T> = { ok: true; value: T } | { ok: false; answer: SimAnswer };

/** The decoded `q`, or FAB's 400. */
export function parseListArgs(q: string | null): Result<Args> {
  if (q === null || q === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = risonDecode(q);
  } catch (err) {
    if (!(err instanceof RisonSyntaxError)) throw err;
    try {
      value = JSON.parse(q) as unknown;
    } catch {
      return { ok: false, answer: fab(400, 'Not a valid rison/json argument') };
    }
  }
  const problem = schemaProblem(value);
  if (problem) return { ok: false, answer: fab(400, `Not a valid rison schema ${problem}`) };
  return { ok: true, value: value as Args };
}

/** Python's repr of a JSON value, as jsonschema's messages print instances. */
function pyRepr(v: unknown): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The first line of jsonschema's ValidationError for get_list_schema, for the parts of it modelled here. */
function schemaProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${pyRepr(v)} is not of type 'object'`;
  const a = v as Args;
  for (const key of ['page', 'page_size'] as const) if (key in a && !Number.isInteger(a[key])) return `${pyRepr(a[key])} is not of type 'integer'`;
  if ('order_column' in a && typeof a.order_column !== 'string') return `${pyRepr(a.order_column)} is not of type 'string'`;
  if ('order_direction' in a && a.order_direction !== 'asc' && a.order_direction !== 'desc') return `${pyRepr(a.order_direction)} is not one of ['asc', 'desc']`;
  if ('filters' in a) {
    if (!Array.isArray(a.filters)) return `${pyRepr(a.filters)} is not of type 'array'`;
    for (const f of a.filters as unknown[]) {
      if (typeof f !== 'object' || f === null || Array.isArray(f)) return `${pyRepr(f)} is not of type 'object'`;
      const o = f as Args;
      for (const k of ['col', 'opr', 'value']) if (!(k in o)) return `'${k}' is a required property`;
      if (typeof o.col !== 'string') return `${pyRepr(o.col)} is not of type 'string'`;
      if (typeof o.opr !== 'string') return `${pyRepr(o.opr)} is not of type 'string'`;
      if (!isScalar(o.value) && !(Array.isArray(o.value) && o.value.every(isScalar))) return `${pyRepr(o.value)} is not valid under any of the given schemas`;
    }
  }
  return undefined;
}

const lower = (v: unknown) => String(v).toLowerCase();

/** One filter's predicate; `value` as FAB's set_value_to_type would convert it for the column. */
function predicate(kind: ColumnKind, opr: string, value: unknown): (x: string | number | boolean | null) => boolean {
  const typed = (v: unknown) => (kind === 'integer' || kind === 'relation' ? Number(v) : kind === 'boolean' ? v === true || lower(v) === 'true' || v === 1 : v);
  const want = typed(value);
  const list = Array.isArray(value) ? value.map(typed) : [want];
  switch (opr) {
    case 'eq':
    case 'rel_o_m':
      return (x) => x === want;
    case 'neq':
    case 'nrel_o_m':
      return (x) => x !== want;
    case 'gt':
      return (x) => x !== null && Number(x) > Number(want);
    case 'lt':
      return (x) => x !== null && Number(x) < Number(want);
    case 'in':
      return (x) => list.includes(x);
    case 'not_in':
      return (x) => !list.includes(x);
    case 'sw':
      return (x) => x !== null && lower(x).startsWith(lower(want));
    case 'nsw':
      return (x) => x === null || !lower(x).startsWith(lower(want));
    case 'ew':
      return (x) => x !== null && lower(x).endsWith(lower(want));
    case 'new':
      return (x) => x === null || !lower(x).endsWith(lower(want));
    case 'ct':
      return (x) => x !== null && lower(x).includes(lower(want));
    default: // 'nct'
      return (x) => x === null || !lower(x).includes(lower(want));
  }
}

/** Filter, order and page `rows` as get_list_headless would. */
export function runList<Row>(rows: readonly Row[], args: Args, spec: ListSpec<Row>): Result<{ rows: Row[]; count: number }> {
  let out = [...rows];
  for (const f of (args.filters as { col: string; opr: string; value: unknown }[] | undefined) ?? []) {
    const column = spec.search[f.col];
    // rest_add_filters checks the column only for an operator FAB knows (map_args_filter).
    if (!KNOWN_OPERATORS.has(f.opr)) return { ok: false, answer: fab(400, `Filter operation: ${f.opr} not allowed on column: ${f.col}`) };
    if (!column) return { ok: false, answer: fab(400, `Filter column: ${f.col} not allowed to filter`) };
    if (!OPERATORS[column.kind].includes(f.opr)) return { ok: false, answer: fab(400, `Filter operation: ${f.opr} not allowed on column: ${f.col}`) };
    if (!column.get) return { ok: false, answer: fab(501, `The Superset simulator does not filter on ${f.col}`) };
    const get = column.get;
    const test = predicate(column.kind, f.opr, f.value);
    out = out.filter((row) => test(get(row)));
  }
  const orderColumn = typeof args.order_column === 'string' ? args.order_column : '';
  if (orderColumn !== '' && !(orderColumn in spec.order)) return { ok: false, answer: fab(400, `Invalid order by column: ${orderColumn}`) };
  const key = orderColumn === '' ? spec.id : spec.order[orderColumn]!;
  const dir = args.order_direction === 'desc' ? -1 : 1;
  out.sort((x, y) => {
    const [a, b] = [key(x), key(y)];
    return a === b ? 0 : a === null ? -dir : b === null ? dir : a < b ? -dir : dir;
  });
  const count = out.length;
  let page = typeof args.page === 'number' ? args.page : 0;
  let size = typeof args.page_size === 'number' && args.page_size !== 0 ? args.page_size : 20; // ModelRestApi.page_size
  if (spec.maxPageSize === -1 && size === -1) return { ok: true, value: { rows: out, count } };
  if (spec.maxPageSize !== -1 && (size > spec.maxPageSize || size < 1)) size = spec.maxPageSize;
  page = Math.max(0, page);
  return { ok: true, value: { rows: out.slice(page * size, page * size + size), count } };
}
