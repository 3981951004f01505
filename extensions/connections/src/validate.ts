/**
 * Trust boundary: the connections API's JSON is checked here once, so the
 * panel can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a ConnectionsError('invalid_response')
 * naming the first field that is wrong. Keys the screen does not know are
 * dropped.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { ConnectionsError } from './connections-api';
import type { ActivatedRotation, ConnectionAbilities, ConnectionKind, ConnectionModel, PostgresSettings, SchemaCheck, SslMode, StagedRotation, TestResult, TestStage } from './types';

const KINDS = new Set(['postgres']);
const SSL_MODES = new Set(['disable', 'require', 'verify-full']);
const STAGES = new Set(['dns', 'network', 'timeout', 'tls', 'auth', 'database', 'schema', 'permission', 'query', 'ok']);

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
}

function settings(r: Reader, v: unknown, at: string): PostgresSettings {
  const s = r.object(v, at);
  const pool = r.object(s.pool, `${at}.pool`);
  return {
    host: r.string(s.host, `${at}.host`),
    port: r.count(s.port, `${at}.port`),
    database: r.string(s.database, `${at}.database`),
    user: r.string(s.user, `${at}.user`),
    ssl: r.oneOf<SslMode>(s.ssl, SSL_MODES, `${at}.ssl`),
    ...(s.ca !== undefined && s.ca !== null && { ca: r.string(s.ca, `${at}.ca`) }),
    schemas: r.strings(s.schemas, `${at}.schemas`),
    pool: {
      max: r.count(pool.max, `${at}.pool.max`),
      idle_timeout_s: r.count(pool.idle_timeout_s, `${at}.pool.idle_timeout_s`),
      statement_timeout_s: r.count(pool.statement_timeout_s, `${at}.pool.statement_timeout_s`),
      connect_timeout_s: r.count(pool.connect_timeout_s, `${at}.pool.connect_timeout_s`),
    },
  };
}

function connection(r: Reader, v: unknown, at: string): ConnectionModel {
  const x = r.object(v, at);
  const c = r.object(x.credential, `${at}.credential`);
  return {
    name: r.string(x.name, `${at}.name`),
    kind: r.oneOf<ConnectionKind>(x.kind, KINDS, `${at}.kind`),
    description: x.description === undefined || x.description === null ? '' : r.string(x.description, `${at}.description`),
    settings: settings(r, x.settings, `${at}.settings`),
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

function testResult(r: Reader, v: unknown, at: string): TestResult {
  const x = r.object(v, at);
  const result: TestResult = {
    ok: r.boolean(x.ok, `${at}.ok`),
    stage: r.oneOf<TestStage>(x.stage, STAGES, `${at}.stage`),
    message: r.string(x.message, `${at}.message`),
    elapsed_ms: r.count(x.elapsed_ms, `${at}.elapsed_ms`),
  };
  if (x.server !== undefined) result.server = r.string(x.server, `${at}.server`);
  if (x.schemas !== undefined) {
    result.schemas = r.array(x.schemas, `${at}.schemas`).map((s, i): SchemaCheck => {
      const o = r.object(s, `${at}.schemas[${i}]`);
      return { name: r.string(o.name, `${at}.schemas[${i}].name`), exists: r.boolean(o.exists, `${at}.schemas[${i}].exists`), usage: r.boolean(o.usage, `${at}.schemas[${i}].usage`) };
    });
  }
  return result;
}

export function readConnectionList(json: unknown): ConnectionModel[] {
  const r = new Reader('the connections');
  return r.array(json, 'the answer').map((c, i) => connection(r, c, `[${i}]`));
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
