/**
 * Workbench as an OpenID Connect relying party: Authorization Code flow
 * with PKCE (S256), state and nonce, through openid-client 6 (which does
 * the protocol checks: issuer, audience, azp, nonce, expiry, signature,
 * PKCE, the RFC 9207 `iss` response parameter).
 *
 * - https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * - https://openid.net/specs/openid-connect-rpinitiated-1_0.html (logout)
 * - RFC 7636 (PKCE), RFC 9700 (OAuth 2.0 security BCP)
 *
 * This module holds no sessions: `beginLogin` returns the pending login
 * for the server to seal into a cookie (oidc-pending.ts); `completeLogin`
 * and `refresh` return who the user is and their tokens. Claims: the ID
 * token proves who logged in; when it does not carry the groups claim
 * (providers that follow OIDC Core 5.4 put profile claims only in
 * UserInfo for the code flow) UserInfo is asked, bound to the same `sub`.
 *
 * Time: `clock` drives the pending-login expiry and `accessTokenExpiresAt`;
 * openid-client checks ID token `exp`/`iat` against the wall clock (it is
 * compared with the provider's, not ours).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError, silentLogger, type Logger } from '@workbench/core';
import { openidClient, type OpenIdClientNs } from './oidc-esm';
import { oidcError, ProviderFetchError } from './oidc-errors';
import { safeReturnTo, type PendingLogin } from './oidc-pending';
import { safeEqual } from './secrets';
import { assertRoleMapping, groupsFromClaims, mapRoles, type OidcRole, type RoleMapping } from './oidc-roles';

type Configuration = OpenIdClientNs.Configuration;
type CustomFetchOptions = OpenIdClientNs.CustomFetchOptions;
type TokenResponse = OpenIdClientNs.TokenEndpointResponse & OpenIdClientNs.TokenEndpointResponseHelpers;

export interface OidcClientOptions {
  /** auth.oidc.issuer: discovery reads `<issuer>/.well-known/openid-configuration`; must match the document's `issuer` exactly. */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, token_endpoint_auth_method "none"). */
  clientSecret?: string;
  /** Default client_secret_basic with a secret, none without. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** The callback URL registered at the provider, e.g. https://workbench.example/auth/oidc/callback. */
  redirectUri: string;
  /** Where the provider sends the browser after RP-initiated logout (must be registered there too). */
  postLogoutRedirectUri?: string;
  /** Default openid, profile, email, plus the groups claim's name when the provider advertises a scope of that name. */
  scopes?: readonly string[];
  /** The claim that carries groups (default "groups"); a dotted path such as "realm_access.roles" also works. */
  groupsClaim?: string;
  roleMapping: RoleMapping;
  /** Roles everyone who logs in gets (default none). See oidc-roles.ts for the contract. */
  defaultRoles?: readonly OidcRole[];
  /** Allow a plain-HTTP issuer. Loopback issuers (127.0.0.1, ::1, localhost) are always allowed. */
  allowInsecureHttp?: boolean;
  /** Timeout of each request to the provider (default 10 s). */
  timeoutMs?: number;
  /** Aborts every request of this client (e.g. server shutdown). */
  signal?: AbortSignal;
  clock?: () => number;
  /** Transport to the provider (tests; a proxy-aware fetch). Default the global fetch. */
  fetch?: typeof fetch;
  logger?: Logger;
}

export interface OidcIdentity {
  /** Stable per provider: key users by (issuer, subject), not by username. */
  subject: string;
  issuer: string;
  /** preferred_username, else email, else sub. */
  username: string;
  displayName: string;
  email: string | undefined;
  groups: string[];
  roles: OidcRole[];
}

export interface OidcTokens {
  idToken: string;
  /** Absent when the provider issues none (then the session ends when the ID token's session would). */
  refreshToken: string | undefined;
  /** ms since the epoch (client clock); undefined when the provider gives no expires_in. */
  accessTokenExpiresAt: number | undefined;
}

export interface OidcLoginResult {
  identity: OidcIdentity;
  tokens: OidcTokens;
}

export interface OidcRefreshResult {
  identity: OidcIdentity;
  /** `idToken` is undefined when the provider issues no new ID token on refresh; `refreshToken` is the new one if rotated, else the one passed in. */
  tokens: Omit<OidcTokens, 'idToken'> & { idToken: string | undefined };
}

export interface CallOptions {
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
}

function absoluteUrl(value: unknown, name: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new AppError('bad_request', `Cannot configure OIDC: ${name} must be an absolute http(s) URL`);
  return url;
}

export class OidcClient {
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly closed = new AbortController();
  private readonly callSignal = new AsyncLocalStorage<AbortSignal | undefined>();
  private config!: Configuration;
  private scopes!: string;

  private constructor(private readonly options: OidcClientOptions) {
    this.now = options.clock ?? Date.now;
    this.logger = (options.logger ?? silentLogger).child({ component: 'oidc', issuer: options.issuer });
  }

  /** Validate the options and read the provider's discovery document: an `unavailable` AppError when it cannot be read. */
  static async discover(options: OidcClientOptions, call: CallOptions = {}): Promise<OidcClient> {
    const issuer = absoluteUrl(options.issuer, 'issuer');
    absoluteUrl(options.redirectUri, 'redirectUri');
    if (options.postLogoutRedirectUri !== undefined) absoluteUrl(options.postLogoutRedirectUri, 'postLogoutRedirectUri');
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new AppError('bad_request', 'Cannot configure OIDC: clientId is required');
    assertRoleMapping(options.roleMapping, options.defaultRoles ?? []);
    const authMethod = options.tokenEndpointAuthMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none');
    if (authMethod !== 'none' && !options.clientSecret) throw new AppError('bad_request', `Cannot configure OIDC: ${authMethod} needs a clientSecret`);

    const client = new OidcClient(options);
    const oc = openidClient();
    const auth = authMethod === 'none' ? oc.None() : authMethod === 'client_secret_post' ? oc.ClientSecretPost(options.clientSecret) : oc.ClientSecretBasic(options.clientSecret);
    const insecure = issuer.protocol === 'http:' && (options.allowInsecureHttp === true || isLoopback(issuer));
    try {
      client.config = await client.callSignal.run(call.signal, () =>
        oc.discovery(issuer, options.clientId, { redirect_uris: [options.redirectUri] }, auth, {
          [oc.customFetch]: client.fetch,
          timeout: (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000,
          // Verify ID token signatures against the provider's JWKS too (openid-client skips it for token-endpoint
          // responses, relying on TLS as OIDC Core 3.1.3.7 allows; a loopback or internal HTTP issuer has no TLS).
          execute: [oc.enableNonRepudiationChecks, ...(insecure ? [oc.allowInsecureRequests] : [])],
        }),
      );
    } catch (err) {
      throw client.fail(err, 'discover the identity provider', 'discovery');
    }
    const metadata = client.config.serverMetadata();
    if (!metadata.supportsPKCE('S256')) {
      // RFC 9700 2.1.1: PKCE is required; a provider that does not say it supports S256 may silently ignore it.
      client.logger.warn({ code_challenge_methods_supported: metadata.code_challenge_methods_supported }, 'The identity provider does not advertise PKCE S256; sending it anyway');
    }
    const scopes = options.scopes ?? ['openid', 'profile', 'email', ...(metadata.scopes_supported?.includes(client.groupsClaim) ? [client.groupsClaim] : [])];
    client.scopes = [...new Set(['openid', ...scopes])].join(' ');
    return client;
  }

  private get groupsClaim(): string {
    return this.options.groupsClaim ?? 'groups';
  }

  /** The issuer as discovered. */
  get issuer(): string {
    return this.config.serverMetadata().issuer;
  }

  /** The scopes sent with each authorization request. */
  get scope(): string {
    return this.scopes;
  }

  /** The provider's authorization URL to redirect the browser to, and the pending login to seal into a cookie. */
  async beginLogin(returnTo: string): Promise<{ authorizationUrl: string; pending: PendingLogin }> {
    const oc = openidClient();
    const pending: PendingLogin = {
      state: oc.randomState(),
      nonce: oc.randomNonce(),
      codeVerifier: oc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
      created: this.now(),
    };
    const url = oc.buildAuthorizationUrl(this.config, {
      redirect_uri: this.options.redirectUri,
      response_type: 'code',
      scope: this.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl: url.href, pending };
  }

  /**
   * Finish the login the provider redirected back for. Only the query of
   * `callbackUrl` is read (the redirect URI is the configured one), so the
   * server need not reconstruct its public URL behind a proxy.
   * `pending` is `openPending(cookie)`: its expiry is checked there.
   */
  async completeLogin(callbackUrl: URL, pending: PendingLogin, call: CallOptions = {}): Promise<OidcLoginResult> {
    const oc = openidClient();
    const params = callbackUrl.searchParams;
    const refuse = (state: string): never => {
      throw this.fail(new AppError('bad_request', `Cannot log in: ${state}`), 'log in', 'grant');
    };
    // Our own checks first, for clear messages: openid-client repeats them.
    const state = params.get('state');
    if (state === null || !safeEqual(state, pending.state)) refuse('the callback does not belong to this login (state mismatch); start the login again');
    if (params.has('error')) {
      const e = (params.get('error') ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
      const d = (params.get('error_description') ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
      refuse(`the identity provider returned ${e}${d ? ` (${d})` : ''}`);
    }
    if (!params.get('code')) refuse('the callback carries no authorization code');

    const current = new URL(this.options.redirectUri);
    current.search = callbackUrl.search;
    try {
      return await this.callSignal.run(call.signal, async () => {
        const response = await oc.authorizationCodeGrant(this.config, current, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = response.claims();
        if (!idClaims || !response.id_token) throw new AppError('unauthenticated', 'Cannot log in: the identity provider returned no ID token');
        const identity = await this.identity(response, idClaims.sub, 'log in');
        return { identity, tokens: { ...this.tokens(response, undefined), idToken: response.id_token } };
      });
    } catch (err) {
      throw this.fail(err, 'log in', 'grant');
    }
  }

  /**
   * Fresh tokens and a fresh identity: roles are derived again from the
   * provider's current claims, so a group removed there takes effect here.
   * Pass the session's `subject` so a response for another user is refused.
   */
  async refresh(refreshToken: string, call: CallOptions & { subject?: string } = {}): Promise<OidcRefreshResult> {
    const oc = openidClient();
    try {
      return await this.callSignal.run(call.signal, async () => {
        const response = await oc.refreshTokenGrant(this.config, refreshToken);
        const idClaims = response.claims();
        const expected = idClaims?.sub ?? call.subject;
        if (call.subject !== undefined && idClaims && idClaims.sub !== call.subject) throw new AppError('unauthenticated', 'Cannot refresh the session: the identity provider returned another user');
        const identity = await this.identity(response, expected, 'refresh the session');
        if (call.subject !== undefined && identity.subject !== call.subject) throw new AppError('unauthenticated', 'Cannot refresh the session: the identity provider returned another user');
        return { identity, tokens: { ...this.tokens(response, refreshToken), idToken: response.id_token } };
      });
    } catch (err) {
      throw this.fail(err, 'refresh the session', 'grant');
    }
  }

  /**
   * The provider's RP-initiated logout URL (to redirect the browser to after
   * ending the Workbench session), or undefined when the provider has no
   * end_session_endpoint (then only the Workbench session ends).
   */
  endSessionUrl(idTokenHint: string | undefined, postLogoutRedirectUri: string | undefined = this.options.postLogoutRedirectUri): string | undefined {
    if (!this.config.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = {};
    if (idTokenHint) params.id_token_hint = idTokenHint;
    if (postLogoutRedirectUri) params.post_logout_redirect_uri = postLogoutRedirectUri;
    return openidClient().buildEndSessionUrl(this.config, params).href;
  }

  /** This client's role mapping applied to `groups` (see oidc-roles.ts). */
  mapRoles(groups: readonly string[]): OidcRole[] {
    return mapRoles(groups, this.options.roleMapping, this.options.defaultRoles ?? []);
  }

  /** Abort requests in flight; later calls fail with `unavailable`. Idempotent. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.closed.abort(new AppError('unavailable', 'Cannot talk to the identity provider: the OIDC client is closed'));
  }

  private async identity(response: TokenResponse, expectedSubject: string | undefined, action: string): Promise<OidcIdentity> {
    const oc = openidClient();
    let claims: Record<string, unknown> = { ...(response.claims() ?? {}) };
    const hasGroups = groupsFromClaims(claims, this.groupsClaim).length > 0 || claims[this.groupsClaim] !== undefined;
    if (!hasGroups && this.config.serverMetadata().userinfo_endpoint) {
      const info = await oc.fetchUserInfo(this.config, response.access_token, expectedSubject ?? oc.skipSubjectCheck);
      // The ID token's claims win (iss, sub, aud are about the authentication); UserInfo fills the rest.
      claims = { ...info, ...claims };
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    if (!subject) throw new AppError('unauthenticated', `Cannot ${action}: the identity provider returned no subject`);
    const str = (name: string) => (typeof claims[name] === 'string' && claims[name] !== '' ? (claims[name] as string) : undefined);
    const username = str('preferred_username') ?? str('email') ?? subject;
    const groups = groupsFromClaims(claims, this.groupsClaim);
    return {
      subject,
      issuer: str('iss') ?? this.issuer,
      username,
      displayName: str('name') ?? username,
      email: str('email'),
      groups,
      roles: this.mapRoles(groups),
    };
  }

  private tokens(response: TokenResponse, previousRefreshToken: string | undefined): Omit<OidcTokens, 'idToken'> {
    const expiresIn = response.expires_in;
    return {
      refreshToken: response.refresh_token ?? previousRefreshToken,
      accessTokenExpiresAt: typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? this.now() + expiresIn * 1000 : undefined,
    };
  }

  private fail(err: unknown, action: string, phase: 'discovery' | 'grant'): AppError {
    const appError = oidcError(err, action, this.options.issuer, phase);
    this.logger.warn({ code: appError.code, details: appError.details, cause: describeCause(appError.cause) }, appError.message);
    return appError;
  }

  /** Every request to the provider: openid-client's timeout, our lifetime signal and the call's signal; transport failures tagged. */
  private readonly fetch = async (url: string, init: CustomFetchOptions): Promise<Response> => {
    const signals = [init.signal, this.closed.signal, this.callSignal.getStore()].filter((s): s is AbortSignal => s !== undefined);
    const signal = AbortSignal.any(signals);
    try {
      return await (this.options.fetch ?? fetch)(url, { ...init, signal } as RequestInit);
    } catch (err) {
      const timedOut = init.signal?.aborted === true;
      throw new ProviderFetchError(timedOut ? 'timeout' : signal.aborted ? 'aborted' : 'network', url, { cause: err });
    }
  };
}

function describeCause(cause: unknown): string | undefined {
  return cause instanceof Error ? cause.message : undefined;
}

