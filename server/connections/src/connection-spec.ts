/**
 * What a connection is, as clients send it and as it is shown: a name, a
 * kind, the kind's settings (nothing secret) and, separately, its
 * credential (secret: written, never read back). Validated here, at the
 * trust boundary; inside, the types are trusted.
 *
 * Kinds so far: `postgres` (Odoo's database and internal ones). DuckDB
 * files, REST APIs, S3-compatible storage and SFTP come next (issue 13).
 */
import { z } from 'zod';
import { AppError } from '@workbench/core';

export const CONNECTION_KINDS = ['postgres'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** Lowercase letters, digits, _ and -, starting with a letter: usable as `@name` in a SQL cell and as an identifier. */
export const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

const seconds = (max: number) => z.number().int().min(1).max(max);

export const postgresSettingsSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1).max(63),
    user: z.string().min(1).max(63),
    /** disable: plain TCP; require: TLS, any certificate; verify-full: TLS, certificate and host name checked against `ca` (or the system's CAs). */
    ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
    /** PEM, for verify-full against a private CA. */
    ca: z.string().max(65536).optional(),
    /** Schemas this connection is for (discovery, the permission check of `test`). */
    schemas: z.array(z.string().min(1).max(63)).max(100).default(['public']),
    pool: z
      .object({
        max: z.number().int().min(1).max(100).default(5),
        idle_timeout_s: seconds(3600).default(30),
        statement_timeout_s: seconds(86400).default(300),
        connect_timeout_s: seconds(120).default(10),
      })
      .strict()
      .default({ max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 }),
  })
  .strict();
export type PostgresSettings = z.infer<typeof postgresSettingsSchema>;

export const postgresCredentialSchema = z.object({ password: z.string().min(1).max(1024) }).strict();
export type PostgresCredential = z.infer<typeof postgresCredentialSchema>;

export type ConnectionSettings = PostgresSettings;
export type ConnectionCredential = PostgresCredential;

/** Parse settings of `kind`; a bad value is a 400 naming the field. */
export function parseSettings(kind: ConnectionKind, value: unknown, action: string): ConnectionSettings {
  const schemas: Record<ConnectionKind, z.ZodType<ConnectionSettings>> = { postgres: postgresSettingsSchema };
  return parse(schemas[kind], value, `${action}: settings`);
}

export function parseCredential(kind: ConnectionKind, value: unknown, action: string): ConnectionCredential {
  const schemas: Record<ConnectionKind, z.ZodType<ConnectionCredential>> = { postgres: postgresCredentialSchema };
  return parse(schemas[kind], value, `${action}: credential`);
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

/** A connection as the API shows it: never a credential. */
export interface ConnectionModel {
  name: string;
  kind: ConnectionKind;
  description: string;
  settings: ConnectionSettings;
  /** Whether a credential is stored, and which version is in use. */
  credential: { stored: boolean; version: number | null; pending_version: number | null };
  created: string;
  created_by: string | null;
  updated: string;
  updated_by: string | null;
}
