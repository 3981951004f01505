/**
 * Test support: a fresh, empty PostgreSQL database with a random name on
 * the local server (PGHOST, PGPORT, PGUSER honoured; default
 * 127.0.0.1:5432 as postgres, trust auth), dropped on dispose with any
 * connection still open to it.
 */
import { randomBytes } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

export const PG_TEST_SERVER = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};

export interface TestDatabase {
  readonly name: string;
  readonly config: ClientConfig;
  readonly url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ ...PG_TEST_SERVER, database: 'postgres' });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(prefix = 'wb_odoo_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  let dropped = false;
  return {
    name,
    config: { ...PG_TEST_SERVER, database: name },
    url: `postgres://${encodeURIComponent(PG_TEST_SERVER.user)}@${PG_TEST_SERVER.host}:${PG_TEST_SERVER.port}/${name}`,
    async [Symbol.asyncDispose]() {
      if (dropped) return;
      dropped = true;
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
