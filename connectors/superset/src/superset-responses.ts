/**
 * The parts of Superset's answers the client reads, checked at the trust
 * boundary. Each reader names the Superset source the shape comes from;
 * fields the client does not use are not checked (Superset adds fields
 * between releases).
 */
import { AppError } from '@workbench/core';

type Obj = Record<string, unknown>;

function unexpected(action: string, what: string): AppError {
  return new AppError('unavailable', `Cannot ${action}: unexpected answer from Superset (${what})`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const optString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** POST /api/v1/security/login and /refresh: {access_token, refresh_token?} (flask_appbuilder/security/api.py). */
export function readTokens(action: string, body: unknown): { access: string; refresh: string | undefined } {
  if (!isObj(body) || typeof body.access_token !== 'string' || body.access_token === '') throw unexpected(action, 'no access_token');
  return { access: body.access_token, refresh: typeof body.refresh_token === 'string' ? body.refresh_token : undefined };
}

/** GET /api/v1/security/csrf_token/: {result: token} (superset/security/api.py, SecurityRestApi.csrf_token). */
export function readCsrfToken(action: string, body: unknown): string {
  if (!isObj(body) || typeof body.result !== 'string' || body.result === '') throw unexpected(action, 'no CSRF token in result');
  return body.result;
}

/** A model list: {count, ids, result: [...]} (flask_appbuilder/api/__init__.py, ModelRestApi.get_list_headless). */
export function readList(action: string, body: unknown): { count: number; result: Obj[] } {
  if (!isObj(body) || typeof body.count !== 'number' || !Array.isArray(body.result) || !body.result.every(isObj)) throw unexpected(action, 'not a list answer');
  return { count: body.count, result: body.result as Obj[] };
}

/** POST /api/v1/dataset/: 201 {id, result, ...} (superset/datasets/api.py, DatasetRestApi.post). */
export function readCreatedId(action: string, body: unknown): number {
  if (!isObj(body) || typeof body.id !== 'number') throw unexpected(action, 'no id');
  return body.id;
}

/** GET /api/v1/<model>/<pk>: {id, result: {...}} (ModelRestApi.get_headless). */
export function readShow(action: string, body: unknown): Obj {
  if (!isObj(body) || !isObj(body.result)) throw unexpected(action, 'no result');
  return body.result;
}

export interface SupersetDatabase {
  readonly id: number;
  readonly database_name: string;
  readonly backend: string | null;
}

/** An item of GET /api/v1/database/ (superset/databases/api.py, list_columns). */
export function toDatabase(action: string, item: Obj): SupersetDatabase {
  if (typeof item.id !== 'number' || typeof item.database_name !== 'string') throw unexpected(action, 'a database without id or database_name');
  return { id: item.id, database_name: item.database_name, backend: optString(item.backend) };
}

export interface SupersetDatasetSummary {
  readonly id: number;
  readonly table_name: string;
  readonly schema: string | null;
  readonly catalog: string | null;
  readonly database: { readonly id: number; readonly database_name: string };
}

/** An item of GET /api/v1/dataset/ (superset/datasets/api.py, list_columns: id, table_name, schema, catalog, database.id, database.database_name). */
export function toDatasetSummary(action: string, item: Obj): SupersetDatasetSummary {
  const db = item.database;
  if (typeof item.id !== 'number' || typeof item.table_name !== 'string' || !isObj(db) || typeof db.id !== 'number') throw unexpected(action, 'a dataset without id, table_name or database');
  return {
    id: item.id,
    table_name: item.table_name,
    schema: optString(item.schema),
    catalog: optString(item.catalog),
    database: { id: db.id, database_name: optString(db.database_name) ?? '' },
  };
}

export interface SupersetColumn {
  readonly column_name: string;
  /** The column's type as Superset stored it from the database's metadata, e.g. "NUMERIC(16, 2)". */
  readonly type: string | null;
  readonly is_dttm: boolean;
}

export interface SupersetMetric {
  readonly metric_name: string;
  readonly expression: string;
}

export interface SupersetDataset extends SupersetDatasetSummary {
  readonly description: string | null;
  readonly main_dttm_col: string | null;
  readonly columns: readonly SupersetColumn[];
  readonly metrics: readonly SupersetMetric[];
}

/** GET /api/v1/dataset/<pk> result (superset/datasets/api.py, show_columns). */
export function toDataset(action: string, result: Obj): SupersetDataset {
  const summary = toDatasetSummary(action, result);
  const columns = Array.isArray(result.columns) ? result.columns.filter(isObj) : [];
  const metrics = Array.isArray(result.metrics) ? result.metrics.filter(isObj) : [];
  return {
    ...summary,
    description: optString(result.description),
    main_dttm_col: optString(result.main_dttm_col),
    columns: columns.filter((c) => typeof c.column_name === 'string').map((c) => ({ column_name: c.column_name as string, type: optString(c.type), is_dttm: c.is_dttm === true })),
    metrics: metrics.filter((m) => typeof m.metric_name === 'string').map((m) => ({ metric_name: m.metric_name as string, expression: optString(m.expression) ?? '' })),
  };
}
