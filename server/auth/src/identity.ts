/**
 * Who is asking. The server token belongs to the operator (role admin);
 * an embedding program may add token users with other roles
 * (`extraUsers`); SSO users sign in through `sessions` (sso-sessions.ts). The shape follows
 * jupyter_server's identity model (GET /api/me).
 */
import type { ApiTokenResolver } from './api-tokens';
import { Action, isAuthorized, RolePolicy, DEFAULT_ROLE_POLICY } from './permissions';
import { hmacHex, randomToken, safeEqual } from './secrets';
import { verifyKernelClaim, type KernelClaim } from '@workbench/core';

export interface User {
  username: string;
  name: string;
  display_name: string;
  initials: string;
  avatar_url: string | null;
  color: string | null;
  roles: readonly string[];
}

/** token: header or ?token=; cookie: the signed login cookie of /login; sso: an SSO session cookie (a sessions row). */
export type AuthMethod = 'token' | 'cookie' | 'sso' | 'api_token' | 'kernel';

/** SSO sessions as the identity provider sees them (sso-sessions.ts). */
export interface SessionResolver {
  readonly cookieName: string;
  /** The user of a session cookie, or undefined; throws `unavailable` when the session cannot be checked now. */
  resolve(secret: string | undefined): Promise<User | undefined>;
}

export interface Authenticated {
  user: User;
  method: AuthMethod;
  /** method 'kernel': the kernel that signed the request (its owner is `user`). */
  kernelId?: string;
}

export interface IdentityProviderOptions {
  token: string;
  cookieSecret: Buffer;
  /** Cookie name, unique per server port like Jupyter's "username-<host>-<port>". */
  cookieName: string;
  cookieMaxAgeS: number;
  username?: string;
  /** More token users (each with its own token and roles), e.g. a read-only colleague. */
  extraUsers?: readonly ExtraUser[];
  /** Entries over DEFAULT_ROLE_POLICY ("resource:action" or "resource" -> roles). */
  rolePolicy?: RolePolicy;
  /** SSO sessions (absent: SSO is not configured). */
  sessions?: SessionResolver;
  /** Personal API tokens (`wbt_…`), resolved to their user (absent: none accepted). */
  apiTokens?: ApiTokenResolver;
  /** A running kernel's signing key and its owner (absent: kernels cannot call the API; see kernel-signature.ts). */
  kernelKeys?: (kernelId: string) => Promise<{ key: string; user: User } | undefined>;
  clock?: () => number;
}

export interface ExtraUser {
  username: string;
  token: string;
  roles: readonly string[];
  display_name?: string;
}

export function makeUser(username: string, roles: readonly string[], displayName = username): User {
  return { username, name: username, display_name: displayName, initials: displayName.slice(0, 2).toUpperCase(), avatar_url: null, color: null, roles };
}

export class IdentityProvider {
  /** token -> user; the server token first. */
  private readonly users: { token: string; user: User }[];
  private readonly now: () => number;
  private readonly policy: RolePolicy;

  constructor(private readonly options: IdentityProviderOptions) {
    const username = options.username ?? 'workbench';
    this.users = [{ token: options.token, user: makeUser(username, ['admin']) }];
    for (const extra of options.extraUsers ?? []) {
      if (!extra.token || this.users.some((u) => u.user.username === extra.username || u.token === extra.token)) {
        throw new Error(`Cannot add user ${extra.username}: empty token, or the name or token is already taken`);
      }
      this.users.push({ token: extra.token, user: makeUser(extra.username, [...extra.roles], extra.display_name) });
    }
    this.now = options.clock ?? Date.now;
    this.policy = { ...DEFAULT_ROLE_POLICY, ...options.rolePolicy };
  }

  get cookieName(): string {
    return this.options.cookieName;
  }

  get cookieMaxAgeS(): number {
    return this.options.cookieMaxAgeS;
  }

  /** The kernel that signed a request, as its owner; undefined for an unknown kernel, a bad or stale signature. */
  async fromKernelClaim(claim: KernelClaim, request: { method: string; path: string; bodySha256: string }): Promise<Authenticated | undefined> {
    const found = await this.options.kernelKeys?.(claim.kernelId);
    if (!found || !verifyKernelClaim(claim, found.key, request, this.now())) return undefined;
    return { user: found.user, method: 'kernel', kernelId: claim.kernelId };
  }

  get apiTokens(): ApiTokenResolver | undefined {
    return this.options.apiTokens;
  }

  get sessions(): SessionResolver | undefined {
    return this.options.sessions;
  }

  /** A configured token user by name. */
  tokenUser(username: string): User | undefined {
    return this.users.find((u) => u.user.username === username)?.user;
  }

  /** The token users' names (SSO users may not take them). */
  get tokenUsernames(): string[] {
    return this.users.map((u) => u.user.username);
  }

  /** The user a token belongs to, or undefined. Constant-time. */
  fromToken(token: string | undefined): User | undefined {
    if (!token) return undefined;
    let found: User | undefined;
    // Compare against every token (no early exit), so timing does not say which matched.
    for (const u of this.users) if (safeEqual(token, u.token)) found = u.user;
    return found;
  }

  /** A signed login cookie value: user|expiry|nonce|hmac. */
  issueCookie(user: User): string {
    const expires = Math.floor(this.now() / 1000) + this.options.cookieMaxAgeS;
    const payload = `${encodeURIComponent(user.username)}|${expires}|${randomToken(8)}`;
    return `${payload}|${hmacHex(this.options.cookieSecret, payload)}`;
  }

  fromCookie(value: string | undefined): User | undefined {
    if (!value) return undefined;
    const i = value.lastIndexOf('|');
    if (i < 0) return undefined;
    const payload = value.slice(0, i);
    if (!safeEqual(value.slice(i + 1), hmacHex(this.options.cookieSecret, payload))) return undefined;
    const [user, expires] = payload.split('|');
    if (!expires || Number(expires) * 1000 < this.now()) return undefined;
    const name = decodeURIComponent(user ?? '');
    return this.users.find((u) => u.user.username === name)?.user;
  }

  /** May `user` take `action` on `resource`? (jupyter_server Authorizer.is_authorized) */
  isAuthorized(user: User, resource: string, action: Action): boolean {
    return isAuthorized(user, resource, action, this.rolePolicy);
  }

  /** The default policy with the embedding program's entries (rolePolicy option) over it. */
  get rolePolicy(): RolePolicy {
    return this.policy;
  }

  /** jupyter_server's /api/me permissions: {resource: [actions]} -> the allowed subset. */
  permissions(user: User, requested: Record<string, string[]>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [resource, actions] of Object.entries(requested)) {
      out[resource] = (Array.isArray(actions) ? actions : []).filter((a) => typeof a === 'string' && this.isAuthorized(user, resource, a as Action));
    }
    return out;
  }
}

/** Extract a token from `Authorization: token|bearer X` or `?token=X`. */
export function tokenFromRequest(authorization: string | undefined, queryToken: unknown): string | undefined {
  if (authorization) {
    const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(authorization);
    if (m) return m[2];
  }
  return typeof queryToken === 'string' && queryToken !== '' ? queryToken : undefined;
}
