/**
 * Browser login: GET /login shows a form (sets the _xsrf cookie), POST
 * /login checks the token and sets the signed login cookie, GET /logout
 * clears it. Pages take ?token= once and then live on the cookie. With SSO
 * configured the page also offers "Sign in with SSO" (routes/oidc.ts), or
 * says why SSO is unavailable; token login keeps working either way.
 */
import type { Request, Response } from 'express';
import { randomToken, type SsoStatus } from '@workbench/auth';
import { checkXsrf, parseCookies, XSRF_COOKIE } from '../auth-middleware';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Ensure the browser has an _xsrf cookie; returns its value. */
export function ensureXsrfCookie(req: Request, res: Response, baseUrl: string): string {
  const existing = parseCookies(req.headers.cookie)[XSRF_COOKIE];
  if (existing) return existing;
  // Already set earlier in this response (the page's ?token= login did it): keep that one.
  const pending = ([] as unknown[]).concat(res.getHeader('set-cookie') ?? []).map(String).find((c) => c.startsWith(`${XSRF_COOKIE}=`));
  if (pending) return decodeURIComponent(pending.slice(XSRF_COOKIE.length + 1).split(';')[0]!);
  const value = randomToken(16);
  res.cookie(XSRF_COOKIE, value, { path: baseUrl, sameSite: 'lax', secure: req.secureTransport === true });
  return value;
}

export function setLoginCookie(res: Response, deps: HttpDeps, value: string): void {
  res.cookie(deps.identity.cookieName, value, { path: deps.baseUrl, httpOnly: true, sameSite: 'lax', secure: res.req.secureTransport === true, maxAge: deps.identity.cookieMaxAgeS * 1000 });
}

/** Only same-site paths under the base URL may be a redirect target. */
export function safeNext(next: unknown, baseUrl: string): string {
  if (typeof next === 'string' && next.startsWith(baseUrl) && !next.startsWith('//') && !next.includes('\\')) return next;
  return `${baseUrl}lab`;
}

function ssoBlock(next: string, sso: SsoStatus | undefined): string {
  if (!sso) return '';
  if (sso.state === 'ready') {
    return `<p><a class="sso" role="button" href="auth/oidc/login?next=${encodeURIComponent(next)}">Sign in with SSO</a></p>
<p class="or">or log in with the server's token:</p>`;
  }
  return `<p class="warn" role="status">SSO is unavailable: ${escapeHtml(sso.reason)}. Log in with the server's token, or try again later.</p>`;
}

function loginPage(xsrf: string, next: string, message?: string, sso?: SsoStatus): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench - log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:10vh auto;padding:0 1rem}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box;margin:.4rem 0}button{font-size:1rem;padding:.4rem 1rem}.err{color:#b00020}
.sso{display:block;text-align:center;font-size:1.05rem;padding:.6rem 1rem;border-radius:4px;background:#1976d2;color:#fff;text-decoration:none}.sso:hover{background:#1565c0}.or{color:#666}.warn{color:#8a5300;background:#fff4e5;padding:.5rem;border-radius:4px}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}input{background:#222;color:#eee;border:1px solid #555}.err{color:#ff8a80}.or{color:#aaa}.warn{color:#ffcc80;background:#3a2a10}.sso{background:#1e88e5}}</style>
</head><body><h1>Workbench</h1>
${message ? `<p class="err" role="alert">${escapeHtml(message)}</p>` : ''}
${ssoBlock(next, sso)}
<form method="post" action="login?next=${encodeURIComponent(next)}">
<label for="password">Token</label>
<input type="password" id="password" name="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="_xsrf" value="${escapeHtml(xsrf)}">
<button type="submit">Log in</button></form>
<p>The token is printed in the server's log when it starts.</p>
</body></html>`;
}

export function loginRoutes(deps: HttpDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/login',
      auth: 'public',
      tag: 'login',
      summary: 'Login page',
      handler: (req, res) => {
        const xsrf = ensureXsrfCookie(req, res, deps.baseUrl);
        res.type('html').send(loginPage(xsrf, safeNext(req.query.next, deps.baseUrl), undefined, deps.sso?.status()));
      },
    },
    {
      method: 'post',
      path: '/login',
      auth: 'public',
      tag: 'login',
      summary: 'Log in with the token (form field "password"); sets the login cookie',
      responses: { '302': 'Logged in', '401': 'Wrong token', '403': 'XSRF check failed' },
      handler: (req, res) => {
        checkXsrf(req);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const user = deps.identity.fromToken(typeof body.password === 'string' ? body.password : undefined);
        const next = safeNext(req.query.next ?? body.next, deps.baseUrl);
        if (!user) {
          const xsrf = ensureXsrfCookie(req, res, deps.baseUrl);
          res.status(401).type('html').send(loginPage(xsrf, next, 'Invalid token.', deps.sso?.status()));
          return;
        }
        setLoginCookie(res, deps, deps.identity.issueCookie(user));
        res.redirect(302, next);
      },
    },
    {
      method: 'get',
      path: '/logout',
      auth: 'user',
      permission: { resource: 'identity', action: 'read' },
      page: true,
      tag: 'login',
      summary: 'Log out (clears the login cookie); an SSO session gets a button that ends it (POST /auth/logout)',
      handler: (req, res) => {
        if (req.auth?.method === 'sso') {
          // Ending a session changes state: a GET only offers the button (POST with _xsrf).
          const xsrf = ensureXsrfCookie(req, res, deps.baseUrl);
          res.type('html').send(`<!doctype html><title>Log out</title><meta name="color-scheme" content="light dark"><form method="post" action="auth/logout"><input type="hidden" name="_xsrf" value="${escapeHtml(xsrf)}"><p>Signed in as ${escapeHtml(req.auth.user.display_name)}.</p><button type="submit">Log out</button></form>`);
          return;
        }
        res.clearCookie(deps.identity.cookieName, { path: deps.baseUrl });
        res.type('html').send('<!doctype html><title>Logged out</title><p>Logged out. <a href="login">Log in again</a>.</p>');
      },
    },
  ];
}

