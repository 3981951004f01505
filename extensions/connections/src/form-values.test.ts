import { ALL_KINDS, CONNECTION, DUCKDB, FINGERPRINT, ODOO, REST, S3, SFTP } from './testing/fixtures';
import { connectionPatch, credentialFieldsOf, DEFAULT_SETTINGS, formValues, headersText, hiddenFields, KIND_FIELDS, SECRET_FIELDS } from './form-values';
import { readForm } from './read-form';
import { CONNECTION_KINDS, type ConnectionModel } from './types';

describe('what the form starts with', () => {
  it("starts from the server's defaults, and never with a password", () => {
    const v = formValues();
    expect(v).toMatchObject({ kind: 'postgres', name: '', host: '', port: '5432', ssl: 'disable', schemas: 'public', max: '5', idle_timeout_s: '30', statement_timeout_s: '300', connect_timeout_s: '10', password: '' });
    expect(DEFAULT_SETTINGS.pool).toEqual({ max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 });
    expect(formValues('postgres', CONNECTION)).toMatchObject({ name: 'odoo', host: 'db.internal', ssl: 'require', user: 'workbench_ro', password: '' });
  });

  it("has each kind's fields with the server's defaults", () => {
    for (const kind of CONNECTION_KINDS) expect(Object.keys(formValues(kind)).sort()).toEqual(['name', 'description', 'kind', ...KIND_FIELDS[kind]].filter((f, i, a) => a.indexOf(f) === i).sort());
    expect(formValues('duckdb')).toEqual({ name: '', description: '', kind: 'duckdb', path: '', read_only: 'true', schemas: 'main' });
    expect(formValues('rest')).toMatchObject({ base_url: '', health_path: '/', auth_type: 'none', api_key_header: 'X-API-Key', token_auth: 'basic', scopes: '', headers: '', connect_s: '10', request_s: '30', attempts: '3', base_ms: '200', cap_ms: '10000', max_retry_after_s: '60', token: '' });
    expect(formValues('s3')).toMatchObject({ region: 'us-east-1', prefix: '', endpoint: '', force_path_style: 'false', connect_s: '10', request_s: '60', max_attempts: '3', access_key_id: '', secret_access_key: '' });
    expect(formValues('sftp')).toMatchObject({ port: '22', root: '.', host_key_fingerprint: '', login: 'password', connect_s: '10', password: '', private_key: '', passphrase: '' });
    expect(formValues('odoo')).toEqual({ name: '', description: '', kind: 'odoo', url: '', database: '', login: '', protocol: 'jsonrpc', company_id: '', api_key: '' });
  });

  it("shows a saved connection's settings, its kind winning, and never a credential", () => {
    expect(formValues('postgres', DUCKDB)).toMatchObject({ kind: 'duckdb', name: 'warehouse', path: '/srv/data/warehouse.duckdb', read_only: 'true', schemas: 'main, finance' });
    expect(formValues('rest', REST)).toMatchObject({ base_url: 'https://superset.internal/api/v1', auth_type: 'bearer', health_path: '/health', headers: 'Accept: application/json\nX-Tenant: acme', token: '' });
    const oauth = { ...REST, settings: { ...REST.settings, auth: { type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'wb', scopes: ['a', 'b'], token_auth: 'post' } } } as ConnectionModel;
    expect(formValues('rest', oauth)).toMatchObject({ auth_type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'wb', scopes: 'a b', token_auth: 'post', client_secret: '' });
    expect(formValues('s3', S3)).toMatchObject({ bucket: 'finance-exports', prefix: 'close/2026/', region: 'eu-west-1', endpoint: '', access_key_id: '', secret_access_key: '' });
    expect(formValues('sftp', { ...SFTP, settings: { ...SFTP.settings, host_key_fingerprint: FINGERPRINT } } as ConnectionModel)).toMatchObject({ host: 'sftp.bank.example', username: 'acme', root: '/outgoing/statements', host_key_fingerprint: FINGERPRINT, login: 'password', private_key: '' });
    expect(formValues('postgres', ODOO)).toEqual({ name: 'erp', description: 'Odoo: where vendor bills are posted', kind: 'odoo', url: 'https://erp.internal', database: 'prod', login: 'workbench@acme.example', protocol: 'jsonrpc', company_id: '2', api_key: '' });
    const { company_id: _, ...noCompany } = ODOO.settings as { company_id?: number };
    expect(formValues('odoo', { ...ODOO, settings: { ...noCompany, protocol: 'xmlrpc' } } as ConnectionModel)).toMatchObject({ protocol: 'xmlrpc', company_id: '' });
    for (const c of ALL_KINDS) for (const [f, v] of Object.entries(formValues(c.kind, c))) if (SECRET_FIELDS.has(f as never)) expect(v).toBe('');
  });

  it("knows each kind's credential fields: Odoo's login is a setting, SFTP's login choice is not", () => {
    expect(credentialFieldsOf('odoo')).toEqual(['api_key']);
    expect(credentialFieldsOf('sftp')).toEqual(['login', 'password', 'private_key', 'passphrase']);
    expect(credentialFieldsOf('s3')).toEqual(['access_key_id', 'secret_access_key']);
    expect(credentialFieldsOf('duckdb')).toEqual([]);
  });

  it('reads back into the very settings it was filled from', () => {
    for (const c of ALL_KINDS) {
      const r = readForm(c.kind, formValues(c.kind, c));
      if (!r.ok) throw new Error(`${c.kind}: ${JSON.stringify(r.problems)}`);
      expect(r.draft).toEqual({ kind: c.kind, settings: c.settings });
      expect(connectionPatch(c, r.description, r.draft.settings)).toBeNull();
    }
  });

  it('writes REST headers one a line', () => {
    expect(headersText({})).toBe('');
    expect(headersText({ A: '1', 'X-B': 'two words' })).toBe('A: 1\nX-B: two words');
  });
});

describe('what the choices hide', () => {
  it('shows the CA only for verify-full, the REST login’s own fields, the SFTP password or key', () => {
    expect([...hiddenFields('postgres', { ssl: 'require' })]).toEqual(['ca']);
    expect([...hiddenFields('postgres', { ssl: 'verify-full' })]).toEqual([]);
    const restShown = (auth_type: string) => KIND_FIELDS.rest.filter((f) => !hiddenFields('rest', { auth_type }).has(f));
    expect(restShown('none')).toEqual(['base_url', 'health_path', 'auth_type', 'headers', 'ca', 'connect_s', 'request_s', 'attempts', 'base_ms', 'cap_ms', 'max_retry_after_s']);
    expect(restShown('basic').slice(0, 5)).toEqual(['base_url', 'health_path', 'auth_type', 'username', 'password']);
    expect(restShown('bearer')).toContain('token');
    expect(restShown('api_key').slice(3, 5)).toEqual(['api_key_header', 'api_key']);
    expect(restShown('oauth2_client_credentials').slice(3, 8)).toEqual(['token_url', 'client_id', 'scopes', 'token_auth', 'client_secret']);
    expect([...hiddenFields('sftp', { login: 'password' })]).toEqual(['private_key', 'passphrase']);
    expect([...hiddenFields('sftp', { login: 'private_key' })]).toEqual(['password']);
    expect([...hiddenFields('s3', {})]).toEqual([]);
    expect([...hiddenFields('odoo', { protocol: 'xmlrpc' })]).toEqual([]);
  });
});

describe('the PATCH of an edit', () => {
  it('patches only what changed, the settings whole', () => {
    const same = readForm('postgres', formValues('postgres', CONNECTION));
    if (!same.ok) throw new Error('expected valid');
    expect(connectionPatch(CONNECTION, same.description, same.draft.settings)).toBeNull();
    expect(connectionPatch(CONNECTION, 'new text', same.draft.settings)).toEqual({ description: 'new text' });
    const moved = { ...same.draft.settings, port: 5433 };
    expect(connectionPatch(CONNECTION, same.description, moved)).toEqual({ settings: moved });
  });

  it('compares settings by value, whatever the order of their keys', () => {
    const s = REST.settings as Extract<ConnectionModel, { kind: 'rest' }>['settings'];
    const reordered = { retry: s.retry, timeouts: s.timeouts, headers: { 'X-Tenant': 'acme', Accept: 'application/json' }, health_path: s.health_path, auth: s.auth, base_url: s.base_url };
    expect(connectionPatch(REST, REST.description, reordered)).toBeNull();
    expect(connectionPatch(REST, REST.description, { ...reordered, ca: undefined } as never)).toBeNull();
    expect(connectionPatch(REST, REST.description, { ...reordered, headers: {} })).toEqual({ settings: { ...reordered, headers: {} } });
  });
});
