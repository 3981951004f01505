import { ALL_KINDS, CONNECTION, DUCKDB, FINGERPRINT, ODOO, REST, S3, SFTP, SUPERSET } from './testing/fixtures';
import {
  connectionAddress,
  connectionFacts,
  credentialLabel,
  KIND_CHOICES,
  credentialNoun,
  formatAddress,
  formatElapsed,
  httpStatusLabel,
  kindLabel,
  restAuthLabel,
  rotatable,
  rotationLabel,
  shortServerVersion,
  sortConnections,
  sslLabel,
  stageLabel,
  verdictText,
} from './format';
import type { ConnectionModel, RestAuth } from './types';

const withRestAuth = (auth: RestAuth): ConnectionModel => ({ ...REST, settings: { ...(REST.settings as Extract<ConnectionModel, { kind: 'rest' }>['settings']), auth } }) as ConnectionModel;

describe('the list', () => {
  it('reads addresses, TLS modes and credentials', () => {
    expect(formatAddress(CONNECTION.settings as { host: string; port: number; database: string })).toBe('db.internal:5432/odoo');
    expect(formatAddress({ host: '::1', port: 5433, database: 'x' })).toBe('[::1]:5433/x');
    expect([sslLabel('disable'), sslLabel('require'), sslLabel('verify-full')]).toEqual(['no TLS', 'TLS', 'TLS verified']);
    expect(credentialLabel({ ...CONNECTION, credential: { stored: true, version: 2, pending_version: null } })).toBe('Password v2');
    expect(credentialLabel({ ...CONNECTION, credential: { stored: false, version: null, pending_version: null } })).toBe('No password');
    expect(rotationLabel({ stored: true, version: 1, pending_version: 2 })).toBe('Rotation staged (v2)');
    expect(rotationLabel(CONNECTION.credential)).toBeNull();
    expect(sortConnections([{ ...CONNECTION, name: 'b' }, { ...CONNECTION, name: 'a-2' }, { ...CONNECTION, name: 'a' }]).map((c) => c.name)).toEqual(['a', 'a-2', 'b']);
  });

  it('says where each kind points, in one line', () => {
    expect(ALL_KINDS.map((c) => [kindLabel(c.kind), connectionAddress(c)])).toEqual([
      ['PostgreSQL', 'db.internal:5432/odoo'],
      ['DuckDB', '/srv/data/warehouse.duckdb'],
      ['REST API', 'https://superset.internal/api/v1'],
      ['S3', 's3://finance-exports/close/2026/'],
      ['SFTP', 'acme@sftp.bank.example:/outgoing/statements'],
      ['Superset', 'https://superset.internal'],
      ['Odoo (external API)', 'https://erp.internal'],
    ]);
    expect(KIND_CHOICES.map((c) => c.value)).toEqual(['postgres', 'duckdb', 'rest', 's3', 'sftp', 'superset', 'odoo']);
    expect(KIND_CHOICES.find((c) => c.value === 'odoo')?.label).toBe('Odoo (external API)');
    expect(connectionAddress({ kind: 's3', settings: { ...(S3.settings as Extract<ConnectionModel, { kind: 's3' }>['settings']), prefix: '' } })).toBe('s3://finance-exports/');
    expect(connectionAddress({ kind: 'sftp', settings: { host: '::1', port: 2222, username: 'u', root: '.', timeouts: { connect_s: 10 } } })).toBe('u@[::1]:.');
  });

  it("lists each kind's facts", () => {
    const facts = (c: ConnectionModel) => connectionFacts(c).map((f) => `${f.name}=${f.text}${f.badge ? ' (badge)' : ''}`);
    expect(facts(CONNECTION)).toEqual(['user=as workbench_ro', 'ssl=TLS (badge)']);
    expect(connectionFacts(CONNECTION)[1]!.data).toEqual({ ssl: 'require' });
    expect(facts(DUCKDB)).toEqual(['schema-list=main, finance', 'access=read-only (badge)']);
    expect(facts(REST)).toEqual(['auth=bearer token (badge)']);
    expect(facts(S3)).toEqual(['where=AWS eu-west-1']);
    expect(facts({ ...S3, settings: { ...S3.settings, endpoint: 'http://127.0.0.1:9000', force_path_style: true } } as ConnectionModel)).toEqual(['where=127.0.0.1:9000', 'path-style=path-style (badge)']);
    expect(facts(SFTP)).toEqual(['hostkey-pin=host key not pinned (badge)']);
    const pinned = { ...SFTP, settings: { ...SFTP.settings, port: 2222, host_key_fingerprint: FINGERPRINT } } as ConnectionModel;
    expect(facts(pinned)).toEqual(['port=port 2222', 'hostkey-pin=host key pinned (badge)']);
    expect(connectionFacts(pinned)[1]).toMatchObject({ title: FINGERPRINT, data: { pinned: 'true' } });
    expect(facts(SUPERSET)).toEqual(['user=as workbench', 'superset-database=database serving']);
    expect(facts({ ...SUPERSET, settings: { ...SUPERSET.settings, provider: 'ldap' } } as ConnectionModel)).toEqual(['user=as workbench', 'provider=LDAP (badge)', 'superset-database=database serving']);
    expect(facts(ODOO)).toEqual(['user=as workbench@acme.example', 'odoo-database=database prod', 'company=company 2']);
    expect(facts({ ...ODOO, settings: { url: 'https://erp.internal', database: 'prod', login: 'wb', protocol: 'xmlrpc' } } as ConnectionModel)).toEqual(['user=as wb', 'odoo-database=database prod', 'protocol=XML-RPC (badge)']);
    expect(connectionFacts({ ...ODOO, settings: { ...ODOO.settings, protocol: 'xmlrpc' } } as ConnectionModel)[3]!.data).toEqual({ protocol: 'xmlrpc' });
  });

  it('names the REST login', () => {
    const auths: RestAuth[] = [
      { type: 'none' },
      { type: 'bearer' },
      { type: 'basic', username: 'alice' },
      { type: 'api_key', header: 'X-API-Key' },
      { type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'wb', scopes: [], token_auth: 'basic' },
    ];
    expect(auths.map(restAuthLabel)).toEqual(['no login', 'bearer token', 'basic as alice', 'API key in X-API-Key', 'OAuth2 client wb']);
  });

  it("names each kind's credential, and rotates only what takes one", () => {
    expect(ALL_KINDS.map((c) => credentialLabel(c))).toEqual(['Password v1', null, 'Token v2', 'Access key v1', 'Credential v1', 'Password v1', 'API key v1']);
    const none = { stored: false, version: null, pending_version: null };
    expect(ALL_KINDS.map((c) => credentialLabel({ ...c, credential: none }))).toEqual(['No password', null, 'No token', 'Anonymous', 'No credential', 'No password', 'No API key']);
    expect(ALL_KINDS.map(rotatable)).toEqual([true, false, true, true, true, true, true]);
    expect(['none', 'bearer', 'basic', 'api_key'].map((type) => credentialNoun(withRestAuth({ type, username: 'u', header: 'H' } as RestAuth)))).toEqual([null, 'Token', 'Password', 'API key']);
    expect(credentialNoun(withRestAuth({ type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'wb', scopes: [], token_auth: 'basic' }))).toBe('Client secret');
    expect(rotatable(withRestAuth({ type: 'none' }))).toBe(false);
    // A credential stored before the login became "none" still shows.
    expect(credentialLabel(withRestAuth({ type: 'none' }))).toBe('Credential v2');
    expect(credentialLabel({ ...withRestAuth({ type: 'none' }), credential: none })).toBeNull();
    expect(credentialLabel({ ...withRestAuth({ type: 'api_key', header: 'X-Key' }), credential: none })).toBe('No API key');
  });

  it('words test results', () => {
    expect(verdictText({ ok: true, stage: 'ok' })).toBe('Connected');
    expect(verdictText({ ok: false, stage: 'dns' })).toBe('Failed at DNS');
    expect(stageLabel('auth')).toBe('Login');
    expect([stageLabel('hostkey'), stageLabel('file'), stageLabel('not_found')]).toEqual(['Host key', 'File', 'Not found']);
    expect(verdictText({ ok: false, stage: 'not_found' })).toBe('Failed: not found');
    expect(httpStatusLabel(404)).toBe('HTTP 404');
    expect([formatElapsed(38.4), formatElapsed(1234), formatElapsed(12_600)]).toEqual(['38 ms', '1.2 s', '13 s']);
    expect(shortServerVersion('PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc')).toBe('PostgreSQL 15.8');
    expect(shortServerVersion('PostgreSQL 17beta1 on x86_64')).toBe('PostgreSQL 17beta1');
    expect(shortServerVersion('CockroachDB CCL v23.1')).toBe('CockroachDB CCL v23.1');
    expect(shortServerVersion('DuckDB v1.4.1')).toBe('DuckDB v1.4.1');
    expect(shortServerVersion('nginx/1.25.3')).toBe('nginx/1.25.3');
  });
});
