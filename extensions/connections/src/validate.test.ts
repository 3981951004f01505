import { ConnectionsError } from './connections-api';
import { CONNECTION as connection, TEST_OK } from './testing/fixtures';
import { readAbilities, readActivatedRotation, readConnection, readConnectionList, readStagedRotation, readTestResult } from './validate';

function invalid(fn: () => unknown): ConnectionsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectionsError);
    expect((err as ConnectionsError).kind).toBe('invalid_response');
    return err as ConnectionsError;
  }
  throw new Error('expected a ConnectionsError');
}

describe('connections', () => {
  it('reads the list and one connection as the server sends them', () => {
    expect(readConnectionList([connection])).toEqual([connection]);
    expect(readConnectionList([])).toEqual([]);
    const ca = { ...connection, settings: { ...connection.settings, ssl: 'verify-full', ca: '-----BEGIN CERTIFICATE-----' } };
    expect(readConnection(ca)).toEqual(ca);
    expect(readConnection({ ...connection, credential: { stored: false, version: null, pending_version: null } }).credential).toEqual({ stored: false, version: null, pending_version: null });
  });

  it('drops keys it does not know (nothing unexpected reaches the screen)', () => {
    expect(readConnection({ ...connection, credential: { ...connection.credential, password: 'x' }, id: 'u1' })).toEqual(connection);
  });

  it('names what is wrong', () => {
    expect(invalid(() => readConnectionList({ connections: [] })).message).toBe('Cannot read the connections: the server answered with unexpected JSON (the answer is not an array)');
    expect(invalid(() => readConnectionList([{ ...connection, kind: 'duckdb' }])).message).toContain('([0].kind is not one of postgres)');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, port: '5432' } })).message).toContain('(the answer.settings.port is not a non-negative integer)');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, ssl: 'prefer' } })).message).toContain('settings.ssl is not one of disable, require, verify-full');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, pool: undefined } })).message).toContain('(the answer.settings.pool is not an object)');
    expect(invalid(() => readConnection({ ...connection, credential: { stored: 'yes', version: 1, pending_version: null } })).message).toContain('(the answer.credential.stored is not true or false)');
    expect(invalid(() => readConnection({ ...connection, created: 'yesterday' })).message).toContain('(the answer.created is not an ISO 8601 time)');
  });
});

describe('test results', () => {
  it('reads a passed and a failed test', () => {
    expect(readTestResult(TEST_OK)).toEqual(TEST_OK);
    const dns = { ok: false, stage: 'dns', message: 'Cannot resolve host no-such-host.invalid: no such host name (DNS)', elapsed_ms: 4 };
    expect(readTestResult(dns)).toEqual(dns);
  });

  it('refuses unknown stages and malformed schema checks', () => {
    expect(invalid(() => readTestResult({ ...TEST_OK, stage: 'ssl' })).message).toContain('(the answer.stage is not one of dns, network, timeout, tls, auth, database, schema, permission, query, ok)');
    expect(invalid(() => readTestResult({ ...TEST_OK, schemas: [{ name: 'public', exists: true }] })).message).toContain('(the answer.schemas[0].usage is not true or false)');
    expect(invalid(() => readTestResult({ ...TEST_OK, elapsed_ms: -1 })).message).toContain('elapsed_ms is not a non-negative integer');
  });
});

describe('rotation', () => {
  it('reads a staged and an activated rotation', () => {
    const staged = { connection: { ...connection, credential: { stored: true, version: 1, pending_version: 2 } }, test: TEST_OK };
    expect(readStagedRotation(staged)).toEqual(staged);
    const active = { connection: { ...connection, credential: { stored: true, version: 2, pending_version: null } }, previous_version: 1, version: 2, test: TEST_OK };
    expect(readActivatedRotation(active)).toEqual(active);
    expect(readActivatedRotation({ ...active, previous_version: null }).previous_version).toBeNull();
    expect(invalid(() => readActivatedRotation({ ...active, version: null })).message).toBe('Cannot read the new credential: the server answered with unexpected JSON (version is not a non-negative integer)');
    expect(invalid(() => readStagedRotation({ connection })).message).toContain('(test is not an object)');
  });
});

describe('abilities', () => {
  it("reads the server's answer for the connections actions", () => {
    const me = (actions: string[] | undefined) => ({ identity: { username: 'a' }, roles: [], permissions: actions === undefined ? {} : { connections: actions } });
    expect(readAbilities(me(['read']))).toEqual({ read: true, test: false, write: false });
    expect(readAbilities(me(['read', 'execute']))).toEqual({ read: true, test: true, write: false });
    expect(readAbilities(me(['read', 'execute', 'write']))).toEqual({ read: true, test: true, write: true });
    expect(readAbilities(me(undefined))).toEqual({ read: false, test: false, write: false });
    expect(invalid(() => readAbilities({ permissions: { connections: 'write' } })).message).toContain('(permissions.connections is not an array)');
  });
});
