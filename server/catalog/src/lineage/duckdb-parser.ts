/**
 * DuckDB SQL into the query model, with DuckDB's own parser: an in-memory
 * DuckDB (opened on first use, one connection, used one call at a time)
 * first accepts or rejects the whole input (`extractStatements`), then
 * `json_serialize_sql` gives the tree of each statement's query; see
 * `duckdb-shell.ts` for the statement around it and `duckdb-ast.ts` for
 * the tree. Nothing is executed: the database is empty and cannot read files.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '@workbench/core';
import { DuckConverter, type PendingName } from './duckdb-ast';
import { parseShell, type Shell } from './duckdb-shell';
import type { ParsedStatement } from './postgres-ast';
import { LineageUnsupported, type QFrom, type QQuery, type QStatement } from './query-model';
import { splitStatements, tokenize, utf16OffsetOfCodePoints, type StatementText } from './sql-text';

export type DuckParse = { ok: true; statements: ParsedStatement[] } | { ok: false; error: string; position?: number };

export interface DuckDbLineageParserOptions {
  /** Extra DuckDB settings for the parsing instance. */
  config?: Readonly<Record<string, string>>;
}

const EMPTY_FROM = { type: 'EMPTY', alias: '', sample: null, query_location: 0 };
/** JSON.parse turns DuckDB's "no location" (2^64-1) into a float it cannot read back. */
const keepLocations = (k: string, v: unknown) => (k === 'query_location' && typeof v === 'number' && v > Number.MAX_SAFE_INTEGER ? 0 : v);

interface SerializedOk {
  error: false;
  statements: { node: unknown; named_param_map?: unknown }[];
}
interface SerializedError {
  error: true;
  error_type?: string;
  error_message?: string;
  position?: string;
}

export class DuckDbLineageParser implements AsyncDisposable {
  private opened: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private disposed: Promise<void> | undefined;

  constructor(private readonly options: DuckDbLineageParserOptions = {}) {}

  private open(): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
    this.opened ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', {
        threads: '1',
        errors_as_json: 'true',
        enable_external_access: 'false',
        autoinstall_known_extensions: 'false',
        ...this.options.config,
      });
      try {
        return { instance, conn: await instance.connect() };
      } catch (err) {
        instance.closeSync();
        throw err;
      }
    })();
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  /** Runs `fn` on the connection after the calls before it. */
  private lane<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new AppError('unavailable', 'Cannot parse DuckDB SQL: the lineage parser is closed'));
    const run = this.tail.then(async () => fn((await this.open()).conn));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async parse(sql: string): Promise<DuckParse> {
    const statements = splitStatements(sql, tokenize(sql));
    if (!statements.length) return { ok: true, statements: [] };
    return this.lane(async (conn) => {
      try {
        await conn.extractStatements(sql);
      } catch (err) {
        return engineError(err, sql);
      }
      const shells: Shell[] = [];
      for (const st of statements) {
        try {
          shells.push(parseShell(sql, st));
        } catch (err) {
          if (err instanceof LineageUnsupported) return { ok: false, error: err.message, position: st.offset };
          throw err;
        }
      }
      const withBody = shells.flatMap((sh, i) => ('body' in sh && sh.body ? [{ i, body: sh.body }] : []));
      const serialized = await this.call<string>(conn, 'json_serialize_sql', withBody.map((b) => b.body.text));
      const trees = new Map<number, SerializedOk>();
      for (const [k, { i, body }] of withBody.entries()) {
        const tree = JSON.parse(serialized[k]!) as SerializedOk | SerializedError;
        if (tree.error) {
          const st = statements[i]!;
          const chars = Number(tree.position);
          const position = body.offset !== undefined && Number.isInteger(chars) ? body.offset + utf16OffsetOfCodePoints(body.text, chars) : st.offset;
          return { ok: false, error: tree.error_message ?? 'Cannot serialize the statement', position };
        }
        if (tree.statements.length !== 1) return { ok: false, error: `Cannot analyse the statement: DuckDB read ${tree.statements.length} statements in it`, position: statements[i]!.offset };
        trees.set(i, tree);
      }
      const out: ParsedStatement[] = [];
      const pending: { names: PendingName[]; params: unknown }[] = [];
      for (const [i, st] of statements.entries()) {
        try {
          const tree = trees.get(i);
          const converter = new DuckConverter(...namingRules(st));
          const query = tree ? converter.query(tree.statements[0]!.node) : undefined;
          pending.push({ names: converter.pendingNames, params: tree?.statements[0]!.named_param_map ?? [] });
          out.push({ statement: toStatement(shells[i]!, query), text: st.text, offset: st.offset });
        } catch (err) {
          if (err instanceof LineageUnsupported) return { ok: false, error: err.message, position: st.offset };
          throw err;
        }
      }
      await this.name(conn, pending);
      return { ok: true, statements: out };
    });
  }

  /** Names unaliased expressions as DuckDB does: the expression's SQL text, from json_deserialize_sql. */
  private async name(conn: DuckDBConnection, pending: { names: PendingName[]; params: unknown }[]): Promise<void> {
    const all = pending.flatMap((p) => p.names.map((n) => ({ n, params: p.params })));
    if (!all.length) return;
    const docs = all.map(({ n, params }) => {
      const node = { ...n.selectNode, modifiers: [], cte_map: { map: [] }, from_table: EMPTY_FROM, where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: 'STANDARD_HANDLING', having: null, qualify: null };
      return JSON.stringify({ error: false, statements: [{ node, named_param_map: params }] }, keepLocations);
    });
    const texts = await this.call<string>(conn, 'json_deserialize_sql', docs);
    all.forEach(({ n }, k) => (n.target.name = texts[k]!.replace(/^SELECT /, '')));
  }

  /** One round trip for a list of arguments to a one-argument scalar function. */
  private async call<T>(conn: DuckDBConnection, fn: 'json_serialize_sql' | 'json_deserialize_sql', args: string[]): Promise<T[]> {
    if (!args.length) return [];
    const reader = await conn.runAndReadAll(`SELECT list_transform(from_json($args::VARCHAR, '["VARCHAR"]'), x -> ${fn}(x)) AS r`, { args: JSON.stringify(args) });
    return (reader.getRowObjectsJS()[0]?.r ?? []) as T[];
  }

  /** Close the connection and the database; idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      await this.tail;
      const opened = await this.opened?.catch(() => undefined);
      opened?.conn.closeSync();
      opened?.instance.closeSync();
    })();
    return this.disposed;
  }
}

/** Which spellings were written unquoted (they fold), and which table names were file literals ('data.csv'). */
function namingRules(st: StatementText): [(name: string) => string, (name: string) => boolean] {
  const unquoted = new Set<string>();
  const quoted = new Set<string>();
  const strings = new Set<string>();
  for (const t of st.tokens) {
    if (t.kind === 'word') unquoted.add(t.text);
    else if (t.kind === 'ident') quoted.add(t.value);
    else if (t.kind === 'string') strings.add(t.value);
  }
  const fold = (name: string) => (unquoted.has(name) ? name.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : name);
  const isFile = (name: string) => strings.has(name) && !unquoted.has(name) && !quoted.has(name);
  return [fold, isFile];
}

function markTarget(q: QQuery): QQuery {
  if (q.k !== 'select' || !q.from.length) return q;
  const mark = (f: QFrom): QFrom => (f.k === 'join' ? { ...f, left: mark(f.left) } : f.k === 'table' ? { ...f, target: true } : f);
  return { ...q, from: [mark(q.from[0]!), ...q.from.slice(1)] };
}

function toStatement(shell: Shell, query: QQuery | undefined): QStatement {
  switch (shell.kind) {
    case 'other':
      return { kind: 'other' };
    case 'select':
      return { kind: 'select', ...(query ? { query } : {}) };
    case 'create_table_as':
    case 'create_view':
      return { kind: shell.kind, target: shell.target, ...(shell.targetColumns ? { targetColumns: shell.targetColumns } : {}), ...(query ? { query } : {}) };
    case 'insert':
      return { kind: 'insert', target: shell.target, ...(shell.targetColumns ? { targetColumns: shell.targetColumns } : {}), byName: shell.byName, ...(query ? { query } : {}) };
    case 'update':
      return { kind: 'update', target: shell.target, targetColumns: shell.targetColumns, ...(query ? { query: markTarget(query) } : {}) };
    case 'delete':
      return { kind: 'delete', target: shell.target, ...(query ? { query: markTarget(query) } : {}) };
  }
}

/** A DuckDB error (JSON with errors_as_json) as an unparsed result, its position (in code points) turned into a UTF-16 offset. */
function engineError(err: unknown, sql: string): DuckParse {
  const raw = err instanceof Error ? err.message : String(err);
  const brace = raw.indexOf('{');
  if (brace >= 0) {
    try {
      const info = JSON.parse(raw.slice(brace)) as { exception_message?: unknown; position?: unknown };
      if (typeof info.exception_message === 'string') {
        const chars = Number(info.position);
        return { ok: false, error: info.exception_message, ...(info.position !== undefined && Number.isInteger(chars) ? { position: utf16OffsetOfCodePoints(sql, chars) } : {}) };
      }
    } catch {
      // not JSON: the message as it is
    }
  }
  return { ok: false, error: raw.replace(/^Failed to extract statements: /, '') };
}
