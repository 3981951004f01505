/**
 * SSO sign-in as server sessions: the glue between the OIDC relying party
 * (oidc-client.ts), the metadata store's users and sessions, and the key
 * ring that encrypts the provider's tokens at rest. No HTTP here: the
 * routes in server/http call it and set the cookies.
 *
 * The contract:
 * - A login is `beginLogin` (sealed pending login for a short-lived cookie)
 *   then, on the provider's callback, `openCallback` (cookie + state checked,
 *   nothing written), `verify` (code exchanged, who it is, which roles:
 *   nothing written; refused users get `forbidden`), `commit` (user upserted
 *   by (issuer, subject), a sessions row, the cookie secret returned). The
 *   caller audits between verify and commit, so a login is recorded before
 *   it exists.
 * - A session cookie holds a random secret; the row id is its SHA-256.
 *   `resolve` accepts it only while the row is neither revoked nor expired
 *   and the user is not disabled and still has a role; when the provider's
 *   access token has expired it refreshes through the provider (roles
 *   derived again); a refresh the provider refuses ends the session. A
 *   provider that cannot be reached fails the request (`unavailable`) and
 *   keeps the session for when it is back.
 * - A provider that is down at start leaves SSO "unavailable" (the reason
 *   is shown on the login page); discovery is tried again at most every
 *   `rediscoverMs` when someone needs it.
 */
import { randomBytes } from 'node:crypto';
import { AppError, isAppError, silentLogger, type Logger } from '@workbench/core';
import { SessionRepository, UserRepository, type MetadataStore, type User as StoredUser } from '@workbench/store';
import { openField, rewrapField, sealField, type KeyRing } from '@workbench/secrets';
import { makeUser, type User } from './identity';
import { OidcClient, type OidcClientOptions, type OidcIdentity, type OidcTokens } from './oidc-client';
import { openPending, sealPending, type PendingLogin } from './oidc-pending';
import { safeEqual } from './secrets';

export const SSO_SESSION_COOKIE = 'workbench-session';
export const SSO_PENDING_COOKIE = 'workbench-oidc-pending';

export type SsoClientOptions = Omit<OidcClientOptions, 'redirectUri' | 'postLogoutRedirectUri' | 'clock' | 'logger' | 'signal'>;

export interface SsoSessionsOptions {
  store: MetadataStore;
  keyRing: KeyRing;
  client: SsoClientOptions;
  /** Lifetime of a session, whatever the provider says (auth.oidc.session_max_age_s). */
  sessionMaxAgeMs: number;
  /** Usernames SSO users may not take (the token users'). */
  reservedUsernames?: readonly string[];
  /** How long after a failed discovery it is tried again on demand (default 30 s). */
  rediscoverMs?: number;
  clock?: () => number;
  logger?: Logger;
}

export type SsoStatus = { state: 'ready' } | { state: 'unavailable'; reason: string };

/** A login the provider vouched for and Workbench accepts; nothing written yet. */
export interface VerifiedLogin {
  identity: OidcIdentity;
  tokens: OidcTokens;
  returnTo: string;
  /** The stored user it signs in as, when one exists. */
  existing: StoredUser | undefined;
}

export interface SessionMeta {
  userAgent?: string | null;
  ip?: string | null;
}

export interface CommittedLogin {
  /** The session cookie's value. */
  secret: string;
  user: User;
  expiresAt: number;
}

const MAX_SECRET_LENGTH = 100;

function authUser(u: StoredUser, roles: readonly string[] = u.roles): User {
  return makeUser(u.username, roles, u.displayName);
}

export class SsoSessions implements AsyncDisposable {
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly users: UserRepository;
  private readonly sessions: SessionRepository;
  private readonly refreshing = new Map<string, Promise<User | undefined>>();
  private client: OidcClient | undefined;
  private discovering: Promise<OidcClient> | undefined;
  private lastFailure: { at: number; reason: string } | undefined = { at: -Infinity, reason: 'SSO is starting' };
  private urls: { redirectUri: string; postLogoutRedirectUri: string } | undefined;
  private disposed = false;

  constructor(private readonly options: SsoSessionsOptions) {
    this.now = options.clock ?? Date.now;
    this.logger = (options.logger ?? silentLogger).child({ component: 'sso' });
    const clock = { now: this.now };
    this.users = new UserRepository(options.store.db, { clock });
    this.sessions = new SessionRepository(options.store.db, { clock });
  }

  readonly cookieName = SSO_SESSION_COOKIE;
  readonly pendingCookieName = SSO_PENDING_COOKIE;

  get sessionMaxAgeMs(): number {
    return this.options.sessionMaxAgeMs;
  }

  /** Discover the provider now that the server's own URLs are known. Never throws: a failure is logged and shown as the status. */
  async start(urls: { redirectUri: string; postLogoutRedirectUri: string }): Promise<SsoStatus> {
    this.urls = urls;
    await this.ensureClient().catch(() => undefined);
    return this.status();
  }

  status(): SsoStatus {
    if (this.client) return { state: 'ready' };
    return { state: 'unavailable', reason: this.lastFailure?.reason ?? 'SSO is starting' };
  }

  /** The provider's authorization URL and the sealed pending login for the short-lived cookie. */
  async beginLogin(returnTo: string): Promise<{ authorizationUrl: string; sealedPending: string }> {
    const client = await this.ensureClient();
    const { authorizationUrl, pending } = await client.beginLogin(returnTo);
    return { authorizationUrl, sealedPending: sealPending(pending, this.pendingKey()) };
  }

  /**
   * The pending login of this callback: the cookie opens and the callback's
   * `state` is this login's. `bad_request` otherwise; nothing is written and
   * nobody is known yet (so the caller need not audit it).
   */
  openCallback(callbackUrl: URL, sealedPending: string | undefined): PendingLogin {
    const pending = openPending(sealedPending, this.pendingKey(), { clock: this.now });
    const state = callbackUrl.searchParams.get('state');
    if (state === null || !safeEqual(state, pending.state)) {
      throw new AppError('bad_request', 'Cannot log in: the callback does not belong to this login (state mismatch); start the login again');
    }
    return pending;
  }

  /** Exchange the code and decide: `forbidden` (with details.username) for a user Workbench refuses. Writes nothing. */
  async verify(callbackUrl: URL, pending: PendingLogin): Promise<VerifiedLogin> {
    const client = await this.ensureClient();
    const { identity, tokens } = await client.completeLogin(callbackUrl, pending);
    const details = { username: identity.username, subject: identity.subject, groups: identity.groups };
    const existing = await this.users.getByOidcSubject(identity.issuer, identity.subject);
    if (existing?.disabledAt != null) throw new AppError('forbidden', `Cannot log in: the account ${existing.username} is disabled`, { details });
    // An administrator's roles (rolesSource 'admin') stand in for the provider's groups.
    const adminRoles = existing?.rolesSource === 'admin' ? existing.roles : undefined;
    if ((adminRoles ?? identity.roles).length === 0) {
      throw new AppError('forbidden', `Cannot log in: ${identity.username} has no Workbench role (none of their groups is mapped to one); ask an administrator for access`, { details });
    }
    if (!existing && ((this.options.reservedUsernames ?? []).includes(identity.username) || (await this.users.getByUsername(identity.username)))) {
      throw new AppError('forbidden', `Cannot log in: the username ${identity.username} belongs to another account; ask an administrator`, { details });
    }
    return { identity, tokens, returnTo: pending.returnTo, existing };
  }

  /** Upsert the user (profile and roles from the provider) and open a session. */
  async commit(login: VerifiedLogin, meta: SessionMeta = {}): Promise<CommittedLogin> {
    const { identity, tokens } = login;
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.options.sessionMaxAgeMs;
    const stored = await this.options.store.transaction(async (trx) => {
      const users = new UserRepository(trx, { clock: { now: this.now } });
      let user = login.existing ? await users.getById(login.existing.id) : undefined;
      if (user) {
        await users.updateProfile(user.id, { displayName: identity.displayName, email: identity.email ?? null });
        user = await users.setRoles(user.id, identity.roles);
      } else {
        user = await users.create({ username: identity.username, displayName: identity.displayName, email: identity.email ?? null, roles: identity.roles, source: 'oidc', oidc: { issuer: identity.issuer, subject: identity.subject } });
      }
      await new SessionRepository(trx, { clock: { now: this.now } }).create({
        secret,
        userId: user.id,
        expiresAt,
        // Without a refresh token there is nothing to refresh: the session lasts its max age.
        accessExpiresAt: tokens.refreshToken ? (tokens.accessTokenExpiresAt ?? null) : null,
        ciphertexts: (id) => ({
          refreshToken: tokens.refreshToken ? sealField(this.options.keyRing, refreshName(id), tokens.refreshToken) : null,
          idTokenHint: sealField(this.options.keyRing, idTokenName(id), tokens.idToken),
        }),
        userAgent: meta.userAgent ?? null,
        ip: meta.ip ?? null,
      });
      return user;
    });
    return { secret, user: authUser(stored), expiresAt };
  }

  /**
   * The user a session cookie signs in, or undefined (unknown, revoked,
   * expired, disabled user, no role left, refresh refused). Throws
   * `unavailable` when a refresh is due and the provider cannot be reached.
   */
  async resolve(secret: string | undefined): Promise<User | undefined> {
    if (!secret || secret.length > MAX_SECRET_LENGTH) return undefined;
    const found = await this.sessions.findBySecret(secret);
    if (!found) return undefined;
    const { session, user } = found;
    const now = this.now();
    if (session.revokedAt !== null || session.expiresAt <= now || user.disabledAt !== null) return undefined;
    if (session.accessExpiresAt !== null && session.accessExpiresAt <= now) {
      let refresh = this.refreshing.get(session.id);
      if (!refresh) {
        refresh = this.refresh(session.id, session.refreshTokenCiphertext, user).finally(() => this.refreshing.delete(session.id));
        this.refreshing.set(session.id, refresh);
      }
      return refresh;
    }
    return user.roles.length > 0 ? authUser(user) : undefined;
  }

  /** End the session of this cookie; the provider's end-session URL to send the browser to, when it has one. */
  async logout(secret: string | undefined): Promise<{ endSessionUrl: string | undefined; username: string | undefined }> {
    if (!secret || secret.length > MAX_SECRET_LENGTH) return { endSessionUrl: undefined, username: undefined };
    const found = await this.sessions.findBySecret(secret);
    if (!found) return { endSessionUrl: undefined, username: undefined };
    const live = found.session.revokedAt === null;
    await this.sessions.revoke(found.session.id);
    let hint: string | undefined;
    if (found.session.idTokenHintCiphertext) hint = await openField(this.options.keyRing, idTokenName(found.session.id), found.session.idTokenHintCiphertext).catch(() => undefined);
    // Only a live session sends the browser on to the provider (a second click on an old page just lands on /login).
    return { endSessionUrl: live ? this.client?.endSessionUrl(hint) : undefined, username: found.user.username };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.client?.[Symbol.asyncDispose]();
  }

  private async refresh(id: string, ciphertext: string | null, user: StoredUser): Promise<User | undefined> {
    const end = async (why: string, err?: unknown): Promise<undefined> => {
      await this.sessions.revoke(id);
      this.logger.warn({ username: user.username, err: err instanceof Error ? err.message : undefined }, `SSO session ended: ${why}`);
      return undefined;
    };
    if (!ciphertext) return end('no refresh token');
    const client = await this.ensureClient();
    let refreshToken: string;
    try {
      refreshToken = await openField(this.options.keyRing, refreshName(id), ciphertext);
    } catch (err) {
      return end('its refresh token cannot be decrypted', err);
    }
    let result: Awaited<ReturnType<OidcClient['refresh']>>;
    try {
      result = await client.refresh(refreshToken, { subject: user.oidcSubject ?? undefined });
    } catch (err) {
      // The provider could not be asked: keep the session, refuse this request.
      if (isAppError(err, 'unavailable')) throw err;
      return end('the identity provider refused the refresh', err);
    }
    const { identity, tokens } = result;
    const updated = await this.users.setRoles(user.id, identity.roles);
    await this.users.updateProfile(user.id, { displayName: identity.displayName, email: identity.email ?? null });
    if (updated.roles.length === 0) return end('the user has no Workbench role any more');
    const stillLive = await this.sessions.updateTokens(id, {
      accessExpiresAt: tokens.refreshToken ? (tokens.accessTokenExpiresAt ?? null) : null,
      refreshTokenCiphertext: tokens.refreshToken ? sealField(this.options.keyRing, refreshName(id), tokens.refreshToken) : null,
      ...(tokens.idToken !== undefined && { idTokenHintCiphertext: sealField(this.options.keyRing, idTokenName(id), tokens.idToken) }),
    });
    return stillLive && updated.disabledAt === null ? authUser(updated) : undefined;
  }

  /** The discovered client; discovery again when the last attempt failed long enough ago, else `unavailable`. */
  private ensureClient(): Promise<OidcClient> {
    if (this.client) return Promise.resolve(this.client);
    if (this.disposed) return Promise.reject(new AppError('unavailable', 'Cannot use SSO: the server is shutting down'));
    if (this.discovering) return this.discovering;
    const urls = this.urls;
    const failure = this.lastFailure;
    if (!urls || (failure && this.now() - failure.at < (this.options.rediscoverMs ?? 30_000))) {
      return Promise.reject(new AppError('unavailable', `Cannot use SSO: ${failure?.reason ?? 'SSO is starting'}`));
    }
    this.discovering = OidcClient.discover({ ...this.options.client, ...urls, clock: this.now, logger: this.logger })
      .then(
        (client) => {
          this.client = client;
          this.lastFailure = undefined;
          this.logger.info({ issuer: client.issuer }, 'SSO: identity provider discovered');
          return client;
        },
        (err: unknown) => {
          const reason = err instanceof Error ? err.message.replace(/^Cannot [^:]*: /, '') : String(err);
          this.lastFailure = { at: this.now(), reason: `the identity provider is unavailable (${reason})` };
          this.logger.error({ issuer: this.options.client.issuer, err: err instanceof Error ? err.message : String(err) }, 'SSO is unavailable: cannot discover the identity provider; token login still works');
          throw isAppError(err) ? err : new AppError('unavailable', 'Cannot use SSO: the identity provider is unavailable', { cause: err });
        },
      )
      .finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private pendingKey(): Buffer {
    // The key ring's active key (HKDF-derived inside sealPending): shared by replicas and restarts.
    return this.options.keyRing.activeKey().key;
  }
}

function refreshName(sessionId: string): string {
  return `sessions/${sessionId}/refresh_token`;
}

function idTokenName(sessionId: string): string {
  return `sessions/${sessionId}/id_token_hint`;
}

export interface SessionRewrap {
  rewrapped: number;
  unchanged: number;
  failed: { session: string; reason: string }[];
}

/**
 * After a key rotation: every live login session's encrypted provider
 * tokens re-wrapped under the active key, so retiring the old key signs
 * nobody out. A session refreshed meanwhile already holds new-key
 * ciphertexts and is left alone.
 */
export async function rewrapSessions(store: MetadataStore, keyRing: KeyRing): Promise<SessionRewrap> {
  const sessions = new SessionRepository(store.db);
  const out: SessionRewrap = { rewrapped: 0, unchanged: 0, failed: [] };
  for (const s of await sessions.listSealed()) {
    try {
      const refresh = s.refreshTokenCiphertext === null ? undefined : await rewrapField(keyRing, refreshName(s.id), s.refreshTokenCiphertext);
      const hint = s.idTokenHintCiphertext === null ? undefined : await rewrapField(keyRing, idTokenName(s.id), s.idTokenHintCiphertext);
      if (refresh === undefined && hint === undefined) {
        out.unchanged++;
        continue;
      }
      const replaced = await sessions.replaceSealed(s.id, s, { refreshTokenCiphertext: refresh ?? s.refreshTokenCiphertext, idTokenHintCiphertext: hint ?? s.idTokenHintCiphertext });
      if (replaced) out.rewrapped++;
      else out.unchanged++;
    } catch (err) {
      out.failed.push({ session: s.id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
