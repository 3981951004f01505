/**
 * A simulated Superset database's table metadata, read from a real
 * PostgreSQL database as Superset reads it through SQLAlchemy's inspector
 * (Database.get_columns / has_table): the table or view must exist, and its
 * columns come in ordinal order with their types. Type names follow what
 * SQLAlchemy's PostgreSQL dialect prints for reflected types ("VARCHAR(64)",
 * "NUMERIC(16, 2)", "TIMESTAMP WITHOUT TIME ZONE"); is_dttm and type_generic
 * (superset/utils/core.py GenericDataType: NUMERIC 0, STRING 1, TEMPORAL 2,
 * BOOLEAN 3) follow the engine spec's column spec for those types. The
 * mapping covers the common types; others print as information_schema names them.
 */
import { Client } from 'pg';

export interface PostgresConnectionConfig {
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
}

export interface TableColumnSpec {
  readonly column_name: string;
  readonly type: string;
  readonly is_dttm: boolean;
  readonly type_generic: 0 | 1 | 2 | 3;
}

interface ColumnRow {
  column_name: string | null;
  data_type: string | null;
  udt_name: string | null;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

/** The columns of `schema.table` (schema null: the connection's current schema), or undefined when there is no such table or view. */
export async function readTableColumns(config: PostgresConnectionConfig, schema: string | null, table: string): Promise<TableColumnSpec[] | undefined> {
  const client = new Client({ ...config, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
  client.on('error', () => {}); // a connection the server drops fails the query in flight instead
  await client.connect();
  try {
    const { rows } = await client.query<ColumnRow>(
      `SELECT c.column_name, c.data_type, c.udt_name, c.character_maximum_length, c.numeric_precision, c.numeric_scale
         FROM information_schema.tables t
         LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
        WHERE t.table_schema = COALESCE($1, current_schema()) AND t.table_name = $2
        ORDER BY c.ordinal_position`,
      [schema, table],
    );
    if (rows.length === 0) return undefined;
    return rows.filter((r) => r.column_name !== null).map((r) => describe(r));
  } finally {
    await client.end();
  }
}

const SIMPLE: Readonly<Record<string, [string, 0 | 1 | 2 | 3]>> = {
  text: ['TEXT', 1],
  integer: ['INTEGER', 0],
  bigint: ['BIGINT', 0],
  smallint: ['SMALLINT', 0],
  'double precision': ['DOUBLE PRECISION', 0],
  real: ['REAL', 0],
  boolean: ['BOOLEAN', 3],
  date: ['DATE', 2],
  'timestamp without time zone': ['TIMESTAMP WITHOUT TIME ZONE', 2],
  'timestamp with time zone': ['TIMESTAMP WITH TIME ZONE', 2],
  'time without time zone': ['TIME WITHOUT TIME ZONE', 2],
  'time with time zone': ['TIME WITH TIME ZONE', 2],
  interval: ['INTERVAL', 1],
  json: ['JSON', 1],
  jsonb: ['JSONB', 1],
  uuid: ['UUID', 1],
  bytea: ['BYTEA', 1],
};

function describe(r: ColumnRow): TableColumnSpec {
  const dataType = r.data_type ?? '';
  let type: string;
  let generic: 0 | 1 | 2 | 3 = 1;
  if (dataType in SIMPLE) [type, generic] = SIMPLE[dataType]!;
  else if (dataType === 'character varying') type = r.character_maximum_length ? `VARCHAR(${r.character_maximum_length})` : 'VARCHAR';
  else if (dataType === 'character') type = `CHAR(${r.character_maximum_length ?? 1})`;
  else if (dataType === 'numeric') {
    type = r.numeric_precision !== null ? `NUMERIC(${r.numeric_precision}, ${r.numeric_scale ?? 0})` : 'NUMERIC';
    generic = 0;
  } else if (dataType === 'ARRAY') type = `${(r.udt_name ?? '_unknown').slice(1).toUpperCase()}[]`;
  else if (dataType === 'USER-DEFINED') type = (r.udt_name ?? 'unknown').toUpperCase();
  else type = dataType.toUpperCase();
  return { column_name: r.column_name!, type, is_dttm: generic === 2, type_generic: generic };
}
