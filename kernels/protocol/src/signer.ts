import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC signing of the four JSON parts (header, parent_header, metadata,
 * content), as jupyter_client's Session does. An empty key disables signing
 * (the signature is then the empty string), as in the connection-file spec.
 */
export class Signer {
  private readonly algorithm: string | undefined;

  constructor(
    scheme: string,
    private readonly key: string,
  ) {
    if (!key) {
      this.algorithm = undefined;
      return;
    }
    const m = /^hmac-([a-z0-9]+)$/.exec(scheme);
    if (!m) throw new Error(`Cannot sign messages: unsupported signature scheme ${JSON.stringify(scheme)}`);
    this.algorithm = m[1];
  }

  sign(parts: readonly Buffer[]): string {
    if (!this.algorithm) return '';
    const h = createHmac(this.algorithm, this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  /** Constant-time comparison of a received signature. */
  verify(signature: Buffer, parts: readonly Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(parts), 'ascii');
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}
