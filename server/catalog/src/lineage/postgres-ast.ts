/**
 * PostgreSQL SQL into the query model, through libpg-query (the real
 * PostgreSQL 18 parser compiled to WASM). Its tree is read as plain JSON:
 * nodes are `{ TypeName: { ...fields } }`; names come folded by the parser
 * (unquoted to lower case, quoted as spelled). Locations are UTF-8 bytes.
 * https://github.com/pganalyze/libpg_query, src/postgres/include/nodes/parsenodes.h
 */
import { parse } from 'libpg-query';
import { AGGREGATES, LineageUnsupported, type JoinType, type QExpr, type QFrom, type QQuery, type QStatement, type QTable, type QTarget, type QWindow, type QWith } from './query-model';
import { tokenize, utf16OffsetOfCodePoints, utf16OffsetOfUtf8 } from './sql-text';

type J = { [k: string]: unknown };

export interface ParsedStatement {
  statement: QStatement;
  text: string;
  offset: number;
}

export type PostgresParse = { ok: true; statements: ParsedStatement[] } | { ok: false; error: string; position?: number };

/** Parse `sql` (one or more statements); a syntax error is returned, not thrown. */
export async function parsePostgres(sql: string): Promise<PostgresParse> {
  let tree: { stmts?: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    // libpg-query reports PostgreSQL's cursor position (characters, i.e. code points), made 0-based.
    const position = typeof details?.cursorPosition === 'number' && details.cursorPosition >= 0 ? utf16OffsetOfCodePoints(sql, details.cursorPosition) : undefined;
    return { ok: false, error: err instanceof Error ? err.message : String(err), ...(position !== undefined ? { position } : {}) };
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const raw of tree.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const slice = bytes.subarray(startByte, endByte).toString('utf8');
    // The statement starts at its first token (PostgreSQL's span starts after the previous `;`, comments included).
    const tokens = tokenize(slice);
    const first = tokens[0]?.start ?? 0;
    const last = tokens[tokens.length - 1]?.end ?? slice.length;
    const text = slice.slice(first, last);
    const offset = utf16OffsetOfUtf8(sql, startByte) + first;
    try {
      statements.push({ statement: new PgConverter().statement(raw.stmt), text, offset });
    } catch (err) {
      if (err instanceof LineageUnsupported) return { ok: false, error: err.message, position: offset };
      throw err;
    }
  }
  return { ok: true, statements };
}

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `{ Type: body }` -> [Type, body] */
function node(v: unknown): [string, J] | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return undefined;
  const body = v[keys[0]!];
  return [keys[0]!, isObj(body) ? body : {}];
}

const str = (v: unknown): string | undefined => {
  const n = node(v);
  return n?.[0] === 'String' ? String(n[1].sval ?? '') : undefined;
};
const strs = (v: unknown): string[] => list(v).map(str).filter((s): s is string => s !== undefined);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const SVF_NAMES: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** PostgreSQL's name for an unaliased output column (FigureColnameInternal in parse_target.c), with its strength. */
function figure(v: unknown): [string, number] {
  const n = node(v);
  if (!n) return ['?column?', 0];
  const [type, b] = n;
  switch (type) {
    case 'ColumnRef': {
      const names = strs(b.fields);
      const last = list(b.fields)[list(b.fields).length - 1];
      return str(last) !== undefined ? [names[names.length - 1]!, 2] : ['?column?', 0];
    }
    case 'A_Indirection': {
      const fields = strs(b.indirection);
      return fields.length ? [fields[fields.length - 1]!, 2] : figure(b.arg);
    }
    case 'FuncCall': {
      const names = strs(b.funcname);
      return [names[names.length - 1] ?? '?column?', 2];
    }
    case 'A_Expr':
      return b.kind === 'AEXPR_NULLIF' ? ['nullif', 2] : ['?column?', 0];
    case 'TypeCast': {
      const inner = figure(b.arg);
      if (inner[1] > 1) return inner;
      const names = strs(isObj(b.typeName) ? b.typeName.names : undefined);
      return names.length ? [names[names.length - 1]!, 1] : inner;
    }
    case 'CollateClause':
      return figure(b.arg);
    case 'SubLink':
      if (b.subLinkType === 'EXISTS_SUBLINK') return ['exists', 2];
      if (b.subLinkType === 'ARRAY_SUBLINK') return ['array', 2];
      if (b.subLinkType === 'EXPR_SUBLINK' || b.subLinkType === 'MULTIEXPR_SUBLINK') {
        const sel = node(b.subselect);
        const first = node(list(sel?.[1].targetList)[0]);
        if (first?.[0] === 'ResTarget') return typeof first[1].name === 'string' ? [first[1].name, 2] : figure(first[1].val);
      }
      return ['?column?', 0];
    case 'CaseExpr': {
      const inner = figure(b.defresult);
      return inner[1] > 1 ? inner : ['case', 1];
    }
    case 'A_ArrayExpr':
      return ['array', 2];
    case 'RowExpr':
      return ['row', 2];
    case 'CoalesceExpr':
      return ['coalesce', 2];
    case 'MinMaxExpr':
      return [b.op === 'IS_GREATEST' ? 'greatest' : 'least', 2];
    case 'SQLValueFunction':
      return [SVF_NAMES[String(b.op)] ?? '?column?', 2];
    case 'GroupingFunc':
      return ['grouping', 2];
    default:
      return ['?column?', 0];
  }
}

class PgConverter {
  /** Named windows (WINDOW w AS (...)) of the SELECTs being converted, innermost last. */
  private windows: Map<string, J>[] = [];

  statement(v: unknown): QStatement {
    const n = node(v);
    if (!n) return { kind: 'other' };
    const [type, b] = n;
    switch (type) {
      case 'SelectStmt': {
        if (isObj(b.intoClause)) {
          const into = b.intoClause;
          return { kind: 'create_table_as', target: this.table(into.rel), targetColumns: strs(into.colNames), query: this.select({ ...b, intoClause: undefined }) };
        }
        return { kind: 'select', query: this.select(b) };
      }
      case 'CreateTableAsStmt': {
        const into = isObj(b.into) ? b.into : {};
        const q = node(b.query);
        if (q?.[0] !== 'SelectStmt') return { kind: 'other' };
        const kind = b.objtype === 'OBJECT_MATVIEW' ? 'create_view' : 'create_table_as';
        return { kind, target: this.table(into.rel), targetColumns: strs(into.colNames), query: this.select(q[1]) };
      }
      case 'ViewStmt': {
        const q = node(b.query);
        return { kind: 'create_view', target: this.table(b.view), targetColumns: strs(b.aliases), ...(q?.[0] === 'SelectStmt' ? { query: this.select(q[1]) } : {}) };
      }
      case 'InsertStmt': {
        const target = this.table(b.relation);
        const cols = list(b.cols).map((c) => node(c)?.[1].name).filter((c): c is string => typeof c === 'string');
        const sel = node(b.selectStmt);
        if (!sel) return { kind: 'insert', target, ...(cols.length ? { targetColumns: cols } : {}) };
        const query = this.withPrefix(this.select(sel[1]), b.withClause);
        return { kind: 'insert', target, ...(cols.length ? { targetColumns: cols } : {}), query };
      }
      case 'UpdateStmt': {
        const target = this.table(b.relation);
        const names: string[] = [];
        const targets: QTarget[] = [];
        for (const t of list(b.targetList)) {
          const rt = node(t)?.[1] ?? {};
          const name = String(rt.name ?? '');
          names.push(name);
          const val = node(rt.val);
          let expr: QExpr;
          if (val?.[0] === 'MultiAssignRef') {
            const src = node(val[1].source);
            const colno = Number(val[1].colno ?? 1);
            expr = src?.[0] === 'RowExpr' ? this.expr(list(src[1].args)[colno - 1]) : this.expr(val[1].source);
          } else expr = this.expr(rt.val);
          targets.push({ k: 'expr', expr, name });
        }
        const from: QFrom[] = [this.rangeVar(b.relation, true), ...list(b.fromClause).map((f) => this.from(f))];
        const query: QQuery = { k: 'select', targets, from, ...(b.whereClause ? { where: this.expr(b.whereClause) } : {}), groupBy: [], orderBy: [], distinctOn: [] };
        return { kind: 'update', target, targetColumns: names, query: this.withPrefix(query, b.withClause) };
      }
      case 'DeleteStmt': {
        const target = this.table(b.relation);
        const from: QFrom[] = [this.rangeVar(b.relation, true), ...list(b.usingClause).map((f) => this.from(f))];
        const query: QQuery = { k: 'select', targets: [], from, ...(b.whereClause ? { where: this.expr(b.whereClause) } : {}), groupBy: [], orderBy: [], distinctOn: [] };
        return { kind: 'delete', target, query: this.withPrefix(query, b.withClause) };
      }
      default:
        return { kind: 'other' };
    }
  }

  /** INSERT/UPDATE/DELETE's own WITH, in front of the query's. */
  private withPrefix(q: QQuery, withClause: unknown): QQuery {
    const w = this.with(withClause);
    if (!w) return q;
    if (!q.with) return { ...q, with: w };
    return { ...q, with: { recursive: w.recursive || q.with.recursive, ctes: [...w.ctes, ...q.with.ctes] } };
  }

  private table(v: unknown): QTable {
    const b = isObj(v) ? v : {};
    const name = optStr(b.relname);
    if (!name) throw new LineageUnsupported('Cannot analyse a table reference without a name');
    return { ...(optStr(b.catalogname) ? { catalog: optStr(b.catalogname) } : {}), ...(optStr(b.schemaname) ? { schema: optStr(b.schemaname) } : {}), name };
  }

  private rangeVar(v: unknown, target = false): QFrom {
    const b = isObj(v) ? v : {};
    const alias = isObj(b.alias) ? b.alias : undefined;
    const columns = strs(alias?.colnames);
    return { k: 'table', table: this.table(b), ...(alias ? { alias: String(alias.aliasname) } : {}), ...(columns.length ? { columns } : {}), ...(target ? { target } : {}) };
  }

  private with(v: unknown): QWith | undefined {
    if (!isObj(v)) return undefined;
    const ctes = list(v.ctes).map((c) => {
      const b = node(c)?.[1] ?? {};
      const q = node(b.ctequery);
      if (q?.[0] !== 'SelectStmt') throw new LineageUnsupported(`Cannot analyse the CTE ${String(b.ctename)}: only SELECT CTEs are analysed`);
      const columns = strs(b.aliascolnames);
      return { name: String(b.ctename), ...(columns.length ? { columns } : {}), query: this.select(q[1]) };
    });
    return { recursive: v.recursive === true, ctes };
  }

  private select(b: J): QQuery {
    const w = this.with(b.withClause);
    const withPart = w ? { with: w } : {};
    const orderBy = list(b.sortClause).map((s) => this.expr(node(s)?.[1].node));
    if (b.op && b.op !== 'SETOP_NONE') {
      const op = b.op === 'SETOP_UNION' ? 'union' : b.op === 'SETOP_INTERSECT' ? 'intersect' : 'except';
      const left = this.select(isObj(b.larg) ? b.larg : {});
      const right = this.select(isObj(b.rarg) ? b.rarg : {});
      return { k: 'setop', ...withPart, op, byName: false, left, right, orderBy };
    }
    if (Array.isArray(b.valuesLists)) {
      const rows = b.valuesLists.map((r) => list(node(r)?.[1].items).map((e) => this.expr(e)));
      const width = Math.max(0, ...rows.map((r) => r.length));
      return { k: 'values', ...withPart, rows, names: Array.from({ length: width }, (_, i) => `column${i + 1}`) };
    }
    const windows = new Map<string, J>();
    for (const wd of list(b.windowClause)) {
      const d = node(wd)?.[1];
      if (d && typeof d.name === 'string') windows.set(d.name, d);
    }
    this.windows.push(windows);
    try {
      const targets = list(b.targetList).map((t) => this.target(node(t)?.[1] ?? {}));
      const from = list(b.fromClause).map((f) => this.from(f));
      const groupBy = list(b.groupClause).flatMap((g) => this.groupItem(g));
      const distinctOn = list(b.distinctClause).filter((d) => node(d)).map((d) => this.expr(d));
      return {
        k: 'select',
        ...withPart,
        targets,
        from,
        ...(b.whereClause ? { where: this.expr(b.whereClause) } : {}),
        groupBy,
        ...(b.havingClause ? { having: this.expr(b.havingClause) } : {}),
        orderBy,
        distinctOn,
      };
    } finally {
      this.windows.pop();
    }
  }

  private groupItem(v: unknown): QExpr[] {
    const n = node(v);
    if (n?.[0] === 'GroupingSet') return list(n[1].content).flatMap((c) => this.groupItem(c));
    return n ? [this.expr(v)] : [];
  }

  private target(rt: J): QTarget {
    const val = node(rt.val);
    if (val?.[0] === 'ColumnRef') {
      const fields = list(val[1].fields);
      if (node(fields[fields.length - 1])?.[0] === 'A_Star') {
        const relation = strs(fields.slice(0, -1));
        return { k: 'star', ...(relation.length ? { relation } : {}), exclude: [], replace: [] };
      }
    }
    const name = typeof rt.name === 'string' ? rt.name : figure(rt.val)[0];
    return { k: 'expr', expr: this.expr(rt.val), name };
  }

  private from(v: unknown): QFrom {
    const n = node(v);
    if (!n) throw new LineageUnsupported('Cannot analyse an empty FROM item');
    const [type, b] = n;
    const alias = isObj(b.alias) ? b.alias : undefined;
    const aliasPart = alias ? { alias: String(alias.aliasname) } : {};
    const columns = strs(alias?.colnames);
    const colPart = columns.length ? { columns } : {};
    switch (type) {
      case 'RangeVar':
        return this.rangeVar(b);
      case 'RangeSubselect': {
        const q = node(b.subquery);
        if (q?.[0] !== 'SelectStmt') throw new LineageUnsupported('Cannot analyse a subquery in FROM that is not a SELECT');
        return { k: 'sub', query: this.select(q[1]), ...aliasPart, ...colPart };
      }
      case 'RangeFunction': {
        const calls = list(b.functions).flatMap((f) => list(node(f)?.[1].items).slice(0, 1));
        const args = calls.map((c) => this.expr(c));
        // Unaliased, a function in FROM is named after itself, as is its column when it returns a scalar.
        const fname = figure(calls[0])[0];
        return { k: 'func', args, alias: alias ? String(alias.aliasname) : fname, ...colPart };
      }
      case 'RangeTableSample':
        return this.from(b.relation);
      case 'JoinExpr': {
        const using = strs(b.usingClause);
        const type = b.jointype;
        const jt: JoinType = type === 'JOIN_LEFT' ? 'left' : type === 'JOIN_RIGHT' ? 'right' : type === 'JOIN_FULL' ? 'full' : !b.quals && !using.length && !b.isNatural ? 'cross' : 'inner';
        return {
          k: 'join',
          type: jt,
          natural: b.isNatural === true,
          left: this.from(b.larg),
          right: this.from(b.rarg),
          ...(b.quals ? { on: this.expr(b.quals) } : {}),
          ...(using.length ? { using } : {}),
        };
      }
      default:
        throw new LineageUnsupported(`Cannot analyse ${type} in FROM`);
    }
  }

  private window(over: J): QWindow {
    let def = over;
    const name = optStr(over.name) ?? optStr(over.refname);
    if (name) {
      let named: J | undefined;
      for (let i = this.windows.length - 1; i >= 0 && !named; i--) named = this.windows[i]!.get(name);
      if (!named) throw new LineageUnsupported(`Cannot analyse the window ${name}: it is not defined`);
      def = { ...named, ...Object.fromEntries(Object.entries(over).filter(([k, v]) => k !== 'name' && k !== 'refname' && (!Array.isArray(v) || v.length))) };
    }
    return {
      partition: list(def.partitionClause).map((p) => this.expr(p)),
      order: list(def.orderClause).map((o) => this.expr(node(o)?.[1].node)),
      extra: [def.startOffset, def.endOffset].filter((x) => x).map((x) => this.expr(x)),
    };
  }

  expr(v: unknown): QExpr {
    const n = node(v);
    if (!n) return Array.isArray(v) ? { k: 'op', args: v.map((x) => this.expr(x)) } : { k: 'const' };
    const [type, b] = n;
    switch (type) {
      case 'ColumnRef': {
        const fields = list(b.fields);
        if (node(fields[fields.length - 1])?.[0] === 'A_Star') {
          const relation = strs(fields.slice(0, -1));
          return { k: 'star', ...(relation.length ? { relation } : {}) };
        }
        return { k: 'col', parts: strs(fields) };
      }
      case 'A_Const': {
        const iv = isObj(b.ival) ? b.ival : undefined;
        return iv ? { k: 'const', int: typeof iv.ival === 'number' ? iv.ival : 0 } : { k: 'const' };
      }
      case 'ParamRef':
      case 'SQLValueFunction':
      case 'SetToDefault':
      case 'String':
      case 'TypeName':
        return { k: 'const' };
      case 'FuncCall': {
        const names = strs(b.funcname);
        const fname = names[names.length - 1] ?? '';
        const over = isObj(b.over) ? this.window(b.over) : undefined;
        const agg = !over && (b.agg_star === true || b.agg_distinct === true || b.agg_within_group === true || b.agg_filter !== undefined || AGGREGATES.has(fname));
        return {
          k: 'func',
          agg,
          args: list(b.args).map((a) => this.expr(a)),
          ...(b.agg_filter ? { filter: this.expr(b.agg_filter) } : {}),
          order: list(b.agg_order).map((o) => this.expr(node(o)?.[1].node)),
          ...(b.agg_within_group === true ? { withinGroup: true } : {}),
          ...(over ? { over } : {}),
        };
      }
      case 'SubLink': {
        const sel = node(b.subselect);
        if (sel?.[0] !== 'SelectStmt') throw new LineageUnsupported('Cannot analyse a subquery that is not a SELECT');
        const query = this.select(sel[1]);
        const t = b.subLinkType;
        const mode = t === 'EXISTS_SUBLINK' ? 'exists' : t === 'ARRAY_SUBLINK' ? 'array' : t === 'ANY_SUBLINK' || t === 'ALL_SUBLINK' || t === 'ROWCOMPARE_SUBLINK' ? 'in' : 'scalar';
        return { k: 'sub', query, mode, ...(b.testexpr ? { test: this.expr(b.testexpr) } : {}) };
      }
      case 'TypeCast':
      case 'CollateClause':
        return { k: 'op', args: [this.expr(b.arg)] };
      default: {
        // Any other expression: an operation over the expressions it holds (A_Expr, BoolExpr, CaseExpr, ...).
        const args: QExpr[] = [];
        for (const [key, val] of Object.entries(b)) {
          if (key === 'typeName' || key === 'name' || key === 'location') continue;
          if (node(val) || Array.isArray(val)) args.push(this.expr(val));
        }
        return { k: 'op', args };
      }
    }
  }
}
