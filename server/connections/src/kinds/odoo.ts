/**
 * Odoo through its external API (JSON-RPC or XML-RPC `execute_kw`): its
 * root URL, the database, the user's login (credential {api_key}: an Odoo
 * API key, or the password), the protocol, and optionally the company
 * documents are posted in, sent with every call as the context's
 * `allowed_company_ids` (Odoo's multi-company: the first one is
 * `env.company`). The client is @workbench/odoo's OdooClient; a session
 * per use, nothing kept open (each call is one HTTP request).
 *
 * `test` asks `common.version`, then `common.authenticate`, and tells
 * apart: the host name, a refused or reset connection, TLS, a timeout,
 * no external API at that URL (an HTTP error), the login refused
 * (authenticate answers false), a database Odoo cannot open (Odoo opens
 * it on authenticate, and answers psycopg2's OperationalError when there
 * is none of that name), and, when a company is set, a company the user
 * may not use (AccessError) or that is not there.
 */
import { z } from 'zod';
import { isAppError } from '@workbench/core';
import { OdooClient, OdooError, OdooSession, type CallOptions, type OdooValue, type OdooVersion } from '@workbench/odoo';
import { redact, startTest, type TestOptions, type TestResult, type TestStage } from '../test-result';
import type { KindDriver } from './driver';
import { diagnoseNetwork } from './network-errors';
import { httpUrl } from './schema-parts';

/** Odoo's own pattern for database names (odoo/service/db.py DBNAME_PATTERN), with one character allowed; PostgreSQL's 63-byte limit. */
const DATABASE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const odooSettingsSchema = z
  .object({
    /** Odoo's root URL (where /jsonrpc and /xmlrpc/2 are). */
    url: httpUrl,
    /** The Odoo database (one Odoo server may serve several). */
    database: z.string().min(1).max(63).regex(DATABASE, 'must be an Odoo database name: letters, digits, _ . and -, starting with a letter or digit'),
    /** The user's login (often an e-mail address). */
    login: z.string().min(1).max(255),
    protocol: z.enum(['jsonrpc', 'xmlrpc']).default('jsonrpc'),
    /** The company documents are posted in (res.company id), sent as context allowed_company_ids; absent: the user's default company. */
    company_id: z.number().int().min(1).max(2_147_483_647).optional(),
  })
  .strict();
export type OdooSettings = z.infer<typeof odooSettingsSchema>;

export const odooCredentialSchema = z.object({ api_key: z.string().min(1).max(1024) }).strict();
export type OdooCredential = z.infer<typeof odooCredentialSchema>;

const TLS_TRUST = "Workbench trusts Node's bundled CAs and those in NODE_EXTRA_CA_CERTS";

const isRecord = (v: unknown): v is Record<string, OdooValue> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * A session as the connection's user. Every call carries the connection's
 * company as context `allowed_company_ids` (a call's own context keys
 * win) and the signal of the use it was opened for.
 */
class ConnectionSession extends OdooSession {
  constructor(
    client: OdooClient,
    login: string,
    password: string,
    private readonly companyId: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    super(client, login, password);
  }

  override uid(opts: CallOptions = {}): Promise<number> {
    return super.uid(this.withSignal(opts));
  }

  override call(model: string, method: string, args: readonly OdooValue[] = [], kwargs: Record<string, OdooValue> = {}, opts: CallOptions = {}): Promise<OdooValue> {
    return super.call(model, method, args, this.withCompany(kwargs), this.withSignal(opts));
  }

  private withCompany(kwargs: Record<string, OdooValue>): Record<string, OdooValue> {
    if (this.companyId === undefined) return kwargs;
    const context = kwargs.context;
    if (context !== undefined && !isRecord(context)) return kwargs;
    return { ...kwargs, context: { allowed_company_ids: [this.companyId], ...context } };
  }

  private withSignal(opts: CallOptions): CallOptions {
    if (!this.signal || opts.signal === this.signal) return opts;
    return { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, this.signal]) : this.signal };
  }
}

/** A client of the connection's Odoo (nothing to close: each call is one request). */
export function openOdooClient(s: OdooSettings, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): OdooClient {
  return new OdooClient({ url: s.url, db: s.database, protocol: s.protocol, fetch: options.fetch, timeoutMs: options.timeoutMs });
}

/** A session of the connection's user, logging in on its first call; its calls carry the company and `signal`. */
export function openOdoo(s: OdooSettings, c: OdooCredential, options: { signal?: AbortSignal; fetch?: typeof fetch; timeoutMs?: number } = {}): OdooSession {
  return new ConnectionSession(openOdooClient(s, options), s.login, c.api_key, s.company_id, options.signal);
}

export async function testOdoo(s: OdooSettings, c: OdooCredential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  if (c === undefined) return done('auth', `Cannot log in to Odoo at ${s.url}: no credential {api_key} is stored`);
  // The HTTP status of the last answer: OdooClient reports a non-2xx answer without it.
  let status: number | undefined;
  const base = globalThis.fetch;
  const recording: typeof fetch = async (input, init) => {
    const res = await base(input, init);
    status = res.status;
    return res;
  };
  const client = openOdooClient(s, { fetch: recording });
  const host = URL.canParse(s.url) ? new URL(s.url).host : s.url;
  const endpoint = `${s.url.replace(/\/+$/, '')}${s.protocol === 'jsonrpc' ? '/jsonrpc' : '/xmlrpc/2/common'}`;
  const call = { signal: options.signal };
  const fail = (stage: TestStage, message: string, extra: Partial<TestResult> = {}) => done(stage, redact(message, [c.api_key]), extra);

  /** A failure of any call, as a stage: the network, a timeout, an HTTP error, or what Odoo answered. */
  const failure = (err: unknown, action: string): TestResult => {
    if (isAppError(err) && err.code === 'timeout') return fail('timeout', `Cannot ${action}: no answer in time`);
    if (!(err instanceof OdooError)) {
      const net = diagnoseNetwork(isAppError(err) ? err.cause : err, host, action, TLS_TRUST);
      if (net) return fail(net.stage, net.message);
      if (status === 404) return fail('not_found', `Cannot find Odoo's external API at ${endpoint}: 404 (check url: Odoo's root URL)`, { status });
      if (status !== undefined && (status < 200 || status > 299)) return fail('query', `Cannot ${action}: Odoo answered HTTP ${status}`, { status });
    }
    return fail('query', err instanceof Error ? err.message : String(err));
  };

  let version: OdooVersion;
  try {
    status = undefined;
    version = await client.version(call);
  } catch (err) {
    return failure(err, `reach Odoo at ${s.url}`);
  }
  const server = `Odoo ${version.server_version}`;

  let uid: number | false;
  try {
    status = undefined;
    uid = await client.authenticate(s.login, c.api_key, call);
  } catch (err) {
    if (err instanceof OdooError && err.exception.startsWith('psycopg2.')) {
      return fail('database', `Cannot open the Odoo database ${JSON.stringify(s.database)} at ${s.url}: Odoo answered ${err.exceptionClass}: ${err.odooMessage} (check database: the name of a database on that Odoo server)`, { server });
    }
    if (err instanceof OdooError && err.exception === 'odoo.exceptions.AccessDenied') return fail('auth', `Cannot log in to Odoo at ${s.url} as ${s.login}: Odoo answered AccessDenied: ${err.odooMessage}`, { server });
    return { ...failure(err, `log in to Odoo at ${s.url} as ${s.login}`), server };
  }
  if (uid === false) return fail('auth', `Cannot log in to Odoo at ${s.url} as ${s.login}: Odoo refused the login and API key (or password) for database ${JSON.stringify(s.database)}`, { server });

  let company = '';
  if (s.company_id !== undefined) {
    const id = s.company_id;
    let rows: OdooValue;
    try {
      status = undefined;
      rows = await client.executeKw(uid, c.api_key, 'res.company', 'search_read', [[['id', '=', id]]], { fields: ['name'], context: { allowed_company_ids: [id] } }, call);
    } catch (err) {
      if (err instanceof OdooError && err.exception === 'odoo.exceptions.AccessError') return fail('permission', `Cannot post in company ${id} as ${s.login}: Odoo answered AccessError: ${err.odooMessage} (the user is not in that company)`, { server });
      return { ...failure(err, `read company ${id} on Odoo`), server };
    }
    const found = Array.isArray(rows) ? (rows[0] as { name?: unknown } | undefined) : undefined;
    if (!found) return fail('not_found', `Cannot find company ${id} in the Odoo database ${JSON.stringify(s.database)}: there is none with that id, or ${s.login} may not see it (check company_id)`, { server });
    company = `; documents go to company ${id} (${typeof found.name === 'string' ? found.name : '?'})`;
  }
  return done('ok', `Logged in to ${server} at ${s.url} as ${s.login} (uid ${uid})${company}`, { server });
}

export const odooDriver: KindDriver<'odoo', OdooSettings, OdooCredential> = {
  kind: 'odoo',
  settingsSchema: odooSettingsSchema,
  credentialSchema: odooCredentialSchema,
  test: testOdoo,
};
