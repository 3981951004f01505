/**
 * The part of the add/edit form that depends on the kind: each kind's
 * settings and credential fields, laid out for a side bar (pairs side by
 * side that wrap when narrow; timeouts and retries folded away in a
 * <details>). Which fields a choice hides is form-values.ts
 * `hiddenFields`; the checks are read-form.ts.
 */
import { h, type Child } from '@workbench/lab-common';
import type { FieldSet } from './field-set';
import { SSL_CHOICES } from './format';
import type { FormValues } from './form-values';
import type { ConnectionKind } from './types';

export const REST_AUTH_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'none', label: 'None' },
  { value: 'bearer', label: 'Bearer token' },
  { value: 'basic', label: 'User name and password (Basic)' },
  { value: 'api_key', label: 'API key in a header' },
  { value: 'oauth2_client_credentials', label: 'OAuth2 client credentials' },
];

const TOKEN_AUTH_CHOICES = [
  { value: 'basic', label: 'As HTTP Basic' },
  { value: 'post', label: 'In the form body' },
];

export const SFTP_LOGIN_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'password', label: 'Password' },
  { value: 'private_key', label: 'Private key' },
];

export const SUPERSET_PROVIDER_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'db', label: 'Superset’s own users (db)' },
  { value: 'ldap', label: 'LDAP (ldap)' },
];

export const ODOO_PROTOCOL_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'jsonrpc', label: 'JSON-RPC (/jsonrpc)' },
  { value: 'xmlrpc', label: 'XML-RPC (/xmlrpc/2)' },
];

const NUMERIC = { inputmode: 'numeric' };
const PEM_PLACEHOLDER = '-----BEGIN CERTIFICATE-----';
const PRIVATE_KEY_PLACEHOLDER = '-----BEGIN OPENSSH PRIVATE KEY-----';

function details(summary: string, children: Child[]): HTMLElement {
  return h('details', { className: 'wb-connections-pool' }, [h('summary', {}, [summary]), ...children]);
}

/** What a credential field says under it: where it goes (new), or that it is only for Test (edit). */
function credentialHint(editing: boolean, noun: string, extra = ''): string {
  return editing ? `Only for Test: the ${noun} in use changes by Rotate.${extra}` : `Stored encrypted; never shown again.${extra}`;
}

/** The fields of `kind` in `b`, filled from `v`, as the form's children. */
export function kindFields(kind: ConnectionKind, b: FieldSet, v: FormValues, editing: boolean): HTMLElement[] {
  const val = (f: keyof FormValues) => v[f] ?? '';
  switch (kind) {
    case 'postgres':
      return [
        b.row(b.input('host', 'Host', val('host'), { maxlength: '255', placeholder: 'db.example.com' }), b.input('port', 'Port', val('port'), NUMERIC)),
        b.row(b.input('database', 'Database', val('database'), { maxlength: '63' }), b.input('user', 'User', val('user'), { maxlength: '63' })),
        b.input('password', 'Password', '', { maxlength: '1024' }, editing ? 'Only for Test: the password in use changes by Rotate.' : 'Stored encrypted; never shown again.'),
        b.select('ssl', 'TLS', SSL_CHOICES, val('ssl')),
        b.textarea('ca', 'CA certificate (PEM)', val('ca'), { placeholder: PEM_PLACEHOLDER }, 'Empty: the system’s CAs.'),
        b.input('schemas', 'Schemas', val('schemas'), {}, 'Comma-separated; Test checks each one.'),
        details('Pool and timeouts', [
          b.row(b.input('max', 'Pool size', val('max'), NUMERIC), b.input('connect_timeout_s', 'Connect (s)', val('connect_timeout_s'), NUMERIC)),
          b.row(b.input('idle_timeout_s', 'Idle (s)', val('idle_timeout_s'), NUMERIC), b.input('statement_timeout_s', 'Statement (s)', val('statement_timeout_s'), NUMERIC)),
        ]),
      ];
    case 'duckdb':
      return [
        b.input('path', 'Path', val('path'), { maxlength: '4096', placeholder: '/srv/data/warehouse.duckdb' }, 'Absolute, on the server. Test opens it; nothing creates it.'),
        b.checkbox('read_only', 'Read-only', val('read_only'), 'Shared with other readers; nothing is written. Off: one process at a time may open it.'),
        b.input('schemas', 'Schemas', val('schemas'), {}, 'Comma-separated; Test checks each one exists.'),
        h('p', { className: 'wb-connections-note' }, ['A DuckDB file takes no credential: the server’s own user must be able to read it.']),
      ];
    case 'rest':
      return [
        b.input('base_url', 'Base URL', val('base_url'), { maxlength: '2048', placeholder: 'https://api.example.com/v1', inputmode: 'url' }),
        b.input('health_path', 'Health path', val('health_path'), { maxlength: '2048' }, 'Test sends GET to the base URL with this path.'),
        b.select('auth_type', 'Login', REST_AUTH_CHOICES, val('auth_type')),
        b.input('username', 'User name', val('username'), { maxlength: '255' }),
        b.input('password', 'Password', '', { maxlength: '16384' }, credentialHint(editing, 'password')),
        b.input('token', 'Token', '', { maxlength: '16384' }, credentialHint(editing, 'token')),
        b.input('api_key_header', 'Header', val('api_key_header'), { maxlength: '128' }),
        b.input('api_key', 'API key', '', { maxlength: '16384' }, credentialHint(editing, 'API key')),
        b.input('token_url', 'Token URL', val('token_url'), { maxlength: '2048', placeholder: 'https://login.example.com/oauth2/token', inputmode: 'url' }),
        b.input('client_id', 'Client ID', val('client_id'), { maxlength: '512' }),
        b.input('scopes', 'Scopes', val('scopes'), {}, 'Space-separated; empty: none asked for.'),
        b.select('token_auth', 'Client ID and secret sent', TOKEN_AUTH_CHOICES, val('token_auth')),
        b.input('client_secret', 'Client secret', '', { maxlength: '16384' }, credentialHint(editing, 'client secret')),
        b.textarea('headers', 'Headers', val('headers'), { placeholder: 'Accept: application/json' }, 'One “Name: value” a line, sent with every request. Not secret: everyone who sees the connection sees them.'),
        details('TLS, timeouts and retries', [
          b.textarea('ca', 'CA certificate (PEM)', val('ca'), { placeholder: PEM_PLACEHOLDER }, 'Empty: the system’s CAs.'),
          b.row(b.input('connect_s', 'Connect (s)', val('connect_s'), NUMERIC), b.input('request_s', 'Request (s)', val('request_s'), NUMERIC)),
          b.row(b.input('attempts', 'Attempts', val('attempts'), NUMERIC), b.input('max_retry_after_s', 'Longest Retry-After (s)', val('max_retry_after_s'), NUMERIC)),
          b.row(b.input('base_ms', 'Backoff base (ms)', val('base_ms'), NUMERIC), b.input('cap_ms', 'Backoff cap (ms)', val('cap_ms'), NUMERIC)),
        ]),
      ];
    case 's3':
      return [
        b.input('bucket', 'Bucket', val('bucket'), { maxlength: '63', placeholder: 'finance-exports' }),
        b.input('prefix', 'Prefix', val('prefix'), { maxlength: '1024', placeholder: 'exports/' }, 'The part of the bucket it is for; empty: all of it.'),
        b.input('region', 'Region', val('region'), { maxlength: '64' }),
        b.input('endpoint', 'Endpoint', val('endpoint'), { maxlength: '2048', placeholder: 'https://minio.example.com', inputmode: 'url' }, 'Empty: AWS S3 in the region.'),
        b.checkbox('force_path_style', 'Path-style addressing', val('force_path_style'), 'endpoint/bucket rather than bucket.endpoint; most S3-compatible servers want it.'),
        b.input('access_key_id', 'Access key ID', '', { maxlength: '256' }),
        b.input('secret_access_key', 'Secret access key', '', { maxlength: '1024' }, credentialHint(editing, 'access key', ' Both empty: anonymous access (public buckets).')),
        details('TLS, timeouts and retries', [
          b.textarea('ca', 'CA certificate (PEM)', val('ca'), { placeholder: PEM_PLACEHOLDER }, 'Empty: the system’s CAs.'),
          b.row(b.input('connect_s', 'Connect (s)', val('connect_s'), NUMERIC), b.input('request_s', 'Request (s)', val('request_s'), NUMERIC)),
          b.input('max_attempts', 'Attempts', val('max_attempts'), NUMERIC, 'Tries per call, the first included.'),
        ]),
      ];
    case 'sftp':
      return [
        b.row(b.input('host', 'Host', val('host'), { maxlength: '255', placeholder: 'sftp.example.com' }), b.input('port', 'Port', val('port'), NUMERIC)),
        b.input('username', 'User name', val('username'), { maxlength: '255' }),
        b.input('root', 'Folder', val('root'), { maxlength: '4096' }, 'Absolute, or relative to the login folder.'),
        b.input(
          'host_key_fingerprint',
          'Host key fingerprint',
          val('host_key_fingerprint'),
          { maxlength: '80', placeholder: 'SHA256:…' },
          'Empty: any key is accepted, and Test shows the server’s to pin.',
        ),
        b.select('login', 'Login', SFTP_LOGIN_CHOICES, val('login')),
        b.input('password', 'Password', '', { maxlength: '1024' }, credentialHint(editing, 'credential')),
        b.textarea('private_key', 'Private key', '', { rows: '4', placeholder: PRIVATE_KEY_PLACEHOLDER }, credentialHint(editing, 'credential', ' OpenSSH or PEM.')),
        b.input('passphrase', 'Passphrase', '', { maxlength: '1024' }, 'Only for an encrypted key.'),
        details('Timeouts', [b.input('connect_s', 'Connect (s)', val('connect_s'), NUMERIC, 'Until logged in.')]),
      ];
    case 'superset':
      return [
        b.input('url', 'URL', val('url'), { maxlength: '2048', placeholder: 'https://superset.example.com', inputmode: 'url' }, 'Superset’s root, without /api/v1.'),
        b.input('username', 'User name', val('username'), { maxlength: '255' }),
        b.select('provider', 'Login provider', SUPERSET_PROVIDER_CHOICES, val('provider')),
        b.input('database', 'Superset database', val('database'), { maxlength: '250', placeholder: 'serving' }, 'Its name in Superset (Database Connections), over the serving PostgreSQL; its datasets are published.'),
        b.input('password', 'Password', '', { maxlength: '16384' }, credentialHint(editing, 'password')),
      ];
    case 'odoo':
      return [
        b.input('url', 'URL', val('url'), { maxlength: '2048', placeholder: 'https://erp.example.com', inputmode: 'url' }, 'Odoo’s root, where /jsonrpc and /xmlrpc/2 are.'),
        b.row(b.input('database', 'Database', val('database'), { maxlength: '63', placeholder: 'prod' }), b.input('login', 'User login', val('login'), { maxlength: '255', placeholder: 'workbench@example.com' })),
        b.select('protocol', 'Protocol', ODOO_PROTOCOL_CHOICES, val('protocol')),
        b.input('company_id', 'Company ID', val('company_id'), NUMERIC, 'The company documents are posted in (sent as allowed_company_ids). Empty: the user’s default company.'),
        b.input('api_key', 'API key', '', { maxlength: '1024' }, credentialHint(editing, 'API key', ' An Odoo API key (Preferences › Account Security), or the password.')),
      ];
  }
}
