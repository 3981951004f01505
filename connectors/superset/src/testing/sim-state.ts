/**
 * The simulator's metadata (users, databases, datasets) and the dataset
 * commands, each as Superset's command does it:
 *
 * - create: CreateDatasetCommand (superset/commands/dataset/create.py,
 *   4.1+): database must exist, the catalog defaults to the database's
 *   (PostgresEngineSpec.get_default_catalog: the database of the URI), the
 *   (database, catalog, schema, table) must be unique, the table must exist;
 *   failures gathered as {field: [message]} and answered 422
 *   (DatasetInvalidError.normalized_messages, later fields overwrite);
 *   messages from superset/commands/dataset/exceptions.py with Table's str()
 *   (superset/sql/parse.py: parts percent-quoted, "." as %2E, joined by ".").
 *   Then fetch_metadata; a failure there is 422 "Dataset could not be created.".
 * - refresh: RefreshDatasetCommand (superset/commands/dataset/refresh.py)
 *   running SqlaTable.fetch_metadata (superset/connectors/sqla/models.py):
 *   columns re-read from the table, kept ones keep their id and settings
 *   with the new type, dropped ones go, calculated columns stay,
 *   main_dttm_col set to the first temporal column if unset, the COUNT(*)
 *   metric added if missing. Any failure is 422 "Dataset could not be updated.".
 * - update: UpdateDatasetCommand's owner check, then the fields.
 */
import { randomUUID } from 'node:crypto';
import { FORBIDDEN, NOT_FOUND, fab, type SimAnswer } from './sim-responses';
import { readTableColumns, type PostgresConnectionConfig, type TableColumnSpec } from './sim-postgres';

export type SimRole = 'Admin' | 'Gamma';

export interface SimUser {
  readonly id: number;
  readonly username: string;
  readonly password: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly role: SimRole;
  active: boolean;
}

export interface SimDatabase {
  readonly id: number;
  readonly uuid: string;
  readonly database_name: string;
  readonly backend: string;
  readonly catalog: string | null;
  readonly postgres: PostgresConnectionConfig | undefined;
}

export interface SimColumn extends TableColumnSpec {
  readonly id: number;
  readonly uuid: string;
  expression: string | null;
  filterable: boolean;
  groupby: boolean;
  is_active: boolean;
  description: string | null;
  verbose_name: string | null;
}

export interface SimMetric {
  readonly id: number;
  readonly uuid: string;
  readonly metric_name: string;
  readonly verbose_name: string | null;
  readonly metric_type: string | null;
  readonly expression: string;
}

export interface SimDataset {
  readonly id: number;
  readonly uuid: string;
  readonly database_id: number;
  readonly catalog: string | null;
  readonly schema: string | null;
  readonly table_name: string;
  /** Scalar dataset fields set by create or PUT (description, cache_timeout, ...). */
  readonly fields: Record<string, unknown>;
  owners: number[];
  columns: SimColumn[];
  metrics: SimMetric[];
  main_dttm_col: string | null;
  readonly created_on: number;
  changed_on: number;
  changed_by: number;
}

/** Python's urllib.parse.quote(part, safe=""): all but A-Z a-z 0-9 _ . - ~ percent-encoded as UTF-8. */
function pyQuote(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** str(Table(table, schema, catalog)) (superset/sql/parse.py). */
export function tableStr(catalog: string | null, schema: string | null, table: string): string {
  return [catalog, schema, table]
    .filter((p): p is string => !!p)
    .map((p) => pyQuote(p).replace(/\./g, '%2E'))
    .join('.');
}

export class SimState {
  readonly users: SimUser[] = [];
  readonly databases: SimDatabase[] = [];
  readonly datasets: SimDataset[] = [];
  private nextId = 1;

  constructor(private readonly clock: () => number) {}

  id(): number {
    return this.nextId++;
  }

  /** CreateDatasetCommand; `item` is DatasetPostSchema's load. */
  async createDataset(user: SimUser, item: Record<string, unknown>): Promise<SimAnswer> {
    if (typeof item.sql === 'string' && item.sql !== '') return fab(501, 'The Superset simulator does not create virtual (SQL) datasets');
    const errors: Record<string, string[]> = {};
    const database = this.databases.find((d) => d.id === item.database);
    const schema = (item.schema as string | null | undefined) || null;
    const table = item.table_name as string;
    let catalog: string | null = null;
    if (!database) errors.database = ['Database does not exist'];
    else {
      catalog = (item.catalog as string | null | undefined) || database.catalog;
      const name = tableStr(catalog, schema, table);
      if (this.datasets.some((d) => d.database_id === database.id && d.catalog === catalog && d.schema === schema && d.table_name === table)) errors.table = [`Dataset ${name} already exists`];
      // DatasetDAO.validate_table_exists: an error reading the table counts as "not found".
      const columns = await this.read(database, schema, table).catch(() => undefined);
      if (!columns) errors.table = [`Table [${name}] could not be found, please double check your database connection, schema, and table name`];
    }
    const owners = (item.owners as number[] | undefined) ?? [user.id];
    if (!owners.every((o) => this.users.some((u) => u.id === o))) errors.owners = ['Owners are invalid'];
    if (Object.keys(errors).length > 0 || !database) return fab(422, errors);

    let columns: TableColumnSpec[] | undefined;
    try {
      columns = await this.read(database, schema, table);
    } catch {
      columns = undefined;
    }
    if (!columns) return fab(422, 'Dataset could not be created.');
    const now = this.clock();
    const fields: Record<string, unknown> = {};
    for (const k of ['normalize_columns', 'always_filter_main_dttm', 'is_managed_externally', 'external_url', 'template_params'] as const) if (k in item) fields[k] = item[k];
    const dataset: SimDataset = {
      id: this.id(),
      uuid: typeof item.uuid === 'string' ? item.uuid : randomUUID(),
      database_id: database.id,
      catalog,
      schema,
      table_name: table,
      fields,
      owners: [...owners],
      columns: [],
      metrics: [],
      main_dttm_col: null,
      created_on: now,
      changed_on: now,
      changed_by: user.id,
    };
    this.merge(dataset, columns);
    this.datasets.push(dataset);
    return { status: 201, body: { id: dataset.id, result: item, uuid: dataset.uuid } };
  }

  /** RefreshDatasetCommand. */
  async refreshDataset(user: SimUser, pk: number): Promise<SimAnswer> {
    const dataset = this.datasets.find((d) => d.id === pk);
    if (!dataset) return NOT_FOUND;
    if (user.role !== 'Admin' && !dataset.owners.includes(user.id)) return FORBIDDEN;
    const database = this.databases.find((d) => d.id === dataset.database_id)!;
    const columns = await this.read(database, dataset.schema, dataset.table_name).catch(() => undefined);
    if (!columns) return fab(422, 'Dataset could not be updated.');
    this.merge(dataset, columns);
    dataset.changed_on = this.clock();
    dataset.changed_by = user.id;
    return { status: 200, body: { message: 'OK' } };
  }

  /** UpdateDatasetCommand for the fields the simulator models (see superset-api-simulator.ts). */
  updateDataset(user: SimUser, pk: number, item: Record<string, unknown>): SimAnswer {
    const dataset = this.datasets.find((d) => d.id === pk);
    if (!dataset) return NOT_FOUND;
    if (user.role !== 'Admin' && !dataset.owners.includes(user.id)) return FORBIDDEN;
    const owners = item.owners as number[] | undefined;
    if (owners && !owners.every((o) => this.users.some((u) => u.id === o))) return fab(422, { owners: ['Owners are invalid'] });
    for (const [k, v] of Object.entries(item)) {
      if (k === 'owners') dataset.owners = [...(v as number[])];
      else if (k === 'main_dttm_col') dataset.main_dttm_col = v as string | null;
      else dataset.fields[k] = v;
    }
    dataset.changed_on = this.clock();
    dataset.changed_by = user.id;
    return { status: 200, body: { id: dataset.id, result: item } };
  }

  /** The table's columns; a database without a PostgreSQL config has every table, with no columns. */
  private async read(database: SimDatabase, schema: string | null, table: string): Promise<TableColumnSpec[] | undefined> {
    if (!database.postgres) return [];
    return readTableColumns(database.postgres, schema, table);
  }

  /** SqlaTable.fetch_metadata's merge (see the header). */
  private merge(dataset: SimDataset, fresh: readonly TableColumnSpec[]): void {
    const old = new Map(dataset.columns.filter((c) => !c.expression).map((c) => [c.column_name, c]));
    const columns: SimColumn[] = fresh.map((spec) => {
      const kept = old.get(spec.column_name);
      const base = kept ?? { id: this.id(), uuid: randomUUID(), expression: null, is_active: true, description: null, verbose_name: null };
      return { ...base, column_name: spec.column_name, type: spec.type, is_dttm: kept ? kept.is_dttm : spec.is_dttm, type_generic: spec.type_generic, expression: kept ? '' : null, groupby: true, filterable: true };
    });
    columns.push(...dataset.columns.filter((c) => c.expression));
    dataset.columns = columns;
    if (!dataset.main_dttm_col) dataset.main_dttm_col = fresh.find((c) => c.is_dttm)?.column_name ?? null;
    // BaseEngineSpec.get_metrics: a COUNT(*) metric named "count", added when missing.
    if (!dataset.metrics.some((m) => m.metric_name === 'count')) dataset.metrics.push({ id: this.id(), uuid: randomUUID(), metric_name: 'count', verbose_name: 'COUNT(*)', metric_type: 'count', expression: 'COUNT(*)' });
  }
}
