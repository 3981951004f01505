/**
 * Column-level lineage of one statement of the query model: what it reads,
 * each output column's sources and transform (the strongest along the path,
 * through CTEs and subqueries), and the columns it filters, joins, groups
 * and sorts on. Names resolve as scope.ts says: never by guess.
 */
import type { ColumnLineage, IndirectColumn, IndirectUse, LineageDialect, StatementLineage, TableRef, Transform } from './types';
import { LineageUnsupported, type QCte, type QExpr, type QFrom, type QQuery, type QStatement, type QTable, type QTarget, type QWith } from './query-model';
import { byPosition, compose, mergeStars, NameResolver, rename, stronger, tableKey, toSources, uniqueTables, type AliasMode, type FromNode, type NameCtx, type OutCol, type Rel, type Scope, type Src } from './scope';

export interface AnalyzeOptions {
  dialect: LineageDialect;
  defaultSchema: string;
  columnsOf?: (t: TableRef) => readonly string[] | undefined;
}

interface Ctx extends NameCtx {
  env?: CteEnv;
}

interface CteEntry {
  cte: QCte;
  recursive: boolean;
  /** The CTEs its body sees. */
  env?: CteEnv;
  /** The scope the WITH sits in (a WITH inside a correlated subquery may refer outwards). */
  scope?: Scope;
  state: 'new' | 'running' | 'done';
  out?: OutCol[];
  provisional?: OutCol[];
}

class CteEnv {
  constructor(
    readonly entries: Map<string, CteEntry>,
    readonly parent: CteEnv | undefined,
    private readonly same: (a: string, b: string) => boolean,
  ) {}

  find(name: string): CteEntry | undefined {
    for (let e: CteEnv | undefined = this; e; e = e.parent) {
      for (const [k, v] of e.entries) if (this.same(k, name)) return v;
    }
    return undefined;
  }
}

function hasAggregate(e: QExpr): boolean {
  switch (e.k) {
    case 'func':
      return (e.agg && !e.over) || e.args.some(hasAggregate);
    case 'op':
      return e.args.some(hasAggregate);
    case 'lambda':
      return hasAggregate(e.body);
    default:
      return false;
  }
}

/** Analyses one statement; one instance per statement (it collects reads and indirect columns). */
export class StatementAnalyzer {
  private readonly reads = new Map<string, TableRef>();
  private readonly indirect = new Map<string, { ref: Src; uses: Set<IndirectUse> }>();
  private readonly columnsCache = new Map<string, readonly string[] | undefined>();
  private readonly names: NameResolver;

  constructor(private readonly opts: AnalyzeOptions) {
    this.names = new NameResolver(opts.dialect);
  }

  analyse(st: QStatement, sql: string, offset: number): StatementLineage {
    const target = st.target ? this.resolveTable(st.target) : undefined;
    let columns: ColumnLineage[] = [];
    if (st.query) {
      const outs = this.query(st.query, undefined, undefined);
      columns = this.targetColumns(st, target, outs);
    }
    const indirectUses: IndirectColumn[] = [...this.indirect.values()].map(({ ref, uses }) => ({
      ref: { table: ref.table, column: ref.column },
      uses: [...uses],
      ...(ref.ambiguous ? { ambiguous: true as const, candidates: ref.candidates ?? [] } : {}),
    }));
    return {
      kind: st.kind,
      ...(target ? { target } : {}),
      reads: [...this.reads.values()],
      columns,
      indirect: indirectUses.map((i) => i.ref),
      indirectUses,
      sql,
      offset,
    };
  }

  private targetColumns(st: QStatement, target: TableRef | undefined, outs: OutCol[]): ColumnLineage[] {
    const toLineage = (cols: OutCol[]) => cols.map((c) => ({ target: c.name, sources: toSources(c.sources) }));
    switch (st.kind) {
      case 'insert': {
        if (st.byName) return toLineage(outs);
        const names = st.targetColumns ?? (target && this.columnsOf(target));
        if (!names) return toLineage(outs.map((c, i) => (c.star ? c : { ...c, name: `#${i + 1}` })));
        const star = outs.findIndex((c) => c.star);
        return names.map((name, i) => {
          // Past a `*` of unknown width, positions are unknown: the column comes from one of the rest.
          const sources = star < 0 || i < star ? (outs[i]?.sources ?? []) : outs.slice(star).flatMap((c) => c.sources);
          return { target: name, sources: toSources(sources) };
        });
      }
      case 'delete':
        return [];
      default:
        return toLineage(rename(outs, st.targetColumns));
    }
  }

  // ---- tables -------------------------------------------------------------

  private resolveTable(t: QTable): TableRef {
    return { ...(t.catalog ? { catalog: t.catalog } : {}), schema: t.schema ?? this.opts.defaultSchema, name: t.name };
  }

  private columnsOf(t: TableRef): readonly string[] | undefined {
    const k = tableKey(t);
    if (!this.columnsCache.has(k)) this.columnsCache.set(k, this.opts.columnsOf?.(t));
    return this.columnsCache.get(k);
  }

  private addRead(t: TableRef): void {
    const k = tableKey(t);
    if (!this.reads.has(k)) this.reads.set(k, t);
  }

  private addIndirect(srcs: readonly Src[], use: IndirectUse): void {
    for (const s of srcs) {
      if (s.column === '*') continue; // "some column of t" (ORDER BY 3 past an unexpanded *): nothing to record
      const k = `${tableKey(s.table)}\u0000${s.column}\u0000${s.ambiguous ? 1 : 0}`;
      const e = this.indirect.get(k);
      if (e) {
        e.uses.add(use);
        if (s.candidates) e.ref.candidates = uniqueTables([...(e.ref.candidates ?? []), ...s.candidates]);
      } else {
        this.indirect.set(k, { ref: { ...s }, uses: new Set([use]) });
      }
    }
  }

  // ---- queries ------------------------------------------------------------

  private query(q: QQuery, parent: Scope | undefined, env: CteEnv | undefined, onLeft?: (cols: OutCol[]) => void): OutCol[] {
    const inner = q.with ? this.withEnv(q.with, env, parent) : env;
    switch (q.k) {
      case 'select':
        return this.select(q, parent, inner);
      case 'setop':
        return this.setop(q, parent, inner, onLeft);
      case 'values': {
        const ctx: Ctx = { scope: { parent, rels: [], tree: [] }, env: inner, aliases: 'none' };
        return q.names.map((name, i) => ({ name, sources: q.rows.flatMap((r) => (r[i] ? this.expr(r[i]!, ctx, 'identity') : [])) }));
      }
    }
  }

  private withEnv(w: QWith, env: CteEnv | undefined, scope: Scope | undefined): CteEnv | undefined {
    if (w.recursive) {
      const entries = new Map<string, CteEntry>();
      const all = new CteEnv(entries, env, this.names.same);
      for (const cte of w.ctes) entries.set(cte.name, { cte, recursive: true, env: all, scope, state: 'new' });
      return all;
    }
    // Each CTE sees the ones before it: `WITH t AS (SELECT * FROM t)` reads the table t.
    let cur = env;
    for (const cte of w.ctes) cur = new CteEnv(new Map([[cte.name, { cte, recursive: false, env: cur, scope, state: 'new' as const }]]), cur, this.names.same);
    return cur;
  }

  private cteOutput(e: CteEntry): OutCol[] {
    if (e.state === 'done') return e.out!;
    if (e.state === 'running') {
      if (e.provisional) return e.provisional;
      throw new LineageUnsupported(`Cannot analyse the recursive CTE ${e.cte.name}: it refers to itself before its non-recursive term`);
    }
    e.state = 'running';
    const out = this.query(e.cte.query, e.scope, e.env, e.recursive ? (left) => (e.provisional = rename(left, e.cte.columns)) : undefined);
    e.out = rename(out, e.cte.columns);
    e.state = 'done';
    return e.out;
  }

  private select(q: Extract<QQuery, { k: 'select' }>, parent: Scope | undefined, env: CteEnv | undefined): OutCol[] {
    const scope: Scope = { parent, rels: [], tree: [] };
    for (const f of q.from) scope.tree.push(this.from(f, scope, env));
    const ctx = (aliases: AliasMode): Ctx => ({ scope, env, aliases });

    const outs: OutCol[] = [];
    const perTarget: Src[][] = [];
    scope.aliases = new Map();
    for (const t of q.targets) {
      if (t.k === 'expr') {
        const sources = this.expr(t.expr, ctx('after'), 'identity');
        outs.push({ name: t.name, sources });
        perTarget.push(sources);
        if (![...scope.aliases.keys()].some((k) => this.names.same(k, t.name))) scope.aliases.set(t.name, sources);
      } else {
        const cols = this.star(t, ctx('none'));
        outs.push(...cols);
        perTarget.push(cols.flatMap((c) => c.sources));
      }
    }
    if (q.where) this.addIndirect(this.expr(q.where, ctx('after'), 'identity'), 'filter');
    for (const g of q.groupBy) this.addIndirect(this.positional(g, outs) ?? this.expr(g, ctx('before'), 'identity'), 'group_by');
    if (q.groupByAll) q.targets.forEach((t, i) => (t.k === 'star' || !hasAggregate(t.expr)) && this.addIndirect(perTarget[i]!, 'group_by'));
    if (q.having) this.addIndirect(this.expr(q.having, ctx('before'), 'identity'), 'filter');
    if (q.qualify) this.addIndirect(this.expr(q.qualify, ctx('before'), 'identity'), 'filter');
    for (const d of q.distinctOn) this.addIndirect(this.orderItem(d, outs, ctx('before')), 'filter');
    for (const o of q.orderBy) this.addIndirect(this.orderItem(o, outs, ctx('before')), 'sort');
    if (q.orderByAll) this.addIndirect(outs.flatMap((c) => c.sources), 'sort');
    return outs;
  }

  /** GROUP BY 1 / ORDER BY 2: the sources of that output. */
  private positional(e: QExpr, outs: OutCol[]): Src[] | undefined {
    if (e.k !== 'const' || e.int === undefined) return undefined;
    // Past a `*` of unknown width, position n is one of the columns from the `*` on.
    const star = outs.findIndex((c) => c.star);
    if (star >= 0 && star < e.int) return outs.slice(star).flatMap((c) => c.sources);
    const c = outs[e.int - 1];
    if (!c) throw new LineageUnsupported(`Cannot analyse position ${e.int}: the select list has ${outs.length} columns`);
    return c.sources;
  }

  /** ORDER BY / DISTINCT ON item: a position, an output name, or an expression over the inputs. */
  private orderItem(e: QExpr, outs: OutCol[], ctx: Ctx): Src[] {
    const p = this.positional(e, outs);
    if (p) return p;
    if (e.k === 'col' && e.parts.length === 1) {
      const out = outs.find((c) => !c.star && this.names.same(c.name, e.parts[0]!));
      if (out) return out.sources;
    }
    return this.expr(e, ctx, 'identity');
  }

  private setop(q: Extract<QQuery, { k: 'setop' }>, parent: Scope | undefined, env: CteEnv | undefined, onLeft?: (cols: OutCol[]) => void): OutCol[] {
    const left = this.query(q.left, parent, env);
    onLeft?.(left);
    const right = this.query(q.right, parent, env);
    const outs = q.byName ? this.byName(left, right) : byPosition(left, right);
    if (q.orderBy.length) {
      const rel: Rel = { k: 'derived', cols: outs };
      const ctx: Ctx = { scope: { parent, rels: [rel], tree: [{ k: 'rel', rel }] }, env, aliases: 'none' };
      for (const o of q.orderBy) this.addIndirect(this.orderItem(o, outs, ctx), 'sort');
    }
    return outs;
  }

  private byName(left: OutCol[], right: OutCol[]): OutCol[] {
    const outs = left.filter((c) => !c.star).map((c) => ({ ...c, sources: [...c.sources] }));
    const stars = [...left, ...right].filter((c) => c.star);
    for (const c of right) {
      if (c.star) continue;
      const l = outs.find((o) => this.names.same(o.name, c.name));
      if (l) l.sources.push(...c.sources);
      else outs.push({ ...c });
    }
    if (stars.length) outs.push(mergeStars(stars, []));
    return outs;
  }

  // ---- FROM ---------------------------------------------------------------

  private from(f: QFrom, scope: Scope, env: CteEnv | undefined): FromNode {
    const add = (rel: Rel): FromNode => {
      scope.rels.push(rel);
      return { k: 'rel', rel };
    };
    switch (f.k) {
      case 'table': {
        const cte = !f.table.schema && !f.table.catalog ? env?.find(f.table.name) : undefined;
        if (cte) return add({ k: 'derived', alias: f.alias ?? f.table.name, cols: rename(this.cteOutput(cte), f.columns) });
        const table = this.resolveTable(f.table);
        if (!f.target) this.addRead(table);
        const base: Rel = { k: 'base', alias: f.alias ?? table.name, explicitAlias: f.alias !== undefined, table, columns: this.columnsOf(table) };
        if (!f.columns?.length) return add(base);
        return add({ k: 'derived', alias: base.alias, cols: rename(this.names.expandRel(base), f.columns, table) });
      }
      case 'sub':
        return add({ k: 'derived', alias: f.alias, cols: rename(this.query(f.query, scope, env), f.columns) });
      case 'func': {
        const ctx: Ctx = { scope, env, aliases: 'none' };
        const sources = compose(f.args.flatMap((a) => this.expr(a, ctx, 'identity')), 'expression');
        return add({ k: 'opaque', alias: f.alias, sources, columns: f.columns });
      }
      case 'values': {
        const ctx: Ctx = { scope: { parent: scope.parent, rels: [], tree: [] }, env, aliases: 'none' };
        const cols = f.columns.map((name, i) => ({ name, sources: f.rows.flatMap((r) => (r[i] ? this.expr(r[i]!, ctx, 'identity') : [])) }));
        return add({ k: 'derived', alias: f.alias, cols });
      }
      case 'join': {
        const left = this.from(f.left, scope, env);
        const right = this.from(f.right, scope, env);
        let using = f.using ?? [];
        if (f.natural) {
          const names = (n: FromNode) => this.names.expandNode(n).filter((c) => !c.star).map((c) => c.name);
          const r = names(right);
          using = names(left).filter((l) => r.some((x) => this.names.same(x, l)));
        }
        const node: FromNode = { k: 'join', type: f.type, left, right, using };
        for (const u of using) {
          this.addIndirect(this.names.pick(this.names.resolveInNode(left, u), u) ?? [], 'join');
          this.addIndirect(this.names.pick(this.names.resolveInNode(right, u), u) ?? [], 'join');
        }
        if (f.on) {
          const view: Scope = { parent: scope.parent, rels: scope.rels, tree: [...scope.tree, node] };
          this.addIndirect(this.expr(f.on, { scope: view, env, aliases: 'none' }, 'identity'), 'join');
        }
        return node;
      }
    }
  }

  private star(t: Extract<QTarget, { k: 'star' }>, ctx: Ctx): OutCol[] {
    let cols: OutCol[];
    if (t.relation) {
      const rel = this.names.findRel(ctx.scope, t.relation);
      if (!rel) throw new LineageUnsupported(`Cannot expand ${t.relation.join('.')}.*: no such table in FROM`);
      cols = this.names.expandRel(rel);
    } else {
      cols = ctx.scope.tree.flatMap((n) => this.names.expandNode(n));
    }
    if (t.pattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(t.pattern);
      } catch {
        throw new LineageUnsupported(`Cannot analyse COLUMNS('${t.pattern}'): not a regular expression this analyser understands`);
      }
      cols = cols.filter((c) => c.star || re.test(c.name));
    }
    cols = cols.filter((c) => c.star || !t.exclude.some((x) => this.names.same(x, c.name)));
    return cols.map((c) => {
      if (c.star) return c;
      const r = t.replace.find((x) => this.names.same(x.name, c.name));
      const name = t.rename?.find((x) => this.names.same(x.from, c.name))?.to ?? c.name;
      return { name, sources: r ? this.expr(r.expr, ctx, 'identity') : c.sources };
    });
  }

  // ---- expressions --------------------------------------------------------

  /** The direct sources of an expression; its indirect uses (window keys, FILTER, subquery filters) are collected on the way. */
  private expr(e: QExpr, ctx: Ctx, t: Transform): Src[] {
    switch (e.k) {
      case 'col':
        return compose(this.names.column(e.parts, ctx), t);
      case 'const':
        return [];
      case 'star': {
        const rels = e.relation ? [this.names.findRel(ctx.scope, e.relation)] : undefined;
        if (rels && !rels[0]) throw new LineageUnsupported(`Cannot expand ${e.relation!.join('.')}.*: no such table in FROM`);
        const cols = rels ? this.names.expandRel(rels[0]!) : ctx.scope.tree.flatMap((n) => this.names.expandNode(n));
        return compose(cols.flatMap((c) => c.sources), stronger(t, 'expression'));
      }
      case 'op':
        return e.args.flatMap((a) => this.expr(a, ctx, stronger(t, 'expression')));
      case 'lambda':
        return this.expr(e.body, { ...ctx, lambdas: new Set([...(ctx.lambdas ?? []), ...e.params]) }, stronger(t, 'expression'));
      case 'func': {
        const tt = stronger(t, e.over ? 'window' : e.agg ? 'aggregate' : 'expression');
        const out = e.args.flatMap((a) => this.expr(a, ctx, tt));
        for (const o of e.order) {
          if (e.withinGroup) out.push(...this.expr(o, ctx, tt));
          else this.addIndirect(this.expr(o, ctx, 'identity'), 'sort');
        }
        if (e.filter) this.addIndirect(this.expr(e.filter, ctx, 'identity'), 'filter');
        if (e.over) {
          for (const p of [...e.over.partition, ...e.over.order]) this.addIndirect(this.expr(p, ctx, 'identity'), 'window');
          for (const x of e.over.extra) out.push(...this.expr(x, ctx, tt));
        }
        return out;
      }
      case 'sub': {
        const outs = this.query(e.query, ctx.scope, ctx.env);
        if (e.mode === 'exists') return [];
        const inner = outs.flatMap((c) => c.sources);
        if (e.mode === 'scalar') return compose(inner, t);
        const test = e.test ? this.expr(e.test, ctx, stronger(t, 'expression')) : [];
        return [...test, ...compose(inner, stronger(t, 'expression'))];
      }
    }
  }
}
