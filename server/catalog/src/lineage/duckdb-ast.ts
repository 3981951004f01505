/**
 * DuckDB's parse tree, as `json_serialize_sql` writes it, into the query
 * model. Its format (studied on DuckDB 1.5): a statement's `node` is a
 * SELECT_NODE / SET_OPERATION_NODE / RECURSIVE_CTE_NODE with `cte_map`,
 * `modifiers` (ORDER/DISTINCT/LIMIT), `select_list`, `from_table` (BASE_TABLE,
 * JOIN, SUBQUERY, TABLE_FUNCTION, EXPRESSION_LIST, EMPTY); expressions carry
 * `class` (COLUMN_REF, FUNCTION, WINDOW, SUBQUERY, STAR, LAMBDA, CONSTANT, ...).
 *
 * DuckDB keeps identifiers as written and does not record quoting, so
 * `fold` is told, from the statement's tokens, which spellings were written
 * unquoted; those fold to lower case.
 *
 * An unaliased expression is named by DuckDB after its text (`sum((a - b))`);
 * those names are filled in afterwards from `json_deserialize_sql`, see
 * `pendingNames`.
 */
import { AGGREGATES, LineageUnsupported, type JoinType, type QCte, type QExpr, type QFrom, type QQuery, type QTarget, type QWith } from './query-model';

type J = { [k: string]: unknown };

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): J => (isObj(v) ? v : {});
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A select-list expression whose output name is DuckDB's rendering of it. */
export interface PendingName {
  target: Extract<QTarget, { k: 'expr' }>;
  /** The expression's JSON, unaliased, inside a SELECT node (for json_deserialize_sql). */
  selectNode: J;
}

export class DuckConverter {
  readonly pendingNames: PendingName[] = [];

  /**
   * @param fold folds an identifier written unquoted
   * @param isFileLiteral whether a table name was written as a string ('data.csv'): a file scan, not a table
   */
  constructor(
    private readonly fold: (name: string) => string,
    private readonly isFileLiteral: (name: string) => boolean,
  ) {}

  query(v: unknown): QQuery {
    const n = obj(v);
    const w = this.with(n.cte_map);
    const withPart = w ? { with: w } : {};
    const mods = list(n.modifiers).map(obj);
    const orderMods = mods.filter((m) => m.type === 'ORDER_MODIFIER').flatMap((m) => list(m.orders).map((o) => obj(o).expression));
    switch (n.type) {
      case 'SELECT_NODE': {
        const orderByAll = orderMods.some((e) => obj(e).class === 'STAR' && obj(e).columns === true);
        const from = obj(n.from_table).type === 'EMPTY' || !n.from_table ? [] : [this.from(n.from_table)];
        const targets = list(n.select_list).map((e) => this.target(e, n));
        return {
          k: 'select',
          ...withPart,
          targets,
          from,
          ...(isObj(n.where_clause) ? { where: this.expr(n.where_clause) } : {}),
          groupBy: list(n.group_expressions).map((e) => this.expr(e)),
          ...(n.aggregate_handling === 'FORCE_AGGREGATES' ? { groupByAll: true } : {}),
          ...(isObj(n.having) ? { having: this.expr(n.having) } : {}),
          ...(isObj(n.qualify) ? { qualify: this.expr(n.qualify) } : {}),
          orderBy: orderByAll ? [] : orderMods.map((e) => this.expr(e)),
          ...(orderByAll ? { orderByAll: true } : {}),
          distinctOn: mods.filter((m) => m.type === 'DISTINCT_MODIFIER').flatMap((m) => list(m.distinct_on_targets).map((e) => this.expr(e))),
        };
      }
      case 'SET_OPERATION_NODE':
      case 'RECURSIVE_CTE_NODE': {
        const t = s(n.setop_type);
        const op = n.type === 'RECURSIVE_CTE_NODE' || t.startsWith('UNION') ? 'union' : t === 'INTERSECT' ? 'intersect' : 'except';
        return { k: 'setop', ...withPart, op, byName: t === 'UNION_BY_NAME', left: this.query(n.left), right: this.query(n.right), orderBy: orderMods.map((e) => this.expr(e)) };
      }
      default:
        throw new LineageUnsupported(`Cannot analyse the DuckDB query node ${s(n.type) || '?'}`);
    }
  }

  private with(cteMap: unknown): QWith | undefined {
    const entries = list(obj(cteMap).map).map(obj);
    if (!entries.length) return undefined;
    let recursive = false;
    const ctes: QCte[] = entries.map((e) => {
      const value = obj(e.value);
      const node = obj(obj(value.query).node);
      if (node.type === 'RECURSIVE_CTE_NODE') recursive = true;
      const columns = list(value.aliases).map((a) => this.fold(s(a)));
      return { name: this.fold(s(e.key)), ...(columns.length ? { columns } : {}), query: this.query(node) };
    });
    return { recursive, ctes };
  }

  private target(v: unknown, selectNode: J): QTarget {
    const e = obj(v);
    if (e.class === 'STAR') {
      let pattern: string | undefined;
      if (e.columns === true && isObj(e.expr)) {
        const x = obj(e.expr);
        if (x.class !== 'CONSTANT' || typeof obj(x.value).value !== 'string') throw new LineageUnsupported('Cannot analyse COLUMNS(...) with a lambda or a list: only COLUMNS(*) and COLUMNS(\'regex\') are analysed');
        pattern = s(obj(x.value).value);
      }
      const relation = s(e.relation_name);
      const exclude = [...list(e.exclude_list), ...list(e.qualified_exclude_list)].map((x) => {
        if (typeof x === 'string') return this.fold(x);
        const parts = list(obj(x).column_names ?? obj(x).column);
        return this.fold(s(parts[parts.length - 1] ?? obj(x).column));
      });
      const replace = list(e.replace_list).map((r) => ({ name: this.fold(s(obj(r).key)), expr: this.expr(obj(r).value) }));
      const rename = list(e.rename_list).map((r) => {
        const key = obj(obj(r).key);
        const parts = list(key.column_names);
        return { from: this.fold(s(key.column) || s(parts[parts.length - 1])), to: this.fold(s(obj(r).value)) };
      });
      return {
        k: 'star',
        ...(relation ? { relation: [this.fold(relation)] } : {}),
        exclude,
        replace,
        ...(rename.length ? { rename } : {}),
        ...(pattern !== undefined ? { pattern } : {}),
      };
    }
    if (containsColumnsStar(e)) throw new LineageUnsupported('Cannot analyse COLUMNS(...) inside an expression');
    const expr = this.expr(e);
    if (s(e.alias)) return { k: 'expr', expr, name: this.fold(s(e.alias)) };
    if (e.class === 'COLUMN_REF') {
      const parts = list(e.column_names);
      return { k: 'expr', expr, name: this.fold(s(parts[parts.length - 1])) };
    }
    const target: Extract<QTarget, { k: 'expr' }> = { k: 'expr', expr, name: '' };
    this.pendingNames.push({ target, selectNode: { ...selectNode, select_list: [{ ...e, alias: '' }] } });
    return target;
  }

  private from(v: unknown): QFrom {
    const t = obj(v);
    const alias = s(t.alias) ? { alias: this.fold(s(t.alias)) } : {};
    const colNames = list(t.column_name_alias).map((c) => this.fold(s(c)));
    const columns = colNames.length ? { columns: colNames } : {};
    switch (t.type) {
      case 'BASE_TABLE': {
        const name = s(t.table_name);
        if (this.isFileLiteral(name)) return { k: 'func', args: [], alias: s(t.alias) ? this.fold(s(t.alias)) : name, ...columns };
        const schema = s(t.schema_name);
        const catalog = s(t.catalog_name);
        return {
          k: 'table',
          table: { ...(catalog ? { catalog: this.fold(catalog) } : {}), ...(schema ? { schema: this.fold(schema) } : {}), name: this.fold(name) },
          ...alias,
          ...columns,
        };
      }
      case 'SUBQUERY':
        return { k: 'sub', query: this.query(obj(t.subquery).node), ...alias, ...columns };
      case 'TABLE_FUNCTION': {
        const fn = obj(t.function);
        return { k: 'func', args: [this.expr(fn)], alias: s(t.alias) ? this.fold(s(t.alias)) : s(fn.function_name), ...columns };
      }
      case 'EXPRESSION_LIST': {
        const rows = list(t.values).map((r) => list(r).map((e) => this.expr(e)));
        const width = Math.max(0, ...rows.map((r) => r.length));
        return { k: 'values', rows, ...alias, columns: colNames.length ? colNames : Array.from({ length: width }, (_, i) => `col${i}`) };
      }
      case 'JOIN': {
        const ref = s(t.ref_type);
        const jt = s(t.join_type);
        const type: JoinType =
          ref === 'CROSS' ? 'cross'
          : ref === 'POSITIONAL' ? 'positional'
          : ref === 'ASOF' ? 'asof'
          : jt === 'LEFT' ? 'left'
          : jt === 'RIGHT' ? 'right'
          : jt === 'OUTER' || jt === 'FULL' ? 'full'
          : jt === 'SEMI' ? 'semi'
          : jt === 'ANTI' ? 'anti'
          : 'inner';
        const using = list(t.using_columns).map((c) => this.fold(s(c)));
        return {
          k: 'join',
          type,
          natural: ref === 'NATURAL',
          left: this.from(t.left),
          right: this.from(t.right),
          ...(isObj(t.condition) ? { on: this.expr(t.condition) } : {}),
          ...(using.length ? { using } : {}),
        };
      }
      default:
        throw new LineageUnsupported(`Cannot analyse ${s(t.type) || 'this table reference'} in FROM`);
    }
  }

  expr(v: unknown): QExpr {
    const e = obj(v);
    switch (e.class) {
      case 'COLUMN_REF':
        return { k: 'col', parts: list(e.column_names).map((p) => this.fold(s(p))) };
      case 'CONSTANT': {
        const value = obj(e.value);
        const int = typeof value.value === 'number' && Number.isInteger(value.value) && /INT/.test(s(obj(value.type).id)) ? value.value : undefined;
        return int !== undefined ? { k: 'const', int } : { k: 'const' };
      }
      case 'PARAMETER':
      case 'DEFAULT':
        return { k: 'const' };
      case 'POSITIONAL_REFERENCE':
        throw new LineageUnsupported('Cannot analyse a positional column reference (#n)');
      case 'STAR':
        if (e.columns === true) throw new LineageUnsupported('Cannot analyse COLUMNS(...) inside an expression');
        return { k: 'star', ...(s(e.relation_name) ? { relation: [this.fold(s(e.relation_name))] } : {}) };
      case 'FUNCTION': {
        const args = list(e.children).map((c) => this.expr(c));
        if (e.is_operator === true) return { k: 'op', args };
        const name = s(e.function_name).toLowerCase();
        const order = list(obj(e.order_bys).orders).map((o) => this.expr(obj(o).expression));
        const agg = AGGREGATES.has(name) || e.distinct === true || isObj(e.filter);
        return { k: 'func', agg, args, ...(isObj(e.filter) ? { filter: this.expr(e.filter) } : {}), order };
      }
      case 'WINDOW': {
        const extra = [e.start_expr, e.end_expr, e.offset_expr, e.default_expr].filter(isObj).map((x) => this.expr(x));
        return {
          k: 'func',
          agg: false,
          args: list(e.children).map((c) => this.expr(c)),
          ...(isObj(e.filter_expr) ? { filter: this.expr(e.filter_expr) } : {}),
          order: list(e.arg_orders).map((o) => this.expr(obj(o).expression)),
          over: { partition: list(e.partitions).map((p) => this.expr(p)), order: list(e.orders).map((o) => this.expr(obj(o).expression)), extra },
        };
      }
      case 'SUBQUERY': {
        const t = s(e.subquery_type);
        const mode = t.endsWith('EXISTS') ? 'exists' : t === 'ANY' ? 'in' : t === 'ARRAY' ? 'array' : 'scalar';
        return { k: 'sub', query: this.query(obj(e.subquery).node), mode, ...(isObj(e.child) ? { test: this.expr(e.child) } : {}) };
      }
      case 'LAMBDA': {
        const lhs = obj(e.lhs);
        const params = (lhs.class === 'COLUMN_REF' ? [lhs] : list(lhs.children).map(obj)).map((p) => this.fold(s(list(p.column_names)[0])));
        return { k: 'lambda', params, body: this.expr(e.expr) };
      }
      default:
        // CAST, COMPARISON, CONJUNCTION, OPERATOR, CASE, BETWEEN, COLLATE, ...: an operation over the expressions inside.
        return { k: 'op', args: childExprs(e).map((c) => this.expr(c)) };
    }
  }
}

/** The expressions (objects with a `class`) inside an expression's fields, through plain objects and arrays. */
function childExprs(e: J): J[] {
  const out: J[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      if (typeof v.class === 'string') out.push(v);
      else Object.values(v).forEach(walk);
    }
  };
  for (const [k, v] of Object.entries(e)) if (k !== 'cast_type' && k !== 'value') walk(v);
  return out;
}

function containsColumnsStar(e: J): boolean {
  if (e.class === 'STAR' && e.columns === true) return true;
  if (e.class === 'SUBQUERY') return false;
  return childExprs(e).some(containsColumnsStar);
}
