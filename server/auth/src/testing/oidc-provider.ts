/**
 * A real OpenID Provider for tests: npm `oidc-provider` (a certified
 * implementation, https://github.com/panva/node-oidc-provider), in
 * process, on 127.0.0.1 port 0. Not a mock: discovery, the authorization
 * and token endpoints, PKCE, ID token signing, UserInfo, refresh and
 * RP-initiated logout are the library's.
 *
 * What is ours: the account store (test users with a password, email and
 * groups; mutable so a test can change a user's groups between login and
 * refresh) and the login page. oidc-provider's built-in devInteractions
 * form accepts any login without checking a password, so it is disabled and
 * replaced by a small form at /interaction/:uid (username + password;
 * a wrong password gets 401 and the form again; Cancel ends the login with
 * access_denied). Consent is implied for the registered (first-party)
 * clients.
 *
 * oidc-provider 9 is ESM-only; it is loaded through Node's own require as
 * openid-client is (see ../oidc-esm.ts). On Node 20 it prints
 * "Unsupported runtime" once at load (it asks for Node >= 22); it works.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeEqual } from '../secrets';
import { MemoryAdapter, type StoredEntry } from './oidc-memory-adapter';

export interface TestOidcUser {
  username: string;
  password: string;
  /** The `sub` claim; default the username. */
  subject?: string;
  name?: string;
  email?: string;
  groups: string[];
}

export interface TestOidcClient {
  clientId: string;
  /** Absent: a public client (token_endpoint_auth_method none). */
  clientSecret?: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /**
   * "native" lets loopback http redirect URIs match on any port (RFC 8252
   * 7.3), so a server on port 0 can register before it knows its port.
   * Default "web" (exact match).
   */
  applicationType?: 'web' | 'native';
}

export interface TestOidcProviderOptions {
  users: TestOidcUser[];
  clients: TestOidcClient[];
  /** The claim (and scope of the same name) carrying groups; default "groups". */
  groupsClaim?: string;
  /**
   * Also put profile, email and groups claims in the ID token (as Keycloak
   * or Entra ID do). Default false: for the code flow they come from UserInfo
   * only, as OIDC Core 5.4 says (oidc-provider's conformIdTokenClaims).
   */
  claimsInIdToken?: boolean;
  /** RP-initiated logout (end_session_endpoint); default true. */
  endSession?: boolean;
  /** Lifetimes in seconds. */
  ttl?: { accessToken?: number; idToken?: number; refreshToken?: number };
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  port: number;
  /** By username; edit a user's groups (or password) and the provider sees it at once. */
  users: Map<string, TestOidcUser>;
  /** Errors oidc-provider reported as server errors (a test may assert there were none). */
  serverErrors: Error[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/* The slice of oidc-provider's API used here (it ships no types). */
interface OidcContext {
  oidc: {
    client?: { clientId: string; clientName?: string };
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: ProviderInstance;
  };
  type: string;
  body: unknown;
  status: number;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ClientInstance {
  grantTypeAllowed(type: string): boolean;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown> }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
  on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): void;
  silent: boolean;
}
type ProviderConstructor = new (issuer: string, configuration: object) => ProviderInstance;
interface InteractionPolicy {
  get(name: string): { checks: { remove(reason: string): void } } | undefined;
}
interface OidcProviderModule {
  Provider: ProviderConstructor;
  interactionPolicy: { base(): InteractionPolicy };
}

let providerModule: OidcProviderModule | undefined;
function loadProvider(): OidcProviderModule {
  providerModule ??= process.getBuiltinModule('node:module').createRequire(__filename)('oidc-provider') as OidcProviderModule;
  return providerModule;
}

/**
 * oidc-provider tells configuration objects by `constructor === Object`.
 * Under jest this module runs in a vm context whose Object is not the one
 * oidc-provider (loaded by Node's own require) sees, so every plain object
 * and array handed to it is rebuilt in the main realm. Outside jest this is
 * a plain deep copy.
 */
let realm: { Object: ObjectConstructor; Array: ArrayConstructor } | undefined;
function mainRealm<T>(value: T): T {
  realm ??= process.getBuiltinModule('node:vm').runInThisContext('({ Object, Array })') as { Object: ObjectConstructor; Array: ArrayConstructor };
  if (Array.isArray(value)) {
    const out = new realm.Array();
    for (const v of value) out.push(mainRealm(v));
    return out as T;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out = new realm.Object() as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = mainRealm(v);
    return out as T;
  }
  return value;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function loginPage(uid: string, clientId: string, loginHint: string, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(clientId)}</h1>` +
      (error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : '') +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">` +
      `<label>Username <input type="text" name="username" required autofocus value="${escapeHtml(loginHint)}"></label>` +
      `<label>Password <input type="password" name="password" required></label>` +
      `<button type="submit">Sign in</button></form>` +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Cancel</button></form>`,
  );
}

async function readForm(req: IncomingMessage, limit = 16 * 1024): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const { Provider, interactionPolicy } = loadProvider();
  const users = new Map(options.users.map((u) => [u.username, { ...u, groups: [...u.groups] }]));
  const bySubject = (sub: string) => [...users.values()].find((u) => (u.subject ?? u.username) === sub);
  const groupsClaim = options.groupsClaim ?? 'groups';
  const serverErrors: Error[] = [];

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    if (handler) handler(req, res);
    else send(res, 503, page('Starting', 'starting'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
    const ttl = options.ttl ?? {};
    const entries = new Map<string, StoredEntry>();
    const index = new Map<string, Set<string>>();
    const configuration = mainRealm({
      clients: options.clients.map((c) => ({
        client_id: c.clientId,
        application_type: c.applicationType ?? 'web',
        ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
        token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? (c.clientSecret ? 'client_secret_basic' : 'none'),
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      })),
      async findAccount(_ctx: unknown, sub: string) {
        const user = bySubject(sub);
        if (!user) return undefined;
        return mainRealm({
          accountId: sub,
          async claims() {
            // Read at each call: a test may change the user's groups between login and refresh.
            return mainRealm({ sub, preferred_username: user.username, name: user.name ?? user.username, email: user.email, email_verified: user.email !== undefined, [groupsClaim]: [...user.groups] });
          },
        });
      },
      claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], [groupsClaim]: [groupsClaim] },
      conformIdTokenClaims: !options.claimsInIdToken,
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: {
          enabled: options.endSession ?? true,
          async logoutSource(ctx: OidcContext, form: string) {
            ctx.type = 'html';
            ctx.body = page(
              'Sign out',
              `<h1>Sign out?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button><button type="submit" form="op.logoutForm">No, stay signed in</button>`,
            );
          },
          async postLogoutSuccessSource(ctx: OidcContext) {
            ctx.type = 'html';
            ctx.body = page('Signed out', '<h1>Signed out</h1>');
          },
        },
      },
      pkce: { required: () => true },
      // Refresh tokens for every client allowed the refresh_token grant, without offline_access (which would need a consent prompt).
      issueRefreshToken: async (_ctx: unknown, client: ClientInstance) => client.grantTypeAllowed('refresh_token'),
      // First-party clients: consent is implied, for every scope the provider knows.
      async loadExistingGrant(ctx: OidcContext) {
        const { client, session, result, provider: p } = ctx.oidc;
        if (!client || !session?.accountId) return undefined;
        const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
        if (grantId) return p.Grant.find(grantId);
        const grant = new p.Grant({ accountId: session.accountId, clientId: client.clientId });
        grant.addOIDCScope(`openid profile email offline_access ${groupsClaim}`);
        await grant.save();
        return grant;
      },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      jwks: { keys: [jwk] },
      ttl: {
        AccessToken: ttl.accessToken ?? 3600,
        IdToken: ttl.idToken ?? 3600,
        RefreshToken: ttl.refreshToken ?? 24 * 3600,
        Interaction: () => 600,
        Session: () => 8 * 3600,
        Grant: () => 24 * 3600,
      },
      adapter: (model: string) => new MemoryAdapter(model, entries, index),
      async renderError(ctx: OidcContext, out: Record<string, string>) {
        ctx.type = 'html';
        ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<p><b>${escapeHtml(k)}</b>: ${escapeHtml(String(v))}</p>`).join('')}`);
      },
      clientBasedCORS: () => false,
    });
    // Consent is implied for first-party clients, native ones too (oidc-provider would ask native clients every time).
    // Set after mainRealm: the policy is oidc-provider's own array with methods, not a plain one to copy.
    const policy = interactionPolicy.base();
    policy.get('consent')?.checks.remove('native_client_prompt');
    (configuration.interactions as { policy?: InteractionPolicy }).policy = policy;
    const provider = new Provider(issuer, configuration);
    provider.silent = true;
    provider.on('server_error', (_ctx, err) => serverErrors.push(err));
    const oidc = provider.callback();

    const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> => {
      let details: Awaited<ReturnType<ProviderInstance['interactionDetails']>>;
      try {
        details = await provider.interactionDetails(req, res);
      } catch {
        return send(res, 400, page('Sign in', '<p role="alert">This sign-in has expired or is unknown; start again from the application.</p>'));
      }
      if (details.uid !== uid) return send(res, 400, page('Sign in', '<p role="alert">This sign-in does not match this browser.</p>'));
      if (details.prompt.name !== 'login') return send(res, 501, page('Sign in', `<p>Prompt ${escapeHtml(details.prompt.name)} is not supported</p>`));
      const clientId = String(details.params.client_id ?? '');
      if (req.method === 'GET' && action === undefined) {
        return send(res, 200, loginPage(uid, clientId, typeof details.params.login_hint === 'string' ? details.params.login_hint : ''));
      }
      if (req.method === 'POST' && action === 'abort') {
        await readForm(req);
        return provider.interactionFinished(req, res, mainRealm({ error: 'access_denied', error_description: 'End-User aborted interaction' }), mainRealm({ mergeWithLastSubmission: false }));
      }
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const username = form.get('username') ?? '';
        const user = users.get(username);
        // Compare even for an unknown user, so timing does not tell which usernames exist.
        const ok = safeEqual(form.get('password') ?? '', user?.password ?? randomBytes(16).toString('hex')) && user !== undefined;
        if (!ok) return send(res, 401, loginPage(uid, clientId, username, 'Invalid username or password'));
        return provider.interactionFinished(req, res, mainRealm({ login: { accountId: user.subject ?? user.username } }), mainRealm({ mergeWithLastSubmission: false }));
      }
      send(res, 405, page('Sign in', 'method not allowed'));
    };

    handler = (req, res) => {
      const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
      if (!m) {
        oidc(req, res);
        return;
      }
      interaction(req, res, m[1]!, m[2]).catch((err: unknown) => {
        serverErrors.push(err instanceof Error ? err : new Error(String(err)));
        if (!res.headersSent) send(res, 500, page('Error', 'internal error'));
        else res.destroy();
      });
    };
  } catch (err) {
    server.close();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };
  return { issuer, port, users, serverErrors, stop, [Symbol.asyncDispose]: stop };
}
