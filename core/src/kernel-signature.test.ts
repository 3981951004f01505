import { kernelAuthorization, parseKernelAuthorization, sha256Hex, verifyKernelClaim } from './kernel-signature';

const KEY = 'k'.repeat(64);
const ID = '1f6e0a4c-8d0e-4a52-9d0b-6a8e1f2f3b4c';
const request = { method: 'POST', path: '/api/connections/odoo/query', body: '{"sql":"select 1"}' };
const now = 1_800_000_000_000;

describe('kernel request signatures', () => {
  const header = kernelAuthorization({ kernelId: ID, key: KEY, unixSeconds: now / 1000, ...request });
  const claim = parseKernelAuthorization(header)!;
  const check = (r: Partial<typeof request> = {}, key = KEY, at = now) => verifyKernelClaim(claim, key, { method: r.method ?? request.method, path: r.path ?? request.path, bodySha256: sha256Hex(r.body ?? request.body) }, at);

  it('accepts the request it signed, within five minutes either way', () => {
    expect(claim.kernelId).toBe(ID);
    expect(check()).toBe(true);
    expect(check({}, KEY, now + 299_000)).toBe(true);
    expect(check({}, KEY, now - 299_000)).toBe(true);
  });

  it('refuses another key, method, path, body, or a stale signature', () => {
    expect(check({}, 'x'.repeat(64))).toBe(false);
    expect(check({ method: 'GET' })).toBe(false);
    expect(check({ path: '/api/connections/other/query' })).toBe(false);
    expect(check({ body: '{"sql":"drop table x"}' })).toBe(false);
    expect(check({}, KEY, now + 301_000)).toBe(false);
  });

  it('reads only well-formed headers of its scheme', () => {
    expect(parseKernelAuthorization('token abc')).toBeUndefined();
    expect(parseKernelAuthorization(undefined)).toBeUndefined();
    expect(parseKernelAuthorization(`WorkbenchKernel ${ID}:12:nothex`)).toBeUndefined();
    expect(parseKernelAuthorization(`WorkbenchKernel ${ID}:${'9'.repeat(13)}:${'a'.repeat(64)}`)).toBeUndefined();
  });
});
