/**
 * Relations in scope and how a column name resolves among them. Resolution
 * never guesses: an unqualified column goes to the one relation known to
 * hold it (columns from `columnsOf`, or a derived table's outputs); failing
 * that, to the one relation whose columns are unknown; when several could
 * hold it, the source is `{ table: { name: '?' }, column }` with
 * `ambiguous: true` and the candidate tables.
 */
import type { LineageDialect, SourceColumn, TableRef, Transform } from './types';
import { UNRESOLVED_TABLE } from './types';
import type { JoinType } from './query-model';

/** A source column as tracked while resolving (flattened SourceColumn). */
export interface Src {
  table: TableRef;
  column: string;
  transform: Transform;
  ambiguous?: true;
  candidates?: TableRef[];
}

/** An output column of a query; `star` marks "the unknown columns of these relations", named '*'. */
export interface OutCol {
  name: string;
  sources: Src[];
  star?: { rels: Rel[]; merge: boolean };
}

export type Rel =
  | { k: 'base'; alias: string; explicitAlias: boolean; table: TableRef; columns?: readonly string[] }
  | { k: 'derived'; alias?: string; cols: OutCol[] }
  /** A table function: its columns (when aliased) derive from its arguments. */
  | { k: 'opaque'; alias?: string; sources: Src[]; columns?: string[] };

export type FromNode = { k: 'rel'; rel: Rel } | { k: 'join'; type: JoinType; left: FromNode; right: FromNode; using: string[] };

export interface Scope {
  parent?: Scope;
  rels: Rel[];
  tree: FromNode[];
  /** The select list's outputs so far, for references to an alias (GROUP BY month, DuckDB's WHERE alias). */
  aliases?: Map<string, Src[]>;
}

/** Alias references: not allowed, preferred over a relation whose columns are unknown, or only as a last resort. */
export type AliasMode = 'none' | 'before' | 'after';

/** Where a name is looked up: the scope, whether select-list aliases count, lambda parameters. */
export interface NameCtx {
  scope: Scope;
  aliases: AliasMode;
  lambdas?: ReadonlySet<string>;
}

interface Found {
  status: 'yes' | 'maybe';
  sources: Src[];
  tables: TableRef[];
}

const RANK: Record<Transform, number> = { identity: 0, expression: 1, filter: 1, join: 1, aggregate: 2, window: 3 };
export const stronger = (a: Transform, b: Transform): Transform => (RANK[b] > RANK[a] ? b : a);
export const compose = (srcs: readonly Src[], t: Transform): Src[] => srcs.map((s) => (RANK[t] > RANK[s.transform] ? { ...s, transform: t } : s));
export const tableKey = (t: TableRef): string => JSON.stringify([t.catalog ?? null, t.schema ?? null, t.name]);
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

export function uniqueTables(ts: readonly TableRef[]): TableRef[] {
  const m = new Map<string, TableRef>();
  for (const t of ts) if (t.name !== UNRESOLVED_TABLE && !m.has(tableKey(t))) m.set(tableKey(t), t);
  return [...m.values()];
}

export function unresolved(column: string, candidates: readonly TableRef[]): Src {
  return { table: { name: UNRESOLVED_TABLE }, column, transform: 'identity', ambiguous: true, candidates: uniqueTables(candidates) };
}

export class NameResolver {
  readonly same: (a: string, b: string) => boolean;

  constructor(private readonly dialect: LineageDialect) {
    // DuckDB binds names case-insensitively (whatever the quoting); PostgreSQL compares exactly (its parser folded unquoted names).
    this.same = dialect === 'duckdb' ? (a, b) => a === b || asciiLower(a) === asciiLower(b) : (a, b) => a === b;
  }

  expandRel(rel: Rel): OutCol[] {
    switch (rel.k) {
      case 'base':
        if (rel.columns) return rel.columns.map((c) => ({ name: c, sources: [{ table: rel.table, column: c, transform: 'identity' as const }] }));
        return [{ name: '*', sources: [{ table: rel.table, column: '*', transform: 'identity' }], star: { rels: [rel], merge: false } }];
      case 'opaque':
        if (rel.columns) return rel.columns.map((c) => ({ name: c, sources: rel.sources }));
        return [{ name: '*', sources: rel.sources, star: { rels: [rel], merge: false } }];
      case 'derived':
        return rel.cols;
    }
  }

  expandNode(n: FromNode): OutCol[] {
    if (n.k === 'rel') return this.expandRel(n.rel);
    const left = this.expandNode(n.left);
    if (n.type === 'semi' || n.type === 'anti') return left;
    const right = this.expandNode(n.right);
    if (!n.using.length) return [...left, ...right];
    const isUsing = (c: OutCol) => !c.star && n.using.some((u) => this.same(u, c.name));
    const merged = n.using.map((u) => ({ name: u, sources: this.pick(this.resolveInNode(n, u), u) ?? [] }));
    return [...merged, ...left.filter((c) => !isUsing(c)), ...right.filter((c) => !isUsing(c))];
  }

  findRel(scope: Scope, qual: readonly string[]): Rel | undefined {
    const [a, b, c] = qual;
    return scope.rels.find((r) => {
      if (qual.length === 1) return r.alias !== undefined && this.same(r.alias, a!);
      if (r.k !== 'base' || r.explicitAlias) return false;
      if (qual.length === 2) return this.same(r.table.name, b!) && this.same(r.table.schema ?? '', a!);
      return qual.length === 3 && this.same(r.table.name, c!) && this.same(r.table.schema ?? '', b!) && this.same(r.table.catalog ?? '', a!);
    });
  }

  private lookup(rel: Rel, name: string): Found | undefined {
    switch (rel.k) {
      case 'base': {
        if (!rel.columns) return { status: 'maybe', sources: [{ table: rel.table, column: name, transform: 'identity' }], tables: [rel.table] };
        const c = rel.columns.find((x) => this.same(x, name));
        return c === undefined ? undefined : { status: 'yes', sources: [{ table: rel.table, column: c, transform: 'identity' }], tables: [rel.table] };
      }
      case 'opaque':
        if (!rel.columns) return { status: 'maybe', sources: rel.sources, tables: [] };
        return rel.columns.some((x) => this.same(x, name)) ? { status: 'yes', sources: rel.sources, tables: [] } : undefined;
      case 'derived': {
        const c = rel.cols.find((x) => !x.star && this.same(x.name, name));
        if (c) return { status: 'yes', sources: c.sources, tables: c.sources.map((s) => s.table) };
        const found: Found[] = [];
        for (const s of rel.cols) {
          if (!s.star) continue;
          const inner = s.star.rels.map((r) => this.lookup(r, name)).filter((f): f is Found => f !== undefined);
          if (!inner.length) continue;
          if (s.star.merge) found.push({ status: inner.some((f) => f.status === 'yes') ? 'yes' : 'maybe', sources: inner.flatMap((f) => f.sources), tables: inner.flatMap((f) => f.tables) });
          else found.push(...inner);
        }
        return this.one(found, name);
      }
    }
  }

  /** One Found out of several: the one that surely holds the column, else the one that may, else an ambiguous source. */
  private one(found: Found[], name: string): Found | undefined {
    if (found.length <= 1) return found[0];
    const yes = found.filter((f) => f.status === 'yes');
    if (yes.length === 1) return yes[0];
    const tables = (yes.length ? yes : found).flatMap((f) => f.tables);
    return { status: 'maybe', sources: [unresolved(name, tables)], tables };
  }

  /** An unqualified name within one FROM item: a USING column merges its sides. */
  resolveInNode(n: FromNode, name: string): { yes: Found[]; maybe: Found[] } {
    if (n.k === 'rel') {
      const f = this.lookup(n.rel, name);
      return { yes: f?.status === 'yes' ? [f] : [], maybe: f?.status === 'maybe' ? [f] : [] };
    }
    if (n.using.some((u) => this.same(u, name))) {
      const sides = n.type === 'right' ? [n.right] : n.type === 'full' ? [n.left, n.right] : [n.left];
      const srcs = sides.flatMap((s) => this.pick(this.resolveInNode(s, name), name) ?? []);
      return { yes: [{ status: 'yes', sources: srcs, tables: srcs.map((s) => s.table) }], maybe: [] };
    }
    const l = this.resolveInNode(n.left, name);
    if (n.type === 'semi' || n.type === 'anti') return l;
    const r = this.resolveInNode(n.right, name);
    return { yes: [...l.yes, ...r.yes], maybe: [...l.maybe, ...r.maybe] };
  }

  pick(r: { yes: Found[]; maybe: Found[] }, name: string): Src[] | undefined {
    if (r.yes.length === 1) return r.yes[0]!.sources;
    if (r.yes.length > 1) return [unresolved(name, r.yes.flatMap((f) => f.tables))];
    if (r.maybe.length === 1) return r.maybe[0]!.sources;
    if (r.maybe.length > 1) return [unresolved(name, r.maybe.flatMap((f) => f.tables))];
    return undefined;
  }

  private unqualified(name: string, scope: Scope, aliases: AliasMode): Src[] | undefined {
    const r = { yes: [] as Found[], maybe: [] as Found[] };
    for (const n of scope.tree) {
      const x = this.resolveInNode(n, name);
      r.yes.push(...x.yes);
      r.maybe.push(...x.maybe);
    }
    const alias = () => (scope.aliases ? [...scope.aliases].find(([k]) => this.same(k, name))?.[1] : undefined);
    if (r.yes.length) return this.pick(r, name);
    if (aliases === 'before') {
      const a = alias();
      if (a) return a;
    }
    if (r.maybe.length) return this.pick(r, name);
    return aliases === 'after' ? alias() : undefined;
  }

  column(parts: readonly string[], ctx: NameCtx): Src[] {
    if (parts.length === 1 && ctx.lambdas?.has(parts[0]!)) return [];
    // A qualified name is a table's column, here or in an outer query...
    if (parts.length >= 2) {
      for (let s: Scope | undefined = ctx.scope; s; s = s.parent) {
        for (let q = Math.min(3, parts.length - 1); q >= 1; q--) {
          const rel = this.findRel(s, parts.slice(0, q));
          if (!rel) continue;
          const col = parts[q]!;
          const f = this.lookup(rel, col);
          const srcs = f ? f.sources : rel.k === 'base' ? [{ table: rel.table, column: col, transform: 'identity' as const }] : [unresolved(parts.join('.'), [])];
          return parts.length > q + 1 ? compose(srcs, 'expression') : srcs;
        }
      }
    }
    // ...else a column (with struct fields after it: DuckDB's s.f), here or outside; else a whole row (to_jsonb(t)).
    // PostgreSQL spells a field (s).f, so its a.b is always a table's column.
    if (parts.length > 1 && this.dialect === 'postgres') return [unresolved(parts.join('.'), [])];
    for (let s: Scope | undefined = ctx.scope, first = true; s; s = s.parent, first = false) {
      const srcs = this.unqualified(parts[0]!, s, first ? ctx.aliases : 'none');
      if (srcs) return parts.length > 1 ? compose(srcs, 'expression') : srcs;
      const rel = parts.length === 1 ? this.findRel(s, parts) : undefined;
      if (rel) return compose(this.expandRel(rel).flatMap((c) => c.sources), 'expression');
    }
    return [unresolved(parts.join('.'), [])];
  }
}

export function rename(cols: OutCol[], names: readonly string[] | undefined, table?: TableRef): OutCol[] {
  if (!names?.length) return cols;
  const out: OutCol[] = [];
  let i = 0;
  for (const c of cols) {
    if (c.star) {
      // Aliases for columns of a table whose columns are unknown: each is one of its columns, which is not known.
      while (table && i < names.length) out.push({ name: names[i++]!, sources: [{ table, column: '*', transform: 'identity' }] });
      out.push(c);
      continue;
    }
    out.push(i < names.length ? { ...c, name: names[i++]! } : c);
  }
  return out;
}

export function mergeStars(cols: OutCol[], extra: OutCol[]): OutCol {
  return {
    name: '*',
    sources: [...cols, ...extra].flatMap((c) => c.sources),
    star: { rels: cols.flatMap((c) => c.star?.rels ?? []), merge: true },
  };
}

/** UNION/INTERSECT/EXCEPT: column i of each branch; past a `*` of unknown width, columns cannot be paired. */
export function byPosition(left: OutCol[], right: OutCol[]): OutCol[] {
  const l = left.findIndex((c) => c.star);
  const r = right.findIndex((c) => c.star);
  const stop = Math.min(l < 0 ? Infinity : l, r < 0 ? Infinity : r);
  const n = Math.max(left.length, right.length);
  const out: OutCol[] = [];
  for (let i = 0; i < Math.min(n, stop); i++) {
    const a = left[i];
    const b = right[i];
    out.push({ name: a?.name ?? b!.name, sources: [...(a?.sources ?? []), ...(b?.sources ?? [])] });
  }
  if (stop < n) {
    const rest = [...left.slice(stop), ...right.slice(stop)];
    out.push(mergeStars(rest.filter((c) => c.star), rest.filter((c) => !c.star)));
  }
  return out;
}

export function toSources(srcs: readonly Src[]): SourceColumn[] {
  const m = new Map<string, SourceColumn>();
  for (const s of srcs) {
    const k = `${tableKey(s.table)}\u0000${s.column}\u0000${s.ambiguous ? 1 : 0}`;
    const e = m.get(k);
    if (!e) {
      m.set(k, { ref: { table: s.table, column: s.column }, transform: s.transform, ...(s.ambiguous ? { ambiguous: true as const, candidates: s.candidates ?? [] } : {}) });
      continue;
    }
    e.transform = stronger(e.transform, s.transform);
    if (s.candidates) e.candidates = uniqueTables([...(e.candidates ?? []), ...s.candidates]);
  }
  return [...m.values()];
}
