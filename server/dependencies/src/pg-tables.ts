/**
 * The tables a SQL text creates, changes, drops and reads, through
 * libpg-query (the real PostgreSQL parser, as the catalog's lineage uses
 * it: server/catalog/src/lineage/postgres-ast.ts). Only table names are
 * needed here, so instead of the catalog's query model (which gives up on
 * what column lineage cannot follow) this walks the whole tree for
 * RangeVar nodes, with the CTE names in scope left out.
 *
 * Tree format: nodes are `{ TypeName: { ...fields } }`; a statement's own
 * target (InsertStmt.relation, CreateStmt.relation, ...) is a bare RangeVar
 * body. Names come folded by the parser (unquoted: lower case).
 * https://github.com/pganalyze/libpg_query, src/postgres/include/nodes/parsenodes.h
 */
import { parse } from 'libpg-query';
import type { TableParts } from './names';

export type TableOpKind = 'read' | 'create' | 'mutate' | 'drop';

export interface TableOp {
  op: TableOpKind;
  table: TableParts;
}

export type PgTables = { ok: true; ops: TableOp[] } | { ok: false; error: string };

type J = { [k: string]: unknown };

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `{ Type: body }` -> [Type, body] */
function node(v: unknown): [string, J] | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return undefined;
  const body = v[keys[0]!];
  return [keys[0]!, isObj(body) ? body : {}];
}

const RELATION_OBJECTS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE']);

function without(b: J, ...keys: string[]): J {
  const out: J = {};
  for (const [k, v] of Object.entries(b)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function tableOf(v: unknown): TableParts | undefined {
  if (!isObj(v)) return undefined;
  const name = optStr(v.relname);
  if (!name) return undefined;
  const catalog = optStr(v.catalogname);
  const schema = optStr(v.schemaname);
  return { ...(catalog ? { catalog } : {}), ...(schema ? { schema } : {}), name };
}

/** `DROP TABLE a.b`: the name as a list of String nodes. */
function tableOfParts(v: unknown): TableParts | undefined {
  const parts = list(node(v)?.[1].items).map((p) => (node(p)?.[0] === 'String' ? String(node(p)![1].sval ?? '') : ''));
  if (!parts.length || parts.some((p) => p === '') || parts.length > 3) return undefined;
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return { name };
  if (parts.length === 2) return { schema: parts[0]!, name };
  return { catalog: parts[0]!, schema: parts[1]!, name };
}

class Walker {
  readonly reads: TableParts[] = [];
  readonly targets: TableOp[] = [];

  private target(op: TableOpKind, v: unknown): void {
    const table = tableOf(v);
    if (table) this.targets.push({ op, table });
  }

  walk(v: unknown, ctes: ReadonlySet<string>): void {
    if (Array.isArray(v)) {
      for (const x of v) this.walk(x, ctes);
      return;
    }
    if (!isObj(v)) return;
    const n = node(v);
    if (!n) {
      this.fields(v, ctes);
      return;
    }
    const [type, b] = n;
    switch (type) {
      case 'RangeVar': {
        const t = tableOf(b);
        if (t && !(t.schema === undefined && t.catalog === undefined && ctes.has(t.name.toLowerCase()))) this.reads.push(t);
        return;
      }
      case 'SelectStmt':
        if (isObj(b.intoClause)) this.target('create', b.intoClause.rel);
        this.fields(without(b, 'intoClause'), ctes);
        return;
      case 'CreateStmt':
        this.target('create', b.relation);
        this.fields(without(b, 'relation'), ctes);
        return;
      case 'CreateTableAsStmt':
        if (isObj(b.into)) this.target('create', b.into.rel);
        this.walk(b.query, ctes);
        return;
      case 'ViewStmt':
        this.target('create', b.view);
        this.walk(b.query, ctes);
        return;
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
      case 'AlterTableStmt':
        this.target('mutate', b.relation);
        this.fields(without(b, 'relation'), ctes);
        return;
      case 'TruncateStmt':
        for (const r of list(b.relations)) this.target('mutate', node(r)?.[1]);
        return;
      case 'DropStmt':
        if (RELATION_OBJECTS.has(String(b.removeType))) {
          for (const o of list(b.objects)) {
            const table = tableOfParts(o);
            if (table) this.targets.push({ op: 'drop', table });
          }
        }
        return;
      case 'RenameStmt': {
        const from = tableOf(b.relation);
        if (!from) return;
        if (RELATION_OBJECTS.has(String(b.renameType)) && optStr(b.newname)) {
          this.targets.push({ op: 'drop', table: from }, { op: 'create', table: { ...from, name: String(b.newname) } });
        } else {
          this.targets.push({ op: 'mutate', table: from });
        }
        return;
      }
      case 'CopyStmt':
        this.target(b.is_from === true ? 'mutate' : 'read', b.relation);
        this.walk(b.query, ctes);
        return;
      case 'IndexStmt':
        this.target('read', b.relation);
        return;
      default:
        this.fields(b, ctes);
    }
  }

  /** The fields of a node body; a WITH puts its CTE names in scope for the rest of the body. */
  private fields(b: J, ctes: ReadonlySet<string>): void {
    let inner = ctes;
    if (isObj(b.withClause)) inner = this.with(b.withClause, ctes);
    for (const [k, v] of Object.entries(b)) if (k !== 'withClause') this.walk(v, inner);
  }

  private with(w: J, outer: ReadonlySet<string>): Set<string> {
    const ctes = list(w.ctes).flatMap((c) => {
      const b = node(c)?.[1];
      return b && typeof b.ctename === 'string' ? [{ name: b.ctename.toLowerCase(), query: b.ctequery }] : [];
    });
    const scope = new Set(outer);
    if (w.recursive === true) {
      for (const c of ctes) scope.add(c.name);
      for (const c of ctes) this.walk(c.query, scope);
    } else {
      // Each CTE sees the ones before it: `WITH t AS (SELECT * FROM t)` reads the table t.
      for (const c of ctes) {
        this.walk(c.query, new Set(scope));
        scope.add(c.name);
      }
    }
    return scope;
  }
}

/**
 * The table operations of `sql` (one or more statements), in order: per
 * statement its reads, then what it writes. A syntax error (for example
 * DuckDB syntax PostgreSQL does not have) is returned, not thrown.
 */
export async function pgTables(sql: string): Promise<PgTables> {
  let tree: { stmts?: { stmt?: unknown }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const ops: TableOp[] = [];
  for (const raw of tree.stmts ?? []) {
    const w = new Walker();
    w.walk(raw.stmt, new Set());
    ops.push(...w.reads.map((table) => ({ op: 'read' as const, table })), ...w.targets);
  }
  return { ok: true, ops };
}
