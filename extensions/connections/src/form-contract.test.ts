/**
 * The form against the server's own schemas (server/connections
 * kinds/*.ts, zod, strict): its defaults are the server's, what it sends
 * the server takes as is, and what it refuses the server refuses too (at
 * the same field). The schemas are imported here only, in a test: the
 * package itself runs in the browser and does not depend on them.
 */
import {
  duckdbSettingsSchema,
  odooCredentialSchema,
  odooSettingsSchema,
  postgresCredentialSchema,
  postgresSettingsSchema,
  restCredentialSchema,
  restSettingsSchema,
  s3CredentialSchema,
  s3SettingsSchema,
  sftpCredentialSchema,
  sftpSettingsSchema,
  supersetCredentialSchema,
  supersetSettingsSchema,
} from '@workbench/connections';
import { formValues, type FormField, type FormValues } from './form-values';
import { readForm } from './read-form';
import { FINGERPRINT } from './testing/fixtures';
import type { ConnectionKind } from './types';

/** What is used of a zod schema. */
interface Schema {
  parse(v: unknown): unknown;
  safeParse(v: unknown): { success: true } | { success: false; error: { issues: { path: PropertyKey[] }[] } };
}

const SCHEMAS: Record<ConnectionKind, { settings: Schema; credential?: Schema }> = {
  postgres: { settings: postgresSettingsSchema, credential: postgresCredentialSchema },
  duckdb: { settings: duckdbSettingsSchema },
  rest: { settings: restSettingsSchema, credential: restCredentialSchema },
  s3: { settings: s3SettingsSchema, credential: s3CredentialSchema },
  sftp: { settings: sftpSettingsSchema, credential: sftpCredentialSchema },
  superset: { settings: supersetSettingsSchema, credential: supersetCredentialSchema },
  odoo: { settings: odooSettingsSchema, credential: odooCredentialSchema },
};

/** What each kind needs typed (it has no default), as the form's text and as the settings the server takes. */
const REQUIRED: Record<ConnectionKind, { form: FormValues; settings: object }> = {
  postgres: { form: { host: 'db', database: 'd', user: 'u' }, settings: { host: 'db', database: 'd', user: 'u' } },
  duckdb: { form: { path: '/w.duckdb' }, settings: { path: '/w.duckdb' } },
  rest: { form: { base_url: 'https://api.example' }, settings: { base_url: 'https://api.example' } },
  s3: { form: { bucket: 'bkt' }, settings: { bucket: 'bkt' } },
  sftp: { form: { host: 'h', username: 'u' }, settings: { host: 'h', username: 'u' } },
  superset: { form: { url: 'https://bi.example', username: 'u', database: 'serving' }, settings: { url: 'https://bi.example', username: 'u', database: 'serving' } },
  odoo: { form: { url: 'https://erp.example', database: 'prod', login: 'wb@acme.example' }, settings: { url: 'https://erp.example', database: 'prod', login: 'wb@acme.example' } },
};

const KINDS = Object.keys(SCHEMAS) as ConnectionKind[];

function read(kind: ConnectionKind, over: FormValues) {
  return readForm(kind, { ...formValues(kind), name: 'x', ...REQUIRED[kind].form, ...over });
}

describe("the form and the server's schemas", () => {
  it.each(KINDS)("%s: a new connection starts with the server's defaults", (kind) => {
    const r = read(kind, {});
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.draft.settings).toEqual(SCHEMAS[kind].settings.parse(REQUIRED[kind].settings));
  });

  const valid: [ConnectionKind, FormValues][] = [
    ['postgres', { ssl: 'verify-full', ca: '-----BEGIN CERTIFICATE-----', schemas: 'a, b', password: 'pw', max: '100', statement_timeout_s: '86400' }],
    ['duckdb', { read_only: 'false', schemas: 'main, finance' }],
    ['rest', { auth_type: 'bearer', token: 't', headers: 'Accept: application/json', ca: '-----BEGIN CERTIFICATE-----\nx' }],
    ['rest', { auth_type: 'basic', username: 'alice', password: 'pw' }],
    ['rest', { auth_type: 'api_key', api_key: 'k', api_key_header: 'X-Key' }],
    ['rest', { auth_type: 'oauth2_client_credentials', token_url: 'https://l.example/t', client_id: 'c', scopes: 'a b:c', token_auth: 'post', client_secret: 's' }],
    ['s3', { endpoint: 'http://127.0.0.1:9000', force_path_style: 'true', region: 'eu-central-1', prefix: 'x/', access_key_id: 'a', secret_access_key: 's', max_attempts: '10' }],
    ['sftp', { port: '2222', root: '/in', host_key_fingerprint: FINGERPRINT, password: 'pw' }],
    ['sftp', { login: 'private_key', private_key: 'KEY', passphrase: 'pp' }],
    ['superset', { url: 'http://127.0.0.1:8088', provider: 'ldap', username: 'u'.repeat(255), database: 'd'.repeat(250), password: 'p'.repeat(16384) }],
    ['odoo', { url: 'http://127.0.0.1:8069', protocol: 'xmlrpc', company_id: '2147483647', database: 'Acme_2.prod-1', login: 'l'.repeat(255), api_key: 'k'.repeat(1024) }],
    ['odoo', { database: 'd'.repeat(63), company_id: ' 1 ', api_key: ' key ' }],
  ];
  it.each(valid)('%s: what the form sends, the server takes as is (%j)', (kind, over) => {
    const r = read(kind, over);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(SCHEMAS[kind].settings.parse(r.draft.settings)).toEqual(r.draft.settings);
    if (r.credential !== undefined) expect(SCHEMAS[kind].credential!.parse(r.credential)).toEqual(r.credential);
  });

  /** [kind, what is typed, the form's field refusing it, the same in the settings sent, the server's path refusing it] */
  const invalid: [ConnectionKind, FormValues, FormField, object, string][] = [
    ['postgres', { port: '0' }, 'port', { port: 0 }, 'port'],
    ['postgres', { database: 'd'.repeat(64) }, 'database', { database: 'd'.repeat(64) }, 'database'],
    ['duckdb', { path: 'rel/w.duckdb' }, 'path', { path: 'rel/w.duckdb' }, 'path'],
    ['duckdb', { schemas: 's'.repeat(256) }, 'schemas', { schemas: ['s'.repeat(256)] }, 'schemas.0'],
    ['rest', { base_url: 'ftp://x' }, 'base_url', { base_url: 'ftp://x' }, 'base_url'],
    ['rest', { base_url: 'https://u:p@x' }, 'base_url', { base_url: 'https://u:p@x' }, 'base_url'],
    ['rest', { auth_type: 'basic', username: 'a:b' }, 'username', { auth: { type: 'basic', username: 'a:b' } }, 'auth.username'],
    ['rest', { auth_type: 'api_key', api_key_header: 'X Key' }, 'api_key_header', { auth: { type: 'api_key', header: 'X Key' } }, 'auth.header'],
    [
      'rest',
      { auth_type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'c', scopes: 'a"b' },
      'scopes',
      { auth: { type: 'oauth2_client_credentials', token_url: 'https://l/t', client_id: 'c', scopes: ['a"b'] } },
      'auth.scopes.0',
    ],
    ['rest', { headers: 'Cookie: a=b' }, 'headers', { headers: { Cookie: 'a=b' } }, 'headers'],
    ['rest', { ca: 'no pem' }, 'ca', { ca: 'no pem' }, 'ca'],
    ['rest', { max_retry_after_s: '3601' }, 'max_retry_after_s', { retry: { max_retry_after_s: 3601 } }, 'retry.max_retry_after_s'],
    ['s3', { bucket: 'Bad_Bucket' }, 'bucket', { bucket: 'Bad_Bucket' }, 'bucket'],
    ['s3', { region: 'EU' }, 'region', { region: 'EU' }, 'region'],
    ['s3', { endpoint: 'minio:9000' }, 'endpoint', { endpoint: 'minio:9000' }, 'endpoint'],
    ['s3', { request_s: '3601' }, 'request_s', { timeouts: { connect_s: 10, request_s: 3601 } }, 'timeouts.request_s'],
    ['sftp', { host_key_fingerprint: 'SHA256:short' }, 'host_key_fingerprint', { host_key_fingerprint: 'SHA256:short' }, 'host_key_fingerprint'],
    ['sftp', { connect_s: '121' }, 'connect_s', { timeouts: { connect_s: 121 } }, 'timeouts.connect_s'],
    ['superset', { url: 'ftp://bi.example' }, 'url', { url: 'ftp://bi.example' }, 'url'],
    ['superset', { url: 'https://admin:pw@bi.example' }, 'url', { url: 'https://admin:pw@bi.example' }, 'url'],
    ['superset', { url: `https://bi.example/${'p'.repeat(2048)}` }, 'url', { url: `https://bi.example/${'p'.repeat(2048)}` }, 'url'],
    ['superset', { username: 'u'.repeat(256) }, 'username', { username: 'u'.repeat(256) }, 'username'],
    ['superset', { username: ' ' }, 'username', { username: '' }, 'username'],
    ['superset', { provider: 'oauth' }, 'provider', { provider: 'oauth' }, 'provider'],
    ['superset', { database: 'd'.repeat(251) }, 'database', { database: 'd'.repeat(251) }, 'database'],
    ['superset', { database: '' }, 'database', { database: '' }, 'database'],
    ['odoo', { url: 'erp.example' }, 'url', { url: 'erp.example' }, 'url'],
    ['odoo', { url: 'https://admin:pw@erp.example' }, 'url', { url: 'https://admin:pw@erp.example' }, 'url'],
    ['odoo', { database: 'd'.repeat(64) }, 'database', { database: 'd'.repeat(64) }, 'database'],
    ['odoo', { database: '-prod' }, 'database', { database: '-prod' }, 'database'],
    ['odoo', { database: 'my db' }, 'database', { database: 'my db' }, 'database'],
    ['odoo', { login: 'l'.repeat(256) }, 'login', { login: 'l'.repeat(256) }, 'login'],
    ['odoo', { login: ' ' }, 'login', { login: '' }, 'login'],
    ['odoo', { protocol: 'grpc' }, 'protocol', { protocol: 'grpc' }, 'protocol'],
    ['odoo', { company_id: '0' }, 'company_id', { company_id: 0 }, 'company_id'],
    ['odoo', { company_id: '2147483648' }, 'company_id', { company_id: 2147483648 }, 'company_id'],
    ['odoo', { company_id: '1.5' }, 'company_id', { company_id: 1.5 }, 'company_id'],
  ];
  it.each(invalid)('%s: %j is refused by both', (kind, over, field, sent, path) => {
    const r = read(kind, over);
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual([field]);
    const parsed = SCHEMAS[kind].settings.safeParse({ ...REQUIRED[kind].settings, ...sent });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.map(String).join('.'))).toEqual([path]);
  });
});
