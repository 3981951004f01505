/**
 * Test support: fresh, empty metadata databases on both dialects, so a
 * suite can run one body against SQLite and PostgreSQL:
 *
 *     describe.each(STORE_DIALECTS)('%s', (dialect) => {
 *       const databases = testDatabases(dialect);
 *       afterAll(() => databases[Symbol.asyncDispose]());
 *       test('...', async () => {
 *         const store = await openStore(await databases.create());
 *         try { ... } finally { await store[Symbol.asyncDispose](); }
 *       });
 *     });
 *
 * SQLite databases are files in a temporary folder; PostgreSQL databases
 * are created with random names on the local server (PGHOST, PGPORT,
 * PGUSER honoured; default 127.0.0.1:5432 as postgres, trust auth). Dispose
 * drops every database it created (terminating leftover connections) and
 * removes the folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AsyncDisposableLike } from '@workbench/core';
import type { StoreDialect } from './migrations';

export const STORE_DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

export const PG_TEST_SERVER = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};

export interface TestDatabases extends AsyncDisposableLike {
  readonly dialect: StoreDialect;
  /** Options for openStore naming a new, empty database. */
  create(): Promise<{ url?: string; sqlitePath?: string }>;
  /** Databases (PostgreSQL names) or files (SQLite paths) created so far. */
  readonly created: readonly string[];
}

export function testDatabases(dialect: StoreDialect): TestDatabases {
  return dialect === 'postgres' ? new PostgresTestDatabases() : new SqliteTestDatabases();
}

/** A connection to the test server's `postgres` database, for creating, dropping and inspecting. */
export async function connectPgAdmin(): Promise<Client> {
  const client = new Client({ ...PG_TEST_SERVER, database: 'postgres' });
  client.on('error', () => {}); // an admin connection cut by the server fails its next query instead
  await client.connect();
  return client;
}

export function postgresTestUrl(database: string): string {
  const { host, port, user } = PG_TEST_SERVER;
  const u = encodeURIComponent(user);
  return host.startsWith('/')
    ? `postgres://${u}@/${database}?host=${encodeURIComponent(host)}&port=${port}`
    : `postgres://${u}@${host}:${port}/${database}`;
}

class PostgresTestDatabases implements TestDatabases {
  readonly dialect = 'postgres' as const;
  readonly created: string[] = [];

  async create(): Promise<{ url: string }> {
    const name = `wb_store_test_${randomBytes(6).toString('hex')}`;
    const admin = await connectPgAdmin();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    this.created.push(name);
    return { url: postgresTestUrl(name) };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.created.length === 0) return;
    const admin = await connectPgAdmin();
    try {
      for (const name of this.created.splice(0)) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  }
}

class SqliteTestDatabases implements TestDatabases {
  readonly dialect = 'sqlite' as const;
  readonly created: string[] = [];
  private dir: string | undefined;

  async create(): Promise<{ sqlitePath: string }> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'wb-store-test-'));
    const path = join(this.dir, `db${this.created.length}`, 'workbench.db');
    this.created.push(path);
    return { sqlitePath: path };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
