/**
 * The checks the form applies before anything is sent, per kind, and the
 * form read into what the API takes. They mirror the server's zod schemas
 * (`server/connections/src/kinds/*.ts`: lengths, ranges, patterns, which
 * credential fits which login) so most mistakes are named at once, beside
 * their field; the server checks again and its 400 message is shown as is.
 * Text is trimmed; a credential is sent as typed. Pure, testable in node.
 */
import { NAME_PATTERN } from './format';
import { hiddenFields, KIND_FIELDS, type FormField, type FormValues } from './form-values';
import type {
  ConnectionCredential,
  ConnectionKind,
  DuckDbSettings,
  KindSettings,
  OdooCredential,
  OdooProtocol,
  OdooSettings,
  PostgresSettings,
  RestAuth,
  RestAuthType,
  RestCredential,
  RestSettings,
  S3Credential,
  S3Settings,
  SftpCredential,
  SftpSettings,
  SslMode,
  SupersetCredential,
  SupersetProvider,
  SupersetSettings,
} from './types';

export interface FormProblem {
  field: FormField;
  message: string;
}

export type FormReading =
  | { ok: true; name: string; description: string; draft: KindSettings; credential: ConnectionCredential | undefined }
  | { ok: false; problems: FormProblem[] };

/** Why `name` cannot name a connection, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Give the connection a name, e.g. "odoo".';
  if (!NAME_PATTERN.test(name)) return 'The name must be 1-63 lowercase letters, digits, _ or -, starting with a letter.';
  return null;
}

const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-full'];
const SUPERSET_PROVIDERS: readonly SupersetProvider[] = ['db', 'ldap'];
const ODOO_PROTOCOLS: readonly OdooProtocol[] = ['jsonrpc', 'xmlrpc'];
/** Odoo's database names (kinds/odoo.ts). */
const ODOO_DATABASE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const AUTH_TYPES: readonly RestAuthType[] = ['none', 'bearer', 'basic', 'api_key', 'oauth2_client_credentials'];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const REGION = /^[a-z0-9-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const FINGERPRINT = /^(?:SHA256:)?([A-Za-z0-9+/]{43})=?$/;

/** Collects the problems of one reading, in the order the fields are checked. */
class Checker {
  readonly problems: FormProblem[] = [];
  constructor(private readonly values: FormValues) {}

  raw(field: FormField): string {
    return this.values[field] ?? '';
  }
  problem(field: FormField, message: string): void {
    this.problems.push({ field, message });
  }
  /** Trimmed; `required` says so when empty. */
  text(field: FormField, label: string, max: number, required = true): string {
    const v = this.raw(field).trim();
    if (v === '' && required) this.problem(field, `${label} is required.`);
    else if (v.length > max) this.problem(field, `${label} is ${v.length} characters long: at most ${max}.`);
    return v;
  }
  whole(field: FormField, label: string, min: number, max: number): number {
    const t = this.raw(field).trim();
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!(n >= min && n <= max)) {
      this.problem(field, `${label} must be a whole number from ${min} to ${max}.`);
      return min;
    }
    return n;
  }
  flag(field: FormField): boolean {
    return this.raw(field) === 'true';
  }
  /** Comma, space or newline separated names, each 1-`max` characters, at most 100. */
  schemas(field: FormField, max: number): string[] {
    const schemas = this.raw(field)
      .split(/[\s,]+/)
      .filter((s) => s !== '');
    const long = schemas.find((s) => s.length > max);
    if (long !== undefined) this.problem(field, `Schema names are at most ${max} characters: "${long.slice(0, 20)}…" is longer.`);
    else if (schemas.length > 100) this.problem(field, `At most 100 schemas: ${schemas.length} given.`);
    return schemas;
  }
  /** An http:// or https:// URL without a user name or password (schema-parts.ts `httpUrl`). */
  url(field: FormField, label: string, required = true): string {
    const v = this.text(field, label, 2048, required);
    if (v === '' || v.length > 2048) return v;
    let url: URL | null = null;
    try {
      url = new URL(v);
    } catch {
      // not a URL
    }
    if (!url || !/^https?:$/.test(url.protocol)) this.problem(field, `${label} must be an http:// or https:// URL.`);
    else if (url.username !== '' || url.password !== '') this.problem(field, `${label} must not hold a user name or password: they go in the credential.`);
    return v;
  }
  /** PEM certificates, optional (schema-parts.ts `pemCertificates`). */
  pem(field: FormField): string | undefined {
    const v = this.raw(field).trim();
    if (v === '') return undefined;
    if (v.length > 65536) this.problem(field, 'The CA certificate is longer than 64 KiB.');
    else if (!v.includes('-----BEGIN CERTIFICATE-----')) this.problem(field, 'The CA certificate must be PEM (-----BEGIN CERTIFICATE-----).');
    return v;
  }
  /** A credential field, as typed; undefined when empty. */
  secret(field: FormField, label: string, max: number): string | undefined {
    const v = this.raw(field);
    if (v.length > max) this.problem(field, `The ${label} is longer than ${max} characters.`);
    return v === '' ? undefined : v;
  }
  oneOf<T extends string>(field: FormField, allowed: readonly T[], message: string): T {
    const v = allowed.find((a) => a === this.raw(field));
    if (v === undefined) this.problem(field, message);
    return v ?? allowed[0]!;
  }
}

function postgres(c: Checker): { settings: PostgresSettings; credential: ConnectionCredential | undefined } {
  const host = c.text('host', 'Host', 255);
  const port = c.whole('port', 'Port', 1, 65535);
  const database = c.text('database', 'Database', 63);
  const user = c.text('user', 'User', 63);
  const password = c.secret('password', 'password', 1024);
  const ssl = c.oneOf('ssl', SSL_MODES, 'Choose a TLS mode.');
  const ca = c.raw('ca').trim();
  if (ca.length > 65536) c.problem('ca', 'The CA certificate is longer than 64 KiB.');
  const schemas = c.schemas('schemas', 63);
  const max = c.whole('max', 'Pool size', 1, 100);
  const idle = c.whole('idle_timeout_s', 'Idle timeout', 1, 3600);
  const statement = c.whole('statement_timeout_s', 'Statement timeout', 1, 86400);
  const connect = c.whole('connect_timeout_s', 'Connect timeout', 1, 120);
  return {
    settings: {
      host,
      port,
      database,
      user,
      ssl,
      ...(ssl === 'verify-full' && ca !== '' && { ca }),
      schemas,
      pool: { max, idle_timeout_s: idle, statement_timeout_s: statement, connect_timeout_s: connect },
    },
    credential: password === undefined ? undefined : { password },
  };
}

function duckdb(c: Checker): { settings: DuckDbSettings; credential: undefined } {
  const path = c.text('path', 'Path', 4096);
  // The server runs on Linux: node's isAbsolute there is "starts with /".
  if (path !== '' && path.length <= 4096 && !path.startsWith('/')) c.problem('path', 'The path must be absolute (start with /): where the file is on the server.');
  return { settings: { path, read_only: c.flag('read_only'), schemas: c.schemas('schemas', 255) }, credential: undefined };
}

/** "Name: value" lines; blank lines skipped. */
function restHeaders(c: Checker): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = c.raw('headers').split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const m = /^([^:]*):(.*)$/.exec(line);
    const name = m?.[1]!.trim() ?? '';
    const value = m?.[2]!.trim() ?? '';
    if (!m || !HEADER_NAME.test(name) || name.length > 128) c.problem('headers', `Line ${i + 1} is not "Name: value" with an HTTP header name.`);
    else if (SECRET_HEADERS.has(name.toLowerCase())) c.problem('headers', `${name} cannot be set here: choose the login and store its credential.`);
    else if (value.length > 8192) c.problem('headers', `The value of ${name} is longer than 8192 characters.`);
    else if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) c.problem('headers', `${name} is given twice.`);
    else {
      headers[name] = value;
      continue;
    }
    break;
  }
  return headers;
}

function restAuth(c: Checker, type: RestAuthType): RestAuth {
  switch (type) {
    case 'none':
    case 'bearer':
      return { type };
    case 'basic': {
      const username = c.text('username', 'User name', 255);
      if (username.includes(':')) c.problem('username', 'User name must not contain ":".');
      return { type, username };
    }
    case 'api_key': {
      const header = c.text('api_key_header', 'Header', 128, false) || 'X-API-Key';
      if (!HEADER_NAME.test(header)) c.problem('api_key_header', `"${header}" is not an HTTP header name.`);
      return { type, header };
    }
    case 'oauth2_client_credentials': {
      const token_url = c.url('token_url', 'Token URL');
      const client_id = c.text('client_id', 'Client ID', 512);
      const scopes = c
        .raw('scopes')
        .split(/\s+/)
        .filter((s) => s !== '');
      const bad = scopes.find((s) => s.length > 256 || !SCOPE.test(s));
      if (bad !== undefined) c.problem('scopes', `"${bad.slice(0, 40)}" is not an OAuth2 scope (at most 256 characters, no " or \\).`);
      else if (scopes.length > 50) c.problem('scopes', `At most 50 scopes: ${scopes.length} given.`);
      const token_auth = c.oneOf('token_auth', ['basic', 'post'] as const, 'Choose how the client logs in to the token URL.');
      return { type, token_url, client_id, scopes, token_auth };
    }
  }
}

/** The one secret each REST login takes (kinds/rest.ts NEEDED_SECRET), with its field's label (lowercase). */
export const REST_SECRET: Record<Exclude<RestAuthType, 'none'>, { field: 'token' | 'password' | 'api_key' | 'client_secret'; label: string }> = {
  bearer: { field: 'token', label: 'token' },
  basic: { field: 'password', label: 'password' },
  api_key: { field: 'api_key', label: 'API key' },
  oauth2_client_credentials: { field: 'client_secret', label: 'client secret' },
};

function restCredential(c: Checker, type: RestAuthType): RestCredential | undefined {
  if (type === 'none') return undefined;
  const { field, label } = REST_SECRET[type];
  const v = c.secret(field, label, 16384);
  return v === undefined ? undefined : ({ [field]: v } as RestCredential);
}

function rest(c: Checker): { settings: RestSettings; credential: RestCredential | undefined } {
  const base_url = c.url('base_url', 'Base URL');
  const health_path = c.text('health_path', 'Health path', 2048, false);
  if (/^[a-z][a-z0-9+.-]*:/i.test(health_path) || health_path.startsWith('//')) c.problem('health_path', 'Health path must be a path under the base URL, not a URL.');
  const type = c.oneOf('auth_type', AUTH_TYPES, 'Choose how to log in.');
  const auth = restAuth(c, type);
  const credential = restCredential(c, type);
  const headers = restHeaders(c);
  const ca = c.pem('ca');
  const connect_s = c.whole('connect_s', 'Connect timeout', 1, 120);
  const request_s = c.whole('request_s', 'Request timeout', 1, 3600);
  const attempts = c.whole('attempts', 'Attempts', 1, 10);
  const base_ms = c.whole('base_ms', 'Backoff base', 1, 60_000);
  const cap_ms = c.whole('cap_ms', 'Backoff cap', 1, 300_000);
  const max_retry_after_s = c.whole('max_retry_after_s', 'Longest Retry-After', 0, 3600);
  return {
    settings: { base_url, auth, health_path, headers, ...(ca !== undefined && { ca }), timeouts: { connect_s, request_s }, retry: { attempts, base_ms, cap_ms, max_retry_after_s } },
    credential,
  };
}

function s3Credential(c: Checker): S3Credential | undefined {
  const id = c.text('access_key_id', 'Access key ID', 256, false);
  const secret = c.secret('secret_access_key', 'secret access key', 1024);
  if (id !== '' && secret === undefined) c.problem('secret_access_key', 'Give the secret access key too, or neither (anonymous access).');
  if (id === '' && secret !== undefined) c.problem('access_key_id', 'Give the access key ID too, or neither (anonymous access).');
  return id !== '' && secret !== undefined ? { access_key_id: id, secret_access_key: secret } : undefined;
}

function s3(c: Checker): { settings: S3Settings; credential: S3Credential | undefined } {
  const bucket = c.text('bucket', 'Bucket', 63);
  if (bucket !== '' && (bucket.length < 3 || !BUCKET.test(bucket))) c.problem('bucket', 'Bucket must be 3-63 lowercase letters, digits, . and -, starting and ending with a letter or digit.');
  const prefix = c.text('prefix', 'Prefix', 1024, false);
  const region = c.text('region', 'Region', 64);
  if (region !== '' && !REGION.test(region)) c.problem('region', 'Region must be a region name like us-east-1.');
  const endpoint = c.url('endpoint', 'Endpoint', false);
  const force_path_style = c.flag('force_path_style');
  const credential = s3Credential(c);
  const ca = c.pem('ca');
  const connect_s = c.whole('connect_s', 'Connect timeout', 1, 120);
  const request_s = c.whole('request_s', 'Request timeout', 1, 3600);
  const max_attempts = c.whole('max_attempts', 'Attempts', 1, 10);
  return {
    settings: { ...(endpoint !== '' && { endpoint }), region, bucket, prefix, force_path_style, ...(ca !== undefined && { ca }), timeouts: { connect_s, request_s }, max_attempts },
    credential,
  };
}

function sftpCredential(c: Checker): SftpCredential | undefined {
  if (c.raw('login') === 'private_key') {
    const key = c.secret('private_key', 'private key', 65536);
    const passphrase = c.secret('passphrase', 'passphrase', 1024);
    if (key === undefined && passphrase !== undefined) c.problem('private_key', 'Paste the private key the passphrase is for.');
    return key === undefined ? undefined : { private_key: key, ...(passphrase !== undefined && { passphrase }) };
  }
  const password = c.secret('password', 'password', 1024);
  return password === undefined ? undefined : { password };
}

function sftp(c: Checker): { settings: SftpSettings; credential: SftpCredential | undefined } {
  const host = c.text('host', 'Host', 255);
  const port = c.whole('port', 'Port', 1, 65535);
  const username = c.text('username', 'User name', 255);
  const root = c.text('root', 'Folder', 4096);
  const typed = c.raw('host_key_fingerprint').trim();
  const m = FINGERPRINT.exec(typed);
  if (typed !== '' && !m) c.problem('host_key_fingerprint', 'Host key must be a SHA256 fingerprint as ssh-keygen -lf prints it: SHA256: and 43 characters.');
  const login = c.oneOf('login', ['password', 'private_key'] as const, 'Choose how to log in.');
  const credential = login === c.raw('login') ? sftpCredential(c) : undefined;
  const connect_s = c.whole('connect_s', 'Connect timeout', 1, 120);
  return { settings: { host, port, username, root, ...(m && { host_key_fingerprint: `SHA256:${m[1]}` }), timeouts: { connect_s } }, credential };
}

function supersetCredential(c: Checker): SupersetCredential | undefined {
  const password = c.secret('password', 'password', 16384);
  return password === undefined ? undefined : { password };
}

function superset(c: Checker): { settings: SupersetSettings; credential: SupersetCredential | undefined } {
  const url = c.url('url', 'URL');
  const username = c.text('username', 'User name', 255);
  const provider = c.oneOf('provider', SUPERSET_PROVIDERS, 'Choose how Superset checks the password.');
  const database = c.text('database', 'Superset database', 250);
  return { settings: { url, username, provider, database }, credential: supersetCredential(c) };
}

function odooCredential(c: Checker): OdooCredential | undefined {
  const api_key = c.secret('api_key', 'API key', 1024);
  return api_key === undefined ? undefined : { api_key };
}

function odoo(c: Checker): { settings: OdooSettings; credential: OdooCredential | undefined } {
  const url = c.url('url', 'URL');
  const database = c.text('database', 'Database', 63);
  if (database !== '' && database.length <= 63 && !ODOO_DATABASE.test(database)) c.problem('database', 'Database must be an Odoo database name: letters, digits, _ . and -, starting with a letter or digit.');
  const login = c.text('login', 'User login', 255);
  const protocol = c.oneOf('protocol', ODOO_PROTOCOLS, 'Choose JSON-RPC or XML-RPC.');
  const company_id = c.raw('company_id').trim() === '' ? undefined : c.whole('company_id', 'Company ID', 1, 2_147_483_647);
  return { settings: { url, database, login, protocol, ...(company_id !== undefined && { company_id }) }, credential: odooCredential(c) };
}

/** The settings and credential of `kind` read from `values`; the problems found go into `checker`. */
function readKind(kind: ConnectionKind, c: Checker): { draft: KindSettings; credential: ConnectionCredential | undefined } {
  switch (kind) {
    case 'postgres': {
      const r = postgres(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
    case 'duckdb':
      return { draft: { kind, settings: duckdb(c).settings }, credential: undefined };
    case 'rest': {
      const r = rest(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
    case 's3': {
      const r = s3(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
    case 'sftp': {
      const r = sftp(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
    case 'superset': {
      const r = superset(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
    case 'odoo': {
      const r = odoo(c);
      return { draft: { kind, settings: r.settings }, credential: r.credential };
    }
  }
}

/** Problems sorted by the form's order of fields (checks run in dependency order, e.g. the REST login before its fields). */
function inFormOrder(kind: ConnectionKind, problems: FormProblem[]): FormProblem[] {
  const order: FormField[] = ['name', 'description', 'kind', ...KIND_FIELDS[kind]];
  return problems.map((p, i) => ({ p, i })).sort((a, b) => order.indexOf(a.p.field) - order.indexOf(b.p.field) || a.i - b.i).map((x) => x.p);
}

/**
 * The form read into what the API takes, or every problem found (in the
 * form's order). Hidden fields (see hiddenFields) are not read.
 */
export function readForm(kind: ConnectionKind, values: FormValues): FormReading {
  const hidden = hiddenFields(kind, values);
  const c = new Checker(Object.fromEntries(Object.entries(values).filter(([f]) => !hidden.has(f as FormField))) as FormValues);
  const name = c.raw('name').trim();
  const bad = nameProblem(name);
  if (bad) c.problem('name', bad);
  const description = c.raw('description').trim();
  if (description.length > 2000) c.problem('description', `The description is ${description.length} characters long: at most 2000.`);
  const { draft, credential } = readKind(kind, c);
  if (c.problems.length > 0) return { ok: false, problems: inFormOrder(kind, c.problems) };
  return { ok: true, name, description, draft, credential };
}

export type CredentialReading = { ok: true; credential: ConnectionCredential } | { ok: false; problems: FormProblem[] };

/**
 * A new credential for the saved connection `k` (the rotate dialog): the
 * one its kind and login take, required. Fields absent from `values` are
 * empty.
 */
export function readCredential(k: KindSettings, values: FormValues): CredentialReading {
  const c = new Checker(values);
  let credential: ConnectionCredential | undefined;
  let missing: FormProblem;
  switch (k.kind) {
    case 'postgres': {
      const password = c.secret('password', 'password', 1024);
      credential = password === undefined ? undefined : { password };
      missing = { field: 'password', message: 'Type the new password.' };
      break;
    }
    case 'rest': {
      const type = k.settings.auth.type;
      credential = restCredential(c, type);
      missing = type === 'none' ? { field: 'password', message: 'This connection logs in with nothing: it takes no credential.' } : { field: REST_SECRET[type].field, message: `Type the new ${REST_SECRET[type].label}.` };
      break;
    }
    case 's3':
      credential = s3Credential(c);
      missing = { field: 'access_key_id', message: 'Type the access key ID and its secret access key.' };
      break;
    case 'sftp':
      credential = sftpCredential(c);
      missing = c.raw('login') === 'private_key' ? { field: 'private_key', message: 'Paste the new private key.' } : { field: 'password', message: 'Type the new password.' };
      break;
    case 'superset':
      credential = supersetCredential(c);
      missing = { field: 'password', message: 'Type the new password.' };
      break;
    case 'odoo':
      credential = odooCredential(c);
      missing = { field: 'api_key', message: 'Type the new API key (or password).' };
      break;
    case 'duckdb':
      missing = { field: 'password', message: 'A DuckDB file takes no credential.' };
      break;
  }
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  if (credential === undefined) return { ok: false, problems: [missing] };
  return { ok: true, credential };
}
