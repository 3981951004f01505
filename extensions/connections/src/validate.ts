/**
 * Trust boundary: the connections API's JSON is checked here once, so the
 * panel can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a ConnectionsError('invalid_response')
 * naming the first field that is wrong. Keys the screen does not know are
 * dropped. In the list, a connection of a kind this client does not know
 * (a newer server's) is kept as an UnsupportedConnection, its settings
 * unread, rather than refusing the whole list.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { ConnectionsError } from './connections-api';
import {
  CONNECTION_KINDS,
  type ActivatedRotation,
  type ConnectionAbilities,
  type ConnectionBase,
  type ConnectionKind,
  type ConnectionModel,
  type DuckDbSettings,
  type KindSettings,
  type ListedConnection,
  type OdooProtocol,
  type OdooSettings,
  type PostgresSettings,
  type RestAuth,
  type RestAuthType,
  type RestSettings,
  type S3Settings,
  type SchemaCheck,
  type SftpSettings,
  type SslMode,
  type StagedRotation,
  type SupersetProvider,
  type SupersetSettings,
  type TestResult,
  type TestStage,
} from './types';

const KINDS = new Set<string>(CONNECTION_KINDS);
const SSL_MODES = new Set(['disable', 'require', 'verify-full']);
const AUTH_TYPES = new Set(['none', 'bearer', 'basic', 'api_key', 'oauth2_client_credentials']);
const TOKEN_AUTH = new Set(['basic', 'post']);
const SUPERSET_PROVIDERS = new Set(['db', 'ldap']);
const ODOO_PROTOCOLS = new Set(['jsonrpc', 'xmlrpc']);
const STAGES = new Set(['dns', 'network', 'timeout', 'tls', 'hostkey', 'auth', 'file', 'database', 'schema', 'not_found', 'permission', 'query', 'ok']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, ConnectionsError);
  }
  boolean(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'true or false');
    return v;
  }
  countOrNull(v: unknown, where: string): number | null {
    return v === null || v === undefined ? null : this.count(v, where);
  }
  /** Absent or null: left out. */
  optionalString(v: unknown, where: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, where);
  }
  stringRecord(v: unknown, where: string): Record<string, string> {
    const o = this.object(v, where);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(o)) out[k] = this.string(x, `${where}.${k}`);
    return out;
  }
}

/** `{ key: value }` when value is defined, else `{}`: optional keys stay absent rather than undefined. */
const opt = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function postgresSettings(r: Reader, v: unknown, at: string): PostgresSettings {
  const s = r.object(v, at);
  const pool = r.object(s.pool, `${at}.pool`);
  return {
    host: r.string(s.host, `${at}.host`),
    port: r.count(s.port, `${at}.port`),
    database: r.string(s.database, `${at}.database`),
    user: r.string(s.user, `${at}.user`),
    ssl: r.oneOf<SslMode>(s.ssl, SSL_MODES, `${at}.ssl`),
    ...opt('ca', r.optionalString(s.ca, `${at}.ca`)),
    schemas: r.strings(s.schemas, `${at}.schemas`),
    pool: {
      max: r.count(pool.max, `${at}.pool.max`),
      idle_timeout_s: r.count(pool.idle_timeout_s, `${at}.pool.idle_timeout_s`),
      statement_timeout_s: r.count(pool.statement_timeout_s, `${at}.pool.statement_timeout_s`),
      connect_timeout_s: r.count(pool.connect_timeout_s, `${at}.pool.connect_timeout_s`),
    },
  };
}

function duckdbSettings(r: Reader, v: unknown, at: string): DuckDbSettings {
  const s = r.object(v, at);
  return { path: r.string(s.path, `${at}.path`), read_only: r.boolean(s.read_only, `${at}.read_only`), schemas: r.strings(s.schemas, `${at}.schemas`) };
}

function restAuth(r: Reader, v: unknown, at: string): RestAuth {
  const a = r.object(v, at);
  const type = r.oneOf<RestAuthType>(a.type, AUTH_TYPES, `${at}.type`);
  switch (type) {
    case 'none':
    case 'bearer':
      return { type };
    case 'basic':
      return { type, username: r.string(a.username, `${at}.username`) };
    case 'api_key':
      return { type, header: r.string(a.header, `${at}.header`) };
    case 'oauth2_client_credentials':
      return {
        type,
        token_url: r.string(a.token_url, `${at}.token_url`),
        client_id: r.string(a.client_id, `${at}.client_id`),
        scopes: r.strings(a.scopes, `${at}.scopes`),
        token_auth: r.oneOf<'basic' | 'post'>(a.token_auth, TOKEN_AUTH, `${at}.token_auth`),
      };
  }
}

function restSettings(r: Reader, v: unknown, at: string): RestSettings {
  const s = r.object(v, at);
  const t = r.object(s.timeouts, `${at}.timeouts`);
  const retry = r.object(s.retry, `${at}.retry`);
  return {
    base_url: r.string(s.base_url, `${at}.base_url`),
    auth: restAuth(r, s.auth, `${at}.auth`),
    health_path: r.string(s.health_path, `${at}.health_path`),
    headers: r.stringRecord(s.headers, `${at}.headers`),
    ...opt('ca', r.optionalString(s.ca, `${at}.ca`)),
    timeouts: { connect_s: r.count(t.connect_s, `${at}.timeouts.connect_s`), request_s: r.count(t.request_s, `${at}.timeouts.request_s`) },
    retry: {
      attempts: r.count(retry.attempts, `${at}.retry.attempts`),
      base_ms: r.count(retry.base_ms, `${at}.retry.base_ms`),
      cap_ms: r.count(retry.cap_ms, `${at}.retry.cap_ms`),
      max_retry_after_s: r.count(retry.max_retry_after_s, `${at}.retry.max_retry_after_s`),
    },
  };
}

function s3Settings(r: Reader, v: unknown, at: string): S3Settings {
  const s = r.object(v, at);
  const t = r.object(s.timeouts, `${at}.timeouts`);
  return {
    ...opt('endpoint', r.optionalString(s.endpoint, `${at}.endpoint`)),
    region: r.string(s.region, `${at}.region`),
    bucket: r.string(s.bucket, `${at}.bucket`),
    prefix: r.string(s.prefix, `${at}.prefix`),
    force_path_style: r.boolean(s.force_path_style, `${at}.force_path_style`),
    ...opt('ca', r.optionalString(s.ca, `${at}.ca`)),
    timeouts: { connect_s: r.count(t.connect_s, `${at}.timeouts.connect_s`), request_s: r.count(t.request_s, `${at}.timeouts.request_s`) },
    max_attempts: r.count(s.max_attempts, `${at}.max_attempts`),
  };
}

function sftpSettings(r: Reader, v: unknown, at: string): SftpSettings {
  const s = r.object(v, at);
  const t = r.object(s.timeouts, `${at}.timeouts`);
  return {
    host: r.string(s.host, `${at}.host`),
    port: r.count(s.port, `${at}.port`),
    username: r.string(s.username, `${at}.username`),
    root: r.string(s.root, `${at}.root`),
    ...opt('host_key_fingerprint', r.optionalString(s.host_key_fingerprint, `${at}.host_key_fingerprint`)),
    timeouts: { connect_s: r.count(t.connect_s, `${at}.timeouts.connect_s`) },
  };
}

function supersetSettings(r: Reader, v: unknown, at: string): SupersetSettings {
  const s = r.object(v, at);
  return {
    url: r.string(s.url, `${at}.url`),
    username: r.string(s.username, `${at}.username`),
    provider: r.oneOf<SupersetProvider>(s.provider, SUPERSET_PROVIDERS, `${at}.provider`),
    database: r.string(s.database, `${at}.database`),
  };
}

function odooSettings(r: Reader, v: unknown, at: string): OdooSettings {
  const s = r.object(v, at);
  return {
    url: r.string(s.url, `${at}.url`),
    database: r.string(s.database, `${at}.database`),
    login: r.string(s.login, `${at}.login`),
    protocol: r.oneOf<OdooProtocol>(s.protocol, ODOO_PROTOCOLS, `${at}.protocol`),
    ...opt('company_id', s.company_id === undefined || s.company_id === null ? undefined : r.count(s.company_id, `${at}.company_id`)),
  };
}

/** The settings of `kind`, read as that kind's shape. */
function kindSettings(r: Reader, kind: ConnectionKind, v: unknown, at: string): KindSettings {
  switch (kind) {
    case 'postgres':
      return { kind, settings: postgresSettings(r, v, at) };
    case 'duckdb':
      return { kind, settings: duckdbSettings(r, v, at) };
    case 'rest':
      return { kind, settings: restSettings(r, v, at) };
    case 's3':
      return { kind, settings: s3Settings(r, v, at) };
    case 'sftp':
      return { kind, settings: sftpSettings(r, v, at) };
    case 'superset':
      return { kind, settings: supersetSettings(r, v, at) };
    case 'odoo':
      return { kind, settings: odooSettings(r, v, at) };
  }
}

/** What every connection has, whatever its kind. */
function connectionBase(r: Reader, x: Json, at: string): ConnectionBase {
  const c = r.object(x.credential, `${at}.credential`);
  return {
    name: r.string(x.name, `${at}.name`),
    description: x.description === undefined || x.description === null ? '' : r.string(x.description, `${at}.description`),
    credential: {
      stored: r.boolean(c.stored, `${at}.credential.stored`),
      version: r.countOrNull(c.version, `${at}.credential.version`),
      pending_version: r.countOrNull(c.pending_version, `${at}.credential.pending_version`),
    },
    created: r.time(x.created, `${at}.created`),
    created_by: r.stringOrNull(x.created_by ?? null, `${at}.created_by`),
    updated: r.time(x.updated, `${at}.updated`),
    updated_by: r.stringOrNull(x.updated_by ?? null, `${at}.updated_by`),
  };
}

function connection(r: Reader, v: unknown, at: string): ConnectionModel {
  const x = r.object(v, at);
  const kind = r.oneOf<ConnectionKind>(x.kind, KINDS, `${at}.kind`);
  return { ...connectionBase(r, x, at), ...kindSettings(r, kind, x.settings, `${at}.settings`) };
}

/** A listed connection: one of a known kind checked in full; one of another kind kept read-only, its settings unread. */
function listedConnection(r: Reader, v: unknown, at: string): ListedConnection {
  const x = r.object(v, at);
  const kind = r.string(x.kind, `${at}.kind`);
  if (KINDS.has(kind)) return connection(r, x, at);
  return { ...connectionBase(r, x, at), kind: 'unsupported', server_kind: kind };
}

function testResult(r: Reader, v: unknown, at: string): TestResult {
  const x = r.object(v, at);
  const result: TestResult = {
    ok: r.boolean(x.ok, `${at}.ok`),
    stage: r.oneOf<TestStage>(x.stage, STAGES, `${at}.stage`),
    message: r.string(x.message, `${at}.message`),
    elapsed_ms: r.count(x.elapsed_ms, `${at}.elapsed_ms`),
  };
  if (x.server !== undefined) result.server = r.string(x.server, `${at}.server`);
  if (x.status !== undefined) result.status = r.count(x.status, `${at}.status`);
  if (x.host_key_fingerprint !== undefined) result.host_key_fingerprint = r.string(x.host_key_fingerprint, `${at}.host_key_fingerprint`);
  if (x.schemas !== undefined) {
    result.schemas = r.array(x.schemas, `${at}.schemas`).map((s, i): SchemaCheck => {
      const o = r.object(s, `${at}.schemas[${i}]`);
      return { name: r.string(o.name, `${at}.schemas[${i}].name`), exists: r.boolean(o.exists, `${at}.schemas[${i}].exists`), usage: r.boolean(o.usage, `${at}.schemas[${i}].usage`) };
    });
  }
  return result;
}

export function readConnectionList(json: unknown): ListedConnection[] {
  const r = new Reader('the connections');
  return r.array(json, 'the answer').map((c, i) => listedConnection(r, c, `[${i}]`));
}

export function readConnection(json: unknown): ConnectionModel {
  return connection(new Reader('the connection'), json, 'the answer');
}

export function readTestResult(json: unknown): TestResult {
  return testResult(new Reader('the test result'), json, 'the answer');
}

export function readStagedRotation(json: unknown): StagedRotation {
  const r = new Reader('the staged credential');
  const o = r.object(json, 'the answer');
  return { connection: connection(r, o.connection, 'connection'), test: testResult(r, o.test, 'test') };
}

export function readActivatedRotation(json: unknown): ActivatedRotation {
  const r = new Reader('the new credential');
  const o = r.object(json, 'the answer');
  return {
    connection: connection(r, o.connection, 'connection'),
    previous_version: r.countOrNull(o.previous_version, 'previous_version'),
    version: r.count(o.version, 'version'),
    test: testResult(r, o.test, 'test'),
  };
}

/** `GET api/me?permissions={"connections":["read","execute","write"]}`: the actions the server's role policy grants. */
export function readAbilities(json: unknown): ConnectionAbilities {
  const r = new Reader('what you may do');
  const o = r.object(json, 'the answer');
  const permissions: Json = o.permissions === undefined ? {} : r.object(o.permissions, 'permissions');
  const actions = new Set(permissions.connections === undefined ? [] : r.strings(permissions.connections, 'permissions.connections'));
  return { read: actions.has('read'), test: actions.has('execute'), write: actions.has('write') };
}

/**
 * The failed test a refused activation carries (409 `{message, test}`,
 * the server's AppError details.public), or undefined when the body has
 * none or it cannot be read: the message is shown either way.
 */
export function readRefusalTest(bodyText: string): TestResult | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body !== 'object' || body === null || !('test' in body)) return undefined;
    return testResult(new Reader('the failed test'), (body as Json).test, 'test');
  } catch {
    return undefined;
  }
}
