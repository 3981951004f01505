/**
 * Superset as a publish target: its URL, the user the close logs in as
 * (Flask-AppBuilder provider db or ldap; credential {password}), and the
 * name of the Superset database that points at the serving PostgreSQL
 * (where gold is loaded), whose datasets are created or refreshed. The
 * client is @workbench/superset's SupersetClient, one per use.
 *
 * `test` logs in and looks the database up, and tells apart: the host
 * name, a refused or reset connection, TLS, a timeout, the login refused
 * (401/403), no such database (or one this user may not see), and any
 * other answer.
 */
import { z } from 'zod';
import { SupersetClient, isSupersetError } from '@workbench/superset';
import { startTest, type TestOptions, type TestResult } from '../test-result';
import type { KindDriver } from './driver';
import { diagnoseNetwork, isTimeout } from './network-errors';
import { httpUrl } from './schema-parts';

export const supersetSettingsSchema = z
  .object({
    /** Superset's root URL (no /api/v1). */
    url: httpUrl,
    username: z.string().min(1).max(255),
    provider: z.enum(['db', 'ldap']).default('db'),
    /** The Superset database (database_name) over the serving PostgreSQL. */
    database: z.string().min(1).max(250),
  })
  .strict();
export type SupersetSettings = z.infer<typeof supersetSettingsSchema>;

export const supersetCredentialSchema = z.object({ password: z.string().min(1).max(16384) }).strict();
export type SupersetCredential = z.infer<typeof supersetCredentialSchema>;

/** A new client of the connection's Superset; the caller disposes it. */
export function openSuperset(s: SupersetSettings, c: SupersetCredential | undefined, options: { signal?: AbortSignal; fetch?: typeof fetch } = {}): SupersetClient {
  return new SupersetClient({ baseUrl: s.url, username: s.username, password: c?.password ?? '', provider: s.provider, signal: options.signal, fetch: options.fetch });
}

export async function testSuperset(s: SupersetSettings, c: SupersetCredential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  if (c === undefined) return done('auth', `Cannot log in to Superset at ${s.url}: no credential {password} is stored`);
  const client = openSuperset(s, c);
  const host = URL.canParse(s.url) ? new URL(s.url).host : s.url;
  try {
    try {
      await client.login({ signal: options.signal });
    } catch (err) {
      const status = isSupersetError(err) ? err.status : undefined;
      if (status === 401 || status === 403 || status === 400) return done('auth', `Cannot log in to Superset at ${s.url} as ${s.username}: Superset answered ${status} (the user name, password or provider ${s.provider} was not accepted)`, { status });
      if (status === 404) return done('not_found', `Cannot find Superset's login API at ${s.url}/api/v1/security/login: 404 (check url)`, { status });
      if (status !== undefined) return done('query', err instanceof Error ? err.message : String(err), { status });
      const net = diagnoseNetwork(isSupersetError(err) ? err.cause : err, host, `reach Superset at ${s.url}`);
      if (net) return done(net.stage, net.message);
      if (isTimeout(err) || (err as { code?: unknown }).code === 'timeout') return done('timeout', `Cannot reach Superset at ${s.url}: no answer in time`);
      return done('query', err instanceof Error ? err.message : String(err));
    }
    let found: Awaited<ReturnType<SupersetClient['findDatabase']>>;
    try {
      found = await client.findDatabase(s.database, { signal: options.signal });
    } catch (err) {
      const status = isSupersetError(err) ? err.status : undefined;
      if (status === 403) return done('permission', `Cannot list Superset's databases as ${s.username}: 403 (the user may not read databases)`, { status });
      return done('query', err instanceof Error ? err.message : String(err), status === undefined ? {} : { status });
    }
    if (!found) return done('database', `Cannot find the Superset database ${JSON.stringify(s.database)} at ${s.url}: there is none of that name, or ${s.username} may not see it`);
    return done('ok', `Logged in to Superset at ${s.url} as ${s.username}; database ${JSON.stringify(s.database)} is id ${found.id}`);
  } finally {
    await client[Symbol.asyncDispose]();
  }
}

export const supersetDriver: KindDriver<'superset', SupersetSettings, SupersetCredential> = {
  kind: 'superset',
  settingsSchema: supersetSettingsSchema,
  credentialSchema: supersetCredentialSchema,
  test: testSuperset,
};
