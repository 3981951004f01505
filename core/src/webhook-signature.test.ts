import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'whsec-test-3f9a1c';
const T = 1_796_106_605;
const BODY = '{"event":"data_ready","dataset":"gl_transactions","row_count":48213}';

describe('signWebhook', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('refuses a timestamp that is not a whole number of seconds', () => {
    expect(() => signWebhook(SECRET, BODY, 1.5)).toThrow(RangeError);
    expect(() => signWebhook(SECRET, BODY, -1)).toThrow(RangeError);
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhook(SECRET, BODY, T);

  it('accepts the signature of the exact body, as a string or as bytes', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), T + 10)).toEqual({ ok: true });
  });

  it('refuses a tampered body or another secret', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('48213', '48214'), T)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyWebhookSignature('another-secret', header, BODY, T)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a missing or empty header', () => {
    expect(verifyWebhookSignature(SECRET, undefined, BODY, T)).toEqual({ ok: false, reason: 'no signature header' });
    expect(verifyWebhookSignature(SECRET, '  ', BODY, T)).toEqual({ ok: false, reason: 'no signature header' });
  });

  it.each([
    ['garbage', 'garbage'],
    ['no timestamp', header.replace(/^t=\d+,/, '')],
    ['no v1', `t=${T}`],
    ['a v1 that is not 64 hex digits', `t=${T},v1=abc`],
    ['a timestamp that is not digits', header.replace(`t=${T}`, 't=12ab')],
    ['two timestamps', `t=${T},${header}`],
    ['an empty key', `=x,${header}`],
    ['a huge header', `${header},${'x=1,'.repeat(2000)}`],
  ])('refuses a malformed header: %s', (_what, bad) => {
    const result = verifyWebhookSignature(SECRET, bad, BODY, T);
    expect(result.ok).toBe(false);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^malformed signature header/) });
  });

  it('refuses a stale or future timestamp outside the tolerance, and accepts one at its edge', () => {
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 301)).toEqual({ ok: false, reason: 'signature timestamp too old' });
    expect(verifyWebhookSignature(SECRET, header, BODY, T - 301)).toEqual({ ok: false, reason: 'signature timestamp in the future' });
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 300)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, header, BODY, T - 300)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, header, BODY, T + 31, 30)).toEqual({ ok: false, reason: 'signature timestamp too old' });
  });

  it('accepts any one of several v1 values (secret rotation) and ignores keys it does not know', () => {
    const oldOne = signWebhook('old-secret', BODY, T).split(',')[1]!;
    const newOne = signWebhook(SECRET, BODY, T).split(',')[1]!;
    expect(verifyWebhookSignature(SECRET, `t=${T},${oldOne},${newOne}`, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature('old-secret', `t=${T},${oldOne},${newOne}`, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, `t=${T}, v0=whatever, ${newOne}`, BODY, T)).toEqual({ ok: true });
    expect(verifyWebhookSignature('third-secret', `t=${T},${oldOne},${newOne}`, BODY, T)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('binds the timestamp: a signature moved to another time does not verify', () => {
    const v1 = header.split(',')[1]!;
    expect(verifyWebhookSignature(SECRET, `t=${T + 1},${v1}`, BODY, T)).toEqual({ ok: false, reason: 'signature does not match' });
  });
});
