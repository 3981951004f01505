import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality that does not leak the length either. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}

export function hmacHex(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}
