/**
 * What a connection is, as clients send it and as it is shown: a name, a
 * kind, the kind's settings (nothing secret) and, separately, its
 * credential (secret: written, never read back). Validated here, at the
 * trust boundary; inside, the types are trusted.
 *
 * Kinds: `postgres` (Odoo's database and internal ones), `duckdb`
 * (database files: the warehouse and others), `rest` (HTTP APIs), `s3`
 * (S3-compatible storage), `sftp`, `superset` (a publish target) and
 * `odoo` (Odoo's external API). Each kind's shapes and test are in
 * kinds/<kind>.ts (issue 13).
 */
import type { z } from 'zod';
import { AppError } from '@workbench/core';
import type { DuckDbSettings } from './kinds/duckdb';
import type { OdooCredential, OdooSettings } from './kinds/odoo';
import type { PostgresCredential, PostgresSettings } from './kinds/postgres';
import { KIND_DRIVERS } from './kinds/registry';
import type { RestCredential, RestSettings } from './kinds/rest';
import type { S3Credential, S3Settings } from './kinds/s3';
import type { SftpCredential, SftpSettings } from './kinds/sftp';
import type { SupersetCredential, SupersetSettings } from './kinds/superset';

export const CONNECTION_KINDS = ['postgres', 'duckdb', 'rest', 's3', 'sftp', 'superset', 'odoo'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** Each kind's settings and credential (`never`: the kind takes none). */
export interface KindShapes {
  postgres: { settings: PostgresSettings; credential: PostgresCredential };
  duckdb: { settings: DuckDbSettings; credential: never };
  rest: { settings: RestSettings; credential: RestCredential };
  s3: { settings: S3Settings; credential: S3Credential };
  sftp: { settings: SftpSettings; credential: SftpCredential };
  superset: { settings: SupersetSettings; credential: SupersetCredential };
  odoo: { settings: OdooSettings; credential: OdooCredential };
}
export type SettingsOf<K extends ConnectionKind> = KindShapes[K]['settings'];
export type CredentialOf<K extends ConnectionKind> = KindShapes[K]['credential'];

/** Settings of any kind; narrow by the kind beside them (ConnectionModel, KindSettings). */
export type ConnectionSettings = SettingsOf<ConnectionKind>;
export type ConnectionCredential = CredentialOf<ConnectionKind>;

/** A kind with its settings, discriminated by `kind`. */
export type KindSettings = { [K in ConnectionKind]: { kind: K; settings: SettingsOf<K> } }[ConnectionKind];

/** Lowercase letters, digits, _ and -, starting with a letter: usable as `@name` in a SQL cell and as an identifier. */
export const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** Parse settings of `kind`; a bad value is a 400 naming the field. */
export function parseSettings<K extends ConnectionKind>(kind: K, value: unknown, action: string): SettingsOf<K> {
  return parse(KIND_DRIVERS[kind].settingsSchema as z.ZodType<SettingsOf<K>>, value, `${action}: settings`);
}

/** Parse a credential of `kind`; a bad value is a 400 naming the field, never showing the value. */
export function parseCredential<K extends ConnectionKind>(kind: K, value: unknown, action: string): CredentialOf<K> {
  const schema = KIND_DRIVERS[kind].credentialSchema as z.ZodType<CredentialOf<K>> | undefined;
  if (!schema) throw new AppError('bad_request', `Cannot ${action}: credential: ${kind} connections take no credential`);
  return parse(schema, value, `${action}: credential`);
}

/** Why `credential` cannot serve `settings` (a 400), checked where both are known (create, rotate). */
export function checkCredentialFits(kind: ConnectionKind, settings: ConnectionSettings, credential: ConnectionCredential, action: string): void {
  const driver = KIND_DRIVERS[kind] as { credentialMismatch?: (s: ConnectionSettings, c: ConnectionCredential) => string | undefined };
  const why = driver.credentialMismatch?.(settings, credential);
  if (why) throw new AppError('bad_request', `Cannot ${action}: credential: ${why}`);
}

export function parseKind(value: unknown, action: string): ConnectionKind {
  if (typeof value !== 'string' || !(CONNECTION_KINDS as readonly string[]).includes(value)) {
    throw new AppError('bad_request', `Cannot ${action}: kind must be one of ${CONNECTION_KINDS.join(', ')}`);
  }
  return value as ConnectionKind;
}

export function parseName(value: unknown, action: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new AppError('bad_request', `Cannot ${action}: the name must be 1-63 lowercase letters, digits, _ or -, starting with a letter`);
  }
  return value;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : '(value)';
  throw new AppError('bad_request', `Cannot ${what}: ${where}: ${issue.message}`);
}

interface ConnectionModelBase {
  name: string;
  description: string;
  /** Whether a credential is stored, and which version is in use. */
  credential: { stored: boolean; version: number | null; pending_version: number | null };
  created: string;
  created_by: string | null;
  updated: string;
  updated_by: string | null;
}

/** A connection as the API shows it: never a credential. Discriminated by `kind`. */
export type ConnectionModel = { [K in ConnectionKind]: ConnectionModelBase & { kind: K; settings: SettingsOf<K> } }[ConnectionKind];
