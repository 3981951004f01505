import { randomBytes } from 'node:crypto';
import { AppError } from '@workbench/core';
import { openPending, PENDING_LOGIN_MAX_AGE_MS, safeReturnTo, sealPending, type PendingLogin } from './oidc-pending';

const KEY = randomBytes(32);
const T0 = Date.UTC(2025, 0, 31, 17, 0, 0);
const pending: PendingLogin = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/lab/tree/a%20b.ipynb', created: T0 };

function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('sealed pending login', () => {
  it('round-trips within ten minutes and hides the PKCE verifier', () => {
    const sealed = sealPending(pending, KEY);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(sealed.slice(3), 'base64url').toString('latin1')).not.toContain('vvvv');
    expect(openPending(sealed, KEY, { clock: () => T0 + PENDING_LOGIN_MAX_AGE_MS })).toEqual(pending);
    expect(sealPending(pending, KEY)).not.toBe(sealed); // fresh IV each time
  });

  it('refuses every altered byte, another key, garbage and expiry', () => {
    const sealed = sealPending(pending, KEY);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const copy = Buffer.from(raw);
      copy[i]! ^= 0x80;
      expect(code(() => openPending(`v1.${copy.toString('base64url')}`, KEY, { clock: () => T0 }))).toMatch(/^bad_request: Cannot log in: the login cookie is missing, altered/);
    }
    for (const bad of [undefined, '', 'v1.', 'v2.' + sealed.slice(3), sealed.slice(0, -4), 'x'.repeat(10_000)]) {
      expect(code(() => openPending(bad, KEY, { clock: () => T0 }))).toMatch(/^bad_request: Cannot log in: the login cookie/);
    }
    expect(code(() => openPending(sealed, randomBytes(32), { clock: () => T0 }))).toMatch(/^bad_request: Cannot log in: the login cookie/);
    expect(code(() => openPending(sealed, KEY, { clock: () => T0 + PENDING_LOGIN_MAX_AGE_MS + 1 }))).toBe('bad_request: Cannot log in: the login was started more than 10 minutes ago; start it again');
    expect(code(() => openPending(sealed, KEY, { clock: () => T0 - 5 * 60_000 }))).toMatch(/^bad_request: Cannot log in: the login cookie/);
    expect(code(() => sealPending(pending, randomBytes(16)))).toMatch(/at least 32 bytes/);
  });

  it('refuses a sealed login whose return address is not a local path', () => {
    const sealed = sealPending({ ...pending, returnTo: '//evil.example' }, KEY);
    expect(code(() => openPending(sealed, KEY, { clock: () => T0 }))).toMatch(/^bad_request: Cannot log in: the return address/);
  });
});

describe('safeReturnTo', () => {
  it('keeps local paths, normalised', () => {
    expect(safeReturnTo('/')).toBe('/');
    expect(safeReturnTo('/lab/tree/q3.ipynb?kernel=python3#cell-2')).toBe('/lab/tree/q3.ipynb?kernel=python3#cell-2');
    expect(safeReturnTo('/a/../../b')).toBe('/b');
    expect(safeReturnTo('/lab/tree/a b.ipynb')).toBe('/lab/tree/a%20b.ipynb');
    expect(safeReturnTo('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('refuses anything that could leave this server', () => {
    for (const bad of ['', 'lab', 'https://evil.example', '//evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/lab\r\nLocation: x', 'javascript:alert(1)', `/${'a'.repeat(3000)}`]) {
      expect(code(() => safeReturnTo(bad))).toMatch(/^bad_request: Cannot log in: the return address must be a path on this server/);
    }
  });
});
