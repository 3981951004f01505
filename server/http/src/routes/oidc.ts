/**
 * SSO login over OpenID Connect (the flow lives in server/auth's
 * SsoSessions; these handlers only move cookies and pick pages):
 *
 * - GET /auth/oidc/login?next=   (public) seals the pending login into a
 *   short-lived HttpOnly cookie scoped to the callback path and redirects
 *   to the provider.
 * - GET /auth/oidc/callback      (public) checks that cookie and `state`,
 *   exchanges the code, records the login in the audit log, then creates
 *   the user/session and sets the session cookie. Every refusal is an HTML
 *   page with the error table's status; a refused callback writes no user
 *   and no session (and a callback that does not belong to a login this
 *   browser started is not audited either: nobody is known yet, and a
 *   public endpoint must not let anyone grow the audit log).
 * - POST /auth/logout            (signed in, XSRF-checked) records the
 *   logout, revokes the session, clears the cookies and sends the browser
 *   to the provider's end-session URL when it has one, else to /login.
 */
import type { Request, Response } from 'express';
import { isAppError, type AppError } from '@workbench/core';
import { PENDING_LOGIN_MAX_AGE_MS, type SsoSessions } from '@workbench/auth';
import type { AuditEntry } from '@workbench/audit';
import { parseCookies } from '../auth-middleware';
import type { HttpDeps } from '../deps';
import { httpStatus } from '../error-table';
import type { RouteDef } from '../route-table';
import { ensureXsrfCookie, safeNext } from './login';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function ssoPage(baseUrl: string, title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench - ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:10vh auto;padding:0 1rem}.err{color:#b00020}@media (prefers-color-scheme: dark){body{background:#111;color:#eee}.err{color:#ff8a80}a{color:#8ab4f8}}</style>
</head><body><h1>${escapeHtml(title)}</h1><p class="err" role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(baseUrl)}login">Back to the login page</a></p></body></html>`;
}

function sendError(deps: HttpDeps, req: Request, res: Response, err: unknown): void {
  if (isAppError(err)) {
    const status = httpStatus(err.code);
    const title = status === 403 ? 'Access denied' : status === 503 ? 'SSO unavailable' : 'Login failed';
    res.status(status).type('html').send(ssoPage(deps.baseUrl, title, err.message));
    return;
  }
  deps.logger.error({ req_id: req.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'SSO login failed unexpectedly');
  res.status(500).type('html').send(ssoPage(deps.baseUrl, 'Login failed', 'Cannot log in: internal error; see the server log'));
}

function loginEntry(req: Request, fields: Pick<AuditEntry, 'actor' | 'actorRole' | 'outcome' | 'action'> & { detail?: Record<string, unknown> }): AuditEntry {
  return {
    ...fields,
    via: 'sso',
    resource: 'auth',
    target: null,
    ip: req.clientIp ?? req.socket.remoteAddress ?? null,
    userAgent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
  };
}

/** A failure record: best effort (the user gets their error page either way; the audit log logs its own failures). */
async function recordFailure(deps: HttpDeps, req: Request, err: unknown): Promise<void> {
  if (!deps.audit) return;
  const e = isAppError(err) ? err : undefined;
  const username = typeof e?.details?.username === 'string' ? e.details.username : null;
  const detail: Record<string, unknown> = { message: (e?.message ?? 'internal error').slice(0, 300), code: e?.code ?? 'internal' };
  if (Array.isArray(e?.details?.groups)) detail.groups = (e.details.groups as unknown[]).slice(0, 50);
  try {
    await deps.audit.record(loginEntry(req, { actor: username, actorRole: null, action: 'login', outcome: isAppError(err, 'forbidden') ? 'denied' : 'error', detail }));
  } catch {
    // Refused either way.
  }
}

export function oidcRoutes(deps: HttpDeps, sso: SsoSessions): RouteDef[] {
  const callbackPath = `${deps.baseUrl}auth/oidc/callback`;
  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secureTransport === true });
  return [
    {
      method: 'get',
      path: '/auth/oidc/login',
      auth: 'public',
      tag: 'login',
      summary: 'Start an SSO login (OpenID Connect): redirects to the identity provider',
      responses: { '302': 'To the identity provider', '503': 'SSO is unavailable' },
      handler: async (req, res) => {
        try {
          const { authorizationUrl, sealedPending } = await sso.beginLogin(safeNext(req.query.next, deps.baseUrl));
          res.cookie(sso.pendingCookieName, sealedPending, { ...cookieOptions(req), path: callbackPath, maxAge: PENDING_LOGIN_MAX_AGE_MS });
          res.setHeader('Cache-Control', 'no-store');
          res.redirect(302, authorizationUrl);
        } catch (err) {
          sendError(deps, req, res, err);
        }
      },
    },
    {
      method: 'get',
      path: '/auth/oidc/callback',
      auth: 'public',
      tag: 'login',
      summary: "The identity provider's redirect back: finishes the SSO login and sets the session cookie",
      responses: { '302': 'Logged in', '400': 'Not a login this browser started, or the provider returned an error', '403': 'The user may not use Workbench', '503': 'The identity provider is unavailable' },
      handler: async (req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        const url = new URL(req.originalUrl, 'http://workbench.invalid');
        const sealed = parseCookies(req.headers.cookie)[sso.pendingCookieName];
        // One use: the pending login is gone whatever happens next.
        res.clearCookie(sso.pendingCookieName, { ...cookieOptions(req), path: callbackPath });
        let pending;
        try {
          pending = sso.openCallback(url, sealed);
        } catch (err) {
          deps.logger.info({ req_id: req.id, err: (err as AppError).message }, 'SSO callback refused');
          return sendError(deps, req, res, err);
        }
        let verified;
        try {
          verified = await sso.verify(url, pending);
        } catch (err) {
          await recordFailure(deps, req, err);
          return sendError(deps, req, res, err);
        }
        const { identity } = verified;
        try {
          // Recorded before the session exists: an audit log that cannot be written refuses the login (503).
          await deps.audit?.record(
            loginEntry(req, { actor: identity.username, actorRole: identity.roles.join(','), action: 'login', outcome: 'ok', detail: { subject: identity.subject, issuer: identity.issuer, roles: identity.roles, new_user: verified.existing === undefined } }),
          );
        } catch (err) {
          return sendError(deps, req, res, err);
        }
        let committed;
        try {
          committed = await sso.commit(verified, { userAgent: req.headers['user-agent'] ?? null, ip: req.clientIp ?? req.socket.remoteAddress ?? null });
        } catch (err) {
          await recordFailure(deps, req, err);
          return sendError(deps, req, res, err);
        }
        res.cookie(sso.cookieName, committed.secret, { ...cookieOptions(req), path: deps.baseUrl, maxAge: sso.sessionMaxAgeMs });
        ensureXsrfCookie(req, res, deps.baseUrl);
        deps.logger.info({ req_id: req.id, username: committed.user.username, roles: committed.user.roles }, 'SSO login');
        res.redirect(302, verified.returnTo);
      },
    },
    {
      method: 'post',
      path: '/auth/logout',
      auth: 'user',
      permission: { resource: 'identity', action: 'write' },
      tag: 'login',
      summary: 'Log out: ends the SSO session and clears the login cookies; redirects to the identity provider\'s logout when it has one, else to /login',
      responses: { '303': 'Logged out' },
      handler: async (req, res) => {
        const auth = req.auth!;
        await deps.audit?.record(loginEntry(req, { actor: auth.user.username, actorRole: auth.user.roles.join(',') || null, action: 'logout', outcome: 'ok', detail: { method: auth.method } }));
        const secret = parseCookies(req.headers.cookie)[sso.cookieName];
        const { endSessionUrl } = auth.method === 'sso' ? await sso.logout(secret) : { endSessionUrl: undefined };
        res.clearCookie(sso.cookieName, { ...cookieOptions(req), path: deps.baseUrl });
        res.clearCookie(deps.identity.cookieName, { path: deps.baseUrl });
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(303, endSessionUrl ?? `${deps.baseUrl}login`);
      },
    },
  ];
}
