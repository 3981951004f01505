/**
 * The connections of a Workbench: kept in the metadata store (settings) and
 * the secret store (credentials, encrypted, never read back through the
 * API), tested on demand, rotated without downtime, and handed out as pools
 * to what queries them.
 *
 * Rotation: `stageRotation` stores the new credential as the pending
 * version and tests it, while the version in use keeps serving;
 * `activateRotation` tests the pending one again and switches to it (new
 * pool; the old pool drains and its credential is deleted); until then
 * `cancelRotation` drops it.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { AppError, silentLogger, type Logger } from '@workbench/core';
import { isUniqueViolation, type ConnectionsTable, type MetadataStore, type Selectable, type StorePool } from '@workbench/store';
import type { SecretStore } from '@workbench/secrets';
import { parseCredential, parseKind, parseName, parseSettings, type ConnectionCredential, type ConnectionKind, type ConnectionModel, type ConnectionSettings } from './connection-spec';
import { openPostgresPool, testPostgres, type TestResult } from './postgres-connection';

export interface ConnectionManagerOptions {
  store: MetadataStore;
  secrets: SecretStore;
  logger?: Logger;
  clock?: () => number;
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

const secretName = (id: string, version: number) => `connections/${id}/v${version}`;
const iso = (ms: number) => new Date(ms).toISOString();

export class ConnectionManager implements AsyncDisposable {
  private readonly store: MetadataStore;
  private readonly secrets: SecretStore;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** Open pools by connection id, with the credential version and settings they were opened with. */
  private readonly pools = new Map<string, { pool: StorePool; version: number | null; config: string }>();
  private disposed = false;

  constructor(options: ConnectionManagerOptions) {
    this.store = options.store;
    this.secrets = options.secrets;
    this.logger = options.logger ?? silentLogger;
    this.now = options.clock ?? Date.now;
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
    if (after.config !== row.config) await this.closePool(row.id);
    return { before: toModel(row), after: toModel(after) };
  }

  async delete(name: string): Promise<void> {
    const row = await this.row(name, `delete connection ${name}`);
    await this.store.db.deleteFrom('connections').where('id', '=', row.id).execute();
    await this.closePool(row.id);
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
    const credential = parseCredential(row.kind as ConnectionKind, credentialInput, action);
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
    await this.closePool(row.id);
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

  /** The pool of a connection, opened on first use and reopened after its settings or credential changed. */
  async pool(name: string): Promise<Pool> {
    if (this.disposed) throw new AppError('unavailable', `Cannot use connection ${name}: the server is shutting down`);
    const row = await this.row(name, `use connection ${name}`);
    const open = this.pools.get(row.id);
    if (open && open.version === row.credential_version && open.config === row.config) return open.pool.pool;
    if (open) await this.closePool(row.id);
    const pool = openPostgresPool(settingsOf(row), await this.credential(row, row.credential_version));
    pool.pool.on('error', (err) => this.logger.warn({ connection: row.name, err: err.message }, 'connection pool: an idle connection failed'));
    this.pools.set(row.id, { pool, version: row.credential_version, config: row.config });
    return pool.pool;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.pools.keys()].map((id) => this.closePool(id)));
  }

  private async closePool(id: string): Promise<void> {
    const open = this.pools.get(id);
    if (!open) return;
    this.pools.delete(id);
    await open.pool.pool.end().catch(() => undefined);
    await open.pool.socketsClosed();
  }

  private async testWith(kind: ConnectionKind, settings: ConnectionSettings, credential: ConnectionCredential | undefined, options: { signal?: AbortSignal }): Promise<TestResult> {
    void kind; // one kind so far
    return testPostgres(settings, credential, options);
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
  };
}
