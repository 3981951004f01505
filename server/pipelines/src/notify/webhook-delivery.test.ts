/** The retry timing rules; deliveries themselves are tested against a real receiver in run-notifier.test.ts. */
import { MAX_RETRY_AFTER_MS, parseRetryAfter, webhookRetryDelayMs, WEBHOOK_MAX_DELAY_MS } from './webhook-delivery';

describe('webhookRetryDelayMs', () => {
  it('doubles from 1 s, adds up to 25 % jitter, and stops at the cap', () => {
    expect([1, 2, 3].map((n) => webhookRetryDelayMs(n, () => 0))).toEqual([1000, 2000, 4000]);
    expect([1, 2, 3].map((n) => webhookRetryDelayMs(n, () => 0.999))).toEqual([1250, 2500, 4999]);
    expect(webhookRetryDelayMs(10, () => 0.5)).toBe(WEBHOOK_MAX_DELAY_MS);
  });

  it('grows with every retry whatever the jitter', () => {
    for (const [a, b] of [[0.999, 0], [0.5, 0.5], [0, 0.999]]) {
      expect(webhookRetryDelayMs(2, () => b!)).toBeGreaterThan(webhookRetryDelayMs(1, () => a!));
      expect(webhookRetryDelayMs(3, () => b!)).toBeGreaterThan(webhookRetryDelayMs(2, () => a!));
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T06:30:00Z');

  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Dec 2026 06:30:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 06:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('3600', now)).toBeGreaterThan(MAX_RETRY_AFTER_MS);
  });

  it('ignores what it cannot read', () => {
    for (const bad of [null, '', '-3', '1.5', 'soon', '2026-12-01', 'Tue, not a date']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
