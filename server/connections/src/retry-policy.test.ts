/** The retry policy's arithmetic: which methods, how long, Retry-After's two forms. */
import { backoffDelay, mayRetry, parseRetryAfter } from './retry-policy';

describe('retry policy', () => {
  it('retries idempotent methods, and POST or PATCH only when marked so', () => {
    expect(['GET', 'head', 'PUT', 'DELETE', 'OPTIONS', 'POST', 'PATCH'].map((m) => mayRetry(m, undefined))).toEqual([true, true, true, true, true, false, false]);
    expect([mayRetry('POST', true), mayRetry('PATCH', true)]).toEqual([true, true]);
  });

  it('backs off exponentially, with half the wait jittered, under the cap', () => {
    const policy = { base_ms: 200, cap_ms: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-03-31T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 31 Mar 2024 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 31 Mar 2024 11:00:00 GMT', now)).toBe(0);
    expect([parseRetryAfter(null, now), parseRetryAfter('soon', now), parseRetryAfter('-3', now)]).toEqual([undefined, undefined, undefined]);
  });
});
