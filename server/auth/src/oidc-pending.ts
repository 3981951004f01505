/**
 * A login between "redirect to the provider" and "the provider redirected
 * back": the secrets of one Authorization Code + PKCE round trip (state,
 * nonce, code_verifier) and where to go afterwards. The server keeps it in
 * a short-lived cookie sealed with AES-256-GCM: the browser can neither
 * read it (the PKCE verifier stays secret) nor forge or alter it (state and
 * nonce cannot be chosen by an attacker), and it expires after ten minutes.
 *
 * Sealed format: "v1." + base64url(iv[12] | ciphertext | tag[16]) over the
 * JSON {s, n, v, r, c}; the AES key is HKDF-SHA256(key, info
 * "workbench oidc pending login v1"), so the cookie secret may be shared
 * with other uses without reusing a key.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '@workbench/core';

export interface PendingLogin {
  state: string;
  nonce: string;
  /** PKCE (RFC 7636) code_verifier; only its S256 challenge went to the provider. */
  codeVerifier: string;
  /** Where to send the user after login: a path on this server (see `safeReturnTo`). */
  returnTo: string;
  /** When the login began, ms since the epoch (by the client's clock). */
  created: number;
}

export const PENDING_LOGIN_MAX_AGE_MS = 10 * 60_000;

const VERSION = 'v1.';
const INFO = 'workbench oidc pending login v1';
const AAD = Buffer.from(INFO);
/** Room for clock differences between replicas: a login "created" this far in the future is still accepted. */
const FUTURE_TOLERANCE_MS = 60_000;
const MAX_SEALED_LENGTH = 8192;

function aesKey(key: Uint8Array): Buffer {
  if (key.byteLength < 32) throw new AppError('bad_request', 'Cannot seal the login: the key must have at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), INFO, 32));
}

export function sealPending(pending: PendingLogin, key: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aesKey(key), iv);
  cipher.setAAD(AAD);
  const body = JSON.stringify({ s: pending.state, n: pending.nonce, v: pending.codeVerifier, r: pending.returnTo, c: pending.created });
  const ct = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url');
}

export interface OpenPendingOptions {
  clock?: () => number;
  maxAgeMs?: number;
}

const INVALID = 'Cannot log in: the login cookie is missing, altered or from another server; start the login again';

/** The login sealed in `sealed`; a `bad_request` AppError when it is missing, altered, sealed with another key or expired. */
export function openPending(sealed: string | undefined, key: Uint8Array, options: OpenPendingOptions = {}): PendingLogin {
  const k = aesKey(key);
  if (typeof sealed !== 'string' || !sealed.startsWith(VERSION) || sealed.length > MAX_SEALED_LENGTH) throw new AppError('bad_request', INVALID);
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64url');
  if (raw.length < 12 + 16 + 2) throw new AppError('bad_request', INVALID);
  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const body = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('bad_request', INVALID);
  }
  const p = parsed as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || typeof p.s !== 'string' || typeof p.n !== 'string' || typeof p.v !== 'string' || typeof p.r !== 'string' || typeof p.c !== 'number') {
    throw new AppError('bad_request', INVALID);
  }
  const now = (options.clock ?? Date.now)();
  const maxAge = options.maxAgeMs ?? PENDING_LOGIN_MAX_AGE_MS;
  if (p.c > now + FUTURE_TOLERANCE_MS) throw new AppError('bad_request', INVALID);
  if (now - p.c > maxAge) {
    throw new AppError('bad_request', `Cannot log in: the login was started more than ${Math.round(maxAge / 60_000)} minutes ago; start it again`);
  }
  return { state: p.s, nonce: p.n, codeVerifier: p.v, returnTo: safeReturnTo(p.r), created: p.c };
}

/**
 * `returnTo` if it is a path on this server, else a `bad_request` AppError.
 * Open redirects are the risk: "//evil.example", "/\evil.example",
 * "https://evil.example" and anything with control characters are refused.
 * The result is normalised (dot segments resolved).
 */
export function safeReturnTo(returnTo: string): string {
  const refuse = (): never => {
    throw new AppError('bad_request', 'Cannot log in: the return address must be a path on this server (starting with a single "/")');
  };
  // eslint-disable-next-line no-control-regex
  if (typeof returnTo !== 'string' || returnTo.length > 2048 || !returnTo.startsWith('/') || returnTo.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(returnTo)) refuse();
  const base = 'http://workbench.invalid';
  let url: URL;
  try {
    url = new URL(returnTo, base);
  } catch {
    return refuse();
  }
  if (url.origin !== base) refuse();
  return url.pathname + url.search + url.hash;
}
