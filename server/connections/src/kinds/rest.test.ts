/**
 * REST connections against a real local HTTP(S) server and a real OAuth2
 * server (oidc-provider with client credentials): the test's diagnosis of
 * each failure, no credential in any message, and the client the manager
 * hands out, reopened after a change and closed at dispose.
 */
import { createServer } from 'node:net';
import { isAppError } from '@workbench/core';
import { ConnectionManager } from '../connection-manager';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server';
import { startTestOAuth2Server, type TestOAuth2Server } from '../testing/oauth2-server';
import { makeSelfSignedCertificate, type TestCertificate } from '../testing/tls';
import { restSettingsSchema, testRest, type RestCredential } from './rest';

jest.setTimeout(30_000);

const TOKEN = 'Api-Token-Value-5d2e';
const SECRET = 'Client-Secret-Value-33';
let api: TestHttpServer;
let tlsApi: TestHttpServer;
let cert: TestCertificate;
let oauth: TestOAuth2Server;
let managed: TestConnections;
let connections: ConnectionManager;
/** A port nothing listens on (fetch refuses port 1 itself: it is on the Fetch standard's list of bad ports). */
let closedPort: number;

const settings = (extra: object = {}) => restSettingsSchema.parse({ base_url: `${api.url}/api`, health_path: '/health', timeouts: { connect_s: 2, request_s: 5 }, auth: { type: 'bearer' }, ...extra });
const oauth2 = (extra: object = {}) => ({ auth: { type: 'oauth2_client_credentials', token_url: oauth.tokenUrl, client_id: 'workbench', scopes: ['ledger:read'], ...extra } });

beforeAll(async () => {
  cert = makeSelfSignedCertificate();
  closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
  api = await startTestHttpServer();
  tlsApi = await startTestHttpServer({ tls: cert });
  oauth = await startTestOAuth2Server({ scopes: ['ledger:read'], clients: [{ clientId: 'workbench', clientSecret: SECRET, scopes: ['ledger:read'] }] });
  // The health path accepts the static token or a token of the OAuth2 server.
  const health = async (authorization: string | undefined) => {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    return token === TOKEN || (token !== undefined && (await oauth.verify(token)) !== undefined);
  };
  for (const server of [api, tlsApi]) {
    server.route('GET', '/api/health', async (req, res) => {
      if (await health(req.headers.authorization)) res.writeHead(200, { server: 'ledger-api/2.1', 'content-type': 'application/json' }).end('{"status":"up"}');
      else res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    });
  }
  api.route('GET', '/api/admin', (_req, res) => void res.writeHead(403).end());
  api.route('GET', '/api/broken', (_req, res) => void res.writeHead(503).end());
  api.route('GET', '/api/slow', () => undefined); // never answers
  api.route('GET', '/api/basic', (req, res) => void res.writeHead(req.headers.authorization === `Basic ${Buffer.from('ledger:right-password').toString('base64')}` ? 200 : 401).end());
  managed = await openTestConnections({ prefix: 'wb-conn-rest-' });
  ({ connections } = managed);
});

afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  await api?.[Symbol.asyncDispose]();
  await tlsApi?.[Symbol.asyncDispose]();
  await oauth?.[Symbol.asyncDispose]();
});

describe('rest test', () => {
  it('calls the health path with the credential', async () => {
    expect(await testRest(settings(), { token: TOKEN })).toMatchObject({ ok: true, stage: 'ok', status: 200, server: 'ledger-api/2.1', message: `Reached ${api.url}/api/health: 200 OK (with the bearer token)` });
    expect(await testRest(settings(oauth2()), { client_secret: SECRET })).toMatchObject({ ok: true, message: `Reached ${api.url}/api/health: 200 OK (with the OAuth2 token of client workbench)` });
  });

  it('says exactly what failed: host name, port, TLS, timeout, credential, path, token endpoint', async () => {
    const wrong = 'Wrong-Credential-Value-66';
    const before = api.requests.length;
    const cases: [object, RestCredential | undefined, string, RegExp][] = [
      [{ base_url: 'http://no-such-host.invalid/api' }, { token: TOKEN }, 'dns', /^Cannot resolve host no-such-host\.invalid: no such host name \(DNS\)$/],
      [{ base_url: `http://127.0.0.1:${closedPort}/api` }, { token: TOKEN }, 'network', /^Cannot connect to http:\/\/127\.0\.0\.1:\d+: connection refused/],
      [{ base_url: `${tlsApi.url}/api` }, { token: TOKEN }, 'tls', /^Cannot connect to https:\/\/127\.0\.0\.1:\d+ over TLS: the server's certificate is not trusted for 127\.0\.0\.1 \(DEPTH_ZERO_SELF_SIGNED_CERT\); give its CA in settings\.ca$/],
      [{ base_url: `https://127.0.0.1:${api.port}/api` }, { token: TOKEN }, 'tls', /over TLS: no TLS handshake/],
      [{ health_path: 'slow', timeouts: { connect_s: 2, request_s: 1 } }, { token: TOKEN }, 'timeout', /^Cannot GET http:\/\/127\.0\.0\.1:\d+\/api\/slow: no answer within 1 s$/],
      [{}, { token: wrong }, 'auth', /^Cannot call .*\/api\/health: 401 Unauthorized: the bearer token was not accepted$/],
      [{ auth: { type: 'basic', username: 'ledger' }, health_path: 'basic' }, { password: wrong }, 'auth', /^Cannot call .*\/api\/basic: 401 Unauthorized: the password of user ledger was not accepted$/],
      [{ auth: { type: 'none' } }, undefined, 'auth', /: 401 Unauthorized: it wants a login \(set auth and store a credential\)$/],
      [{ health_path: 'admin' }, { token: TOKEN }, 'auth', /^Cannot call .*\/api\/admin: 403 Forbidden: the bearer token was accepted, but may not use this$/],
      [{ health_path: 'helth' }, { token: TOKEN }, 'not_found', /^Cannot find http:\/\/127\.0\.0\.1:\d+\/api\/helth: 404 Not Found \(check base_url and health_path\)$/],
      [{ health_path: 'broken' }, { token: TOKEN }, 'query', /^Cannot check .*\/api\/broken: the service answered 503 Service Unavailable$/],
      [oauth2(), { client_secret: wrong }, 'auth', new RegExp(`^Cannot get an OAuth2 token from ${oauth.tokenUrl}: the token endpoint refused client workbench \\(invalid_client`)],
      [oauth2({ token_url: `http://127.0.0.1:${closedPort}/token` }), { client_secret: SECRET }, 'network', /^Cannot reach the OAuth2 token endpoint http:\/\/127\.0\.0\.1:\d+\/token: connection refused/],
      [{}, { password: TOKEN }, 'auth', /^Cannot call .*: auth "bearer" needs a credential \{token\}, not \{password\}$/],
    ];
    for (const [s, credential, stage, message] of cases) {
      const r = await testRest(settings(s), credential);
      expect([s, r.ok, r.stage, r.message]).toEqual([s, false, stage, expect.stringMatching(message)]);
      for (const secret of [wrong, TOKEN, SECRET]) expect(r.message).not.toContain(secret);
    }
    // The test makes one try: the 503 was asked once.
    expect(api.requests.slice(before).filter((r) => r.url === '/api/broken')).toHaveLength(1);
    // TLS that works: the private CA given.
    expect(await testRest(settings({ base_url: `${tlsApi.url}/api`, ca: cert.cert }), { token: TOKEN })).toMatchObject({ ok: true, status: 200 });
  });
});

describe('rest connections', () => {
  it('hands out a shared client, reopened after a change and closed at dispose', async () => {
    await connections.create({ name: 'ledger-api', kind: 'rest', settings: settings(oauth2()), credential: { client_secret: SECRET } }, 'emil');
    expect(JSON.stringify(await connections.list())).not.toContain(SECRET);
    expect(await connections.test('ledger-api')).toMatchObject({ ok: true });
    const first = await connections.rest('ledger-api');
    expect(await connections.rest('ledger-api')).toBe(first);
    expect(await first.json('health')).toEqual({ status: 'up' });

    // A wrong new secret: staged, refused, the client in use stays.
    const staged = await connections.stageRotation('ledger-api', { client_secret: 'Rotated-Wrong-Secret-1' }, 'emil');
    expect(staged.test).toMatchObject({ ok: false, stage: 'auth' });
    expect(JSON.stringify(staged)).not.toContain('Rotated-Wrong-Secret-1');
    await connections.cancelRotation('ledger-api', 'emil');
    expect(await connections.rest('ledger-api')).toBe(first);

    // A settings change: a new client; the old one refuses further calls.
    await connections.update('ledger-api', { settings: settings({ ...oauth2(), headers: { 'X-Entity': 'acme-fr' } }) }, 'emil');
    const second = await connections.rest('ledger-api');
    expect(second).not.toBe(first);
    expect(first.closed).toBe(true);
    await expect(first.json('health')).rejects.toThrow(/this client was closed/);
    expect(await second.json('health')).toEqual({ status: 'up' });
    expect(api.requests.at(-1)!.headers['x-entity']).toBe('acme-fr');
    await expect(connections.s3('ledger-api')).rejects.toThrow(/as S3: it is a rest connection/);

    const other = new ConnectionManager({ store: managed.store, secrets: managed.secrets });
    const kept = await other.rest('ledger-api');
    await other[Symbol.asyncDispose]();
    expect(kept.closed).toBe(true);
    await expect(other.rest('ledger-api')).rejects.toThrow(/the server is shutting down/);
  });

  it('refuses a credential that does not fit the auth, secret headers and URLs with a password, with a 400 that shows no secret', async () => {
    const cases: [object, RegExp][] = [
      [{ name: 'x', kind: 'rest', settings: settings(), credential: { password: 'Misplaced-Secret-8' } }, /^Cannot create connection: credential: auth "bearer" needs a credential \{token\}, not \{password\}$/],
      [{ name: 'x', kind: 'rest', settings: settings(), credential: { token: 'a', password: 'Misplaced-Secret-8' } }, /^Cannot create connection: credential: \(value\): must hold exactly one of token, password, api_key, client_secret$/],
      [{ name: 'x', kind: 'rest', settings: settings({ auth: { type: 'none' } }), credential: { token: 'Misplaced-Secret-8' } }, /credential: auth "none" takes no credential$/],
      [{ name: 'x', kind: 'rest', settings: { ...settings(), headers: { Authorization: 'Bearer Misplaced-Secret-8' } } }, /^Cannot create connection: settings: headers: must not set Authorization or Cookie/],
      [{ name: 'x', kind: 'rest', settings: { ...settings(), base_url: 'https://user:Misplaced-Secret-8@ledger.example/api' } }, /^Cannot create connection: settings: base_url: must not hold a user name or password/],
      [{ name: 'x', kind: 'rest', settings: { ...settings(), base_url: 'ftp://ledger.example/' } }, /settings: base_url: must be an http:\/\/ or https:\/\/ URL$/],
    ];
    for (const [input, message] of cases) {
      const err = await connections.create(input as never, 'emil').catch((e: unknown) => e);
      expect([input, isAppError(err, 'bad_request') && err.message]).toEqual([input, expect.stringMatching(message)]);
      expect((err as Error).message).not.toContain('Misplaced-Secret-8');
    }
  });
});
