/**
 * REST APIs (Superset, OCR services, agents, anything over HTTP): a base
 * URL, how to authenticate, timeouts and the retry policy, and the path
 * `test` calls. The client itself is ../rest-client.ts.
 *
 * Auth: none; bearer (credential {token}); basic (settings.username,
 * credential {password}); api_key (a header, X-API-Key unless named,
 * credential {api_key}); oauth2_client_credentials (token URL, client id,
 * scopes in settings; credential {client_secret}; RFC 6749 4.4).
 *
 * `test` makes one request (no retry, so the answer is the first one) to
 * the health path and tells apart: the host name, a refused or reset
 * connection, TLS, a timeout, the OAuth2 token endpoint refusing the
 * client, 401/403 (the credential), 404 (the path), and any other answer.
 */
import { z } from 'zod';
import { startTest, type TestOptions, type TestResult } from '../test-result';
import { RestClient } from '../rest-client';
import { isRestError } from '../rest-error';
import type { KindDriver } from './driver';
import { httpUrl, pemCertificates } from './schema-parts';

/** An HTTP header name (RFC 9110 token). */
const headerName = z.string().min(1).max(128).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');

export const restAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(255).refine((v) => !v.includes(':'), 'must not contain ":"') }).strict(),
  z.object({ type: z.literal('api_key'), header: headerName.default('X-API-Key') }).strict(),
  z
    .object({
      type: z.literal('oauth2_client_credentials'),
      token_url: httpUrl,
      client_id: z.string().min(1).max(512),
      scopes: z.array(z.string().min(1).max(256).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be an OAuth2 scope')).max(50).default([]),
      /** How the client authenticates to the token endpoint (RFC 6749 2.3.1): HTTP Basic (default) or in the form body. */
      token_auth: z.enum(['basic', 'post']).default('basic'),
    })
    .strict(),
]);
export type RestAuth = z.infer<typeof restAuthSchema>;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export const restSettingsSchema = z
  .object({
    base_url: httpUrl,
    auth: restAuthSchema.default({ type: 'none' }),
    /** What `test` requests (GET), relative to base_url. */
    health_path: z.string().max(2048).default('/'),
    /** Headers sent with every request (not secret: shown to everyone who may see the connection). */
    headers: z
      .record(headerName, z.string().max(8192))
      .refine((h) => !Object.keys(h).some((k) => SECRET_HEADERS.has(k.toLowerCase())), 'must not set Authorization or Cookie (use auth and the credential)')
      .default({}),
    /** PEM of a private CA to trust besides the system's. */
    ca: pemCertificates.optional(),
    timeouts: z
      .object({
        connect_s: z.number().int().min(1).max(120).default(10),
        /** Per try: until the whole answer has arrived. */
        request_s: z.number().int().min(1).max(3600).default(30),
      })
      .strict()
      .default({ connect_s: 10, request_s: 30 }),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(10).default(3),
        base_ms: z.number().int().min(1).max(60_000).default(200),
        cap_ms: z.number().int().min(1).max(300_000).default(10_000),
        max_retry_after_s: z.number().int().min(0).max(3600).default(60),
      })
      .strict()
      .default({ attempts: 3, base_ms: 200, cap_ms: 10_000, max_retry_after_s: 60 }),
  })
  .strict();
export type RestSettings = z.infer<typeof restSettingsSchema>;

const SECRET_FIELDS = ['token', 'password', 'api_key', 'client_secret'] as const;
const secret = z.string().min(1).max(16384);
export const restCredentialSchema = z
  .object({ token: secret.optional(), password: secret.optional(), api_key: secret.optional(), client_secret: secret.optional() })
  .strict()
  .refine((c) => SECRET_FIELDS.filter((f) => c[f] !== undefined).length === 1, `must hold exactly one of ${SECRET_FIELDS.join(', ')}`);
export type RestCredential = z.infer<typeof restCredentialSchema>;

/** The credential field each auth type needs. */
export const NEEDED_SECRET: Record<RestAuth['type'], (typeof SECRET_FIELDS)[number] | undefined> = {
  none: undefined,
  bearer: 'token',
  basic: 'password',
  api_key: 'api_key',
  oauth2_client_credentials: 'client_secret',
};

export function restCredentialMismatch(s: RestSettings, c: RestCredential | undefined): string | undefined {
  const needed = NEEDED_SECRET[s.auth.type];
  if (needed === undefined) return c === undefined ? undefined : `auth "none" takes no credential`;
  if (c === undefined) return `auth "${s.auth.type}" needs a credential {${needed}}, and none is stored`;
  if (c[needed] === undefined) return `auth "${s.auth.type}" needs a credential {${needed}}, not {${SECRET_FIELDS.find((f) => c[f] !== undefined)}}`;
  return undefined;
}

/** How the credential is presented, for messages ("the API key in X-API-Key"). */
export function describeAuth(auth: RestAuth): string {
  switch (auth.type) {
    case 'none':
      return 'no credential';
    case 'bearer':
      return 'the bearer token';
    case 'basic':
      return `the password of user ${auth.username}`;
    case 'api_key':
      return `the API key in ${auth.header}`;
    case 'oauth2_client_credentials':
      return `the OAuth2 token of client ${auth.client_id}`;
  }
}

export async function testRest(s: RestSettings, c: RestCredential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  const mismatch = restCredentialMismatch(s, c);
  if (mismatch) return done('auth', `Cannot call ${s.base_url}: ${mismatch}`);
  // One try: the test reports the first answer, not the last of several.
  const client = new RestClient({ ...s, retry: { ...s.retry, attempts: 1 } }, c);
  try {
    const url = client.url(s.health_path);
    let res: Awaited<ReturnType<RestClient['request']>>;
    try {
      res = await client.request(s.health_path, { signal: options.signal });
    } catch (err) {
      if (isRestError(err)) return done(err.stage, err.message, err.status === undefined ? {} : { status: err.status });
      return done('query', `Cannot call ${url}: ${client.redact(err instanceof Error ? err.message : String(err))}`);
    }
    await res.body?.cancel().catch(() => undefined);
    const status = res.status;
    const line = `${status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const server = res.headers.get('server') ?? undefined;
    const extra = { status, ...(server ? { server } : {}) };
    if (status < 400) return done('ok', `Reached ${url}: ${line}${s.auth.type === 'none' ? '' : ` (with ${describeAuth(s.auth)})`}`, extra);
    if (status === 401) return done('auth', `Cannot call ${url}: ${line}: ${s.auth.type === 'none' ? 'it wants a login (set auth and store a credential)' : `${describeAuth(s.auth)} was not accepted`}`, extra);
    if (status === 403) return done('auth', `Cannot call ${url}: ${line}: ${s.auth.type === 'none' ? 'it refuses calls without a login' : `${describeAuth(s.auth)} was accepted, but may not use this`}`, extra);
    if (status === 404) return done('not_found', `Cannot find ${url}: ${line} (check base_url and health_path)`, extra);
    return done('query', `Cannot check ${url}: the service answered ${line}`, extra);
  } finally {
    await client[Symbol.asyncDispose]();
  }
}

export const restDriver: KindDriver<'rest', RestSettings, RestCredential> = {
  kind: 'rest',
  settingsSchema: restSettingsSchema,
  credentialSchema: restCredentialSchema,
  credentialMismatch: restCredentialMismatch,
  test: testRest,
};
