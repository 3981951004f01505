/**
 * Who is asking. For now one identity holds the server token (the
 * operator, role admin); SSO and roles arrive with their own issue. The
 * shape follows jupyter_server's identity model (GET /api/me).
 */
import { hmacHex, randomToken, safeEqual } from './secrets';

export interface User {
  username: string;
  name: string;
  display_name: string;
  initials: string;
  avatar_url: string | null;
  color: string | null;
  roles: readonly string[];
}

export type AuthMethod = 'token' | 'cookie';

export interface Authenticated {
  user: User;
  method: AuthMethod;
}

export interface IdentityProviderOptions {
  token: string;
  cookieSecret: Buffer;
  /** Cookie name, unique per server port like Jupyter's "username-<host>-<port>". */
  cookieName: string;
  cookieMaxAgeS: number;
  username?: string;
  clock?: () => number;
}

export class IdentityProvider {
  private readonly user: User;
  private readonly now: () => number;

  constructor(private readonly options: IdentityProviderOptions) {
    const username = options.username ?? 'workbench';
    this.user = { username, name: username, display_name: username, initials: username.slice(0, 2).toUpperCase(), avatar_url: null, color: null, roles: ['admin'] };
    this.now = options.clock ?? Date.now;
  }

  get cookieName(): string {
    return this.options.cookieName;
  }

  get cookieMaxAgeS(): number {
    return this.options.cookieMaxAgeS;
  }

  /** The user a token belongs to, or undefined. Constant-time. */
  fromToken(token: string | undefined): User | undefined {
    if (!token) return undefined;
    return safeEqual(token, this.options.token) ? this.user : undefined;
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
    return decodeURIComponent(user ?? '') === this.user.username ? this.user : undefined;
  }

  /** jupyter_server's /api/me permissions: {resource: [actions]} -> the allowed subset. */
  permissions(user: User, requested: Record<string, string[]>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [resource, actions] of Object.entries(requested)) {
      out[resource] = user.roles.includes('admin') ? actions.filter((a) => typeof a === 'string') : [];
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
