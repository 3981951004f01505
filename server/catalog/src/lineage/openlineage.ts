/**
 * One statement's lineage as an OpenLineage RunEvent (COMPLETE): the tables
 * it read as inputs, the table it wrote as the output, with the
 * columnLineage dataset facet (per output column: its input fields and
 * DIRECT transformations; on `dataset`: the INDIRECT ones: join, filter,
 * group by, sort, window), and the sql job facet.
 *
 * Spec: https://openlineage.io/spec/2-0-2/OpenLineage.json (RunEvent),
 * facets/1-2-0/ColumnLineageDatasetFacet.json, facets/1-1-0/SQLJobFacet.json.
 * Dataset names are the table's parts joined with '.', within `namespace`
 * (e.g. postgres://host:5432/odoo + public.res_partner). Sources whose
 * table is unknown (ambiguous) and `*` columns are left out: OpenLineage
 * has no way to say "one of these".
 */
import { AppError } from '@workbench/core';
import type { IndirectUse, LineageDialect, StatementLineage, TableRef, Transform } from './types';
import { UNRESOLVED_TABLE } from './types';

export const RUN_EVENT_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
export const COLUMN_LINEAGE_FACET_SCHEMA_URL = 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet';
export const SQL_JOB_FACET_SCHEMA_URL = 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet';

export interface OpenLineageTransformation {
  type: 'DIRECT' | 'INDIRECT';
  subtype: 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION' | 'JOIN' | 'FILTER' | 'GROUP_BY' | 'SORT' | 'WINDOW';
  description?: string;
}

export interface OpenLineageInputField {
  namespace: string;
  name: string;
  field: string;
  transformations: OpenLineageTransformation[];
}

interface BaseFacet {
  _producer: string;
  _schemaURL: string;
}

export interface ColumnLineageFacet extends BaseFacet {
  fields: Record<string, { inputFields: OpenLineageInputField[] }>;
  dataset: OpenLineageInputField[];
}

export interface SqlJobFacet extends BaseFacet {
  query: string;
  dialect?: string;
}

export interface OpenLineageRunEvent {
  eventType: 'COMPLETE';
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string };
  job: { namespace: string; name: string; facets: { sql: SqlJobFacet } };
  inputs: { namespace: string; name: string }[];
  outputs: { namespace: string; name: string; facets: { columnLineage: ColumnLineageFacet } }[];
}

export interface OpenLineageEventInput {
  statement: StatementLineage;
  /** Namespace of the datasets, e.g. 'postgres://host:5432/odoo' or 'duckdb://warehouse'. */
  namespace: string;
  job: { namespace: string; name: string };
  /** A UUID. */
  runId: string;
  /** ISO 8601 date-time. */
  eventTime: string;
  /** URI of the producer. */
  producer: string;
  /** The sql facet's dialect; by default told from the namespace's scheme. */
  dialect?: LineageDialect;
}

const DIRECT: Record<Transform, OpenLineageTransformation> = {
  identity: { type: 'DIRECT', subtype: 'IDENTITY' },
  expression: { type: 'DIRECT', subtype: 'TRANSFORMATION' },
  aggregate: { type: 'DIRECT', subtype: 'AGGREGATION' },
  window: { type: 'DIRECT', subtype: 'TRANSFORMATION', description: 'window function' },
  filter: { type: 'INDIRECT', subtype: 'FILTER' },
  join: { type: 'INDIRECT', subtype: 'JOIN' },
};

const INDIRECT: Record<IndirectUse, OpenLineageTransformation> = {
  join: { type: 'INDIRECT', subtype: 'JOIN' },
  filter: { type: 'INDIRECT', subtype: 'FILTER' },
  group_by: { type: 'INDIRECT', subtype: 'GROUP_BY' },
  sort: { type: 'INDIRECT', subtype: 'SORT' },
  window: { type: 'INDIRECT', subtype: 'WINDOW' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The dataset name of a table: its parts joined with '.'. */
export const datasetName = (t: TableRef): string => [t.catalog, t.schema, t.name].filter((p) => p !== undefined && p !== '').join('.');

export function openLineageEvent(input: OpenLineageEventInput): OpenLineageRunEvent {
  const { statement: st, namespace, producer } = input;
  if (!UUID.test(input.runId)) throw new AppError('bad_request', 'Cannot build the OpenLineage event: runId is not a UUID');
  if (Number.isNaN(Date.parse(input.eventTime))) throw new AppError('bad_request', 'Cannot build the OpenLineage event: eventTime is not a date-time');

  const inputs = new Map<string, { namespace: string; name: string }>();
  const use = (t: TableRef) => {
    const name = datasetName(t);
    if (!inputs.has(name)) inputs.set(name, { namespace, name });
    return name;
  };
  st.reads.forEach(use);
  const known = (t: TableRef, column: string) => t.name !== UNRESOLVED_TABLE && column !== '*';

  const fields: ColumnLineageFacet['fields'] = {};
  for (const c of st.columns) {
    if (c.target === '*') continue;
    const inputFields = c.sources
      .filter((s) => !s.ambiguous && known(s.ref.table, s.ref.column))
      .map((s) => ({ namespace, name: use(s.ref.table), field: s.ref.column, transformations: [DIRECT[s.transform]] }));
    fields[c.target] = { inputFields };
  }
  const dataset = (st.indirectUses ?? st.indirect.map((ref) => ({ ref, uses: [] as IndirectUse[], ambiguous: undefined })))
    .filter((i) => !i.ambiguous && known(i.ref.table, i.ref.column))
    .map((i) => ({ namespace, name: use(i.ref.table), field: i.ref.column, transformations: i.uses.map((u) => INDIRECT[u]) }));

  const scheme = /^([a-z]+):\/\//.exec(namespace)?.[1];
  const dialect = input.dialect ?? (scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : scheme === 'duckdb' ? 'duckdb' : undefined);
  const facet = (schemaURL: string): BaseFacet => ({ _producer: producer, _schemaURL: schemaURL });

  return {
    eventType: 'COMPLETE',
    eventTime: input.eventTime,
    producer,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId: input.runId },
    job: { namespace: input.job.namespace, name: input.job.name, facets: { sql: { ...facet(SQL_JOB_FACET_SCHEMA_URL), query: st.sql, ...(dialect ? { dialect } : {}) } } },
    inputs: [...inputs.values()],
    outputs: st.target ? [{ namespace, name: datasetName(st.target), facets: { columnLineage: { ...facet(COLUMN_LINEAGE_FACET_SCHEMA_URL), fields, dataset } } }] : [],
  };
}
