/**
 * SSO login end to end: a real Workbench (port 0) configured with
 * auth.oidc, a real OpenID Provider (oidc-provider, port 0, with a
 * username/password form), and the provider's pages driven over HTTP by
 * OidcUserAgent. The server's clock is injected, so session expiry and
 * access-token refresh are reached by moving it, not by waiting.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { startTestOidcProvider, type TestOidcProvider } from '@workbench/auth/testing/oidc-provider';
import { OidcUserAgent } from '@workbench/auth/testing/oidc-user-agent';
import { UserRepository } from '@workbench/store';
import { ConfigError, loadConfig } from './config';
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';

const CLIENT_SECRET = 'oidc-client-secret-0123456789abcdef';
const ROLE_MAPPING = { 'finance-analysts': ['analyst'], 'finance-engineers': ['engineer'], 'workbench-admins': ['admin'] };
const ACCESS_TTL_S = 300;
const SESSION_MAX_AGE_S = 3600;

interface Me {
  identity: { username: string; display_name: string };
  roles: string[];
}

function oidcConfig(issuer: string, extra: object = {}) {
  return { auth: { oidc: { issuer, client_id: 'workbench', client_secret: CLIENT_SECRET, role_mapping: ROLE_MAPPING, session_max_age_s: SESSION_MAX_AGE_S, ...extra } } };
}

/** name=value of each Set-Cookie, for a Cookie header. */
function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

describe('SSO login (OpenID Connect)', () => {
  let op: TestOidcProvider;
  let ts: TestServer;
  let now = Date.now();
  const clock = () => now;

  beforeAll(async () => {
    op = await startTestOidcProvider({
      users: [
        { username: 'alice', password: 'alice-pw', name: 'Alice Archer', email: 'alice@example.com', groups: ['finance-analysts'] },
        { username: 'bob', password: 'bob-pw', groups: ['marketing'] },
        { username: 'carol', password: 'carol-pw', groups: ['finance-analysts'] },
        { username: 'dave', password: 'dave-pw', groups: ['finance-analysts'] },
        { username: 'erin', password: 'erin-pw', groups: ['finance-analysts'] },
        { username: 'workbench', password: 'wb-pw', groups: ['workbench-admins'] },
      ],
      // Registered before the server knows its port: loopback redirect URIs match any port for a native client (RFC 8252 7.3).
      clients: [{ clientId: 'workbench', clientSecret: CLIENT_SECRET, applicationType: 'native', redirectUris: ['http://127.0.0.1/auth/oidc/callback'], postLogoutRedirectUris: ['http://127.0.0.1/login'] }],
      ttl: { accessToken: ACCESS_TTL_S },
    });
    ts = await startTestServer([], process.env, oidcConfig(op.issuer), { clock });
  });

  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await op?.stop();
  });

  afterEach(() => {
    expect(op.serverErrors).toEqual([]);
  });

  async function counts(): Promise<{ users: number; sessions: number; audit: number }> {
    const db = ts.wb.metadata.db;
    await ts.wb.audit.settled(); // audit records reach audit_log from the journal in batches
    const n = async (table: 'users' | 'sessions' | 'audit_log') => (await db.selectFrom(table).selectAll().execute()).length;
    return { users: await n('users'), sessions: await n('sessions'), audit: await n('audit_log') };
  }

  /** GET /auth/oidc/login, then the provider's form as `username`: the callback URL and the pending-login cookie. */
  async function startLogin(username: string, password: string, next = '/lab'): Promise<{ callback: URL; pending: Record<string, string> }> {
    const start = await fetch(`${ts.baseUrl}auth/oidc/login?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorizationUrl = start.headers.get('location')!;
    expect(authorizationUrl.startsWith(op.issuer)).toBe(true);
    const pending = cookiesOf(start);
    const setCookie = start.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/workbench-oidc-pending=.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain http here; Secure over TLS
    const server = new URL(ts.baseUrl);
    const ua = new OidcUserAgent({ isCallback: (u) => u.host === server.host && u.pathname === '/auth/oidc/callback' });
    const callback = await ua.signIn(authorizationUrl, username, password);
    return { callback, pending };
  }

  function callback(url: URL, cookies: Record<string, string>): Promise<Response> {
    return fetch(url, { headers: { cookie: cookieHeader(cookies) }, redirect: 'manual' });
  }

  /** A full login: the cookies the browser holds afterwards (session + _xsrf). */
  async function login(username: string, password: string): Promise<Record<string, string>> {
    const { callback: url, pending } = await startLogin(username, password);
    const res = await callback(url, pending);
    expect({ status: res.status, body: res.status === 302 ? '' : await res.text() }).toEqual({ status: 302, body: '' });
    expect(res.headers.get('location')).toBe('/lab');
    return cookiesOf(res);
  }

  function me(cookies: Record<string, string>): Promise<Response> {
    return api(ts, 'api/me', { token: null, headers: { cookie: cookieHeader(cookies) } });
  }

  async function meJson(cookies: Record<string, string>): Promise<Me> {
    const res = await me(cookies);
    expect(res.status).toBe(200);
    return (await res.json()) as Me;
  }

  it('registers only the login start and the callback as public (besides the signed pipeline and document intake webhooks)', () => {
    const pub = ts.wb.http.routes
      .all()
      .filter((r) => r.auth === 'public')
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(pub)).toEqual(new Set(['get /api/', 'get /login', 'post /login', 'get /auth/oidc/login', 'get /auth/oidc/callback', 'post /api/pipelines/:id/webhook', 'post /api/intake/documents']));
  });

  it('shows "Sign in with SSO" on the login page', async () => {
    const html = await (await fetch(`${ts.baseUrl}login?next=%2Flab`)).text();
    expect(html).toContain('Sign in with SSO');
    expect(html).toContain('href="auth/oidc/login?next=%2Flab"');
    // Token login is still offered.
    expect(html).toContain('name="password"');
  });

  it('logs a user in with the roles their groups map to, and records it', async () => {
    const before = await counts();
    const cookies = await login('alice', 'alice-pw');
    expect(Object.keys(cookies)).toEqual(expect.arrayContaining(['workbench-session', '_xsrf']));
    expect(cookies['workbench-oidc-pending']).toBe(''); // cleared
    const body = await meJson(cookies);
    expect(body.identity).toMatchObject({ username: 'alice', display_name: 'Alice Archer' });
    expect(body.roles).toEqual(['analyst']);

    const after = await counts();
    expect(after).toEqual({ users: before.users + 1, sessions: before.sessions + 1, audit: after.audit });
    const user = await new UserRepository(ts.wb.metadata.db).getByUsername('alice');
    expect(user).toMatchObject({ source: 'oidc', oidcIssuer: op.issuer, oidcSubject: 'alice', roles: ['analyst'], email: 'alice@example.com' });
    // The provider's tokens are stored encrypted, never in plaintext; the row id is not the cookie.
    const row = await ts.wb.metadata.db.selectFrom('sessions').selectAll().where('user_id', '=', user!.id).executeTakeFirstOrThrow();
    expect(row.id).not.toBe(cookies['workbench-session']);
    expect(row.refresh_token_ciphertext).toMatch(/^wb1:/);
    expect(row.id_token_hint_ciphertext).toMatch(/^wb1:/);
    expect(row.expires_at).toBe(now + SESSION_MAX_AGE_S * 1000);

    const [record] = await ts.wb.audit.query({ limit: 1000 }).then((r) => r.filter((x) => x.resource === 'auth' && x.actor === 'alice'));
    expect(record).toMatchObject({ via: 'sso', action: 'login', outcome: 'ok', actorRole: 'analyst' });
    expect(JSON.stringify(record)).not.toMatch(/eyJ/); // no JWT in the record
  });

  it('refuses a user none of whose groups is mapped: 403, no user, no session, a denied record', async () => {
    const before = await counts();
    const { callback: url, pending } = await startLogin('bob', 'bob-pw');
    const res = await callback(url, pending);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('bob has no Workbench role');
    expect(cookiesOf(res)['workbench-session']).toBeUndefined();
    const after = await counts();
    expect(after).toEqual({ users: before.users, sessions: before.sessions, audit: before.audit + 1 });
    const records = await ts.wb.audit.query({ limit: 1000 });
    expect(records.at(-1)).toMatchObject({ actor: 'bob', resource: 'auth', action: 'login', via: 'sso', outcome: 'denied' });
  });

  it('refuses an SSO user who would take a token user\'s name', async () => {
    const { callback: url, pending } = await startLogin('workbench', 'wb-pw');
    const res = await callback(url, pending);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('the username workbench belongs to another account');
  });

  it('answers a wrong state or a tampered pending cookie with 400 and writes nothing', async () => {
    const before = await counts();
    const { callback: url, pending } = await startLogin('carol', 'carol-pw');

    const wrongState = new URL(url);
    wrongState.searchParams.set('state', 'not-the-state');
    const r1 = await callback(wrongState, pending);
    expect(r1.status).toBe(400);
    expect(await r1.text()).toContain('state mismatch');

    const sealed = pending['workbench-oidc-pending']!;
    const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
    const r2 = await callback(url, { 'workbench-oidc-pending': flipped });
    expect(r2.status).toBe(400);
    expect(await r2.text()).toContain('the login cookie is missing, altered or from another server');

    const r3 = await callback(url, {});
    expect(r3.status).toBe(400);

    expect(await counts()).toEqual(before);
  });

  it('ends the session at logout: the old cookie is refused afterwards', async () => {
    const cookies = await login('alice', 'alice-pw');
    expect((await me(cookies)).status).toBe(200);

    // A cookie-authenticated write needs the _xsrf echo.
    const noXsrf = await api(ts, 'auth/logout', { method: 'POST', token: null, headers: { cookie: cookieHeader(cookies) } });
    expect(noXsrf.status).toBe(403);
    expect((await me(cookies)).status).toBe(200);

    const res = await api(ts, 'auth/logout', { method: 'POST', token: null, headers: { cookie: cookieHeader(cookies), 'X-XSRFToken': cookies._xsrf! } });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(op.issuer);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${ts.baseUrl}login`);
    expect(location.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(res.headers.getSetCookie().join('\n')).toMatch(/workbench-session=;/);

    const after = await me(cookies);
    expect(after.status).toBe(403);
    const records = await ts.wb.audit.query({ limit: 1000 });
    expect(records.at(-1)).toMatchObject({ actor: 'alice', resource: 'auth', action: 'logout', via: 'sso', outcome: 'ok' });
  });

  it('refuses an expired session', async () => {
    const cookies = await login('alice', 'alice-pw');
    expect((await me(cookies)).status).toBe(200);
    now += SESSION_MAX_AGE_S * 1000 + 1;
    expect((await me(cookies)).status).toBe(403);
  });

  it('refreshes through the provider when the access token expired, with roles derived again', async () => {
    const cookies = await login('dave', 'dave-pw');
    expect((await meJson(cookies)).roles).toEqual(['analyst']);
    op.users.get('dave')!.groups = ['finance-engineers', 'workbench-admins'];
    now += (ACCESS_TTL_S + 1) * 1000;
    expect((await meJson(cookies)).roles).toEqual(['engineer', 'admin']);
    // Refreshed: the next request within the new access token's life asks nobody.
    expect((await meJson(cookies)).roles).toEqual(['engineer', 'admin']);

    // Lose every mapped group at the provider: the next refresh ends the session.
    op.users.get('dave')!.groups = ['marketing'];
    now += (ACCESS_TTL_S + 1) * 1000;
    expect((await me(cookies)).status).toBe(403);
  });

  it('ends the session when the provider refuses the refresh', async () => {
    const cookies = await login('erin', 'erin-pw');
    expect((await me(cookies)).status).toBe(200);
    op.users.delete('erin'); // the account is gone at the provider
    now += (ACCESS_TTL_S + 1) * 1000;
    expect((await me(cookies)).status).toBe(403);
    const user = await new UserRepository(ts.wb.metadata.db).getByUsername('erin');
    const row = await ts.wb.metadata.db.selectFrom('sessions').selectAll().where('user_id', '=', user!.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
    expect(row.refresh_token_ciphertext).toBeNull();
  });

  it('refuses the session of a disabled user at once', async () => {
    const cookies = await login('carol', 'carol-pw');
    expect((await me(cookies)).status).toBe(200);
    const users = new UserRepository(ts.wb.metadata.db);
    await users.disable((await users.getByUsername('carol'))!.id);
    expect((await me(cookies)).status).toBe(403);
  });

  it('refuses a forged session cookie', async () => {
    for (const forged of [randomBytes(32).toString('base64url'), 'x'.repeat(5000), '']) {
      const res = await me({ 'workbench-session': forged });
      expect(res.status).toBe(403);
    }
  });

  it('keeps token login working', async () => {
    const res = await api(ts, 'api/me');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Me).identity.username).toBe('workbench');
    const form = await fetch(`${ts.baseUrl}login`);
    const xsrf = cookiesOf(form)._xsrf!;
    const posted = await fetch(`${ts.baseUrl}login?next=%2Flab`, {
      method: 'POST',
      headers: { cookie: `_xsrf=${xsrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: TOKEN, _xsrf: xsrf }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(302);
    expect((await meJson(cookiesOf(posted))).identity.username).toBe('workbench');
  });
});

describe('SSO with the identity provider down', () => {
  it('starts, says SSO is unavailable on the login page, and keeps token login', async () => {
    // A port with nobody listening: held by a server that never accepts, then closed after the test.
    const holder = createServer((s) => s.destroy());
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(holder.address() as AddressInfo).port}`;
    await using ts = await startTestServer([], process.env, oidcConfig(issuer));
    try {
      const html = await (await fetch(`${ts.baseUrl}login`)).text();
      expect(html).toContain('SSO is unavailable');
      expect(html).not.toContain('Sign in with SSO');
      const start = await fetch(`${ts.baseUrl}auth/oidc/login`, { redirect: 'manual' });
      expect(start.status).toBe(503);
      expect(await start.text()).toContain('SSO');
      expect((await api(ts, 'api/me')).status).toBe(200);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});

describe('auth.oidc config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-oidc-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (file: object, env: NodeJS.ProcessEnv = {}) => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(file));
    return loadConfig(['--config', join(dir, 'config.json')], { JUPYTER_CONFIG_DIR: join(dir, 'none'), ...env }, dir).config;
  };
  const base = { issuer: 'https://login.example.com/realms/finance', client_id: 'workbench', role_mapping: { 'finance-analysts': ['analyst'] } };

  it('reads the section, and the client secret from the environment when the file has none', () => {
    expect(load({ auth: { oidc: base } }, { WORKBENCH_OIDC_CLIENT_SECRET: 'from-env-secret' }).auth.oidc).toMatchObject({
      issuer: base.issuer,
      clientId: 'workbench',
      clientSecret: 'from-env-secret',
      sessionMaxAgeS: 28800,
      defaultRoles: [],
    });
    expect(load({ auth: { oidc: { ...base, client_secret: 'from-file' } } }, { WORKBENCH_OIDC_CLIENT_SECRET: 'from-env' }).auth.oidc?.clientSecret).toBe('from-file');
    expect(load({}).auth.oidc).toBeUndefined();
  });

  it.each([
    [{ ...base, issuer: 'http://login.example.com' }, /must be https/],
    [{ ...base, issuer: 'http://login.example.com', allow_insecure_http: true, role_mapping: {} }, /nobody could sign in/],
    [{ ...base, role_mapping: { g: ['superuser'] } }, /auth\.oidc\.role_mapping\.g\.0/],
    [{ ...base, issuer: 'not a url' }, /auth\.oidc\.issuer/],
    [{ ...base, client_secret: '' }, /auth\.oidc\.client_secret/],
    [{ ...base, extra: 1 }, /auth\.oidc/],
  ])('refuses %j', (oidc, message) => {
    expect(() => load({ auth: { oidc } })).toThrow(ConfigError);
    expect(() => load({ auth: { oidc } })).toThrow(message);
  });
});
