/**
 * PostgreSQL connections (Odoo's database and internal ones): the pool a
 * connection's users share, and `test`, which connects the way the pool
 * would and says exactly what failed: the host name (DNS), the port
 * (refused, unreachable, timed out), TLS (the server has none, the
 * certificate is not trusted or not for this host), the login (password,
 * role, pg_hba), the database, or a schema the role may not use.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client, type ClientConfig } from 'pg';
import { z } from 'zod';
import { createTrackedPool, type StorePool } from '@workbench/store';
import { startTest, type TestOptions, type TestResult, type TestStage } from '../test-result';
import type { KindDriver } from './driver';

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

function tlsOptions(s: PostgresSettings): ClientConfig['ssl'] {
  if (s.ssl === 'disable') return false;
  if (s.ssl === 'require') return { rejectUnauthorized: false };
  // The certificate is checked against `host` (pg sets the TLS server name itself, for names, not IP addresses).
  const tls: ConnectionOptions = { rejectUnauthorized: true };
  if (s.ca) tls.ca = s.ca;
  return tls;
}

export function clientConfig(s: PostgresSettings, c: PostgresCredential | undefined): ClientConfig {
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: c?.password,
    ssl: tlsOptions(s),
    connectionTimeoutMillis: s.pool.connect_timeout_s * 1000,
    statement_timeout: s.pool.statement_timeout_s * 1000,
    application_name: 'workbench',
  };
}

/** The pool of a connection. Its owner attaches an 'error' listener and ends it. */
export function openPostgresPool(s: PostgresSettings, c: PostgresCredential | undefined): StorePool {
  return createTrackedPool({ ...clientConfig(s, c), max: s.pool.max, idleTimeoutMillis: s.pool.idle_timeout_s * 1000 });
}

/** Connect once with these settings and credential and check what the connection is for. Never throws. */
export async function testPostgres(s: PostgresSettings, c: PostgresCredential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  const client = new Client(clientConfig(s, c));
  client.on('error', () => undefined); // a socket error after the test is the end of this client, nothing more
  const abort = () => void client.end().catch(() => undefined);
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    try {
      await client.connect();
    } catch (err) {
      const d = diagnose(err, s);
      return done(d.stage, d.message);
    }
    let server: string;
    try {
      server = String((await client.query<{ version: string }>('select version() as version')).rows[0]?.version ?? '');
    } catch (err) {
      const d = diagnose(err, s);
      return done(d.stage, d.message);
    }
    const schemas: { name: string; exists: boolean; usage: boolean }[] = [];
    for (const name of s.schemas) {
      const r = await client.query<{ exists: boolean; usage: boolean | null }>(
        `select exists(select 1 from pg_namespace where nspname = $1) as exists,
                case when exists(select 1 from pg_namespace where nspname = $1) then has_schema_privilege(current_user, $1, 'USAGE') end as usage`,
        [name],
      );
      schemas.push({ name, exists: r.rows[0]!.exists, usage: r.rows[0]!.usage === true });
    }
    const missing = schemas.find((x) => !x.exists);
    if (missing) return done('schema', `Connected, but schema ${JSON.stringify(missing.name)} does not exist in database ${s.database}`, { server, schemas });
    const refused = schemas.find((x) => !x.usage);
    if (refused) return done('permission', `Connected, but role ${s.user} has no USAGE privilege on schema ${JSON.stringify(refused.name)} (GRANT USAGE ON SCHEMA ... TO ${s.user})`, { server, schemas });
    return done('ok', `Connected to ${s.host}:${s.port}/${s.database} as ${s.user}${s.ssl === 'disable' ? '' : ' over TLS'}`, { server, schemas });
  } catch (err) {
    const d = diagnose(err, s);
    return done(d.stage, d.message);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await client.end().catch(() => undefined);
  }
}

const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID']);

/** Which step failed and how to say it, from what pg and Node report. Matches error codes, not message text, except where pg gives only text. */
export function diagnose(err: unknown, s: PostgresSettings): { stage: TestStage; message: string } {
  const e = err as { code?: string; message?: string; routine?: string };
  const where = `${s.host}:${s.port}`;
  const text = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { stage: 'dns', message: `Cannot resolve host ${s.host}: no such host name (DNS)` };
    case 'ECONNREFUSED':
      return { stage: 'network', message: `Cannot connect to ${where}: connection refused (nothing listens there, or a firewall rejects it)` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { stage: 'network', message: `Cannot connect to ${where}: host unreachable` };
    case 'ETIMEDOUT':
      return { stage: 'timeout', message: `Cannot connect to ${where}: timed out` };
    case 'ECONNRESET':
      return { stage: 'network', message: `Cannot connect to ${where}: the server closed the connection` };
    case '28P01':
      return { stage: 'auth', message: `Cannot log in to ${where} as ${s.user}: the password is wrong` };
    case '28000':
      return { stage: 'auth', message: `Cannot log in to ${where} as ${s.user}: ${text}` };
    case '3D000':
      return { stage: 'database', message: `Cannot open database ${s.database} on ${where}: it does not exist` };
    case '42501':
      return { stage: 'permission', message: `Cannot use database ${s.database} as ${s.user}: ${text}` };
    case '57014':
      return { stage: 'timeout', message: `Cannot finish the check on ${where}: the statement timed out` };
  }
  if (e?.code && TLS_CODES.has(e.code)) {
    return { stage: 'tls', message: `Cannot connect to ${where} over TLS: the server's certificate is not trusted for ${s.host} (${e.code})${s.ssl === 'verify-full' ? '; give its CA in settings.ca, or use ssl "require" to encrypt without checking it' : ''}` };
  }
  // pg reports these only as text.
  if (/does not support SSL/i.test(text)) return { stage: 'tls', message: `Cannot connect to ${where} over TLS: the server does not offer TLS (use ssl "disable", or enable TLS on the server)` };
  if (/timeout/i.test(text)) return { stage: 'timeout', message: `Cannot connect to ${where}: no answer within ${s.pool.connect_timeout_s} s` };
  if (/terminated unexpectedly|Connection terminated/i.test(text)) return { stage: 'network', message: `Cannot connect to ${where}: the connection was closed (${text})` };
  return { stage: 'query', message: `Cannot check ${where}/${s.database}: ${text}` };
}

export const postgresDriver: KindDriver<'postgres', PostgresSettings, PostgresCredential> = {
  kind: 'postgres',
  settingsSchema: postgresSettingsSchema,
  credentialSchema: postgresCredentialSchema,
  test: testPostgres,
};
