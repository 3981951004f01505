/**
 * The simulator's database and dataset endpoints (see
 * superset-api-simulator.ts for what is covered). Shapes:
 * superset/databases/api.py and superset/datasets/api.py (routes,
 * list_columns, show_columns, the order of checks in post/put/refresh),
 * Flask-AppBuilder's ModelRestApi (list {count, ids, result}, show
 * {id, result}) and the decorators each handler carries: @protect (JWT,
 * then permission), @safe on post and refresh (an unexpected error is
 * 500 "Fatal error"), @requires_json (inside @safe on post, so a non-JSON
 * post is that 500; put has no @safe, so its non-JSON answer is the
 * INVALID_PAYLOAD_FORMAT_ERROR 400).
 */
import { DATASET_POST, DATASET_PUT, loadSchema } from './sim-schemas';
import { FATAL, FORBIDDEN, NOT_FOUND, fab, httpException, supersetErrors, type SimAnswer } from './sim-responses';
import { parseListArgs, runList, type ListSpec } from './sim-list-query';
import type { SimContext, SimRoute } from './superset-api-simulator';
import type { SimDatabase, SimDataset, SimState, SimUser } from './sim-state';

const isAnswer = (x: SimUser | SimAnswer): x is SimAnswer => 'status' in x;

/** @protect: the JWT first, then the role's permission (MODEL_API_RW_METHOD_PERMISSION_MAP: can_read / can_write). */
function protect(ctx: SimContext, access: 'read' | 'write'): SimUser | SimAnswer {
  const who = ctx.authenticate();
  if (isAnswer(who)) return who;
  if (access === 'write' && who.role !== 'Admin') return FORBIDDEN;
  return who;
}

/** DatabaseFilter / DatasourceFilter: a Gamma user without grants sees none. */
const visible = (user: SimUser) => user.role === 'Admin';

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '');

const person = (state: SimState, id: number) => {
  const u = state.users.find((x) => x.id === id);
  return u ? { id: u.id, first_name: u.first_name, last_name: u.last_name } : null;
};

const DATABASE_LIST: ListSpec<SimDatabase> = {
  // superset/databases/api.py search_columns (allow_file_upload has a custom filter; created_by/changed_by are not modelled)
  search: {
    database_name: { kind: 'string', get: (d) => d.database_name },
    uuid: { kind: 'string', get: (d) => d.uuid },
    allow_dml: { kind: 'boolean', get: () => false },
    allow_run_async: { kind: 'boolean', get: () => false },
    expose_in_sqllab: { kind: 'boolean', get: () => true },
    allow_file_upload: { kind: 'boolean' },
    created_by: { kind: 'relation' },
    changed_by: { kind: 'relation' },
  },
  order: { database_name: (d) => d.database_name, allow_dml: () => 0, allow_run_async: () => 0, expose_in_sqllab: () => 1, allow_file_upload: () => 0 },
  id: (d) => d.id,
  maxPageSize: -1, // DatabaseRestApi.max_page_size
};

function databaseItem(d: SimDatabase) {
  return {
    id: d.id,
    uuid: d.uuid,
    database_name: d.database_name,
    backend: d.backend,
    allow_ctas: false,
    allow_cvas: false,
    allow_dml: false,
    allow_file_upload: false,
    allow_run_async: false,
    allow_multi_catalog: false,
    expose_in_sqllab: true,
    explore_database_id: d.id,
    extra: '{}',
    force_ctas_schema: null,
  };
}

const DATASET_LIST = (state: SimState): ListSpec<SimDataset> => ({
  // superset/datasets/api.py search_columns
  search: {
    id: { kind: 'integer', get: (d) => d.id },
    uuid: { kind: 'string', get: (d) => d.uuid },
    database: { kind: 'relation', get: (d) => d.database_id },
    catalog: { kind: 'string', get: (d) => d.catalog },
    schema: { kind: 'string', get: (d) => d.schema },
    table_name: { kind: 'string', get: (d) => d.table_name },
    sql: { kind: 'string', get: () => null },
    owners: { kind: 'relation' },
    created_by: { kind: 'relation' },
    changed_by: { kind: 'relation' },
  },
  // superset/datasets/api.py order_columns
  order: {
    table_name: (d) => d.table_name,
    catalog: (d) => d.catalog,
    schema: (d) => d.schema,
    'changed_by.first_name': (d) => person(state, d.changed_by)?.first_name ?? null,
    changed_on_delta_humanized: (d) => d.changed_on,
    'database.database_name': (d) => state.databases.find((x) => x.id === d.database_id)?.database_name ?? null,
  },
  id: (d) => d.id,
  maxPageSize: 100, // FAB_API_MAX_PAGE_SIZE
});

function databaseRef(state: SimState, d: SimDataset) {
  const db = state.databases.find((x) => x.id === d.database_id)!;
  return { id: db.id, database_name: db.database_name, uuid: db.uuid };
}

function datasetItem(state: SimState, d: SimDataset) {
  const changedBy = person(state, d.changed_by);
  return {
    id: d.id,
    uuid: d.uuid,
    table_name: d.table_name,
    catalog: d.catalog,
    schema: d.schema,
    sql: null,
    kind: 'physical',
    datasource_type: 'table',
    description: d.fields.description ?? null,
    default_endpoint: d.fields.default_endpoint ?? null,
    extra: d.fields.extra ?? null,
    explore_url: `/explore/?datasource_type=table&datasource_id=${d.id}`,
    database: databaseRef(state, d),
    owners: d.owners.map((o) => person(state, o)).filter((p) => p !== null),
    changed_by: changedBy,
    changed_by_name: changedBy ? `${changedBy.first_name} ${changedBy.last_name}`.trim() : '',
    changed_on_utc: `${iso(d.changed_on)}+00:00`,
  };
}

function datasetShow(state: SimState, d: SimDataset) {
  const db = state.databases.find((x) => x.id === d.database_id)!;
  const f = d.fields;
  return {
    id: d.id,
    uuid: d.uuid,
    database: { id: db.id, database_name: db.database_name, backend: db.backend, uuid: db.uuid, allow_multi_catalog: false },
    table_name: d.table_name,
    catalog: d.catalog,
    schema: d.schema,
    sql: null,
    description: f.description ?? null,
    main_dttm_col: d.main_dttm_col,
    cache_timeout: f.cache_timeout ?? null,
    default_endpoint: f.default_endpoint ?? null,
    offset: f.offset ?? 0,
    filter_select_enabled: f.filter_select_enabled ?? true,
    fetch_values_predicate: f.fetch_values_predicate ?? null,
    is_sqllab_view: f.is_sqllab_view ?? false,
    template_params: f.template_params ?? null,
    normalize_columns: f.normalize_columns ?? false,
    always_filter_main_dttm: f.always_filter_main_dttm ?? false,
    extra: f.extra ?? null,
    is_managed_externally: f.is_managed_externally ?? false,
    owners: d.owners.map((o) => person(state, o)).filter((p) => p !== null),
    kind: 'physical',
    datasource_type: 'table',
    datasource_name: d.table_name,
    name: d.schema ? `${d.schema}.${d.table_name}` : d.table_name,
    uid: `${d.id}__table`,
    created_on: iso(d.created_on),
    changed_on: iso(d.changed_on),
    columns: d.columns.map((c) => ({
      id: c.id,
      uuid: c.uuid,
      column_name: c.column_name,
      type: c.type,
      type_generic: c.type_generic,
      is_dttm: c.is_dttm,
      is_active: c.is_active,
      filterable: c.filterable,
      groupby: c.groupby,
      expression: c.expression,
      description: c.description,
      verbose_name: c.verbose_name,
      python_date_format: null,
      advanced_data_type: null,
      extra: null,
    })),
    metrics: d.metrics.map((m) => ({ id: m.id, uuid: m.uuid, metric_name: m.metric_name, verbose_name: m.verbose_name, metric_type: m.metric_type, expression: m.expression, description: null, d3format: null, currency: null, warning_text: null, extra: null })),
  };
}

function list<Row>(ctx: SimContext, rows: readonly Row[], spec: ListSpec<Row>, item: (row: Row) => object, id: (row: Row) => number): SimAnswer {
  const args = parseListArgs(ctx.query.get('q'));
  if (!args.ok) return args.answer;
  const run = runList(rows, args.value, spec);
  if (!run.ok) return run.answer;
  return { status: 200, body: { count: run.value.count, ids: run.value.rows.map(id), result: run.value.rows.map(item) } };
}

/** PUT fields the simulator does not model (see the simulator's header). */
const PUT_NOT_MODELLED = ['table_name', 'database_id', 'sql', 'catalog', 'schema', 'columns', 'metrics'];

const decodeFailure = (err: SyntaxError) => `Failed to decode JSON object: ${err.message}`;

export function datasetRoutes(): SimRoute[] {
  return [
    {
      method: 'GET',
      pattern: '/api/v1/database/',
      handle: (ctx) => {
        const who = protect(ctx, 'read');
        if (isAnswer(who)) return who;
        return list(ctx, visible(who) ? ctx.state.databases : [], DATABASE_LIST, databaseItem, (d) => d.id);
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/dataset/',
      handle: (ctx) => {
        const who = protect(ctx, 'read');
        if (isAnswer(who)) return who;
        return list(ctx, visible(who) ? ctx.state.datasets : [], DATASET_LIST(ctx.state), (d) => datasetItem(ctx.state, d), (d) => d.id);
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/dataset/<int:pk>',
      handle: (ctx) => {
        const who = protect(ctx, 'read');
        if (isAnswer(who)) return who;
        const d = ctx.state.datasets.find((x) => x.id === Number(ctx.params.pk));
        if (!d || !visible(who)) return NOT_FOUND;
        return { status: 200, body: { id: d.id, result: datasetShow(ctx.state, d) } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/dataset/',
      handle: (ctx) => {
        const who = protect(ctx, 'write');
        if (isAnswer(who)) return who;
        if (!ctx.isJson) return FATAL;
        if (ctx.json instanceof SyntaxError) return fab(400, `400 Bad Request: ${decodeFailure(ctx.json)}`);
        const loaded = loadSchema(DATASET_POST, ctx.json);
        if (!loaded.ok) return fab(400, loaded.errors);
        return ctx.state.createDataset(who, loaded.value);
      },
    },
    {
      method: 'PUT',
      pattern: '/api/v1/dataset/<pk>',
      handle: (ctx) => {
        const who = protect(ctx, 'write');
        if (isAnswer(who)) return who;
        if (!ctx.isJson) return supersetErrors(400, 'Request is not JSON', 'INVALID_PAYLOAD_FORMAT_ERROR');
        if (ctx.json instanceof SyntaxError) return httpException(400, decodeFailure(ctx.json));
        const loaded = loadSchema(DATASET_PUT, ctx.json);
        if (!loaded.ok) return fab(400, loaded.errors);
        const pk = Number(ctx.params.pk);
        if (!Number.isInteger(pk)) return NOT_FOUND;
        const unmodelled = Object.keys(loaded.value).filter((k) => PUT_NOT_MODELLED.includes(k));
        if (unmodelled.length > 0 || ctx.query.has('override_columns')) return fab(501, `The Superset simulator does not update ${[...unmodelled, ...(ctx.query.has('override_columns') ? ['override_columns'] : [])].join(', ')}`);
        return ctx.state.updateDataset(who, pk, loaded.value);
      },
    },
    {
      method: 'PUT',
      pattern: '/api/v1/dataset/<pk>/refresh',
      handle: (ctx) => {
        const who = protect(ctx, 'write');
        if (isAnswer(who)) return who;
        const pk = Number(ctx.params.pk);
        if (!Number.isInteger(pk)) return NOT_FOUND;
        return ctx.state.refreshDataset(who, pk);
      },
    },
  ];
}
