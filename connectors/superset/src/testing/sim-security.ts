/**
 * The simulator's signed tokens, each as its origin checks it (pure: no I/O):
 *
 * - JWTs as flask_jwt_extended makes and checks them: HS256, claims
 *   {fresh, iat, jti, type, sub, nbf, exp} (flask_jwt_extended/tokens.py
 *   _encode_jwt), decoded by PyJWT (jwt/api_jws.py, jwt/api_jwt.py: segments,
 *   signature, then exp `exp <= now` and nbf), then the token type
 *   (internal_utils.py verify_token_type). Failures carry the status and
 *   `msg` flask_jwt_extended answers (default_callbacks.py): 401 "Token has
 *   expired", 422 with PyJWT's text for undecodable tokens.
 * - CSRF tokens as Flask-WTF's generate_csrf/validate_csrf (flask_wtf/csrf.py):
 *   a raw token kept in the session, handed out signed and timestamped,
 *   valid for WTF_CSRF_TIME_LIMIT and only with the matching session.
 * - Flask's session cookie: signed JSON (Flask signs with itsdangerous; the
 *   byte format here is the simulator's own, clients treat it as opaque).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export type TokenType = 'access' | 'refresh';

export interface JwtClaims {
  readonly fresh: boolean;
  readonly iat: number;
  readonly jti: string;
  readonly type: TokenType;
  readonly sub: string;
  readonly nbf: number;
  readonly exp: number;
}

export type JwtCheck = { readonly ok: true; readonly claims: JwtClaims } | { readonly ok: false; readonly status: 401 | 422; readonly msg: string };

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

export function signJwt(secret: string, claims: { sub: string; type: TokenType; fresh: boolean; nowSeconds: number; ttlSeconds: number }): string {
  const now = Math.floor(claims.nowSeconds);
  const payload: JwtClaims = { fresh: claims.fresh, iat: now, jti: randomUUID(), type: claims.type, sub: claims.sub, nbf: now, exp: now + claims.ttlSeconds };
  const signingInput = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${signingInput}.${hmac(secret, signingInput).toString('base64url')}`;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function verifyJwt(secret: string, token: string, nowSeconds: number, expected: TokenType): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, status: 422, msg: 'Not enough segments' };
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  if (!header) return { ok: false, status: 422, msg: 'Invalid header string: must be a json object' };
  if (header.alg !== 'HS256') return { ok: false, status: 422, msg: 'The specified alg value is not allowed' };
  const payload = decodeJson(p);
  if (!payload) return { ok: false, status: 422, msg: 'Invalid payload string: must be a json object' };
  const expectedSig = hmac(secret, `${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== expectedSig.length || !timingSafeEqual(sig, expectedSig)) return { ok: false, status: 422, msg: 'Signature verification failed' };
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) return { ok: false, status: 401, msg: 'Token has expired' };
  if (typeof payload.nbf === 'number' && payload.nbf > nowSeconds) return { ok: false, status: 422, msg: 'The token is not yet valid (nbf)' };
  if (expected === 'access' && payload.type === 'refresh') return { ok: false, status: 422, msg: 'Only non-refresh tokens are allowed' };
  if (expected === 'refresh' && payload.type !== 'refresh') return { ok: false, status: 422, msg: 'Only refresh tokens are allowed' };
  return { ok: true, claims: payload as unknown as JwtClaims };
}

/** Sign `value` with a timestamp (seconds), as itsdangerous' TimestampSigner does. */
function signTimed(secret: string, salt: string, value: unknown, nowSeconds: number): string {
  const body = `${b64url(JSON.stringify(value))}.${Math.floor(nowSeconds).toString(36)}`;
  return `${body}.${hmac(`${salt}:${secret}`, body).toString('base64url')}`;
}

type TimedCheck = { ok: true; value: unknown; ageSeconds: number } | { ok: false };

function loadTimed(secret: string, salt: string, signed: string, nowSeconds: number): TimedCheck {
  const parts = signed.split('.');
  if (parts.length !== 3) return { ok: false };
  const [v, t, s] = parts as [string, string, string];
  const expected = hmac(`${salt}:${secret}`, `${v}.${t}`);
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as unknown, ageSeconds: nowSeconds - parseInt(t, 36) };
  } catch {
    return { ok: false };
  }
}

/** Flask's session: what the simulator keeps in it. */
export interface FlaskSession {
  csrf_token?: string;
}

export function signSession(secret: string, session: FlaskSession, nowSeconds: number): string {
  return signTimed(secret, 'cookie-session', session, nowSeconds);
}

/** The session of a cookie value; a missing or badly signed cookie is an empty session, as in Flask. */
export function loadSession(secret: string, cookie: string | undefined, nowSeconds: number): FlaskSession {
  if (!cookie) return {};
  const r = loadTimed(secret, 'cookie-session', cookie, nowSeconds);
  return r.ok && typeof r.value === 'object' && r.value !== null ? (r.value as FlaskSession) : {};
}

/** generate_csrf: the signed form of the session's raw token. */
export function signCsrf(secret: string, raw: string, nowSeconds: number): string {
  return signTimed(secret, 'wtf-csrf-token', raw, nowSeconds);
}

/** validate_csrf's checks, in its order, with its messages; undefined when the token is valid. */
export function csrfFailure(secret: string, sent: string | undefined, session: FlaskSession, nowSeconds: number, timeLimitSeconds: number): string | undefined {
  if (!sent) return 'The CSRF token is missing.';
  if (!session.csrf_token) return 'The CSRF session token is missing.';
  const r = loadTimed(secret, 'wtf-csrf-token', sent, nowSeconds);
  if (!r.ok) return 'The CSRF token is invalid.';
  if (r.ageSeconds > timeLimitSeconds || r.ageSeconds < 0) return 'The CSRF token has expired.';
  const a = Buffer.from(String(r.value));
  const b = Buffer.from(session.csrf_token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'The CSRF tokens do not match.';
  return undefined;
}
