import { ConnectionsError } from './connections-api';
import { ALL_KINDS, CONNECTION as connection, FINGERPRINT, ODOO, REST, S3, SFTP, SUPERSET, TEST_OK } from './testing/fixtures';
import { readAbilities, readActivatedRotation, readConnection, readConnectionList, readRefusalTest, readStagedRotation, readTestResult } from './validate';

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
    expect(invalid(() => readConnection({ ...connection, kind: 'mysql' })).message).toContain('(the answer.kind is not one of postgres, duckdb, rest, s3, sftp, superset, odoo)');
    expect(invalid(() => readConnectionList([{ ...connection, kind: 7 }])).message).toContain('([0].kind is not a string)');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, port: '5432' } })).message).toContain('(the answer.settings.port is not a non-negative integer)');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, ssl: 'prefer' } })).message).toContain('settings.ssl is not one of disable, require, verify-full');
    expect(invalid(() => readConnection({ ...connection, settings: { ...connection.settings, pool: undefined } })).message).toContain('(the answer.settings.pool is not an object)');
    expect(invalid(() => readConnection({ ...connection, credential: { stored: 'yes', version: 1, pending_version: null } })).message).toContain('(the answer.credential.stored is not true or false)');
    expect(invalid(() => readConnection({ ...connection, created: 'yesterday' })).message).toContain('(the answer.created is not an ISO 8601 time)');
  });
});

describe('a kind this client does not know', () => {
  const future = { ...connection, name: 'lake', kind: 'iceberg', description: 'A newer server’s kind', settings: { catalog: 'https://lake.example', warehouse: 42 } };

  it('keeps the rest of the list, and lists it read-only with what every connection has', () => {
    expect(readConnectionList([connection, future, SUPERSET])).toEqual([
      connection,
      {
        name: 'lake',
        kind: 'unsupported',
        server_kind: 'iceberg',
        description: 'A newer server’s kind',
        credential: connection.credential,
        created: connection.created,
        created_by: connection.created_by,
        updated: connection.updated,
        updated_by: connection.updated_by,
      },
      SUPERSET,
    ]);
  });

  it('still checks what every connection has, and a known kind in full', () => {
    expect(invalid(() => readConnectionList([{ ...future, credential: undefined }])).message).toContain('([0].credential is not an object)');
    expect(invalid(() => readConnectionList([{ ...future, name: null }])).message).toContain('([0].name is not a string)');
    expect(invalid(() => readConnectionList([future, { ...SUPERSET, settings: { ...SUPERSET.settings, provider: 'oauth' } }])).message).toContain('([1].settings.provider is not one of db, ldap)');
  });
});

describe('each kind', () => {
  it('reads every kind as the server sends it', () => {
    expect(readConnectionList(ALL_KINDS)).toEqual(ALL_KINDS);
    const oauth = { ...REST, settings: { ...REST.settings, auth: { type: 'oauth2_client_credentials', token_url: 'https://login.example/token', client_id: 'wb', scopes: ['read', 'write'], token_auth: 'post' }, ca: '-----BEGIN CERTIFICATE-----' } };
    expect(readConnection(oauth)).toEqual(oauth);
    for (const auth of [{ type: 'none' }, { type: 'basic', username: 'alice' }, { type: 'api_key', header: 'X-Key' }]) expect(readConnection({ ...REST, settings: { ...REST.settings, auth } }).settings).toMatchObject({ auth });
    const minio = { ...S3, settings: { ...S3.settings, endpoint: 'http://127.0.0.1:9000', force_path_style: true } };
    expect(readConnection(minio)).toEqual(minio);
    const pinned = { ...SFTP, settings: { ...SFTP.settings, host_key_fingerprint: FINGERPRINT } };
    expect(readConnection(pinned)).toEqual(pinned);
    const ldap = { ...SUPERSET, settings: { ...SUPERSET.settings, provider: 'ldap' } };
    expect(readConnection(ldap)).toEqual(ldap);
    const { company_id: _, ...noCompany } = ODOO.settings as { company_id?: number };
    const xmlrpc = { ...ODOO, settings: { ...noCompany, protocol: 'xmlrpc' } };
    expect(readConnection(xmlrpc)).toEqual(xmlrpc);
    expect(readConnection({ ...ODOO, settings: { ...noCompany, company_id: null } }).settings).not.toHaveProperty('company_id');
  });

  it("reads each kind's settings by its own shape, naming what is wrong", () => {
    expect(invalid(() => readConnection({ ...REST, settings: { ...REST.settings, auth: { type: 'digest' } } })).message).toContain('(the answer.settings.auth.type is not one of none, bearer, basic, api_key, oauth2_client_credentials)');
    expect(invalid(() => readConnection({ ...REST, settings: { ...REST.settings, auth: { type: 'basic' } } })).message).toContain('(the answer.settings.auth.username is not a string)');
    expect(invalid(() => readConnection({ ...REST, settings: { ...REST.settings, headers: { Accept: 1 } } })).message).toContain('(the answer.settings.headers.Accept is not a string)');
    expect(invalid(() => readConnection({ ...S3, settings: { ...S3.settings, bucket: undefined } })).message).toContain('(the answer.settings.bucket is not a string)');
    expect(invalid(() => readConnection({ ...SFTP, settings: { ...SFTP.settings, timeouts: {} } })).message).toContain('(the answer.settings.timeouts.connect_s is not a non-negative integer)');
    expect(invalid(() => readConnection({ ...SUPERSET, settings: { ...SUPERSET.settings, database: undefined } })).message).toContain('(the answer.settings.database is not a string)');
    expect(invalid(() => readConnection({ ...ODOO, settings: { ...ODOO.settings, protocol: 'grpc' } })).message).toContain('(the answer.settings.protocol is not one of jsonrpc, xmlrpc)');
    expect(invalid(() => readConnection({ ...ODOO, settings: { ...ODOO.settings, company_id: '2' } })).message).toContain('(the answer.settings.company_id is not a non-negative integer)');
    expect(invalid(() => readConnection({ ...ODOO, settings: { ...ODOO.settings, login: undefined } })).message).toContain('(the answer.settings.login is not a string)');
    // A PostgreSQL connection's settings are not a DuckDB file's.
    expect(invalid(() => readConnection({ ...connection, kind: 'duckdb' })).message).toContain('(the answer.settings.path is not a string)');
  });
});

describe('test results', () => {
  it('reads a passed and a failed test', () => {
    expect(readTestResult(TEST_OK)).toEqual(TEST_OK);
    const dns = { ok: false, stage: 'dns', message: 'Cannot resolve host no-such-host.invalid: no such host name (DNS)', elapsed_ms: 4 };
    expect(readTestResult(dns)).toEqual(dns);
  });

  it('refuses unknown stages and malformed schema checks', () => {
    expect(invalid(() => readTestResult({ ...TEST_OK, stage: 'ssl' })).message).toContain('(the answer.stage is not one of dns, network, timeout, tls, hostkey, auth, file, database, schema, not_found, permission, query, ok)');
    expect(invalid(() => readTestResult({ ...TEST_OK, schemas: [{ name: 'public', exists: true }] })).message).toContain('(the answer.schemas[0].usage is not true or false)');
    expect(invalid(() => readTestResult({ ...TEST_OK, elapsed_ms: -1 })).message).toContain('elapsed_ms is not a non-negative integer');
  });

  it("reads the new kinds' stages and fields: a REST status, an SFTP host key", () => {
    const notFound = { ok: false, stage: 'not_found', message: 'Cannot find http://127.0.0.1:8080/nope: 404 Not Found (check base_url and health_path)', elapsed_ms: 3, status: 404, server: 'tiny' };
    expect(readTestResult(notFound)).toEqual(notFound);
    const hostkey = { ok: false, stage: 'hostkey', message: 'Cannot trust sftp.bank.example:22: its host key is ...', elapsed_ms: 40, host_key_fingerprint: FINGERPRINT };
    expect(readTestResult(hostkey)).toEqual(hostkey);
    expect(readTestResult({ ok: false, stage: 'file', message: 'Cannot open DuckDB file /x: it does not exist', elapsed_ms: 0 }).stage).toBe('file');
    expect(invalid(() => readTestResult({ ...notFound, status: '404' })).message).toContain('(the answer.status is not a non-negative integer)');
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

describe('a refused activation', () => {
  it("reads the failed test a 409 carries, and nothing from a body without one", () => {
    const test = { ok: false, stage: 'network', message: 'Cannot connect to 127.0.0.1:1: connection refused', elapsed_ms: 2 };
    const body = { message: 'Cannot activate the new credential of connection warehouse: it fails its test, so the credential in use stays: ...', reason: null, code: 'conflict', test };
    expect(readRefusalTest(JSON.stringify(body))).toEqual(test);
    expect(readRefusalTest(JSON.stringify({ ...body, test: undefined }))).toBeUndefined();
    expect(readRefusalTest(JSON.stringify({ ...body, test: { ok: 'no' } }))).toBeUndefined();
    expect(readRefusalTest('<html>')).toBeUndefined();
    expect(readRefusalTest('null')).toBeUndefined();
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
