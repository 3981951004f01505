/** Data shared by the tests (not built: see tsconfig.json), shaped as the server answers. */
import type { LineageGraph, Preview, SearchResult, SourceInfo, TableInfo } from '../types';

const key = (source: string, schema: string, name: string) => JSON.stringify([source, schema, name]);

export const SOURCES: SourceInfo[] = [
  {
    name: 'odoo',
    kind: 'postgres',
    tables: 5,
    last_refresh: {
      id: '9b1e0c2e-1f1e-4c55-9a0e-3c2f6d1d7a10',
      source: 'odoo',
      status: 'ok',
      started: '2026-03-10T11:00:00.000Z',
      finished: '2026-03-10T11:00:01.250Z',
      message: '5 tables: 5 added, 0 changed, 0 removed',
      counts: { tables: 5, columns: 92, added: 5, changed: 0, removed: 0, unchanged: 0 },
      missing_schemas: [],
    },
  },
  { name: 'warehouse', kind: 'warehouse', tables: 0, last_refresh: null },
];

export const SEARCH: SearchResult = {
  query: 'journal',
  hits: [
    { id: `t:${key('odoo', 'public', 'account_journal')}`, kind: 'table', name: 'account_journal', qualified: 'odoo.public.account_journal', score: 0.9, match: 'word', matched: { field: 'name', text: 'journal' } },
    { id: `t:${key('odoo', 'public', 'account_move_line')}`, kind: 'table', name: 'account_move_line', qualified: 'odoo.public.account_move_line', score: 0.5, match: 'description', matched: { field: 'description', text: 'journal' } },
    { id: `c:${JSON.stringify(['odoo', 'public', 'account_move', 'journal_id'])}`, kind: 'column', name: 'journal_id', qualified: 'odoo.public.account_move.journal_id', score: 0.4, match: 'prefix', matched: { field: 'name', text: 'journal' } },
    { id: 'n:close/2026-11.ipynb', kind: 'notebook', name: 'close/2026-11.ipynb', qualified: 'close/2026-11.ipynb', score: 0.2, match: 'fuzzy', matched: { field: 'references', text: `t:${key('odoo', 'public', 'account_journal')}` } },
    { id: 'g:General Ledger', kind: 'glossary', name: 'General Ledger', qualified: 'General Ledger', score: 0.1, match: 'description', matched: { field: 'description', text: 'journal' } },
  ],
};

export const TABLE: TableInfo = {
  source: 'odoo',
  schema: 'public',
  name: 'res_partner',
  qualified: 'odoo.public.res_partner',
  kind: 'table',
  comment: 'Contact',
  description: null,
  owner: 'finance-data',
  row_count: 40,
  size_bytes: 16384,
  first_seen: '2026-03-10T11:00:00.000Z',
  changed: '2026-03-10T11:00:00.000Z',
  refreshed: '2026-03-10T11:00:01.000Z',
  tags: [{ tag: 'gold', state: 'confirmed', confidence: null, reason: null, by: 'alice' }],
  terms: ['Customer'],
  columns: [
    { position: 1, name: 'id', type: 'integer', nullable: false, comment: 'ID', description: null, tags: [] },
    {
      position: 2,
      name: 'email',
      type: 'character varying',
      nullable: true,
      comment: 'Email',
      description: 'Billing contact',
      tags: [{ tag: 'pii:email', state: 'suggested', confidence: 0.97, reason: '40 of 40 sampled values are e-mail addresses', by: 'alice' }],
    },
  ],
};

export const PREVIEW: Preview = {
  columns: [
    { name: 'id', type: 'integer', masked: false },
    { name: 'email', type: 'character varying', masked: true },
  ],
  rows: [
    [1, '••••••'],
    [2, null],
  ],
  mode: 'first',
  limit: 100,
  truncated_cells: 0,
  elapsed_ms: 12,
};

/** account_move_line and res_partner feed partner_balance (a CTAS). */
export const LINEAGE: LineageGraph = {
  nodes: [
    { key: key('odoo', 'public', 'account_move_line'), source: 'odoo', schema: 'public', name: 'account_move_line', qualified: 'odoo.public.account_move_line', in_catalog: true },
    { key: key('odoo', 'public', 'partner_balance'), source: 'odoo', schema: 'public', name: 'partner_balance', qualified: 'odoo.public.partner_balance', in_catalog: false },
    { key: key('odoo', 'public', 'res_partner'), source: 'odoo', schema: 'public', name: 'res_partner', qualified: 'odoo.public.res_partner', in_catalog: true },
  ],
  edges: [
    { from: { key: key('odoo', 'public', 'account_move_line'), column: 'debit' }, to: { key: key('odoo', 'public', 'partner_balance'), column: 'balance' }, transform: 'aggregate', run_id: 'r1' },
    { from: { key: key('odoo', 'public', 'account_move_line'), column: 'credit' }, to: { key: key('odoo', 'public', 'partner_balance'), column: 'balance' }, transform: 'aggregate', run_id: 'r1' },
    { from: { key: key('odoo', 'public', 'res_partner'), column: 'name' }, to: { key: key('odoo', 'public', 'partner_balance'), column: 'partner' }, transform: 'identity', run_id: 'r1' },
    { from: { key: key('odoo', 'public', 'account_move_line'), column: 'parent_state' }, to: { key: key('odoo', 'public', 'partner_balance'), column: '' }, transform: 'indirect', run_id: 'r1' },
  ],
  unparsed_runs: 2,
};
