import { formValues, type FormValues } from './form-values';
import { nameProblem, readCredential, readForm, type FormReading } from './read-form';
import { CONNECTION, FINGERPRINT, ODOO, REST, S3, SFTP, SUPERSET } from './testing/fixtures';
import type { ConnectionKind, ConnectionModel, RestAuth } from './types';

const filled = (over: FormValues = {}): FormValues => ({ ...formValues(), name: 'warehouse', host: '127.0.0.1', database: 'postgres', user: 'postgres', ...over });
const of = (kind: ConnectionKind, over: FormValues): FormValues => ({ ...formValues(kind), name: 'x', ...over });

/** The problems of a reading as "field: message". */
function problems(r: FormReading): string[] {
  if (r.ok) throw new Error(`expected problems, read ${JSON.stringify(r)}`);
  return r.problems.map((p) => `${p.field}: ${p.message}`);
}

function ok(r: FormReading): Extract<FormReading, { ok: true }> {
  if (!r.ok) throw new Error(`expected valid, got ${JSON.stringify(r.problems)}`);
  return r;
}

describe('PostgreSQL', () => {
  it('reads valid values into what the API takes', () => {
    const r = readForm('postgres', filled({ description: '  Warehouse ', schemas: 'public, sales\nfinance', password: ' secret ' }));
    expect(r).toEqual({
      ok: true,
      name: 'warehouse',
      description: 'Warehouse',
      credential: { password: ' secret ' },
      draft: { kind: 'postgres', settings: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', ssl: 'disable', schemas: ['public', 'sales', 'finance'], pool: { max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 } } },
    });
    expect(ok(readForm('postgres', filled())).credential).toBeUndefined();
    // The CA goes only with verify-full.
    expect(ok(readForm('postgres', filled({ ssl: 'require', ca: 'PEM' }))).draft.settings).not.toHaveProperty('ca');
    expect(readForm('postgres', filled({ ssl: 'verify-full', ca: 'PEM' }))).toMatchObject({ ok: true, draft: { settings: { ssl: 'verify-full', ca: 'PEM' } } });
  });

  it("checks names by the server's rule", () => {
    expect(nameProblem('odoo_prod-2')).toBeNull();
    expect(nameProblem('a'.repeat(63))).toBeNull();
    expect(nameProblem('')).toMatch(/^Give the connection a name/);
    for (const bad of ['Odoo', '2nd', 'a b', '_x', 'a'.repeat(64), 'é']) expect(nameProblem(bad)).toMatch(/^The name must be 1-63 lowercase letters/);
  });

  it('names every field that is wrong, in order', () => {
    const r = readForm('postgres', filled({ name: 'Bad Name', host: ' ', port: '70000', user: 'u'.repeat(64), ssl: 'prefer', max: '0', connect_timeout_s: '1.5', idle_timeout_s: '3601', statement_timeout_s: '86401' }));
    expect(problems(r).map((p) => p.split(':')[0])).toEqual(['name', 'host', 'port', 'user', 'ssl', 'max', 'idle_timeout_s', 'statement_timeout_s', 'connect_timeout_s']);
    expect(problems(r)).toContain('port: Port must be a whole number from 1 to 65535.');
    expect(problems(r)).toContain('host: Host is required.');
    expect(problems(r)).toContain('user: User is 64 characters long: at most 63.');
    for (const port of ['0', '-1', '5432.0', 'abc', '']) expect(readForm('postgres', filled({ port })).ok).toBe(false);
    for (const port of ['1', ' 65535 ']) expect(readForm('postgres', filled({ port })).ok).toBe(true);
    expect(readForm('postgres', filled({ schemas: 's'.repeat(64) }))).toMatchObject({ ok: false, problems: [{ field: 'schemas' }] });
    expect(readForm('postgres', filled({ schemas: Array.from({ length: 101 }, (_, i) => `s${i}`).join(',') }))).toMatchObject({ ok: false, problems: [{ field: 'schemas', message: 'At most 100 schemas: 101 given.' }] });
    expect(problems(readForm('postgres', filled({ password: 'p'.repeat(1025) })))).toEqual(['password: The password is longer than 1024 characters.']);
  });
});

describe('DuckDB', () => {
  it('reads a path, read-only or not, and schemas; no credential', () => {
    expect(ok(readForm('duckdb', of('duckdb', { path: ' /srv/data/w.duckdb ' })))).toEqual({ ok: true, name: 'x', description: '', credential: undefined, draft: { kind: 'duckdb', settings: { path: '/srv/data/w.duckdb', read_only: true, schemas: ['main'] } } });
    expect(ok(readForm('duckdb', of('duckdb', { path: '/w.duckdb', read_only: 'false', schemas: 'main, finance' }))).draft.settings).toEqual({ path: '/w.duckdb', read_only: false, schemas: ['main', 'finance'] });
  });

  it('wants an absolute path', () => {
    expect(problems(readForm('duckdb', of('duckdb', { path: '' })))).toEqual(['path: Path is required.']);
    expect(problems(readForm('duckdb', of('duckdb', { path: 'data/w.duckdb' })))).toEqual(['path: The path must be absolute (start with /): where the file is on the server.']);
    expect(problems(readForm('duckdb', of('duckdb', { path: `/${'a'.repeat(4096)}` })))).toEqual(['path: Path is 4097 characters long: at most 4096.']);
    expect(problems(readForm('duckdb', of('duckdb', { path: '/w', schemas: 's'.repeat(256) })))[0]).toMatch(/^schemas: Schema names are at most 255 characters/);
  });
});

describe('REST', () => {
  const base = { base_url: 'https://api.example.com/v1' };
  const rest = (over: FormValues) => readForm('rest', of('rest', { ...base, ...over }));

  it('reads the settings with their defaults, the login and its one secret', () => {
    expect(ok(rest({})).draft.settings).toEqual({
      base_url: 'https://api.example.com/v1',
      auth: { type: 'none' },
      health_path: '/',
      headers: {},
      timeouts: { connect_s: 10, request_s: 30 },
      retry: { attempts: 3, base_ms: 200, cap_ms: 10_000, max_retry_after_s: 60 },
    });
    const cases: [FormValues, RestAuth, object | undefined][] = [
      [{ auth_type: 'bearer', token: 'tok' }, { type: 'bearer' }, { token: 'tok' }],
      [{ auth_type: 'bearer' }, { type: 'bearer' }, undefined],
      [{ auth_type: 'basic', username: 'alice', password: 'pw' }, { type: 'basic', username: 'alice' }, { password: 'pw' }],
      [{ auth_type: 'api_key', api_key_header: 'X-Key', api_key: 'k' }, { type: 'api_key', header: 'X-Key' }, { api_key: 'k' }],
      [{ auth_type: 'api_key', api_key_header: '', api_key: 'k' }, { type: 'api_key', header: 'X-API-Key' }, { api_key: 'k' }],
      [
        { auth_type: 'oauth2_client_credentials', token_url: 'https://login.example/token', client_id: 'wb', scopes: ' read  write\nadmin ', token_auth: 'post', client_secret: 's' },
        { type: 'oauth2_client_credentials', token_url: 'https://login.example/token', client_id: 'wb', scopes: ['read', 'write', 'admin'], token_auth: 'post' },
        { client_secret: 's' },
      ],
    ];
    for (const [over, auth, credential] of cases) {
      const r = ok(rest(over));
      expect(r.draft.settings).toMatchObject({ auth });
      expect(r.credential).toEqual(credential);
    }
    // Only the secret the login takes is read: one typed for another login (hidden) is not sent.
    expect(ok(rest({ auth_type: 'basic', username: 'a', password: 'pw', token: 'left-over' })).credential).toEqual({ password: 'pw' });
    expect(ok(rest({ auth_type: 'none', token: 'left-over' })).credential).toBeUndefined();
  });

  it('reads headers, a CA, timeouts and retries', () => {
    const r = ok(rest({ headers: 'Accept: application/json\n\n X-Tenant :  acme \nX-Empty:', ca: '-----BEGIN CERTIFICATE-----\nMII…\n-----END CERTIFICATE-----', connect_s: '5', request_s: '3600', attempts: '1', base_ms: '60000', cap_ms: '300000', max_retry_after_s: '0' }));
    expect(r.draft.settings).toMatchObject({
      headers: { Accept: 'application/json', 'X-Tenant': 'acme', 'X-Empty': '' },
      ca: '-----BEGIN CERTIFICATE-----\nMII…\n-----END CERTIFICATE-----',
      timeouts: { connect_s: 5, request_s: 3600 },
      retry: { attempts: 1, base_ms: 60_000, cap_ms: 300_000, max_retry_after_s: 0 },
    });
  });

  it('mirrors the server’s rules', () => {
    expect(problems(rest({ base_url: '' }))).toEqual(['base_url: Base URL is required.']);
    expect(problems(rest({ base_url: 'ftp://files.example' }))).toEqual(['base_url: Base URL must be an http:// or https:// URL.']);
    expect(problems(rest({ base_url: 'api.example.com' }))).toEqual(['base_url: Base URL must be an http:// or https:// URL.']);
    expect(problems(rest({ base_url: 'https://bob:pw@api.example.com' }))).toEqual(['base_url: Base URL must not hold a user name or password: they go in the credential.']);
    expect(problems(rest({ health_path: 'https://elsewhere.example/health' }))).toEqual(['health_path: Health path must be a path under the base URL, not a URL.']);
    expect(problems(rest({ auth_type: 'basic', username: 'a:b' }))).toEqual(['username: User name must not contain ":".']);
    expect(problems(rest({ auth_type: 'basic', username: '' }))).toEqual(['username: User name is required.']);
    expect(problems(rest({ auth_type: 'api_key', api_key_header: 'X Key' }))).toEqual(['api_key_header: "X Key" is not an HTTP header name.']);
    expect(problems(rest({ auth_type: 'oauth2_client_credentials', token_url: 'nope', client_id: '', scopes: 'a"b' }))).toEqual([
      'token_url: Token URL must be an http:// or https:// URL.',
      'client_id: Client ID is required.',
      'scopes: "a"b" is not an OAuth2 scope (at most 256 characters, no " or \\).',
    ]);
    expect(problems(rest({ auth_type: 'kerberos' }))).toEqual(['auth_type: Choose how to log in.']);
    expect(problems(rest({ auth_type: 'bearer', token: 't'.repeat(16385) }))).toEqual(['token: The token is longer than 16384 characters.']);
    expect(problems(rest({ headers: 'Accept application/json' }))).toEqual(['headers: Line 1 is not "Name: value" with an HTTP header name.']);
    expect(problems(rest({ headers: 'A: 1\nAuthorization: Bearer x' }))).toEqual(['headers: Authorization cannot be set here: choose the login and store its credential.']);
    expect(problems(rest({ headers: 'A: 1\na: 2' }))).toEqual(['headers: a is given twice.']);
    expect(problems(rest({ ca: 'not a certificate' }))).toEqual(['ca: The CA certificate must be PEM (-----BEGIN CERTIFICATE-----).']);
    expect(problems(rest({ connect_s: '0', request_s: '3601', attempts: '11', base_ms: '0', cap_ms: '300001', max_retry_after_s: '-1' })).map((p) => p.split(':')[0])).toEqual([
      'connect_s',
      'request_s',
      'attempts',
      'base_ms',
      'cap_ms',
      'max_retry_after_s',
    ]);
  });
});

describe('S3', () => {
  const s3 = (over: FormValues) => readForm('s3', of('s3', { bucket: 'finance-exports', ...over }));

  it('reads a bucket with its defaults, an endpoint, and a key pair (or none: anonymous)', () => {
    expect(ok(s3({}))).toMatchObject({
      credential: undefined,
      draft: { kind: 's3', settings: { region: 'us-east-1', bucket: 'finance-exports', prefix: '', force_path_style: false, timeouts: { connect_s: 10, request_s: 60 }, max_attempts: 3 } },
    });
    expect(ok(s3({})).draft.settings).not.toHaveProperty('endpoint');
    const r = ok(s3({ endpoint: 'http://127.0.0.1:9000', force_path_style: 'true', prefix: 'exports/', region: 'eu-west-1', access_key_id: ' AKIA1 ', secret_access_key: ' s3cret ' }));
    expect(r.draft.settings).toMatchObject({ endpoint: 'http://127.0.0.1:9000', force_path_style: true, prefix: 'exports/', region: 'eu-west-1' });
    expect(r.credential).toEqual({ access_key_id: 'AKIA1', secret_access_key: ' s3cret ' });
  });

  it('mirrors the server’s rules', () => {
    for (const bucket of ['ab', 'My_Bucket', '-bucket', 'bucket-', 'b'.repeat(64)]) expect(problems(s3({ bucket }))[0]).toMatch(/^bucket: Bucket (must be 3-63|is 64 characters)/);
    for (const bucket of ['abc', 'finance.exports-2026']) expect(s3({ bucket }).ok).toBe(true);
    expect(problems(s3({ bucket: '' }))).toEqual(['bucket: Bucket is required.']);
    expect(problems(s3({ region: 'US East' }))).toEqual(['region: Region must be a region name like us-east-1.']);
    expect(problems(s3({ endpoint: 'minio:9000' }))).toEqual(['endpoint: Endpoint must be an http:// or https:// URL.']);
    expect(problems(s3({ access_key_id: 'AKIA1' }))).toEqual(['secret_access_key: Give the secret access key too, or neither (anonymous access).']);
    expect(problems(s3({ secret_access_key: 's' }))).toEqual(['access_key_id: Give the access key ID too, or neither (anonymous access).']);
    expect(problems(s3({ max_attempts: '0', prefix: 'p'.repeat(1025) }))).toEqual(['prefix: Prefix is 1025 characters long: at most 1024.', 'max_attempts: Attempts must be a whole number from 1 to 10.']);
  });
});

describe('SFTP', () => {
  const sftp = (over: FormValues) => readForm('sftp', of('sftp', { host: 'sftp.bank.example', username: 'acme', ...over }));

  it('reads a host, a folder, a pinned key, and a password or a private key', () => {
    expect(ok(sftp({ password: 'pw' }))).toMatchObject({
      credential: { password: 'pw' },
      draft: { kind: 'sftp', settings: { host: 'sftp.bank.example', port: 22, username: 'acme', root: '.', timeouts: { connect_s: 10 } } },
    });
    expect(ok(sftp({})).draft.settings).not.toHaveProperty('host_key_fingerprint');
    expect(ok(sftp({})).credential).toBeUndefined();
    // The fingerprint as ssh-keygen prints it, with or without "SHA256:" and the padding.
    for (const typed of [FINGERPRINT, FINGERPRINT.slice(7), `${FINGERPRINT}=`]) expect(ok(sftp({ host_key_fingerprint: ` ${typed} ` })).draft.settings).toMatchObject({ host_key_fingerprint: FINGERPRINT });
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn…\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(ok(sftp({ login: 'private_key', private_key: key, passphrase: 'pp', password: 'hidden' })).credential).toEqual({ private_key: key, passphrase: 'pp' });
    expect(ok(sftp({ login: 'private_key', private_key: key })).credential).toEqual({ private_key: key });
  });

  it('mirrors the server’s rules', () => {
    expect(problems(sftp({ host: '', username: '', port: '0', root: ' ' }))).toEqual(['host: Host is required.', 'port: Port must be a whole number from 1 to 65535.', 'username: User name is required.', 'root: Folder is required.']);
    for (const bad of ['MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', 'SHA256:short', `SHA1:${FINGERPRINT.slice(7)}`])
      expect(problems(sftp({ host_key_fingerprint: bad }))).toEqual(['host_key_fingerprint: Host key must be a SHA256 fingerprint as ssh-keygen -lf prints it: SHA256: and 43 characters.']);
    expect(problems(sftp({ login: 'private_key', passphrase: 'pp' }))).toEqual(['private_key: Paste the private key the passphrase is for.']);
    expect(problems(sftp({ login: 'private_key', private_key: 'k'.repeat(65537) }))).toEqual(['private_key: The private key is longer than 65536 characters.']);
    expect(problems(sftp({ connect_s: '121' }))).toEqual(['connect_s: Connect timeout must be a whole number from 1 to 120.']);
  });
});

describe('Superset', () => {
  const superset = (over: FormValues) => readForm('superset', { ...formValues('superset'), name: 'bi', ...over });

  it('reads the login and the Superset database; the password as typed', () => {
    const r = superset({ url: ' https://bi.example ', username: 'wb', provider: 'ldap', database: 'serving', password: ' pw ' });
    expect(r).toEqual({ ok: true, name: 'bi', description: '', draft: { kind: 'superset', settings: { url: 'https://bi.example', username: 'wb', provider: 'ldap', database: 'serving' } }, credential: { password: ' pw ' } });
  });

  it('names each missing or wrong field, in the form’s order', () => {
    const r = superset({ url: 'bi.example', provider: 'oauth' });
    expect(r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'url: URL must be an http:// or https:// URL.',
      'username: User name is required.',
      'provider: Choose how Superset checks the password.',
      'database: Superset database is required.',
    ]);
  });
});

describe('Odoo', () => {
  const odoo = (over: FormValues) => readForm('odoo', { ...formValues('odoo'), name: 'erp', ...over });

  it('reads where, the database, the login, the protocol and the company; the API key as typed', () => {
    const r = odoo({ url: ' https://erp.example ', database: ' prod ', login: ' wb@acme.example ', protocol: 'xmlrpc', company_id: ' 3 ', api_key: ' k ' });
    expect(r).toEqual({
      ok: true,
      name: 'erp',
      description: '',
      draft: { kind: 'odoo', settings: { url: 'https://erp.example', database: 'prod', login: 'wb@acme.example', protocol: 'xmlrpc', company_id: 3 } },
      credential: { api_key: ' k ' },
    });
    const plain = odoo({ url: 'https://erp.example', database: 'prod', login: 'wb' });
    expect(plain).toMatchObject({ ok: true, draft: { settings: { protocol: 'jsonrpc' } }, credential: undefined });
    expect(plain.ok && plain.draft.settings).not.toHaveProperty('company_id');
  });

  it('names each missing or wrong field, in the form’s order', () => {
    const r = odoo({ url: 'erp.example', database: 'my db', protocol: 'grpc', company_id: 'two' });
    expect(r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'url: URL must be an http:// or https:// URL.',
      'database: Database must be an Odoo database name: letters, digits, _ . and -, starting with a letter or digit.',
      'login: User login is required.',
      'protocol: Choose JSON-RPC or XML-RPC.',
      'company_id: Company ID must be a whole number from 1 to 2147483647.',
    ]);
  });
});

describe('a new credential (rotation)', () => {
  it('reads the one each kind and login takes, and wants it', () => {
    expect(readCredential(CONNECTION, { password: 'next' })).toEqual({ ok: true, credential: { password: 'next' } });
    expect(readCredential(CONNECTION, { password: '' })).toEqual({ ok: false, problems: [{ field: 'password', message: 'Type the new password.' }] });
    expect(readCredential(REST, { token: 't2' })).toEqual({ ok: true, credential: { token: 't2' } });
    expect(readCredential(REST, {})).toEqual({ ok: false, problems: [{ field: 'token', message: 'Type the new token.' }] });
    const basic = { ...REST, settings: { ...REST.settings, auth: { type: 'basic', username: 'a' } } } as ConnectionModel;
    expect(readCredential(basic, { password: 'pw', token: 'ignored' })).toEqual({ ok: true, credential: { password: 'pw' } });
    const none = { ...REST, settings: { ...REST.settings, auth: { type: 'none' } } } as ConnectionModel;
    expect(readCredential(none, { password: 'pw' })).toMatchObject({ ok: false });
    expect(readCredential(S3, { access_key_id: 'AKIA2', secret_access_key: 's2' })).toEqual({ ok: true, credential: { access_key_id: 'AKIA2', secret_access_key: 's2' } });
    expect(readCredential(S3, { access_key_id: 'AKIA2' })).toEqual({ ok: false, problems: [{ field: 'secret_access_key', message: 'Give the secret access key too, or neither (anonymous access).' }] });
    expect(readCredential(S3, {})).toEqual({ ok: false, problems: [{ field: 'access_key_id', message: 'Type the access key ID and its secret access key.' }] });
    expect(readCredential(SFTP, { login: 'password', password: 'pw' })).toEqual({ ok: true, credential: { password: 'pw' } });
    expect(readCredential(SFTP, { login: 'private_key', private_key: 'KEY', passphrase: 'pp' })).toEqual({ ok: true, credential: { private_key: 'KEY', passphrase: 'pp' } });
    expect(readCredential(SFTP, { login: 'private_key' })).toEqual({ ok: false, problems: [{ field: 'private_key', message: 'Paste the new private key.' }] });
    expect(readCredential(SUPERSET, { password: ' pw ' })).toEqual({ ok: true, credential: { password: ' pw ' } });
    expect(readCredential(SUPERSET, {})).toEqual({ ok: false, problems: [{ field: 'password', message: 'Type the new password.' }] });
    expect(readCredential(ODOO, { api_key: ' k2 ' })).toEqual({ ok: true, credential: { api_key: ' k2 ' } });
    expect(readCredential(ODOO, {})).toEqual({ ok: false, problems: [{ field: 'api_key', message: 'Type the new API key (or password).' }] });
  });
});
