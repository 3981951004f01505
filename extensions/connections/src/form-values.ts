/**
 * The add/edit form's model: its fields per kind (as text, in the form's
 * order), what they start with (the server's defaults for a new
 * connection, a saved connection's settings, never a credential), which
 * are hidden by the choices made (TLS mode, REST login, SFTP login), and
 * the PATCH of an edit. The checks are in read-form.ts. Pure, testable in
 * node.
 */
import type { ConnectionKind, ConnectionModel, ConnectionPatch, ConnectionSettings, PostgresSettings } from './types';

export type CommonField = 'name' | 'description' | 'kind';
export type PostgresField = 'host' | 'port' | 'database' | 'user' | 'password' | 'ssl' | 'ca' | 'schemas' | 'max' | 'idle_timeout_s' | 'statement_timeout_s' | 'connect_timeout_s';
export type DuckDbField = 'path' | 'read_only' | 'schemas';
export type RestField =
  | 'base_url'
  | 'health_path'
  | 'auth_type'
  | 'username'
  | 'password'
  | 'token'
  | 'api_key_header'
  | 'api_key'
  | 'token_url'
  | 'client_id'
  | 'scopes'
  | 'token_auth'
  | 'client_secret'
  | 'headers'
  | 'ca'
  | 'connect_s'
  | 'request_s'
  | 'attempts'
  | 'base_ms'
  | 'cap_ms'
  | 'max_retry_after_s';
export type S3Field = 'bucket' | 'prefix' | 'region' | 'endpoint' | 'force_path_style' | 'access_key_id' | 'secret_access_key' | 'ca' | 'connect_s' | 'request_s' | 'max_attempts';
export type SftpField = 'host' | 'port' | 'username' | 'root' | 'host_key_fingerprint' | 'login' | 'password' | 'private_key' | 'passphrase' | 'connect_s';

export type SupersetField = 'url' | 'username' | 'provider' | 'database' | 'password';
export type OdooField = 'url' | 'database' | 'login' | 'protocol' | 'company_id' | 'api_key';

export type FormField = CommonField | PostgresField | DuckDbField | RestField | S3Field | SftpField | SupersetField | OdooField;

/** The form's inputs as text (a checkbox: "true" or "false"); a field the kind does not have is absent. */
export type FormValues = Partial<Record<FormField, string>>;

/** Each kind's fields after name, description and kind, in the form's order (the order problems are listed in). */
export const KIND_FIELDS: Readonly<Record<ConnectionKind, readonly FormField[]>> = {
  postgres: ['host', 'port', 'database', 'user', 'password', 'ssl', 'ca', 'schemas', 'max', 'idle_timeout_s', 'statement_timeout_s', 'connect_timeout_s'],
  duckdb: ['path', 'read_only', 'schemas'],
  rest: [
    'base_url',
    'health_path',
    'auth_type',
    'username',
    'password',
    'token',
    'api_key_header',
    'api_key',
    'token_url',
    'client_id',
    'scopes',
    'token_auth',
    'client_secret',
    'headers',
    'ca',
    'connect_s',
    'request_s',
    'attempts',
    'base_ms',
    'cap_ms',
    'max_retry_after_s',
  ],
  s3: ['bucket', 'prefix', 'region', 'endpoint', 'force_path_style', 'access_key_id', 'secret_access_key', 'ca', 'connect_s', 'request_s', 'max_attempts'],
  sftp: ['host', 'port', 'username', 'root', 'host_key_fingerprint', 'login', 'password', 'private_key', 'passphrase', 'connect_s'],
  superset: ['url', 'username', 'provider', 'database', 'password'],
  odoo: ['url', 'database', 'login', 'protocol', 'company_id', 'api_key'],
};

/** The credential's fields: never filled in, sent as typed (not trimmed), cleared when the form closes. */
export const SECRET_FIELDS: ReadonlySet<FormField> = new Set<FormField>(['password', 'token', 'api_key', 'client_secret', 'secret_access_key', 'private_key', 'passphrase']);

/** Per kind, the fields that belong to the credential though they are not secret (an S3 access key id, the SFTP login choice; Odoo's `login` is a setting). */
const CREDENTIAL_EXTRAS: Readonly<Partial<Record<ConnectionKind, readonly FormField[]>>> = { s3: ['access_key_id'], sftp: ['login'] };

/** Fields that belong to the credential of some kind though they are not secret. */
export const CREDENTIAL_FIELDS: ReadonlySet<FormField> = new Set<FormField>([...SECRET_FIELDS, ...Object.values(CREDENTIAL_EXTRAS).flat()]);

/** The fields of `kind` that belong to its credential: not kept when the form switches to another kind. */
export function credentialFieldsOf(kind: ConnectionKind): FormField[] {
  return KIND_FIELDS[kind].filter((f) => SECRET_FIELDS.has(f) || (CREDENTIAL_EXTRAS[kind] ?? []).includes(f));
}

/** The server's defaults for a new PostgreSQL connection (host, database and user have none). */
export const DEFAULT_SETTINGS: Readonly<Omit<PostgresSettings, 'host' | 'database' | 'user'>> = {
  port: 5432,
  ssl: 'disable',
  schemas: ['public'],
  pool: { max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 },
};

/** What a new connection of each kind starts with: the server's defaults (kinds/*.ts), as text. */
const DEFAULT_VALUES: Readonly<Record<ConnectionKind, FormValues>> = {
  postgres: {
    host: '',
    port: String(DEFAULT_SETTINGS.port),
    database: '',
    user: '',
    ssl: DEFAULT_SETTINGS.ssl,
    ca: '',
    schemas: DEFAULT_SETTINGS.schemas.join(', '),
    max: String(DEFAULT_SETTINGS.pool.max),
    idle_timeout_s: String(DEFAULT_SETTINGS.pool.idle_timeout_s),
    statement_timeout_s: String(DEFAULT_SETTINGS.pool.statement_timeout_s),
    connect_timeout_s: String(DEFAULT_SETTINGS.pool.connect_timeout_s),
  },
  duckdb: { path: '', read_only: 'true', schemas: 'main' },
  rest: {
    base_url: '',
    health_path: '/',
    auth_type: 'none',
    username: '',
    api_key_header: 'X-API-Key',
    token_url: '',
    client_id: '',
    scopes: '',
    token_auth: 'basic',
    headers: '',
    ca: '',
    connect_s: '10',
    request_s: '30',
    attempts: '3',
    base_ms: '200',
    cap_ms: '10000',
    max_retry_after_s: '60',
  },
  s3: { bucket: '', prefix: '', region: 'us-east-1', endpoint: '', force_path_style: 'false', access_key_id: '', ca: '', connect_s: '10', request_s: '60', max_attempts: '3' },
  sftp: { host: '', port: '22', username: '', root: '.', host_key_fingerprint: '', login: 'password', connect_s: '10' },
  superset: { url: '', username: '', provider: 'db', database: '' },
  odoo: { url: '', database: '', login: '', protocol: 'jsonrpc', company_id: '' },
};

/** REST headers as the form's text: one "Name: value" a line. */
export function headersText(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

/** The saved connection's settings as the form's text. */
function savedValues(c: ConnectionModel): FormValues {
  switch (c.kind) {
    case 'postgres': {
      const s = c.settings;
      return {
        host: s.host,
        port: String(s.port),
        database: s.database,
        user: s.user,
        ssl: s.ssl,
        ca: s.ca ?? '',
        schemas: s.schemas.join(', '),
        max: String(s.pool.max),
        idle_timeout_s: String(s.pool.idle_timeout_s),
        statement_timeout_s: String(s.pool.statement_timeout_s),
        connect_timeout_s: String(s.pool.connect_timeout_s),
      };
    }
    case 'duckdb':
      return { path: c.settings.path, read_only: String(c.settings.read_only), schemas: c.settings.schemas.join(', ') };
    case 'rest': {
      const s = c.settings;
      const a = s.auth;
      return {
        base_url: s.base_url,
        health_path: s.health_path,
        auth_type: a.type,
        ...(a.type === 'basic' && { username: a.username }),
        ...(a.type === 'api_key' && { api_key_header: a.header }),
        ...(a.type === 'oauth2_client_credentials' && { token_url: a.token_url, client_id: a.client_id, scopes: a.scopes.join(' '), token_auth: a.token_auth }),
        headers: headersText(s.headers),
        ca: s.ca ?? '',
        connect_s: String(s.timeouts.connect_s),
        request_s: String(s.timeouts.request_s),
        attempts: String(s.retry.attempts),
        base_ms: String(s.retry.base_ms),
        cap_ms: String(s.retry.cap_ms),
        max_retry_after_s: String(s.retry.max_retry_after_s),
      };
    }
    case 's3': {
      const s = c.settings;
      return {
        bucket: s.bucket,
        prefix: s.prefix,
        region: s.region,
        endpoint: s.endpoint ?? '',
        force_path_style: String(s.force_path_style),
        ca: s.ca ?? '',
        connect_s: String(s.timeouts.connect_s),
        request_s: String(s.timeouts.request_s),
        max_attempts: String(s.max_attempts),
      };
    }
    case 'sftp': {
      const s = c.settings;
      return { host: s.host, port: String(s.port), username: s.username, root: s.root, host_key_fingerprint: s.host_key_fingerprint ?? '', connect_s: String(s.timeouts.connect_s) };
    }
    case 'superset': {
      const s = c.settings;
      return { url: s.url, username: s.username, provider: s.provider, database: s.database };
    }
    case 'odoo': {
      const s = c.settings;
      return { url: s.url, database: s.database, login: s.login, protocol: s.protocol, company_id: s.company_id === undefined ? '' : String(s.company_id) };
    }
  }
}

/**
 * What the form shows: for a new connection of `kind` the server's
 * defaults; for a saved one (whose kind wins) its settings. Never a
 * credential: its fields start empty.
 */
export function formValues(kind: ConnectionKind = 'postgres', connection?: ConnectionModel): FormValues {
  const k = connection?.kind ?? kind;
  const values: FormValues = { name: connection?.name ?? '', description: connection?.description ?? '', kind: k };
  for (const f of KIND_FIELDS[k]) values[f] = SECRET_FIELDS.has(f) ? '' : (DEFAULT_VALUES[k][f] ?? '');
  return { ...values, ...(connection && savedValues(connection)) };
}

/** The fields of `kind` that the choices in `values` make irrelevant: hidden, and not read. */
export function hiddenFields(kind: ConnectionKind, values: FormValues): Set<FormField> {
  switch (kind) {
    case 'postgres':
      return new Set(values.ssl === 'verify-full' ? [] : ['ca']);
    case 'rest': {
      const by: Record<string, FormField[]> = {
        basic: ['username', 'password'],
        bearer: ['token'],
        api_key: ['api_key_header', 'api_key'],
        oauth2_client_credentials: ['token_url', 'client_id', 'scopes', 'token_auth', 'client_secret'],
      };
      const shown = new Set(by[values.auth_type ?? 'none'] ?? []);
      return new Set(Object.values(by).flat().filter((f) => !shown.has(f)));
    }
    case 'sftp':
      return new Set(values.login === 'private_key' ? ['password'] : ['private_key', 'passphrase']);
    default:
      return new Set();
  }
}

/** `v` with its keys sorted at every level and undefined left out, so two settings compare by their JSON. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, canonical(x)]),
  );
}

/** Only what differs from the saved connection, for a PATCH (settings whole, as the server replaces them); null when nothing does. */
export function connectionPatch(saved: ConnectionModel, description: string, settings: ConnectionSettings): ConnectionPatch | null {
  const patch: ConnectionPatch = {};
  if (description !== saved.description) patch.description = description;
  if (JSON.stringify(canonical(settings)) !== JSON.stringify(canonical(saved.settings))) patch.settings = settings;
  return Object.keys(patch).length ? patch : null;
}
