/**
 * The REST client against a real local HTTP server (and a real OAuth2
 * server, oidc-provider, for client credentials): what it sends, which
 * calls it retries and after how long (Retry-After, backoff with jitter
 * and a cap), timeouts and cancellation, token caching, and errors that
 * never show a credential. Waits between tries are recorded by an
 * injected delay (one test waits for real).
 */
import { isAppError } from '@workbench/core';
import { restSettingsSchema, type RestCredential } from './kinds/rest';
import { RestClient, type RestClientOptions } from './rest-client';
import { isRestError } from './rest-error';
import { startTestHttpServer, type TestHttpServer } from './testing/http-server';
import { startTestOAuth2Server, type TestOAuth2Server } from './testing/oauth2-server';

jest.setTimeout(30_000);

const TOKEN = 'Bearer-Token-Value-7f3a';
let api: TestHttpServer;
let oauth: TestOAuth2Server;
const clients: RestClient[] = [];
let delays: number[];

const settings = (extra: object = {}) => restSettingsSchema.parse({ base_url: `${api.url}/api/v1`, retry: { attempts: 3, base_ms: 100, cap_ms: 150, max_retry_after_s: 5 }, timeouts: { connect_s: 2, request_s: 5 }, ...extra });

/** A client whose waits between tries are recorded, not waited (unless `options.delay` says otherwise). */
function client(extra: object = {}, credential?: RestCredential, options: RestClientOptions = {}): RestClient {
  const c = new RestClient(settings(extra), credential, {
    random: () => 0.5,
    delay: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  api = await startTestHttpServer();
  oauth = await startTestOAuth2Server({
    scopes: ['reports:read', 'reports:write'],
    clients: [
      { clientId: 'workbench', clientSecret: 'Client-Secret-Value-91', scopes: ['reports:read'] },
      { clientId: 'poster', clientSecret: 'Post-Secret-Value-17', scopes: ['reports:read'], tokenEndpointAuthMethod: 'client_secret_post' },
    ],
  });
  // Answers 200 to a valid token of the provider, 401 otherwise.
  api.route('GET', '/api/v1/reports', async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const who = token ? await oauth.verify(token) : undefined;
    if (!who) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(who));
  });
  api.route('GET', '/api/v1/echo', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
});

beforeEach(() => {
  delays = [];
  api.requests.length = 0;
});

afterAll(async () => {
  for (const c of clients) await c[Symbol.asyncDispose]();
  await api?.[Symbol.asyncDispose]();
  await oauth?.[Symbol.asyncDispose]();
});

describe('RestClient', () => {
  it('sends the base path, query, static headers and the credential as its auth says', async () => {
    const echo = async (c: RestClient) => (await c.json<{ url: string; headers: Record<string, string> }>('/echo', { query: { month: '2024-03', entity: ['a', 'b'], skip: undefined } }));
    const none = await echo(client({ headers: { 'X-Tenant': 'acme' } }));
    expect(none.url).toBe('/api/v1/echo?month=2024-03&entity=a&entity=b');
    expect(none.headers).toMatchObject({ 'x-tenant': 'acme', accept: 'application/json' });
    expect(none.headers.authorization).toBeUndefined();
    expect((await echo(client({ auth: { type: 'bearer' } }, { token: TOKEN }))).headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((await echo(client({ auth: { type: 'basic', username: 'ledger' } }, { password: 'pa ss' }))).headers.authorization).toBe(`Basic ${Buffer.from('ledger:pa ss').toString('base64')}`);
    expect((await echo(client({ auth: { type: 'api_key', header: 'X-Ocr-Key' } }, { api_key: 'k-123456' }))).headers['x-ocr-key']).toBe('k-123456');
    expect((await echo(client({ auth: { type: 'api_key' } }, { api_key: 'k-123456' }))).headers['x-api-key']).toBe('k-123456');
    expect(() => client().url('https://elsewhere.example/x')).toThrow(/is not a path under/);
  });

  it('retries an idempotent call on 503 with jittered exponential backoff under a cap', async () => {
    api.route('GET', '/api/v1/flaky', (_req, res, _body, nth) => void (nth < 3 ? res.writeHead(503).end() : res.writeHead(200).end('ok')));
    const res = await client().request('flaky');
    expect([res.status, await res.text(), api.requests.length]).toEqual([200, 'ok', 3]);
    // random 0.5: three quarters of min(cap 150, 100 * 2^(n-1)).
    expect(delays).toEqual([75, 113]);
    // Still failing after the last try: the answer goes to the caller.
    api.route('GET', '/api/v1/down', (_req, res) => void res.writeHead(502).end());
    delays = [];
    expect((await client().request('down')).status).toBe(502);
    expect(delays).toEqual([75, 113]);
  });

  it('honours Retry-After (seconds or a date) on 429 and 503, and gives up when it asks too much', async () => {
    api.route('GET', '/api/v1/limited', (_req, res, _body, nth) => void (nth === 1 ? res.writeHead(429, { 'retry-after': '2' }).end() : res.writeHead(200).end()));
    expect((await client().request('limited')).status).toBe(200);
    expect(delays).toEqual([2000]);

    const now = Date.parse('2024-03-31T12:00:00Z');
    api.route('GET', '/api/v1/maintenance', (_req, res, _body, nth) => void (nth === 1 ? res.writeHead(503, { 'retry-after': 'Sun, 31 Mar 2024 12:00:03 GMT' }).end() : res.writeHead(200).end()));
    delays = [];
    expect((await client({}, undefined, { clock: () => now }).request('maintenance')).status).toBe(200);
    expect(delays).toEqual([3000]);

    api.route('GET', '/api/v1/closed', (_req, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
    delays = [];
    api.requests.length = 0;
    expect((await client().request('closed')).status).toBe(429);
    expect([delays, api.requests.length]).toEqual([[], 1]);
  });

  it('waits for real as long as Retry-After says', async () => {
    api.route('GET', '/api/v1/slow-down', (_req, res, _body, nth) => void (nth === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
    const started = performance.now();
    const c = new RestClient(settings(), undefined);
    clients.push(c);
    expect((await c.request('slow-down')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('never retries a POST unless the caller marks it idempotent', async () => {
    api.route('POST', '/api/v1/postings', (_req, res, _body, nth) => void (nth === 1 ? res.writeHead(503).end() : res.writeHead(201).end()));
    expect((await client().request('postings', { method: 'POST', json: { amount: 1 } })).status).toBe(503);
    expect(api.requests.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([['POST', '{"amount":1}', 'application/json']]);
    api.route('POST', '/api/v1/postings', (_req, res, _body, nth) => void (nth === 1 ? res.writeHead(503).end() : res.writeHead(201).end()));
    expect((await client().request('postings', { method: 'POST', json: { amount: 1 }, headers: { 'idempotency-key': 'k1' }, idempotent: true })).status).toBe(201);
    // A lost answer (the connection reset) is not retried for a POST either.
    api.route('POST', '/api/v1/reset', (req) => void req.socket.destroy());
    const err = await client().request('reset', { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(isRestError(err) && [err.stage, err.message]).toEqual(['network', expect.stringMatching(/^Cannot connect to http:\/\/127\.0\.0\.1:\d+: the server closed the connection$/)]);
    expect(api.requests.filter((r) => r.url.endsWith('/reset'))).toHaveLength(1);
  });

  it('retries a GET whose connection was reset', async () => {
    api.route('GET', '/api/v1/reset-once', (req, res, _body, nth) => void (nth === 1 ? req.socket.destroy() : res.writeHead(200).end('back')));
    const res = await client().request('reset-once');
    expect([res.status, await res.text(), delays]).toEqual([200, 'back', [75]]);
  });

  it('bounds each try by its timeout, and stops at once when the caller aborts', async () => {
    api.route('GET', '/api/v1/never', () => undefined); // never answers
    const err = await client().request('never', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isRestError(err) && [err.code, err.stage, err.message]).toEqual(['timeout', 'timeout', expect.stringMatching(/^Cannot GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/never: no answer within 0\.2 s$/)]);
    expect(api.requests.filter((r) => r.url.endsWith('/never'))).toHaveLength(3); // an idempotent call: tried again

    const controller = new AbortController();
    const pending = client().request('never', { signal: controller.signal }).catch((e: unknown) => e);
    await api.received(api.requests.length + 1);
    controller.abort(new Error('the user left'));
    expect(((await pending) as Error).message).toBe('the user left');

    const timedOut = await client().request('never', { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect(isAppError(timedOut, 'timeout') && timedOut.message).toMatch(/^Cannot GET .*never: timed out$/);
  });

  it('reports a failed call with its status, never the credential', async () => {
    api.route('GET', '/api/v1/leaky', (req, res) => void res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad request, you sent ${req.headers.authorization}`));
    const err = await client({ auth: { type: 'bearer' } }, { token: TOKEN }).json('leaky').catch((e: unknown) => e);
    expect(isRestError(err) && [err.code, err.status, err.stage, err.message]).toEqual(['unavailable', 400, 'query', expect.stringMatching(/^Cannot GET .*\/leaky: 400 Bad Request: bad request, you sent Bearer \*\*\*$/)]);
    const missing = await client().json('no-such-thing').catch((e: unknown) => e);
    expect(isRestError(missing) && [missing.code, missing.status, missing.stage]).toEqual(['not_found', 404, 'not_found']);
  });

  it('refuses calls once closed', async () => {
    const c = client();
    await c[Symbol.asyncDispose]();
    await expect(c.request('echo')).rejects.toThrow(/this client was closed/);
  });
});

describe('RestClient with OAuth2 client credentials', () => {
  const oauth2 = (extra: object = {}) => ({ auth: { type: 'oauth2_client_credentials', token_url: oauth.tokenUrl, client_id: 'workbench', scopes: ['reports:read'], ...extra } });

  it('asks for a token once and uses it until it expires', async () => {
    let now = Date.now();
    const c = client(oauth2(), { client_secret: 'Client-Secret-Value-91' }, { clock: () => now });
    const before = oauth.tokenRequests();
    expect(await c.json('reports')).toEqual({ clientId: 'workbench', scopes: ['reports:read'] });
    expect(await c.json('reports')).toEqual({ clientId: 'workbench', scopes: ['reports:read'] });
    expect([oauth.tokenRequests() - before, c.tokenRequests]).toEqual([1, 1]);
    // Shortly before expiry (600 s, less 30 s): a new one.
    now += 571_000;
    expect(await c.json('reports')).toMatchObject({ clientId: 'workbench' });
    expect(c.tokenRequests).toBe(2);
  });

  it('asks again once when the API refuses a cached token', async () => {
    const c = client(oauth2(), { client_secret: 'Client-Secret-Value-91' });
    await c.json('reports');
    const used = /^Bearer (.+)$/.exec(String(api.requests.at(-1)!.headers.authorization))![1]!;
    await oauth.revoke(used);
    expect(await c.json('reports')).toMatchObject({ clientId: 'workbench' });
    expect(c.tokenRequests).toBe(2);
  });

  it('authenticates in the form body when told, and says what the token endpoint refused', async () => {
    expect(await client(oauth2({ client_id: 'poster', token_auth: 'post' }), { client_secret: 'Post-Secret-Value-17' }).json('reports')).toMatchObject({ clientId: 'poster' });
    const wrong = await client(oauth2(), { client_secret: 'Wrong-Secret-Value-00' }).json('reports').catch((e: unknown) => e);
    expect(isRestError(wrong) && [wrong.stage, wrong.status, wrong.message]).toEqual(['auth', 401, expect.stringMatching(new RegExp(`^Cannot get an OAuth2 token from ${oauth.tokenUrl}: the token endpoint refused client workbench \\(invalid_client`))]);
    expect((wrong as Error).message).not.toContain('Wrong-Secret-Value-00');
    const scope = await client(oauth2({ scopes: ['reports:write'] }), { client_secret: 'Client-Secret-Value-91' }).json('reports').catch((e: unknown) => e);
    expect(isRestError(scope) && [scope.stage, scope.message]).toEqual(['auth', expect.stringMatching(/: the token endpoint refused the scopes "reports:write" \(invalid_scope/)]);
  });
});
