/** Data shared by the tests (not built: see tsconfig.json). */
import type { ConnectionModel, TestResult } from '../types';

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
  credential: { stored: true, version: 1, pending_version: null },
  created: '2026-03-10T11:00:00.000Z',
  created_by: 'workbench',
  updated: '2026-03-10T11:00:00.000Z',
  updated_by: 'workbench',
};

export const TEST_OK: TestResult = {
  ok: true,
  stage: 'ok',
  message: 'Connected to db.internal:5432/odoo as workbench_ro over TLS',
  elapsed_ms: 38,
  server: 'PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
  schemas: [{ name: 'public', exists: true, usage: true }],
};
