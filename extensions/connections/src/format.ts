/**
 * How connections and test results read on the panel: each kind's address
 * and facts for its row, the credential's name and version, a test's
 * verdict. Pure, testable in node. The form's values and checks are in
 * form-values.ts and read-form.ts.
 */
import type { ConnectionKind, ConnectionModel, CredentialState, KindSettings, PostgresSettings, RestAuth, SslMode, TestResult, TestStage } from './types';

/** The server's connection NAME pattern. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

const KIND_LABELS: Record<ConnectionKind, string> = { postgres: 'PostgreSQL', duckdb: 'DuckDB', rest: 'REST API', s3: 'S3', sftp: 'SFTP', superset: 'Superset', odoo: 'Odoo (external API)' };

/** The kinds in the order the form offers them. */
export const KIND_CHOICES: readonly { value: ConnectionKind; label: string }[] = [
  { value: 'postgres', label: 'PostgreSQL database' },
  { value: 'duckdb', label: 'DuckDB file' },
  { value: 'rest', label: 'REST API' },
  { value: 's3', label: 'S3 bucket' },
  { value: 'sftp', label: 'SFTP server' },
  { value: 'superset', label: 'Superset (publish target)' },
  { value: 'odoo', label: 'Odoo (external API)' },
];

/** "PostgreSQL", "DuckDB", "REST API", "S3", "SFTP", "Superset", "Odoo (external API)". */
export function kindLabel(kind: ConnectionKind): string {
  return KIND_LABELS[kind];
}

export const SSL_CHOICES: readonly { value: SslMode; label: string }[] = [
  { value: 'disable', label: 'No TLS' },
  { value: 'require', label: 'TLS, any certificate' },
  { value: 'verify-full', label: 'TLS, verify certificate and host' },
];

/** Short labels for the list. */
const SSL_SHORT: Record<SslMode, string> = { disable: 'no TLS', require: 'TLS', 'verify-full': 'TLS verified' };

export function sslLabel(ssl: SslMode): string {
  return SSL_SHORT[ssl];
}

/** A host for an address: IPv6 literals in brackets. */
function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** "host:port/database"; IPv6 literals in brackets. */
export function formatAddress(s: Pick<PostgresSettings, 'host' | 'port' | 'database'>): string {
  return `${hostPart(s.host)}:${s.port}/${s.database}`;
}

/**
 * Where a connection points, one line: PostgreSQL "host:port/database",
 * DuckDB the file's path, REST the base URL, S3 "s3://bucket/prefix",
 * SFTP "user@host:root" (a port other than 22 is a fact beside it),
 * Superset and Odoo their URL.
 */
export function connectionAddress(k: KindSettings): string {
  switch (k.kind) {
    case 'postgres':
      return formatAddress(k.settings);
    case 'duckdb':
      return k.settings.path;
    case 'rest':
      return k.settings.base_url;
    case 's3':
      return `s3://${k.settings.bucket}/${k.settings.prefix}`;
    case 'sftp':
      return `${k.settings.username}@${hostPart(k.settings.host)}:${k.settings.root}`;
    case 'superset':
    case 'odoo':
      return k.settings.url;
  }
}

/** The host (and port) of a URL, or the URL itself when it cannot be read. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** How a REST connection logs in, short: "bearer token", "basic as alice", "API key in X-API-Key". */
export function restAuthLabel(auth: RestAuth): string {
  switch (auth.type) {
    case 'none':
      return 'no login';
    case 'bearer':
      return 'bearer token';
    case 'basic':
      return `basic as ${auth.username}`;
    case 'api_key':
      return `API key in ${auth.header}`;
    case 'oauth2_client_credentials':
      return `OAuth2 client ${auth.client_id}`;
  }
}

/**
 * One fact of a row beside the address: plain text, or a badge; `name`
 * becomes the class `wb-connections-<name>`, `data` its data-* attributes.
 */
export interface ConnectionFact {
  name: string;
  text: string;
  badge: boolean;
  title?: string;
  data?: Record<string, string>;
}

/** What a row shows beside the address, per kind (the credential's badge aside). */
export function connectionFacts(k: KindSettings): ConnectionFact[] {
  switch (k.kind) {
    case 'postgres':
      return [
        { name: 'user', text: `as ${k.settings.user}`, badge: false, title: `User ${k.settings.user}` },
        { name: 'ssl', text: sslLabel(k.settings.ssl), badge: true, data: { ssl: k.settings.ssl } },
      ];
    case 'duckdb':
      return [
        { name: 'schema-list', text: k.settings.schemas.join(', '), badge: false, title: 'Schemas' },
        { name: 'access', text: k.settings.read_only ? 'read-only' : 'read-write', badge: true, data: { access: k.settings.read_only ? 'read-only' : 'read-write' } },
      ];
    case 'rest':
      return [{ name: 'auth', text: restAuthLabel(k.settings.auth), badge: true, data: { auth: k.settings.auth.type } }];
    case 's3': {
      const where = k.settings.endpoint ? hostOf(k.settings.endpoint) : `AWS ${k.settings.region}`;
      return [
        { name: 'where', text: where, badge: false, title: k.settings.endpoint ?? `AWS S3, region ${k.settings.region}` },
        ...(k.settings.force_path_style ? [{ name: 'path-style', text: 'path-style', badge: true }] : []),
      ];
    }
    case 'sftp': {
      const pinned = k.settings.host_key_fingerprint !== undefined;
      return [
        ...(k.settings.port === 22 ? [] : [{ name: 'port', text: `port ${k.settings.port}`, badge: false }]),
        {
          name: 'hostkey-pin',
          text: pinned ? 'host key pinned' : 'host key not pinned',
          badge: true,
          title: pinned ? k.settings.host_key_fingerprint : 'Any host key is accepted: Test shows the server’s, to pin',
          data: { pinned: String(pinned) },
        },
      ];
    }
    case 'superset':
      return [
        { name: 'user', text: `as ${k.settings.username}`, badge: false, title: `User ${k.settings.username}, provider ${k.settings.provider}` },
        ...(k.settings.provider === 'db' ? [] : [{ name: 'provider', text: k.settings.provider.toUpperCase(), badge: true, data: { provider: k.settings.provider } }]),
        { name: 'superset-database', text: `database ${k.settings.database}`, badge: false, title: 'The Superset database whose datasets are published' },
      ];
    case 'odoo': {
      const s = k.settings;
      return [
        { name: 'user', text: `as ${s.login}`, badge: false, title: `User ${s.login}` },
        { name: 'odoo-database', text: `database ${s.database}`, badge: false, title: 'The Odoo database' },
        ...(s.company_id === undefined ? [] : [{ name: 'company', text: `company ${s.company_id}`, badge: false, title: 'Documents are posted in this company (context allowed_company_ids)' }]),
        ...(s.protocol === 'xmlrpc' ? [{ name: 'protocol', text: 'XML-RPC', badge: true, data: { protocol: s.protocol } }] : []),
      ];
    }
  }
}

/**
 * What a kind's credential is called ("Password", "Token", "Access key"),
 * or null when it takes none: DuckDB files, and REST without a login.
 */
export function credentialNoun(k: KindSettings): string | null {
  switch (k.kind) {
    case 'postgres':
      return 'Password';
    case 'duckdb':
      return null;
    case 'rest':
      return { none: null, bearer: 'Token', basic: 'Password', api_key: 'API key', oauth2_client_credentials: 'Client secret' }[k.settings.auth.type];
    case 's3':
      return 'Access key';
    case 'sftp':
      return 'Credential';
    case 'superset':
      return 'Password';
    case 'odoo':
      return 'API key';
  }
}

/** Whether the connection's credential can be rotated (it takes one). */
export function rotatable(k: KindSettings): boolean {
  return credentialNoun(k) !== null;
}

/**
 * "Password v2", "No password", "No API key", "Anonymous" (S3 without a key), or null
 * when the kind takes no credential and none is stored.
 */
export function credentialLabel(connection: KindSettings & { credential: CredentialState }): string | null {
  const c = connection.credential;
  const noun = credentialNoun(connection);
  if (c.stored && c.version !== null) return `${noun ?? 'Credential'} v${c.version}`;
  if (noun === null) return null;
  if (connection.kind === 's3') return 'Anonymous';
  // "API key" keeps its capitals; "Password" does not.
  return `No ${noun.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}`;
}

/** "Rotation staged (v3)", or null when none is. */
export function rotationLabel(c: CredentialState): string | null {
  return c.pending_version === null ? null : `Rotation staged (v${c.pending_version})`;
}

export function sortConnections<C extends Pick<ConnectionModel, 'name'>>(list: readonly C[]): C[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const STAGE_LABELS: Record<TestStage, string> = {
  dns: 'DNS',
  network: 'Network',
  timeout: 'Timeout',
  tls: 'TLS',
  hostkey: 'Host key',
  auth: 'Login',
  file: 'File',
  database: 'Database',
  schema: 'Schema',
  not_found: 'Not found',
  permission: 'Permission',
  query: 'Query',
  ok: 'OK',
};

/** Where a test stopped, as a label ("DNS", "Login"). */
export function stageLabel(stage: TestStage): string {
  return STAGE_LABELS[stage];
}

/** "Connected", "Failed at DNS", "Failed: not found" (a path, bucket or folder). */
export function verdictText(result: Pick<TestResult, 'ok' | 'stage'>): string {
  if (result.ok) return 'Connected';
  return result.stage === 'not_found' ? 'Failed: not found' : `Failed at ${stageLabel(result.stage)}`;
}

/** "38 ms", "1.2 s", "12 s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** "PostgreSQL 16.4" out of `select version()`'s long string (the whole one goes in a tooltip). */
export function shortServerVersion(version: string): string {
  const m = /^(\S+ \d+(?:\.\d+)*(?:\w+)?)/.exec(version.trim());
  return m ? m[1]! : version.trim();
}

/** "HTTP 404", for a REST test's status. */
export function httpStatusLabel(status: number): string {
  return `HTTP ${status}`;
}
