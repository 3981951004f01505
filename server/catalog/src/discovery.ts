/**
 * Schema discovery: what a source holds, read from its own catalog in one
 * consistent snapshot. PostgreSQL: pg_class/pg_attribute inside one
 * REPEATABLE READ READ ONLY transaction, so a schema dropped meanwhile is
 * either wholly there or wholly gone, never tables without columns. DuckDB:
 * duckdb_tables()/duckdb_views()/duckdb_columns() of the attached file.
 */
import type { Pool } from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';

export interface DiscoveredColumn {
  name: string;
  type: string;
  nullable: boolean;
  comment: string | null;
}

export interface DiscoveredTable {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  comment: string | null;
  /** The engine's estimate (PostgreSQL: reltuples after ANALYZE; DuckDB: estimated_size); null when unknown. */
  rowCount: number | null;
  sizeBytes: number | null;
  columns: DiscoveredColumn[];
}

export interface Discovery {
  tables: DiscoveredTable[];
  /** Configured schemas that were not there. */
  missingSchemas: string[];
}

const PG_TABLES = `
select n.nspname as schema, c.relname as name,
       case when c.relkind in ('v', 'm') then 'view' else 'table' end as kind,
       d.description as comment,
       case when c.reltuples >= 0 then c.reltuples::bigint end as row_count,
       case when c.relkind in ('r', 'p', 'm') then pg_total_relation_size(c.oid) end as size_bytes
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
 where c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition and n.nspname = any($1::text[])
 order by 1, 2`;

const PG_COLUMNS = `
select n.nspname as schema, c.relname as table, a.attname as name,
       format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable,
       d.description as comment
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = a.attnum
 where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
   and n.nspname = any($1::text[])
 order by 1, 2, a.attnum`;

export async function discoverPostgres(pool: Pool, schemas: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Discovery> {
  const client = await pool.connect();
  const abort = () => client.release(new Error('discovery aborted'));
  let released = false;
  options.signal?.addEventListener('abort', () => {
    if (!released) {
      released = true;
      abort();
    }
  }, { once: true });
  try {
    await client.query('begin isolation level repeatable read read only');
    const present = await client.query<{ nspname: string }>('select nspname from pg_namespace where nspname = any($1::text[])', [schemas]);
    const tables = await client.query<{ schema: string; name: string; kind: 'table' | 'view'; comment: string | null; row_count: string | null; size_bytes: string | null }>(PG_TABLES, [schemas]);
    const columns = await client.query<{ schema: string; table: string; name: string; type: string; nullable: boolean; comment: string | null }>(PG_COLUMNS, [schemas]);
    await client.query('commit');
    const found = new Set(present.rows.map((r) => r.nspname));
    return { tables: assemble(tables.rows.map((t) => ({ schema: t.schema, name: t.name, kind: t.kind, comment: t.comment, rowCount: num(t.row_count), sizeBytes: num(t.size_bytes), columns: [] })), columns.rows), missingSchemas: schemas.filter((s) => !found.has(s)) };
  } finally {
    if (!released) {
      released = true;
      client.release();
    }
  }
}

/** Discovery of an attached DuckDB database `database` (its own schemas, all of them unless `schemas` is given). */
export async function discoverDuckDb(conn: DuckDBConnection, database: string, schemas?: readonly string[]): Promise<Discovery> {
  const rows = async <T>(sql: string, params: string[]): Promise<T[]> => (await conn.runAndReadAll(sql, params)).getRowObjectsJson() as unknown as T[];
  const wanted = (s: string) => !schemas || schemas.includes(s);
  const tables = await rows<{ schema: string; name: string; comment: string | null; estimated_size: number | string | null }>(
    'select schema_name as schema, table_name as name, comment, estimated_size from duckdb_tables() where database_name = $1 and not internal and not temporary',
    [database],
  );
  const views = await rows<{ schema: string; name: string; comment: string | null }>(
    'select schema_name as schema, view_name as name, comment from duckdb_views() where database_name = $1 and not internal and not temporary',
    [database],
  );
  const columns = await rows<{ schema: string; table: string; name: string; type: string; nullable: boolean; comment: string | null }>(
    'select schema_name as schema, table_name as "table", column_name as name, data_type as type, is_nullable as nullable, comment from duckdb_columns() where database_name = $1 and not internal order by schema_name, table_name, column_index',
    [database],
  );
  const all: DiscoveredTable[] = [
    ...tables.map((t) => ({ schema: t.schema, name: t.name, kind: 'table' as const, comment: t.comment || null, rowCount: num(t.estimated_size), sizeBytes: null, columns: [] })),
    ...views.map((v) => ({ schema: v.schema, name: v.name, kind: 'view' as const, comment: v.comment || null, rowCount: null, sizeBytes: null, columns: [] })),
  ].filter((t) => wanted(t.schema));
  all.sort((a, b) => cmp(a.schema, b.schema) || cmp(a.name, b.name));
  const present = new Set(all.map((t) => t.schema));
  return { tables: assemble(all, columns.filter((c) => wanted(c.schema))), missingSchemas: (schemas ?? []).filter((s) => !present.has(s)) };
}

function assemble(tables: DiscoveredTable[], columns: { schema: string; table: string; name: string; type: string; nullable: boolean; comment: string | null }[]): DiscoveredTable[] {
  const byKey = new Map(tables.map((t) => [`${t.schema}\u0000${t.name}`, t]));
  for (const c of columns) byKey.get(`${c.schema}\u0000${c.table}`)?.columns.push({ name: c.name, type: c.type, nullable: c.nullable, comment: c.comment || null });
  return tables;
}

function num(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
