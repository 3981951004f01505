/** Data shared by the tests (not built: see tsconfig.json). */
import type { ConnectionModel, TestResult } from '../types';

const STAMPS = {
  credential: { stored: true, version: 1, pending_version: null },
  created: '2026-03-10T11:00:00.000Z',
  created_by: 'workbench',
  updated: '2026-03-10T11:00:00.000Z',
  updated_by: 'workbench',
} as const;

/** A connection as `GET api/connections` lists it. */
export const CONNECTION: ConnectionModel = {
  name: 'odoo',
  kind: 'postgres',
  description: 'Odoo production (read replica)',
  settings: {
    host: 'db.internal',
    port: 5432,
    database: 'odoo',
    user: 'workbench_ro',
    ssl: 'require',
    schemas: ['public'],
    pool: { max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 },
  },
  ...STAMPS,
  credential: { ...STAMPS.credential },
};

export const DUCKDB: ConnectionModel = {
  name: 'warehouse',
  kind: 'duckdb',
  description: 'The shared warehouse',
  settings: { path: '/srv/data/warehouse.duckdb', read_only: true, schemas: ['main', 'finance'] },
  ...STAMPS,
  credential: { stored: false, version: null, pending_version: null },
};

export const REST: ConnectionModel = {
  name: 'superset',
  kind: 'rest',
  description: '',
  settings: {
    base_url: 'https://superset.internal/api/v1',
    auth: { type: 'bearer' },
    health_path: '/health',
    headers: { Accept: 'application/json', 'X-Tenant': 'acme' },
    timeouts: { connect_s: 10, request_s: 30 },
    retry: { attempts: 3, base_ms: 200, cap_ms: 10_000, max_retry_after_s: 60 },
  },
  ...STAMPS,
  credential: { stored: true, version: 2, pending_version: null },
};

export const S3: ConnectionModel = {
  name: 'exports',
  kind: 's3',
  description: 'Month-end exports',
  settings: { region: 'eu-west-1', bucket: 'finance-exports', prefix: 'close/2026/', force_path_style: false, timeouts: { connect_s: 10, request_s: 60 }, max_attempts: 3 },
  ...STAMPS,
  credential: { ...STAMPS.credential },
};

export const SFTP: ConnectionModel = {
  name: 'bank',
  kind: 'sftp',
  description: 'Bank statements drop',
  settings: { host: 'sftp.bank.example', port: 22, username: 'acme', root: '/outgoing/statements', timeouts: { connect_s: 10 } },
  ...STAMPS,
  credential: { ...STAMPS.credential },
};

export const SUPERSET: ConnectionModel = {
  name: 'bi',
  kind: 'superset',
  description: 'Where the close publishes gold',
  settings: { url: 'https://superset.internal', username: 'workbench', provider: 'db', database: 'serving' },
  ...STAMPS,
  credential: { ...STAMPS.credential },
};

export const ODOO: ConnectionModel = {
  name: 'erp',
  kind: 'odoo',
  description: 'Odoo: where vendor bills are posted',
  settings: { url: 'https://erp.internal', database: 'prod', login: 'workbench@acme.example', protocol: 'jsonrpc', company_id: 2 },
  ...STAMPS,
  credential: { ...STAMPS.credential },
};

/** One of each kind. */
export const ALL_KINDS: readonly ConnectionModel[] = [CONNECTION, DUCKDB, REST, S3, SFTP, SUPERSET, ODOO];

export const TEST_OK: TestResult = {
  ok: true,
  stage: 'ok',
  message: 'Connected to db.internal:5432/odoo as workbench_ro over TLS',
  elapsed_ms: 38,
  server: 'PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
  schemas: [{ name: 'public', exists: true, usage: true }],
};

/** A 32-byte digest in base64 without padding, as `ssh-keygen -lf` prints it after "SHA256:". */
export const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
