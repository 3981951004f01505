/**
 * Connections against a real PostgreSQL of the test's own (password logins,
 * TLS with a self-signed certificate): saved with the credential encrypted
 * and never shown, tested with a precise diagnosis for each way it can
 * fail, rotated while the old credential keeps working until the switch,
 * and pooled.
 */
import { Client as PgClient, type Client } from 'pg';
import { isAppError } from '@workbench/core';
import type { MetadataStore } from '@workbench/store';
import type { SecretStore } from '@workbench/secrets';
import type { ConnectionManager } from './connection-manager';
import { openTestConnections, type TestConnections } from './testing/manager';
import { startPrivatePostgres, type PrivatePostgres } from './testing/private-postgres';

jest.setTimeout(60_000);

const ROLE = 'ledger_reader';
const FIRST = 'first-Password-1';
const SECOND = 'second-Password-2';

let pg: PrivatePostgres;
let admin: Client;
let managed: TestConnections;
let store: MetadataStore;
let secrets: SecretStore;
let connections: ConnectionManager;

const settings = (extra: object = {}) => ({ host: pg.host, port: pg.port, database: 'odoo', user: ROLE, schemas: ['accounting'], ...extra });

beforeAll(async () => {
  pg = await startPrivatePostgres();
  admin = await pg.admin();
  await admin.query(`create role ${ROLE} login password '${FIRST}'`);
  await admin.query('create database odoo');
  const db = new PgClient({ host: pg.host, port: pg.port, user: 'postgres', password: pg.superuserPassword, database: 'odoo' });
  await db.connect();
  await db.query(`create schema accounting; create table accounting.account_move_line (id bigint primary key, balance numeric); grant usage on schema accounting to ${ROLE}; grant select on all tables in schema accounting to ${ROLE}`);
  await db.query('create schema hr'); // no grant to the reader
  await db.end();
  managed = await openTestConnections();
  ({ store, secrets, connections } = managed);
});

afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  await pg?.[Symbol.asyncDispose]();
});

describe('connections', () => {
  it('saves a connection with its credential encrypted; lists and shows it without the credential', async () => {
    const made = await connections.create({ name: 'odoo', kind: 'postgres', description: "Odoo's database", settings: settings(), credential: { password: FIRST } }, 'emil');
    expect(made).toMatchObject({ name: 'odoo', kind: 'postgres', settings: { host: '127.0.0.1', port: pg.port, ssl: 'disable', schemas: ['accounting'], pool: { max: 5 } }, credential: { stored: true, version: 1, pending_version: null }, created_by: 'emil' });
    const everything = JSON.stringify([await connections.list(), await connections.get('odoo')]);
    expect(everything).not.toContain(FIRST);
    // At rest: only ciphertext, in the secrets table, named after the connection.
    const rows = JSON.stringify(await store.db.selectFrom('secrets').selectAll().execute()) + JSON.stringify(await store.db.selectFrom('connections').selectAll().execute());
    expect(rows).not.toContain(FIRST);
    expect(rows).toMatch(/connections\/[0-9a-f-]+\/v1/);
  });

  it('tests it: connected, the server version, and the schemas it may use', async () => {
    const r = await connections.test('odoo');
    expect(r).toMatchObject({ ok: true, stage: 'ok', message: `Connected to 127.0.0.1:${pg.port}/odoo as ${ROLE}`, schemas: [{ name: 'accounting', exists: true, usage: true }] });
    expect(r.server).toMatch(/^PostgreSQL \d+/);
  });

  it('says exactly what failed: host name, port, password, role, database, schema, privilege, TLS', async () => {
    const draft = (s: object, password = FIRST) => connections.testDraft({ kind: 'postgres', settings: settings(s), credential: { password } });
    const cases: [object, string | undefined, string, RegExp][] = [
      [{ host: 'no-such-host.invalid' }, undefined, 'dns', /^Cannot resolve host no-such-host\.invalid: no such host name \(DNS\)$/],
      [{ port: 1 }, undefined, 'network', /^Cannot connect to 127\.0\.0\.1:1: connection refused/],
      [{}, 'wrong-password', 'auth', new RegExp(`^Cannot log in to 127\\.0\\.0\\.1:${pg.port} as ${ROLE}: the password is wrong$`)],
      [{ user: 'nobody_here' }, undefined, 'auth', /^Cannot log in to .* as nobody_here: /],
      [{ database: 'no_such_db' }, undefined, 'database', /^Cannot open database no_such_db on .*: it does not exist$/],
      [{ schemas: ['accounting', 'payroll'] }, undefined, 'schema', /^Connected, but schema "payroll" does not exist in database odoo$/],
      [{ schemas: ['hr'] }, undefined, 'permission', new RegExp(`^Connected, but role ${ROLE} has no USAGE privilege on schema "hr"`)],
      [{ ssl: 'verify-full' }, undefined, 'tls', /^Cannot connect to .* over TLS: the server's certificate is not trusted for 127\.0\.0\.1 \(DEPTH_ZERO_SELF_SIGNED_CERT\); give its CA in settings\.ca/],
    ];
    for (const [s, password, stage, message] of cases) {
      const r = await draft(s, password);
      expect([s, r.ok, r.stage, r.message]).toEqual([s, false, stage, expect.stringMatching(message)]);
    }
    // TLS that works: encrypted without checking, and checked against the server's own certificate.
    expect(await draft({ ssl: 'require' })).toMatchObject({ ok: true, message: expect.stringMatching(/over TLS$/) });
    expect(await draft({ ssl: 'verify-full', ca: pg.certificate })).toMatchObject({ ok: true });
  });

  it('rotates the credential: the old one serves until the switch, a failing new one is never switched to', async () => {
    const pool = await connections.pool('odoo');
    expect((await pool.query('select current_user as u')).rows[0]).toEqual({ u: ROLE });

    // A wrong new password is staged and reported; activating it is refused, the old one stays.
    const bad = await connections.stageRotation('odoo', { password: 'not-the-password' }, 'emil');
    expect(bad.test).toMatchObject({ ok: false, stage: 'auth' });
    expect(bad.connection.credential).toEqual({ stored: true, version: 1, pending_version: 2 });
    const refused = await connections.activateRotation('odoo', 'emil').catch((e: unknown) => e);
    expect(isAppError(refused, 'conflict') && refused.message).toMatch(/fails its test, so the credential in use stays: Cannot log in/);
    // The failed test goes to the client with the refusal (what the screen shows: stage and message).
    expect((refused as { details?: { public?: unknown } }).details?.public).toMatchObject({ test: { ok: false, stage: 'auth' } });
    expect((await connections.cancelRotation('odoo', 'emil')).credential).toEqual({ stored: true, version: 1, pending_version: null });

    // The database administrator changes the password; until the switch, connections already open keep working.
    await admin.query(`alter role ${ROLE} password '${SECOND}'`);
    const staged = await connections.stageRotation('odoo', { password: SECOND }, 'emil');
    expect(staged.test).toMatchObject({ ok: true });
    expect(staged.connection.credential).toEqual({ stored: true, version: 1, pending_version: 3 });
    expect((await pool.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
    const switched = await connections.activateRotation('odoo', 'emil');
    expect(switched).toMatchObject({ previous_version: 1, version: 3, connection: { credential: { stored: true, version: 3, pending_version: null } } });
    // A new pool with the new password; the old secret is gone.
    const next = await connections.pool('odoo');
    expect(next).not.toBe(pool);
    expect((await next.query('select current_user as u')).rows[0]).toEqual({ u: ROLE });
    expect((await secrets.list()).map((s) => s.name).filter((n) => n.startsWith('connections/'))).toEqual([expect.stringMatching(/\/v3$/)]);
    expect(await connections.test('odoo')).toMatchObject({ ok: true });
  });

  it('refuses bad input with a clear 400, a taken name with 409, an unknown one with 404, and writes nothing', async () => {
    const before = JSON.stringify(await connections.list());
    const cases: [object, string, RegExp][] = [
      [{ name: 'Odoo Prod', kind: 'postgres', settings: settings() }, 'bad_request', /the name must be 1-63 lowercase letters/],
      [{ name: 'x', kind: 'oracle', settings: settings() }, 'bad_request', /kind must be one of postgres/],
      [{ name: 'x', kind: 'postgres', settings: { ...settings(), port: 70000 } }, 'bad_request', /settings: port: /],
      [{ name: 'x', kind: 'postgres', settings: { ...settings(), password: 'in the wrong place' } }, 'bad_request', /settings: \(value\): Unrecognized key: "password"/],
      [{ name: 'x', kind: 'postgres', settings: settings(), credential: { password: '' } }, 'bad_request', /credential: password: /],
      [{ name: 'odoo', kind: 'postgres', settings: settings() }, 'conflict', /the name is taken/],
    ];
    for (const [input, code, message] of cases) {
      const err = await connections.create(input as never, 'emil').catch((e: unknown) => e);
      expect([input, isAppError(err) && err.code, (err as Error).message]).toEqual([input, code, expect.stringMatching(message)]);
    }
    expect(await connections.get('nope').catch((e: unknown) => isAppError(e, 'not_found'))).toBe(true);
    expect(JSON.stringify(await connections.list())).toBe(before);
  });

  it('changes settings (the pool is reopened) and deletes a connection with its credential', async () => {
    const pool = await connections.pool('odoo');
    const { before, after } = await connections.update('odoo', { description: 'Odoo (read replica)', settings: settings({ pool: { max: 2 } }) }, 'emil');
    expect([before.kind === 'postgres' && before.settings.pool.max, after.kind === 'postgres' && after.settings.pool.max, after.description]).toEqual([5, 2, 'Odoo (read replica)']);
    expect(await connections.pool('odoo')).not.toBe(pool);
    await connections.delete('odoo');
    expect(await connections.list()).toEqual([]);
    expect((await secrets.list()).filter((s) => s.name.startsWith('connections/'))).toEqual([]);
  });

  it('never shows a password it was given in what a failed test or a refusal says', async () => {
    const wrong = 'Wrong-Pg-Password-314';
    const r = await connections.testDraft({ kind: 'postgres', settings: settings(), credential: { password: wrong } });
    expect(r).toMatchObject({ ok: false, stage: 'auth' });
    expect(JSON.stringify(r)).not.toContain(wrong);
    const refused = await connections.create({ name: 'odoo2', kind: 'postgres', settings: { ...settings(), password: wrong } }, 'emil').catch((e: unknown) => e);
    expect((refused as Error).message).not.toContain(wrong);
  });
});
