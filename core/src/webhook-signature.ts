/**
 * The signature on an outgoing webhook (server/pipelines/src/notify/README.md "Signature"), and its
 * check, used by receivers and by Workbench's own incoming webhook trigger:
 *
 *   X-Workbench-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A header may carry several `v1` values (signed with the old and the new
 * secret while one rotates); any one matching is enough. Other keys are
 * ignored, so a later scheme (`v2=`) can be added beside `v1`. The
 * timestamp is signed too, so an old delivery cannot be replayed once it
 * is outside the tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Workbench-Signature';
/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_S = 300;

/** The HMAC-SHA256 of `<t>.<body>` as lowercase hex. */
function signatureHex(secret: string, body: string | Buffer, unixSeconds: number): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
}

/** The X-Workbench-Signature header value for `body` sent at `unixSeconds`. */
export function signWebhook(secret: string, body: string | Buffer, unixSeconds: number): string {
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) throw new RangeError(`Cannot sign webhook: bad timestamp ${unixSeconds}`);
  return `t=${unixSeconds},v1=${signatureHex(secret, body, unixSeconds)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `header` is a signature by `secret` of exactly `body` (the raw
 * bytes received, before any JSON parsing), made within `toleranceS` of
 * `nowUnixSeconds`. Compares in constant time.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string | Buffer, nowUnixSeconds: number, toleranceS = SIGNATURE_TOLERANCE_S): SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'no signature header' };
  if (header.length > 4096) return { ok: false, reason: 'malformed signature header' };
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed signature header' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed signature header' };
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: 'malformed signature header' };
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (t === undefined) return { ok: false, reason: 'malformed signature header: no timestamp' };
  if (signatures.length === 0) return { ok: false, reason: 'malformed signature header: no v1 signature' };
  if (t < nowUnixSeconds - toleranceS) return { ok: false, reason: 'signature timestamp too old' };
  if (t > nowUnixSeconds + toleranceS) return { ok: false, reason: 'signature timestamp in the future' };
  const expected = Buffer.from(signatureHex(secret, body, t), 'hex');
  // Every candidate is compared (no early exit), so the time taken does not tell which one matched.
  let match = false;
  for (const candidate of signatures) match = timingSafeEqual(candidate, expected) || match;
  return match ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
