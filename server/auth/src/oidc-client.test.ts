/**
 * The relying party against a real OpenID Provider (oidc-provider, in
 * process on port 0), driven over HTTP: the provider's login form is
 * posted like a browser would, its redirects followed, and the callback
 * URL handed to completeLogin.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { AppError, type ErrorCode, type Logger } from '@workbench/core';
import { OidcClient, type OidcClientOptions } from './oidc-client';
import { openPending, sealPending, type PendingLogin } from './oidc-pending';
import { startTestOidcProvider, type TestOidcProvider } from './testing/oidc-provider';
import { OidcUserAgent } from './testing/oidc-user-agent';

const REDIRECT = 'https://workbench.test/auth/oidc/callback';
const POST_LOGOUT = 'https://workbench.test/auth/logged-out';
const OTHER_REDIRECT = 'https://other.test/callback';
const T0 = Date.UTC(2025, 0, 31, 17, 0, 0);
const KEY = randomBytes(32);

const ROLE_MAPPING = {
  'finance-viewers': ['viewer'],
  'finance-analysts': ['analyst'],
  'finance-engineers': ['engineer'],
  'workbench-admins': ['admin'],
} as const;

interface LogLine {
  level: string;
  fields: object;
  msg: string;
}

function recordingLogger(lines: LogLine[]): Logger {
  const log = (level: string) => (fields: object, msg: string) => void lines.push({ level, fields, msg });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

async function caught(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

async function expectAppError(p: Promise<unknown> | (() => unknown), code: ErrorCode, message: RegExp): Promise<AppError> {
  const err = await caught(p);
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringMatching(message) });
  return err;
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

async function listen(server: Server | TcpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server | TcpServer): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

describe('OidcClient against oidc-provider', () => {
  let op: TestOidcProvider;
  let baseline: number;
  const logs: LogLine[] = [];
  let requests: string[] = [];
  let now = T0;

  function options(overrides: Partial<OidcClientOptions> = {}): OidcClientOptions {
    return {
      issuer: op.issuer,
      clientId: 'workbench',
      clientSecret: 'workbench-secret-0123456789',
      redirectUri: REDIRECT,
      postLogoutRedirectUri: POST_LOGOUT,
      roleMapping: ROLE_MAPPING,
      clock: () => now,
      logger: recordingLogger(logs),
      fetch: (input, init) => {
        requests.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
      ...overrides,
    };
  }

  function agent(): OidcUserAgent {
    return new OidcUserAgent({ isCallback: (url) => url.origin === 'https://workbench.test' || url.origin === 'https://other.test' });
  }

  /** A full login as `username`: the pending login and the provider's callback URL. */
  async function loginOverHttp(client: OidcClient, username: string, password: string, ua = agent(), returnTo = '/lab') {
    const { authorizationUrl, pending } = await client.beginLogin(returnTo);
    const callback = await ua.signIn(authorizationUrl, username, password);
    return { pending, callback, ua };
  }

  beforeAll(async () => {
    baseline = tcpHandles();
    op = await startTestOidcProvider({
      users: [
        { username: 'alice', password: 'alice-pw', subject: 'sub-alice-0001', name: 'Alice Analyst', email: 'alice@example.com', groups: ['finance-analysts', 'coffee-club'] },
        { username: 'bob', password: 'bob-pw', email: 'bob@example.com', groups: ['finance-engineers', 'workbench-admins'] },
        { username: 'carol', password: 'carol-pw', groups: ['marketing'] },
      ],
      clients: [
        { clientId: 'workbench', clientSecret: 'workbench-secret-0123456789', redirectUris: [REDIRECT], postLogoutRedirectUris: [POST_LOGOUT] },
        { clientId: 'other-app', clientSecret: 'other-secret-0123456789', redirectUris: [OTHER_REDIRECT] },
      ],
    });
  });

  afterAll(async () => {
    await op.stop();
    await op.stop(); // idempotent
    expect(op.serverErrors).toEqual([]);
    // The provider closed every connection; the client ends of keep-alive sockets see it on a later turn of the event loop.
    for (let turn = 0; turn < 1000 && tcpHandles() > baseline; turn++) await new Promise((r) => setImmediate(r));
    expect(process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'))).toHaveLength(baseline);
  });

  beforeEach(() => {
    logs.length = 0;
    requests = [];
    now = T0;
  });

  it('logs in with Authorization Code + PKCE and maps groups to roles', async () => {
    const client = await OidcClient.discover(options());
    expect(client.issuer).toBe(op.issuer);
    expect(client.scope).toBe('openid profile email groups');

    const { authorizationUrl, pending } = await client.beginLogin('/lab/tree/close/q3.ipynb?kernel=python3');
    const url = new URL(authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${op.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'workbench',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile email groups',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(authorizationUrl).not.toContain(pending.codeVerifier);
    expect(pending).toEqual({ state: expect.any(String), nonce: expect.any(String), codeVerifier: expect.any(String), returnTo: '/lab/tree/close/q3.ipynb?kernel=python3', created: T0 });

    // The server keeps the pending login in a sealed cookie between the two requests.
    const cookie = sealPending(pending, KEY);
    expect(cookie).not.toContain(pending.codeVerifier);
    now += 2 * 60_000;
    const reopened = openPending(cookie, KEY, { clock: () => now });
    expect(reopened).toEqual(pending);

    const callback = await agent().signIn(authorizationUrl, 'alice', 'alice-pw');
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe(pending.state);
    expect(callback.searchParams.get('iss')).toBe(op.issuer);

    const { identity, tokens } = await client.completeLogin(callback, reopened);
    expect(identity).toEqual({
      subject: 'sub-alice-0001',
      issuer: op.issuer,
      username: 'alice',
      displayName: 'Alice Analyst',
      email: 'alice@example.com',
      groups: ['finance-analysts', 'coffee-club'],
      roles: ['analyst'],
    });
    expect(tokens).toEqual({ idToken: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/), refreshToken: expect.any(String), accessTokenExpiresAt: now + 3600_000 });
    // This provider follows OIDC Core 5.4 (no profile claims in the code flow's ID token): the groups came from UserInfo.
    expect(requests).toEqual(['/.well-known/openid-configuration', '/token', '/jwks', '/me']);
    expect(logs).toEqual([]);
  });

  it('maps every group a user has, and no mapped group to no role', async () => {
    const client = await OidcClient.discover(options());
    const bob = await loginOverHttp(client, 'bob', 'bob-pw');
    expect((await client.completeLogin(bob.callback, bob.pending)).identity).toMatchObject({
      subject: 'bob',
      username: 'bob',
      displayName: 'bob',
      groups: ['finance-engineers', 'workbench-admins'],
      roles: ['engineer', 'admin'],
    });
    const carol = await loginOverHttp(client, 'carol', 'carol-pw');
    expect((await client.completeLogin(carol.callback, carol.pending)).identity).toMatchObject({ username: 'carol', email: undefined, groups: ['marketing'], roles: [] });

    const withDefault = await OidcClient.discover(options({ defaultRoles: ['viewer'] }));
    const carol2 = await loginOverHttp(withDefault, 'carol', 'carol-pw');
    expect((await withDefault.completeLogin(carol2.callback, carol2.pending)).identity.roles).toEqual(['viewer']);
    expect(withDefault.mapRoles(['finance-analysts', 'unknown'])).toEqual(['viewer', 'analyst']);
  });

  it('refuses a wrong password on the login form, then accepts the right one', async () => {
    const client = await OidcClient.discover(options());
    const { authorizationUrl, pending } = await client.beginLogin('/lab');
    const ua = agent();
    const form = await ua.open(authorizationUrl);
    if (form.kind !== 'page') throw new Error('expected the login form');
    expect(form.page.html).toContain('name="password"');

    const refused = await ua.submit(form.page, { username: 'alice', password: 'wrong' }, '/login');
    if (refused.kind !== 'page') throw new Error('expected the login form again');
    expect(refused.page.status).toBe(401);
    expect(refused.page.html).toContain('Invalid username or password');
    const unknown = await ua.submit(form.page, { username: 'mallory', password: 'alice-pw' }, '/login');
    expect(unknown.kind === 'page' && unknown.page.status).toBe(401);

    const accepted = await ua.submit(refused.page, { username: 'alice', password: 'alice-pw' }, '/login');
    if (accepted.kind !== 'callback') throw new Error('expected the callback');
    expect((await client.completeLogin(accepted.url, pending)).identity.username).toBe('alice');
  });

  it('refresh derives roles again from the provider\'s current groups', async () => {
    const client = await OidcClient.discover(options());
    const { pending, callback } = await loginOverHttp(client, 'bob', 'bob-pw');
    const login = await client.completeLogin(callback, pending);
    expect(login.identity.roles).toEqual(['engineer', 'admin']);

    const bob = op.users.get('bob')!;
    const groups = bob.groups;
    try {
      bob.groups = ['finance-viewers'];
      now += 30 * 60_000;
      const refreshed = await client.refresh(login.tokens.refreshToken!, { subject: login.identity.subject });
      expect(refreshed.identity).toMatchObject({ subject: 'bob', groups: ['finance-viewers'], roles: ['viewer'] });
      expect(refreshed.tokens).toEqual({ idToken: expect.any(String), refreshToken: expect.any(String), accessTokenExpiresAt: now + 3600_000 });

      bob.groups = [];
      expect((await client.refresh(refreshed.tokens.refreshToken!)).identity.roles).toEqual([]);
    } finally {
      bob.groups = groups;
    }
  });

  it('refuses a refresh for another user, and a refresh token the provider does not know', async () => {
    const client = await OidcClient.discover(options());
    const { pending, callback } = await loginOverHttp(client, 'alice', 'alice-pw');
    const login = await client.completeLogin(callback, pending);
    await expectAppError(client.refresh(login.tokens.refreshToken!, { subject: 'bob' }), 'unauthenticated', /^Cannot refresh the session: the identity provider returned another user$/);
    await expectAppError(client.refresh('not-a-refresh-token'), 'unauthenticated', /^Cannot refresh the session: the identity provider refused the refresh token \(invalid_grant\)$/);
  });

  it('ends the provider session through RP-initiated logout', async () => {
    const client = await OidcClient.discover(options());
    const { pending, callback, ua } = await loginOverHttp(client, 'alice', 'alice-pw');
    const { tokens } = await client.completeLogin(callback, pending);

    // While the provider session lives, a new login comes straight back (single sign-on).
    const again = await client.beginLogin('/lab');
    expect((await ua.open(again.authorizationUrl)).kind).toBe('callback');

    const endSession = new URL(client.endSessionUrl(tokens.idToken)!);
    expect(endSession.origin + endSession.pathname).toBe(`${op.issuer}/session/end`);
    expect(Object.fromEntries(endSession.searchParams)).toEqual({ id_token_hint: tokens.idToken, post_logout_redirect_uri: POST_LOGOUT, client_id: 'workbench' });
    expect(new URL(client.endSessionUrl(undefined, 'https://workbench.test/bye')!).searchParams.get('post_logout_redirect_uri')).toBe('https://workbench.test/bye');

    const out = await ua.signOut(endSession);
    expect(out).toEqual({ kind: 'callback', url: new URL(POST_LOGOUT) });
    // Tokens issued without offline_access end with the provider session.
    await expectAppError(client.refresh(tokens.refreshToken!), 'unauthenticated', /^Cannot refresh the session: the identity provider refused the refresh token \(invalid_grant\)$/);
    // The provider session is gone: the login form is shown again.
    const next = await client.beginLogin('/lab');
    const arrival = await ua.open(next.authorizationUrl);
    expect(arrival.kind === 'page' && arrival.page.html).toContain('name="password"');
  });

  it('has no end-session URL when the provider has no end_session_endpoint', async () => {
    const plain = await startTestOidcProvider({ users: [], clients: [{ clientId: 'workbench', clientSecret: 'workbench-secret-0123456789', redirectUris: [REDIRECT] }], endSession: false });
    try {
      const client = await OidcClient.discover({ ...options(), issuer: plain.issuer });
      expect(client.endSessionUrl('id-token')).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('takes the claims from the ID token when the provider puts them there (no UserInfo call)', async () => {
    const rich = await startTestOidcProvider({
      users: [{ username: 'dave', password: 'dave-pw', email: 'dave@example.com', groups: ['finance-analysts'] }],
      clients: [{ clientId: 'workbench', clientSecret: 'workbench-secret-0123456789', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'client_secret_post' }],
      claimsInIdToken: true,
    });
    try {
      const client = await OidcClient.discover({ ...options(), issuer: rich.issuer, tokenEndpointAuthMethod: 'client_secret_post' });
      const { pending, callback } = await loginOverHttp(client, 'dave', 'dave-pw');
      requests = [];
      const { identity } = await client.completeLogin(callback, pending);
      expect(identity).toMatchObject({ username: 'dave', email: 'dave@example.com', roles: ['analyst'] });
      expect(requests).toEqual(['/token', '/jwks']);
    } finally {
      await rich.stop();
    }
  });

  describe('bad input', () => {
    let client: OidcClient;
    beforeEach(async () => {
      client = await OidcClient.discover(options());
      logs.length = 0;
    });

    /** The error, and that it was logged without any token or code in the log line. */
    async function refused(p: Promise<unknown>, code: ErrorCode, message: RegExp, secrets: string[] | (() => string[])): Promise<void> {
      const err = await expectAppError(p, code, message);
      const logged = JSON.stringify(logs);
      expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: err.message })]);
      for (const secret of typeof secrets === 'function' ? secrets() : secrets) {
        expect(secret).toEqual(expect.any(String));
        expect(err.message).not.toContain(secret);
        expect(logged).not.toContain(secret);
      }
    }

    it('refuses an altered, foreign or expired pending-login cookie', async () => {
      const { pending } = await client.beginLogin('/lab');
      const sealed = sealPending(pending, KEY);
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      raw[20]! ^= 0x01;
      const altered = `v1.${raw.toString('base64url')}`;
      const invalid = /^Cannot log in: the login cookie is missing, altered or from another server; start the login again$/;
      expect((await caught(() => openPending(altered, KEY, { clock: () => now }))).message).toMatch(invalid);
      await expectAppError(async () => openPending(sealed, randomBytes(32), { clock: () => now }), 'bad_request', invalid);
      await expectAppError(async () => openPending(undefined, KEY), 'bad_request', invalid);
      await expectAppError(async () => openPending(sealed, KEY, { clock: () => now + 10 * 60_000 + 1 }), 'bad_request', /^Cannot log in: the login was started more than 10 minutes ago; start it again$/);
      expect(openPending(sealed, KEY, { clock: () => now + 10 * 60_000 })).toEqual(pending);
    });

    it('refuses a callback with another login\'s state', async () => {
      const first = await loginOverHttp(client, 'alice', 'alice-pw');
      const second = await client.beginLogin('/lab');
      await refused(client.completeLogin(first.callback, second.pending), 'bad_request', /^Cannot log in: the callback does not belong to this login \(state mismatch\); start the login again$/, [first.callback.searchParams.get('code')!]);
      // Nothing was spent: the right pending login still completes.
      expect((await client.completeLogin(first.callback, first.pending)).identity.username).toBe('alice');
    });

    it('refuses an ID token whose nonce belongs to another login', async () => {
      const first = await loginOverHttp(client, 'alice', 'alice-pw');
      const second = await client.beginLogin('/lab');
      const wrongNonce: PendingLogin = { ...first.pending, nonce: second.pending.nonce };
      await refused(client.completeLogin(first.callback, wrongNonce), 'unauthenticated', /^Cannot log in: the ID token does not belong to this login \(nonce mismatch\)$/, [first.callback.searchParams.get('code')!]);
    });

    it('refuses an injected authorization code (PKCE verifier of another login)', async () => {
      // An attacker's code pasted into the victim's callback, with the victim's state.
      const attacker = await loginOverHttp(client, 'carol', 'carol-pw');
      const victim = await client.beginLogin('/lab');
      const injected = new URL(attacker.callback);
      injected.searchParams.set('state', victim.pending.state);
      await refused(client.completeLogin(injected, victim.pending), 'unauthenticated', /^Cannot log in: the identity provider refused the authorization code \(invalid_grant\)$/, [attacker.callback.searchParams.get('code')!]);
    });

    it('refuses a code used twice', async () => {
      const { pending, callback } = await loginOverHttp(client, 'alice', 'alice-pw');
      const { tokens } = await client.completeLogin(callback, pending);
      logs.length = 0;
      await refused(client.completeLogin(callback, pending), 'unauthenticated', /^Cannot log in: the identity provider refused the authorization code \(invalid_grant\)$/, [tokens.idToken]);
    });

    it('refuses an ID token issued to another client (wrong audience)', async () => {
      // A genuine, provider-signed token response for "other-app", substituted for ours on the way back.
      let otherTokenResponse: string | undefined;
      const other = await OidcClient.discover(
        options({
          clientId: 'other-app',
          clientSecret: 'other-secret-0123456789',
          redirectUri: OTHER_REDIRECT,
          fetch: async (input, init) => {
            const res = await fetch(input, init);
            if (new URL(String(input)).pathname === '/token') otherTokenResponse = await res.clone().text();
            return res;
          },
        }),
      );
      const otherLogin = await loginOverHttp(other, 'alice', 'alice-pw');
      await other.completeLogin(otherLogin.callback, otherLogin.pending);
      const stolen = JSON.parse(otherTokenResponse!) as { id_token: string; access_token: string; refresh_token: string };

      const substituted = await OidcClient.discover(
        options({
          fetch: async (input, init) =>
            new URL(String(input)).pathname === '/token' ? new Response(otherTokenResponse, { status: 200, headers: { 'content-type': 'application/json' } }) : fetch(input, init),
        }),
      );
      const ours = await loginOverHttp(substituted, 'alice', 'alice-pw');
      logs.length = 0;
      await refused(substituted.completeLogin(ours.callback, ours.pending), 'unauthenticated', /^Cannot log in: the ID token was issued to another client \(audience mismatch\)$/, [stolen.id_token, stolen.access_token, stolen.refresh_token]);
    });

    it('refuses an ID token whose signature does not verify', async () => {
      let idToken: string | undefined;
      const forging = await OidcClient.discover(
        options({
          fetch: async (input, init) => {
            const res = await fetch(input, init);
            if (new URL(String(input)).pathname !== '/token') return res;
            const body = (await res.json()) as { id_token: string };
            const [h, p, sig] = body.id_token.split('.');
            // Claims changed after signing: a token the provider never issued.
            const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
            idToken = body.id_token = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url'), sig].join('.');
            return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
          },
        }),
      );
      const { pending, callback } = await loginOverHttp(forging, 'alice', 'alice-pw');
      logs.length = 0;
      await refused(forging.completeLogin(callback, pending), 'unauthenticated', /^Cannot log in: the ID token's signature does not verify$/, () => [idToken!]);
    });

    it('reports the provider\'s error when the user cancels at the provider', async () => {
      const { authorizationUrl, pending } = await client.beginLogin('/lab');
      const ua = agent();
      const form = await ua.open(authorizationUrl);
      if (form.kind !== 'page') throw new Error('expected the login form');
      const cancelled = await ua.submit(form.page, {}, '/abort');
      if (cancelled.kind !== 'callback') throw new Error('expected the callback');
      expect(cancelled.url.searchParams.get('error')).toBe('access_denied');
      await refused(client.completeLogin(cancelled.url, pending), 'bad_request', /^Cannot log in: the identity provider returned access_denied \(End-User aborted interaction\)$/, []);
    });

    it('refuses a callback without a code', async () => {
      const { pending } = await client.beginLogin('/lab');
      await refused(client.completeLogin(new URL(`${REDIRECT}?state=${pending.state}`), pending), 'bad_request', /^Cannot log in: the callback carries no authorization code$/, []);
    });

    it('refuses a return address off this server', async () => {
      for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'lab', '/lab\nSet-Cookie: x=y', '']) {
        await expectAppError(client.beginLogin(returnTo), 'bad_request', /^Cannot log in: the return address must be a path on this server/);
      }
      expect((await client.beginLogin('/lab/../hub/./home?x=1#y')).pending.returnTo).toBe('/hub/home?x=1#y');
    });

    it('refuses a role mapping with a role Workbench does not have', async () => {
      await expectAppError(OidcClient.discover(options({ roleMapping: { finance: ['superuser' as 'admin'] } })), 'bad_request', /^Cannot configure OIDC: group "finance" maps to an unknown role/);
      await expectAppError(OidcClient.discover(options({ defaultRoles: ['root' as 'admin'] })), 'bad_request', /^Cannot configure OIDC: defaultRoles/);
    });
  });

  it('fails every call once disposed', async () => {
    const client = await OidcClient.discover(options());
    const { pending, callback } = await loginOverHttp(client, 'alice', 'alice-pw');
    await client[Symbol.asyncDispose]();
    await client[Symbol.asyncDispose]();
    await expectAppError(client.completeLogin(callback, pending), 'unavailable', /^Cannot log in: the request to the identity provider was cancelled$/);
  });

  describe('a provider that is down', () => {
    it('is unavailable when nothing answers at the issuer', async () => {
      // A held port whose every connection is reset: no port reuse races.
      const tcp = createTcpServer((socket) => socket.resetAndDestroy());
      const issuer = await listen(tcp);
      try {
        await expectAppError(OidcClient.discover(options({ issuer })), 'unavailable', new RegExp(`^Cannot discover the identity provider: cannot reach the identity provider at ${issuer}$`));
        expect(logs).toEqual([expect.objectContaining({ level: 'warn' })]);
      } finally {
        await close(tcp);
      }
    });

    it('is unavailable when discovery answers 503, or names another issuer', async () => {
      let body: { status: number; json: object } = { status: 503, json: { error: 'down for maintenance' } };
      const http = createServer((_req, res) => {
        res.writeHead(body.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body.json));
      });
      const issuer = await listen(http);
      try {
        await expectAppError(OidcClient.discover(options({ issuer })), 'unavailable', /^Cannot discover the identity provider: the identity provider at http:\/\/127\.0\.0\.1:\d+ did not serve a valid discovery document/);
        body = { status: 200, json: { issuer: 'https://login.example', authorization_endpoint: 'https://login.example/auth', token_endpoint: 'https://login.example/token' } };
        await expectAppError(OidcClient.discover(options({ issuer })), 'unavailable', /^Cannot discover the identity provider: the discovery document at http:\/\/127\.0\.0\.1:\d+ names another issuer/);
      } finally {
        await close(http);
      }
    });

    it('is unavailable when the caller gives up on a provider that never answers', async () => {
      const abort = new AbortController();
      const http = createServer(() => abort.abort()); // accepts, never answers
      const issuer = await listen(http);
      try {
        await expectAppError(OidcClient.discover(options({ issuer }), { signal: abort.signal }), 'unavailable', /^Cannot discover the identity provider: the request to the identity provider was cancelled$/);
      } finally {
        await close(http);
      }
    });

    it('refuses a plain-HTTP issuer that is not loopback unless allowed', async () => {
      await expectAppError(OidcClient.discover(options({ issuer: 'http://sso.example.invalid' })), 'unavailable', /^Cannot discover the identity provider: the issuer http:\/\/sso\.example\.invalid is not HTTPS$/);
    });
  });
});
