/**
 * DuckDB connections against real files: opened read-only or not, the
 * schemas checked, and each way a file can fail (missing, a folder, not a
 * database, held by another process, unreadable) said plainly.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { isAppError } from '@workbench/core';
import type { ConnectionManager } from '../connection-manager';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { holdDuckDbFile } from '../testing/duckdb-holder';
import { duckdbSettingsSchema, testDuckDb } from './duckdb';

jest.setTimeout(60_000);

let dir: string;
let warehouse: string;
let managed: TestConnections;
let connections: ConnectionManager;

const settings = (extra: object = {}) => duckdbSettingsSchema.parse({ path: warehouse, schemas: ['main', 'finance'], ...extra });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-conn-duckdb-'));
  warehouse = join(dir, 'warehouse.duckdb');
  const instance = await DuckDBInstance.create(warehouse);
  const conn = await instance.connect();
  await conn.run('create schema finance; create table finance.trial_balance (account varchar, balance decimal(18,2))');
  conn.closeSync();
  instance.closeSync();
  managed = await openTestConnections({ dir });
  ({ connections } = managed);
});

afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('duckdb test', () => {
  it('opens the file read-only or for writing and checks the schemas', async () => {
    const r = await testDuckDb(settings(), undefined);
    expect(r).toMatchObject({ ok: true, stage: 'ok', message: `Opened DuckDB file ${warehouse} read-only`, schemas: [{ name: 'main', exists: true, usage: true }, { name: 'finance', exists: true, usage: true }] });
    expect(r.server).toMatch(/^DuckDB v1\.\d+/);
    expect(await testDuckDb(settings({ read_only: false }), undefined)).toMatchObject({ ok: true, message: `Opened DuckDB file ${warehouse} for reading and writing` });
  });

  it('says exactly what is wrong with the file', async () => {
    const corrupt = join(dir, 'corrupt.duckdb');
    writeFileSync(corrupt, 'this is a CSV export, not a database\n'.repeat(200));
    mkdirSync(join(dir, 'folder.duckdb'));
    const cases: [object, string, RegExp][] = [
      [{ path: join(dir, 'missing.duckdb') }, 'file', /^Cannot open DuckDB file .*missing\.duckdb: it does not exist$/],
      [{ path: join(dir, 'folder.duckdb') }, 'file', /^Cannot open DuckDB file .*folder\.duckdb: it is a folder, not a file$/],
      [{ path: join(warehouse, 'x.duckdb') }, 'file', /^Cannot open DuckDB file .*: a part of the path is not a folder$/],
      [{ path: corrupt }, 'file', /^Cannot open DuckDB file .*corrupt\.duckdb: it is not a DuckDB database, or it is damaged$/],
      [{ schemas: ['main', 'payroll'] }, 'schema', /^Opened DuckDB file .*, but schema "payroll" does not exist in it$/],
    ];
    for (const [s, stage, message] of cases) {
      const r = await testDuckDb(settings(s), undefined);
      expect([s, r.ok, r.stage, r.message]).toEqual([s, false, stage, expect.stringMatching(message)]);
    }
  });

  it('says which process holds the file when another one writes it', async () => {
    await using holder = await holdDuckDbFile(warehouse);
    for (const readOnly of [true, false]) {
      const r = await testDuckDb(settings({ read_only: readOnly }), undefined);
      expect([readOnly, r.stage, r.message]).toEqual([readOnly, 'file', expect.stringMatching(new RegExp(`^Cannot open DuckDB file .*warehouse\\.duckdb: another process holds it \\(.*node.*, PID ${holder.pid}\\); DuckDB lets one process write a file at a time`))]);
    }
  });

  // Root reads every file whatever its mode, so this runs only as another user (CI and the sessions here run as root).
  (process.getuid?.() === 0 ? it.skip : it)('says when the server may not read the file', async () => {
    const locked = join(dir, 'locked.duckdb');
    writeFileSync(locked, '');
    chmodSync(locked, 0o000);
    expect(await testDuckDb(settings({ path: locked }), undefined)).toMatchObject({ stage: 'file', message: `Cannot open DuckDB file ${locked}: the server's user may not read it` });
  });
});

describe('duckdb connections', () => {
  it('saves one without a credential and hands out its settings', async () => {
    const made = await connections.create({ name: 'warehouse', kind: 'duckdb', settings: { path: warehouse, schemas: ['finance'] } }, 'emil');
    expect(made).toMatchObject({ kind: 'duckdb', settings: { path: warehouse, read_only: true, schemas: ['finance'] }, credential: { stored: false, version: null } });
    expect(await connections.test('warehouse')).toMatchObject({ ok: true });
    expect(await connections.duckdb('warehouse')).toEqual({ path: warehouse, read_only: true, schemas: ['finance'] });
    await expect(connections.rest('warehouse')).rejects.toThrow(/Cannot use connection warehouse as REST: it is a duckdb connection/);
  });

  it('refuses a credential, a relative path and unknown settings with a 400', async () => {
    const cases: [object, RegExp][] = [
      [{ name: 'x', kind: 'duckdb', settings: { path: warehouse }, credential: { password: 'p' } }, /^Cannot create connection: credential: duckdb connections take no credential$/],
      [{ name: 'x', kind: 'duckdb', settings: { path: 'warehouse.duckdb' } }, /^Cannot create connection: settings: path: must be an absolute path$/],
      [{ name: 'x', kind: 'duckdb', settings: { path: warehouse, threads: 4 } }, /^Cannot create connection: settings: \(value\): Unrecognized key: "threads"$/],
    ];
    for (const [input, message] of cases) {
      const err = await connections.create(input as never, 'emil').catch((e: unknown) => e);
      expect([input, isAppError(err, 'bad_request') && err.message]).toEqual([input, expect.stringMatching(message)]);
    }
    const rotate = await connections.stageRotation('warehouse', { password: 'p' }, 'emil').catch((e: unknown) => e);
    expect(isAppError(rotate, 'bad_request') && rotate.message).toMatch(/duckdb connections take no credential/);
  });
});
