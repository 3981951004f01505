/**
 * Auth: a table-driven sweep over every registered route (so a new route
 * cannot forget auth), token in header and query, login cookie + XSRF,
 * WebSocket upgrades, CORS.
 */
import WebSocket from 'ws';
import { toOpenApiPath } from '@workbench/http';
import { api, concretePath, startTestServer, TestServer, TOKEN } from './testing/harness';
import { upgradeStatus } from './testing/json-socket';

// A pipeline webhook and the document intake webhook have no user: they are authenticated by their HMAC signature
// (pipelines.e2e.test.ts and documents.e2e.test.ts refuse bad, stale and replayed ones).
const PUBLIC = new Set(['get /api/', 'get /login', 'post /login', 'post /api/pipelines/:id/webhook', 'post /api/intake/documents']);

const concrete = concretePath;

describe('auth', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { allow_origin: ['https://trusted.example'] });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('declares only GET /api/ and the login page public', () => {
    const pub = ts.wb.http.routes
      .all()
      .filter((r) => r.auth === 'public')
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(pub)).toEqual(PUBLIC);
  });

  it('refuses every non-public route without a token, and with a wrong one, saying what is missing', async () => {
    const routes = ts.wb.http.routes.all().filter((r) => r.auth !== 'public');
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      for (const token of [null, 'wrong-token']) {
        const res = await api(ts, concrete(r.path), { method: r.method.toUpperCase(), token, body: r.method === 'get' ? undefined : '{}' });
        const where = `${r.method.toUpperCase()} ${r.path} (token: ${token})`;
        if (r.page && r.method === 'get') {
          expect([where, res.status]).toEqual([where, 302]);
          expect(res.headers.get('location')).toMatch(/\/login\?next=/);
        } else {
          expect([where, res.status]).toEqual([where, 403]);
          const body = (await res.json()) as { message: string };
          expect(body.message).toMatch(token ? /token or login cookie is invalid/ : /send a token/);
          expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
        }
      }
    }
  });

  it('refuses unknown paths without auth the same way (no probing)', async () => {
    expect((await api(ts, 'api/nothing-here', { token: null })).status).toBe(403);
    expect((await api(ts, 'api/nothing-here')).status).toBe(404);
  });

  it('accepts the token as "token", "bearer" and ?token=', async () => {
    expect((await api(ts, 'api/kernels')).status).toBe(200);
    expect((await api(ts, 'api/kernels', { token: null, headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await api(ts, `api/kernels?token=${TOKEN}`, { token: null })).status).toBe(200);
    expect((await api(ts, 'api/')).status).toBe(200);
    expect(await (await api(ts, 'api/', { token: null })).json()).toEqual({ version: expect.any(String) });
  });

  it('logs in with a cookie, and refuses cookie writes without _xsrf', async () => {
    const page = await api(ts, 'login', { token: null });
    expect(page.status).toBe(200);
    const xsrf = /_xsrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    const noXsrf = await api(ts, 'login', { method: 'POST', token: null, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `password=${TOKEN}` });
    expect(noXsrf.status).toBe(403);
    const bad = await api(ts, 'login', { method: 'POST', token: null, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `_xsrf=${xsrf}` }, body: `password=nope&_xsrf=${xsrf}` });
    expect(bad.status).toBe(401);
    const ok = await api(ts, 'login?next=/lab', { method: 'POST', token: null, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `_xsrf=${xsrf}` }, body: `password=${TOKEN}&_xsrf=${xsrf}` });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/lab');
    const login = /(workbench-[^=]+=[^;]+)/.exec(ok.headers.get('set-cookie') ?? '')![1]!;
    const cookies = `${login}; _xsrf=${xsrf}`;
    expect((await api(ts, 'api/kernels', { token: null, headers: { Cookie: cookies } })).status).toBe(200);
    const write = await api(ts, 'api/sessions', { method: 'POST', token: null, headers: { Cookie: cookies }, body: '{}' });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { message: string }).message).toMatch(/_xsrf/);
    const withXsrf = await api(ts, 'api/sessions', { method: 'POST', token: null, headers: { Cookie: cookies, 'X-XSRFToken': xsrf }, body: '{}' });
    expect(withXsrf.status).toBe(400); // past auth: the body lacks a path
    // A forged cookie is refused.
    expect((await api(ts, 'api/kernels', { token: null, headers: { Cookie: login.replace(/.$/, (c) => (c === '0' ? '1' : '0')) } })).status).toBe(403);
  });

  it('turns ?token= on a page into a login cookie, like Jupyter', async () => {
    const res = await api(ts, `lab?token=${TOKEN}`, { token: null });
    expect(res.headers.get('set-cookie')).toMatch(/workbench-[^=]+=/);
    expect((await api(ts, 'lab', { token: null })).status).toBe(302);
  });

  it('refuses a WebSocket upgrade without a token', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${ts.baseUrl.replace('http', 'ws')}api/kernels/any/channels`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('refuses every WebSocket endpoint without a token, with a wrong one, and to a foreign origin on a cookie', async () => {
    const sockets = ts.wb.http.routes.sockets();
    expect(sockets.map((r) => r.path).sort()).toEqual(['/api/collaboration/room/:room', '/api/events/subscribe', '/api/kernels/:kernel_id/channels', '/terminals/websocket/:name']);
    const ws = ts.baseUrl.replace(/^http/, 'ws');
    const login = (await api(ts, `lab?token=${TOKEN}`, { token: null })).headers.getSetCookie().find((c) => c.startsWith('workbench-'))!.split(';')[0]!;
    for (const r of sockets) {
      const attempts: Record<string, string>[] = [{}, { Authorization: 'token wrong-token' }, { Cookie: login, Origin: 'https://evil.example' }];
      for (const headers of attempts) {
        const where = `${r.path} ${JSON.stringify(headers)}`;
        expect([where, await upgradeStatus(ws + concrete(r.path), headers)]).toEqual([where, 403]);
      }
    }
    // Authenticated, unknown objects are 404 before any upgrade.
    for (const r of sockets.filter((r) => r.path.includes(':'))) expect(await upgradeStatus(ws + concrete(r.path), { Authorization: `token ${TOKEN}` })).toBe(404);
    expect(await upgradeStatus(`${ws}api/no-such-socket`, { Authorization: `token ${TOKEN}` })).toBe(404);
  });

  it('sends CORS headers only to configured origins', async () => {
    const trusted = await api(ts, 'api/kernels', { headers: { Origin: 'https://trusted.example' } });
    expect(trusted.headers.get('access-control-allow-origin')).toBe('https://trusted.example');
    const other = await api(ts, 'api/kernels', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api(ts, 'api/kernels', { method: 'OPTIONS', token: null, headers: { Origin: 'https://trusted.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-XSRFToken/i);
  });

  it('serves its OpenAPI description listing every route', async () => {
    const res = await api(ts, 'api/spec.yaml');
    expect(res.headers.get('content-type')).toMatch(/yaml/);
    const text = await res.text();
    for (const r of [...ts.wb.http.routes.all(), ...ts.wb.http.routes.sockets()]) expect(text).toContain(toOpenApiPath(r.path));
  });
});

describe('behind a TLS-terminating proxy (trust_xheaders)', () => {
  let trusting: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    // Set the jupyter_server way (ServerApp.trust_xheaders), as an existing deployment's config would.
    trusting = await startTestServer([], process.env, undefined, { jupyterConfig: { ServerApp: { trust_xheaders: true } } });
    plain = await startTestServer();
  });
  afterAll(async () => {
    await trusting?.[Symbol.asyncDispose]();
    await plain?.[Symbol.asyncDispose]();
  });

  const cookies = async (ts: TestServer, headers: Record<string, string>) => (await api(ts, `lab?token=${TOKEN}`, { token: null, headers })).headers.getSetCookie();

  it('marks the login and _xsrf cookies Secure when the proxy says the browser used https, and only then', async () => {
    const viaHttps = await cookies(trusting, { 'X-Forwarded-Proto': 'https' });
    expect(viaHttps.length).toBe(2);
    for (const c of viaHttps) expect(c).toMatch(/; Secure/);
    for (const c of await cookies(trusting, { 'X-Forwarded-Proto': 'http' })) expect(c).not.toMatch(/; Secure/);
    // A server that does not trust the headers ignores them: anybody can send them.
    for (const c of await cookies(plain, { 'X-Forwarded-Proto': 'https' })) expect(c).not.toMatch(/; Secure/);
  });

  it("records the client's address as the proxy saw it, not what the client claimed", async () => {
    const put = (ts: TestServer, name: string, headers: Record<string, string>) => api(ts, `api/contents/${name}`, { method: 'PUT', headers, body: JSON.stringify({ type: 'file', format: 'text', content: 'x' }) });
    // The client claimed 198.51.100.66; the proxy appended the address it saw.
    expect((await put(trusting, 'a.txt', { 'X-Forwarded-For': '198.51.100.66, 203.0.113.7' })).status).toBe(201);
    expect((await put(trusting, 'b.txt', { 'X-Real-Ip': '203.0.113.8', 'X-Forwarded-For': '198.51.100.66' })).status).toBe(201);
    expect((await put(plain, 'c.txt', { 'X-Forwarded-For': '198.51.100.66' })).status).toBe(201);
    const ip = async (ts: TestServer, target: string) => (await ts.wb.audit.query({ resource: 'contents' })).find((r) => r.target === target)?.ip;
    expect(await ip(trusting, 'a.txt')).toBe('203.0.113.7');
    expect(await ip(trusting, 'b.txt')).toBe('203.0.113.8');
    expect(await ip(plain, 'c.txt')).toMatch(/127\.0\.0\.1$/);
  });
});
