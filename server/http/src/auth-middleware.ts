/**
 * Authentication for HTTP and WebSocket upgrades (jupyter_server
 * auth/identity.py, base/handlers.py semantics):
 *  - token from `Authorization: token|bearer` or `?token=`, constant time;
 *    token requests skip XSRF and origin checks;
 *  - otherwise an SSO session cookie (a sessions row, checked and refreshed
 *    by the identity provider's SessionResolver), else the signed login
 *    cookie; then non-GET requests need the `_xsrf` cookie echoed in
 *    `X-XSRFToken` (or `_xsrf` in the form/query);
 *  - CORS only for configured origins or an origin regex.
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@workbench/core';
import { Authenticated, forbiddenMessage, IdentityProvider, isApiToken, parseKernelAuthorization, safeEqual, sha256Hex, tokenFromRequest } from '@workbench/auth';
import type { Permission } from './route-table';

export const XSRF_COOKIE = '_xsrf';
const EMPTY_SHA256 = sha256Hex('');

export interface CorsConfig {
  allowOrigins: readonly string[];
  allowOriginPattern?: RegExp;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[k] = part.slice(i + 1).trim();
    }
  }
  return out;
}

export function originAllowed(origin: string, cors: CorsConfig): boolean {
  return cors.allowOrigins.includes(origin) || cors.allowOrigins.includes('*') || (cors.allowOriginPattern?.test(origin) ?? false);
}

/**
 * Authenticate a raw request (also used for WebSocket upgrades). Rejects
 * with `unavailable` when an SSO session is due for a refresh and the
 * identity provider cannot be reached.
 */
export async function authenticate(req: IncomingMessage, query: URLSearchParams, identity: IdentityProvider): Promise<Authenticated | undefined> {
  const claim = parseKernelAuthorization(req.headers.authorization);
  if (claim) {
    // Signed over the request target and the body as received (express.json's verify keeps its hash).
    const bodySha256 = (req as IncomingMessage & { bodySha256?: string }).bodySha256 ?? EMPTY_SHA256;
    return identity.fromKernelClaim(claim, { method: req.method ?? 'GET', path: (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '', bodySha256 });
  }
  const token = tokenFromRequest(req.headers.authorization, query.get('token') ?? undefined);
  if (token !== undefined) {
    if (identity.apiTokens && isApiToken(token)) {
      const owner = await identity.apiTokens.resolve(token);
      return owner ? { user: owner, method: 'api_token' } : undefined;
    }
    const user = identity.fromToken(token);
    return user ? { user, method: 'token' } : undefined;
  }
  const cookies = parseCookies(req.headers.cookie);
  const sessions = identity.sessions;
  const secret = sessions ? cookies[sessions.cookieName] : undefined;
  if (sessions && secret) {
    const user = await sessions.resolve(secret);
    if (user) return { user, method: 'sso' };
  }
  const user = identity.fromCookie(cookies[identity.cookieName]);
  return user ? { user, method: 'cookie' } : undefined;
}

/** Whether a request carries any credential (for the message of a refusal). */
export function hasCredential(req: IncomingMessage, query: URLSearchParams, identity: IdentityProvider): boolean {
  const cookies = parseCookies(req.headers.cookie);
  return Boolean(req.headers.authorization || query.get('token') || cookies[identity.cookieName] || (identity.sessions && cookies[identity.sessions.cookieName]));
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: Authenticated;
    id: string;
    /** The client's address (client-address.ts: the proxy's word when trust_xheaders is on). */
    clientIp?: string | null;
    /** Reached over TLS (directly, or at a trusted proxy): cookies get Secure. */
    secureTransport?: boolean;
    /** sha256 of the body as received, for a kernel-signed request (kernel-signature.ts). */
    bodySha256?: string;
  }
}

export function corsMiddleware(cors: CorsConfig) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && originAllowed(origin, cors)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-XSRFToken, X-Requested-With');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS') {
      // Preflight from an origin we do not allow: answer without CORS headers.
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Refuse (403) a user whose roles do not allow the permission. */
export function checkPermission(identity: IdentityProvider, auth: Authenticated, permission: Permission | undefined): void {
  if (permission && !identity.isAuthorized(auth.user, permission.resource, permission.action)) {
    throw new AppError('forbidden', forbiddenMessage(permission.resource, permission.action, identity.rolePolicy));
  }
}

/** Require an authenticated user for a route at level user/admin (and its permission), with XSRF for cookie writes. */
export function requireAuth(identity: IdentityProvider, level: 'user' | 'admin', permission?: Permission, kernelAccess = false) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    const auth = await authenticate(req, query, identity);
    if (auth?.method === 'kernel' && !kernelAccess) throw new AppError('forbidden', `Cannot ${req.method} ${req.path} from a kernel: kernels may only query their owner's connections and read the catalog`);
    if (!auth) {
      throw new AppError('unauthenticated', hasCredential(req, query, identity) ? 'Cannot authenticate: the token or login cookie is invalid or expired' : 'Cannot authenticate: send a token (Authorization: token <TOKEN> or ?token=) or log in at /login');
    }
    if ((auth.method === 'cookie' || auth.method === 'sso') && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) checkXsrf(req);
    if (level === 'admin' && !auth.user.roles.includes('admin')) throw new AppError('forbidden', `Cannot ${req.method} ${req.path}: requires the admin role`);
    checkPermission(identity, auth, permission);
    req.auth = auth;
    next();
  };
}

export function checkXsrf(req: Request): void {
  const cookie = parseCookies(req.headers.cookie)[XSRF_COOKIE];
  const sent = (req.headers['x-xsrftoken'] as string | undefined) ?? (req.query._xsrf as string | undefined) ?? (typeof req.body === 'object' && req.body ? (req.body as Record<string, unknown>)._xsrf : undefined);
  if (!cookie || typeof sent !== 'string' || !safeEqual(cookie, sent)) {
    throw new AppError('xsrf', "Cannot accept a cookie-authenticated write: '_xsrf' argument missing or not matching the _xsrf cookie (send it as the X-XSRFToken header)");
  }
}
