/**
 * The connections of a Workbench: kept in the metadata store (settings) and
 * the secret store (credentials, encrypted, never read back through the
 * API), tested on demand, rotated without downtime, and handed out by kind
 * to what uses them: a pool (postgres), the file's settings (duckdb; the
 * catalog opens it), a RestClient (rest), an S3 client with its bucket and
 * prefix (s3), a logged-in SFTP session (sftp), a Superset client and the
 * name of its serving database (superset), an Odoo session of the
 * connection's user and company (odoo).
 *
 * Pools, REST and S3 clients are opened on first use and kept; one is
 * closed and opened anew when the connection's settings or credential
 * change, and all are closed at dispose. SFTP sessions are opened per use
 * and ended by their user (or `withSftp`); those still open at dispose are
 * ended then. Superset clients and Odoo sessions live for one use
 * (`withSuperset`, `withOdoo`).
 *
 * Rotation: `stageRotation` stores the new credential as the pending
 * version and tests it, while the version in use keeps serving;
 * `activateRotation` tests the pending one again and switches to it (new
 * pool; the old pool drains and its credential is deleted); until then
 * `cancelRotation` drops it.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { AppError, KeyedQueue, silentLogger, type Logger } from '@workbench/core';
import { isUniqueViolation, type ConnectionsTable, type MetadataStore, type Selectable } from '@workbench/store';
import type { SecretStore } from '@workbench/secrets';
import {
  checkCredentialFits,
  parseCredential,
  parseKind,
  parseName,
  parseSettings,
  type ConnectionCredential,
  type ConnectionKind,
  type ConnectionModel,
  type ConnectionSettings,
  type CredentialOf,
  type SettingsOf,
} from './connection-spec';
import type { DuckDbSettings } from './kinds/duckdb';
import { openOdoo, type OdooSettings } from './kinds/odoo';
import { openPostgresPool } from './kinds/postgres';
import { KIND_DRIVERS } from './kinds/registry';
import { openS3, type S3Handle } from './kinds/s3';
import { connectSftp, type SftpConnection } from './kinds/sftp';
import { openSuperset } from './kinds/superset';
import type { SupersetClient } from '@workbench/superset';
import type { OdooSession } from '@workbench/odoo';
import { RestClient } from './rest-client';
import type { TestResult } from './test-result';

export interface ConnectionManagerOptions {
  store: MetadataStore;
  secrets: SecretStore;
  logger?: Logger;
  /** Milliseconds since the epoch: timestamps, and REST's Retry-After dates and token expiry. */
  clock?: () => number;
  /** In [0, 1): the jitter of REST retries. */
  random?: () => number;
}

export interface NewConnection {
  name: unknown;
  kind: unknown;
  description?: unknown;
  settings: unknown;
  credential?: unknown;
}

export interface ConnectionChange {
  description?: unknown;
  settings?: unknown;
}

type Row = Selectable<ConnectionsTable>;

/** Something opened for a connection and kept: what it was opened with, and how to close it. */
interface Opened {
  kind: ConnectionKind;
  value: unknown;
  version: number | null;
  config: string;
  close(): Promise<void>;
}

const KIND_NAMES: Record<ConnectionKind, string> = { postgres: 'PostgreSQL', duckdb: 'DuckDB', rest: 'REST', s3: 'S3', sftp: 'SFTP', superset: 'Superset', odoo: 'Odoo' };

const secretName = (id: string, version: number) => `connections/${id}/v${version}`;
const iso = (ms: number) => new Date(ms).toISOString();

export class ConnectionManager implements AsyncDisposable {
  private readonly store: MetadataStore;
  private readonly secrets: SecretStore;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Pools and clients by connection id, with the credential version and settings they were opened with. */
  private readonly opened = new Map<string, Opened>();
  /** Opening and closing per connection id, one at a time (two first uses open one pool). */
  private readonly opening = new KeyedQueue();
  /** SFTP sessions handed out and not yet ended. */
  private readonly sessions = new Set<SftpConnection>();
  private disposed = false;

  constructor(options: ConnectionManagerOptions) {
    this.store = options.store;
    this.secrets = options.secrets;
    this.logger = options.logger ?? silentLogger;
    this.now = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async list(): Promise<ConnectionModel[]> {
    const rows = await this.store.db.selectFrom('connections').selectAll().orderBy('name').execute();
    return rows.map(toModel);
  }

  async get(name: string): Promise<ConnectionModel> {
    return toModel(await this.row(name, 'find connection'));
  }

  async create(input: NewConnection, by: string): Promise<ConnectionModel> {
    const action = 'create connection';
    const name = parseName(input.name, action);
    const kind = parseKind(input.kind, action);
    const settings = parseSettings(kind, input.settings, action);
    const description = parseDescription(input.description, action);
    const credential = input.credential === undefined ? undefined : parseCredential(kind, input.credential, action);
    if (credential !== undefined) checkCredentialFits(kind, settings, credential, action);
    const id = randomUUID();
    const at = this.now();
    const row: Row = { id, name, kind, description, config: JSON.stringify(settings), credential_version: credential ? 1 : null, pending_version: null, last_version: credential ? 1 : 0, created_at: at, created_by: by, updated_at: at, updated_by: by };
    if (await this.find(name)) throw new AppError('conflict', `Cannot create connection ${name}: the name is taken`);
    // The credential first: a row never points at a secret that is not there.
    if (credential) await this.secrets.put(secretName(id, 1), JSON.stringify(credential), by);
    try {
      await this.store.db.insertInto('connections').values(row).execute();
    } catch (err) {
      if (credential) await this.secrets.delete(secretName(id, 1)).catch(() => undefined);
      if (isUniqueViolation(err)) throw new AppError('conflict', `Cannot create connection ${name}: the name is taken`, { cause: err });
      throw err;
    }
    return toModel(row);
  }

  /** Description and settings (not the credential: that is a rotation). Returns the connection before and after. */
  async update(name: string, change: ConnectionChange, by: string): Promise<{ before: ConnectionModel; after: ConnectionModel }> {
    const action = `change connection ${name}`;
    const row = await this.row(name, action);
    const kind = row.kind as ConnectionKind;
    const next: Partial<Row> = { updated_at: this.now(), updated_by: by };
    if (change.description !== undefined) next.description = parseDescription(change.description, action);
    if (change.settings !== undefined) next.config = JSON.stringify(parseSettings(kind, change.settings, action));
    await this.store.db.updateTable('connections').set(next).where('id', '=', row.id).execute();
    const after = { ...row, ...next } as Row;
    if (after.config !== row.config) await this.close(row.id);
    return { before: toModel(row), after: toModel(after) };
  }

  async delete(name: string): Promise<void> {
    const row = await this.row(name, `delete connection ${name}`);
    await this.store.db.deleteFrom('connections').where('id', '=', row.id).execute();
    await this.close(row.id);
    for (const v of [row.credential_version, row.pending_version]) if (v !== null) await this.secrets.delete(secretName(row.id, v)).catch(() => undefined);
  }

  /** Test the connection as it is used now (its credential in use). */
  async test(name: string, options: { signal?: AbortSignal } = {}): Promise<TestResult> {
    const row = await this.row(name, `test connection ${name}`);
    return this.testWith(row.kind as ConnectionKind, settingsOf(row), await this.credential(row, row.credential_version), options);
  }

  /** Test settings and a credential that are not saved (the "Test" button of a form). */
  async testDraft(input: { kind: unknown; settings: unknown; credential?: unknown }, options: { signal?: AbortSignal } = {}): Promise<TestResult> {
    const action = 'test connection';
    const kind = parseKind(input.kind, action);
    const settings = parseSettings(kind, input.settings, action);
    const credential = input.credential === undefined ? undefined : parseCredential(kind, input.credential, action);
    return this.testWith(kind, settings, credential, options);
  }

  /** Store `credential` as the pending version and test it; the version in use keeps serving. */
  async stageRotation(name: string, credentialInput: unknown, by: string, options: { signal?: AbortSignal } = {}): Promise<{ connection: ConnectionModel; test: TestResult }> {
    const action = `rotate the credential of connection ${name}`;
    const row = await this.row(name, action);
    const kind = row.kind as ConnectionKind;
    const credential = parseCredential(kind, credentialInput, action);
    checkCredentialFits(kind, settingsOf(row), credential, action);
    const version = row.last_version + 1;
    await this.secrets.put(secretName(row.id, version), JSON.stringify(credential), by);
    const result = await this.store.db
      .updateTable('connections')
      .set({ pending_version: version, last_version: version, updated_at: this.now(), updated_by: by })
      .where('id', '=', row.id)
      .where('last_version', '=', row.last_version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      await this.secrets.delete(secretName(row.id, version)).catch(() => undefined);
      throw new AppError('conflict', `Cannot ${action}: another rotation was staged meanwhile; look again`);
    }
    // A rotation staged before this one is replaced.
    if (row.pending_version !== null) await this.secrets.delete(secretName(row.id, row.pending_version)).catch(() => undefined);
    const test = await this.testWith(row.kind as ConnectionKind, settingsOf(row), credential, options);
    return { connection: await this.get(name), test };
  }

  /** Switch to the pending credential once it passes a test; the old one is deleted. */
  async activateRotation(name: string, by: string, options: { signal?: AbortSignal } = {}): Promise<{ connection: ConnectionModel; previous_version: number | null; version: number; test: TestResult }> {
    const action = `activate the new credential of connection ${name}`;
    const row = await this.row(name, action);
    if (row.pending_version === null) throw new AppError('conflict', `Cannot ${action}: no rotation is staged (POST .../rotate first)`);
    const test = await this.testWith(row.kind as ConnectionKind, settingsOf(row), await this.credential(row, row.pending_version), options);
    if (!test.ok) throw new AppError('conflict', `Cannot ${action}: it fails its test, so the credential in use stays: ${test.message}`, { details: { public: { test } } });
    const result = await this.store.db
      .updateTable('connections')
      .set({ credential_version: row.pending_version, pending_version: null, updated_at: this.now(), updated_by: by })
      .where('id', '=', row.id)
      .where('pending_version', '=', row.pending_version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('conflict', `Cannot ${action}: the staged rotation changed meanwhile; look again`);
    await this.close(row.id);
    if (row.credential_version !== null) await this.secrets.delete(secretName(row.id, row.credential_version)).catch(() => undefined);
    return { connection: await this.get(name), previous_version: row.credential_version, version: row.pending_version, test };
  }

  async cancelRotation(name: string, by: string): Promise<ConnectionModel> {
    const action = `cancel the rotation of connection ${name}`;
    const row = await this.row(name, action);
    if (row.pending_version === null) throw new AppError('conflict', `Cannot ${action}: none is staged`);
    await this.store.db.updateTable('connections').set({ pending_version: null, updated_at: this.now(), updated_by: by }).where('id', '=', row.id).where('pending_version', '=', row.pending_version).execute();
    await this.secrets.delete(secretName(row.id, row.pending_version)).catch(() => undefined);
    return this.get(name);
  }

  /** The pool of a postgres connection, opened on first use and reopened after its settings or credential changed. */
  async pool(name: string): Promise<Pool> {
    return this.kept(name, 'postgres', async (row, settings, credential) => {
      const pool = openPostgresPool(settings, credential);
      pool.pool.on('error', (err) => this.logger.warn({ connection: row.name, err: err.message }, 'connection pool: an idle connection failed'));
      return {
        value: pool.pool,
        close: async () => {
          await pool.pool.end().catch(() => undefined);
          await pool.socketsClosed();
        },
      };
    });
  }

  /** The settings of a duckdb connection, to open its file with (the catalog opens it; nothing is kept open here). */
  async duckdb(name: string): Promise<DuckDbSettings> {
    this.checkOpen(name);
    const row = await this.row(name, `use connection ${name}`);
    return typedSettings(row, 'duckdb', `use connection ${name}`);
  }

  /**
   * The REST client of a rest connection (shared; get it for each use):
   * opened on first use, closed and opened anew after the connection's
   * settings or credential changed, closed at dispose.
   */
  async rest(name: string): Promise<RestClient> {
    return this.kept(name, 'rest', async (row, settings, credential) => {
      const client = new RestClient(settings, credential, { name: row.name, logger: this.logger, clock: this.now, random: this.random });
      return { value: client, close: () => client[Symbol.asyncDispose]() };
    });
  }

  /** The S3 client of an s3 connection with its bucket and prefix (shared; get it for each use; reopened after a change). */
  async s3(name: string): Promise<S3Handle> {
    return this.kept(name, 's3', async (_row, settings, credential) => {
      const handle = openS3(settings, credential);
      return { value: handle, close: async () => handle.client.destroy() };
    });
  }

  /** A new logged-in SFTP session of an sftp connection; the caller ends it (`end()` or `await using`). */
  async sftp(name: string, options: { signal?: AbortSignal } = {}): Promise<SftpConnection> {
    this.checkOpen(name);
    const action = `use connection ${name}`;
    const row = await this.row(name, action);
    const settings = typedSettings(row, 'sftp', action);
    const credential = (await this.credential(row, row.credential_version)) as CredentialOf<'sftp'> | undefined;
    const session = await connectSftp(settings, credential, { signal: options.signal, logger: this.logger, name: row.name, onEnd: (c) => this.sessions.delete(c) });
    if (this.disposed) {
      await session.end();
      this.checkOpen(name);
    }
    this.sessions.add(session);
    return session;
  }

  /** Run `fn` with a logged-in SFTP session of an sftp connection, ended afterwards whatever happens. */
  async withSftp<T>(name: string, fn: (session: SftpConnection) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const session = await this.sftp(name, options);
    try {
      return await fn(session);
    } finally {
      await session.end();
    }
  }

  /**
   * Run `fn` with a new client of a superset connection and the name of the
   * Superset database over the serving PostgreSQL; the client (its tokens,
   * its CSRF session) lives for this use only and is closed afterwards.
   */
  async withSuperset<T>(name: string, fn: (client: SupersetClient, database: string) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    this.checkOpen(name);
    const action = `use connection ${name}`;
    const row = await this.row(name, action);
    const settings = typedSettings(row, 'superset', action);
    const credential = (await this.credential(row, row.credential_version)) as CredentialOf<'superset'> | undefined;
    if (credential === undefined) throw new AppError('bad_request', `Cannot ${action}: it has no credential {password}`);
    const client = openSuperset(settings, credential, { signal: options.signal });
    try {
      return await fn(client, settings.database);
    } finally {
      await client[Symbol.asyncDispose]();
    }
  }

  /**
   * Run `fn` with a session of an odoo connection's user (logged in on its
   * first call) and the connection's settings. Each call of the session
   * carries the connection's company (context allowed_company_ids, when
   * company_id is set) and `signal`; nothing outlives the use.
   */
  async withOdoo<T>(name: string, fn: (session: OdooSession, settings: OdooSettings) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    this.checkOpen(name);
    const action = `use connection ${name}`;
    const row = await this.row(name, action);
    const settings = typedSettings(row, 'odoo', action);
    const credential = (await this.credential(row, row.credential_version)) as CredentialOf<'odoo'> | undefined;
    if (credential === undefined) throw new AppError('bad_request', `Cannot ${action}: it has no credential {api_key}`);
    return fn(openOdoo(settings, credential, { signal: options.signal }), settings);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.opened.keys()].map((id) => this.close(id)));
    await Promise.all([...this.sessions].map((s) => s.end()));
  }

  /** What is kept open for connection `name` of `kind`: the one opened with its current settings and credential, or a new one. */
  private async kept<K extends ConnectionKind, T>(
    name: string,
    kind: K,
    open: (row: Row, settings: SettingsOf<K>, credential: CredentialOf<K> | undefined) => Promise<{ value: T; close(): Promise<void> }>,
  ): Promise<T> {
    this.checkOpen(name);
    const action = `use connection ${name}`;
    const row = await this.row(name, action);
    const settings = typedSettings(row, kind, action);
    return this.opening.run(row.id, async () => {
      const current = this.opened.get(row.id);
      if (current && current.kind === kind && current.version === row.credential_version && current.config === row.config) return current.value as T;
      if (current) await this.closeNow(row.id);
      this.checkOpen(name);
      const credential = (await this.credential(row, row.credential_version)) as CredentialOf<K> | undefined;
      const made = await open(row, settings, credential);
      this.opened.set(row.id, { kind, value: made.value, version: row.credential_version, config: row.config, close: made.close });
      return made.value;
    });
  }

  private checkOpen(name: string): void {
    if (this.disposed) throw new AppError('unavailable', `Cannot use connection ${name}: the server is shutting down`);
  }

  private close(id: string): Promise<void> {
    return this.opening.run(id, () => this.closeNow(id));
  }

  private async closeNow(id: string): Promise<void> {
    const open = this.opened.get(id);
    if (!open) return;
    this.opened.delete(id);
    await open.close().catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'connection: closing failed'));
  }

  private async testWith(kind: ConnectionKind, settings: ConnectionSettings, credential: ConnectionCredential | undefined, options: { signal?: AbortSignal }): Promise<TestResult> {
    const driver = KIND_DRIVERS[kind] as { test(s: ConnectionSettings, c: ConnectionCredential | undefined, o: { signal?: AbortSignal }): Promise<TestResult> };
    return driver.test(settings, credential, options);
  }

  private async credential(row: Row, version: number | null): Promise<ConnectionCredential | undefined> {
    if (version === null) return undefined;
    const text = await this.secrets.get(secretName(row.id, version));
    return parseCredential(row.kind as ConnectionKind, JSON.parse(text), `read the credential of connection ${row.name}`);
  }

  private async find(name: string): Promise<Row | undefined> {
    return this.store.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  }

  private async row(name: string, action: string): Promise<Row> {
    const row = await this.find(name);
    if (!row) throw new AppError('not_found', `Cannot ${action}: no connection named ${JSON.stringify(name.slice(0, 100))}`);
    return row;
  }
}

function parseDescription(value: unknown, action: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > 2000) throw new AppError('bad_request', `Cannot ${action}: description must be text of at most 2,000 characters`);
  return value;
}

function settingsOf(row: Row): ConnectionSettings {
  return parseSettings(row.kind as ConnectionKind, JSON.parse(row.config), `read connection ${row.name}`);
}

/** The settings of `row`, which must be of `kind` (a 400 otherwise). */
function typedSettings<K extends ConnectionKind>(row: Row, kind: K, action: string): SettingsOf<K> {
  if (row.kind !== kind) throw new AppError('bad_request', `Cannot ${action} as ${KIND_NAMES[kind]}: it is a ${row.kind} connection`);
  return parseSettings(kind, JSON.parse(row.config), `read connection ${row.name}`);
}

function toModel(row: Row): ConnectionModel {
  return {
    name: row.name,
    kind: row.kind as ConnectionKind,
    description: row.description,
    settings: settingsOf(row),
    credential: { stored: row.credential_version !== null, version: row.credential_version, pending_version: row.pending_version },
    created: iso(row.created_at),
    created_by: row.created_by,
    updated: iso(row.updated_at),
    updated_by: row.updated_by,
  } as ConnectionModel;
}
