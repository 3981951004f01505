import { randomBytes } from 'node:crypto';
import { AppError } from '@workbench/core';
import { ENVELOPE_VERSION, envelopeKeyId, formatEnvelope, openSecret, parseEnvelope, rewrapSecret, sealSecret } from './envelope';
import { caught } from './testing';

const kek = { id: 'k1', key: randomBytes(32) };
const kek2 = { id: 'k2', key: randomBytes(32) };
const VALUE = 'pg-p@ssw0rd:"quoted"\n and ünïcödé 🔑';

function decrypt(name: string, ct: string, key = kek): string {
  return openSecret(name, parseEnvelope(ct, name), key);
}


/** Flip one bit of byte `at` of a base64url part, re-encoding canonically. */
function flipPart(ct: string, part: number, at: number): string {
  const parts = ct.split(':');
  const buf = Buffer.from(parts[part]!, 'base64url');
  buf[at % buf.length]! ^= 0x01;
  parts[part] = buf.toString('base64url');
  return parts.join(':');
}

describe('envelope', () => {
  it('round-trips values of every shape', () => {
    for (const value of [VALUE, 'x', 'a'.repeat(64 * 1024), '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n']) {
      const ct = sealSecret('db/password', value, kek);
      expect(decrypt('db/password', ct)).toBe(value);
    }
  });

  it('is self-describing: version, key id, then four base64url parts of the documented sizes', () => {
    const ct = sealSecret('n', VALUE, kek);
    expect(ct).toMatch(/^wb1:k1:[A-Za-z0-9_-]{80}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(ENVELOPE_VERSION).toBe('wb1');
    expect(envelopeKeyId(ct)).toBe('k1');
    expect(envelopeKeyId('not an envelope')).toBeUndefined();
    const e = parseEnvelope(ct, 'n');
    expect(e.wrapped.length).toBe(60);
    expect(e.iv.length).toBe(12);
    expect(e.body.length).toBe(Buffer.byteLength(VALUE) + 16);
    expect(formatEnvelope(e)).toBe(ct);
  });

  it('uses a fresh data key and IVs every time', () => {
    const a = parseEnvelope(sealSecret('n', VALUE, kek), 'n');
    const b = parseEnvelope(sealSecret('n', VALUE, kek), 'n');
    expect(a.wrapped.equals(b.wrapped)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.body.equals(b.body)).toBe(false);
  });

  it('never contains the plaintext, in any encoding', () => {
    const ct = sealSecret('n', VALUE, kek);
    for (const form of [VALUE, Buffer.from(VALUE).toString('base64'), Buffer.from(VALUE).toString('base64url'), Buffer.from(VALUE).toString('hex'), 'pg-p@ss']) {
      expect(ct).not.toContain(form);
    }
  });

  it('binds the name: a ciphertext copied to another name does not decrypt', () => {
    const ct = sealSecret('prod/password', VALUE, kek);
    const err = caught(() => decrypt('dev/password', ct));
    expect(err.code).toBe('internal');
    expect(err.message).toContain('"dev/password"');
    expect(err.message).toMatch(/another name/);
    expect(err.message).not.toContain(VALUE);
  });

  it('detects a flipped bit anywhere in the wrapped key, the IV or the value', () => {
    const ct = sealSecret('n', VALUE, kek);
    const bodyLen = parseEnvelope(ct, 'n').body.length;
    const cases: [number, number][] = [];
    for (let at = 0; at < 60; at++) cases.push([2, at]);
    for (let at = 0; at < 12; at++) cases.push([3, at]);
    for (let at = 0; at < bodyLen; at++) cases.push([4, at]);
    for (const [part, at] of cases) {
      const err = caught(() => decrypt('n', flipPart(ct, part, at)));
      expect(err.code).toBe('internal');
      expect(err.message).toMatch(/^Cannot decrypt secret "n": /);
      expect(err.message).not.toContain(VALUE);
      expect(err.message).not.toContain(kek.key.toString('base64'));
    }
  });

  it('refuses a changed version, key id, a non-canonical or truncated part, and extra parts', () => {
    const ct = sealSecret('n', VALUE, kek);
    const [, , w, iv, body] = ct.split(':') as [string, string, string, string, string];
    const last = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const bad = [
      ct.replace(/^wb1/, 'wb2'),
      ct.replace(/^wb1/, 'WB1'),
      ct.replace(':k1:', ':k 1:'),
      ct.replace(':k1:', '::'),
      `wb1:k1:${w}=:${iv}:${body}`,
      `wb1:k1:${w}:${iv.slice(0, -2)}:${body}`,
      `wb1:k1:${w.slice(0, -4)}:${iv}:${body}`,
      `wb1:k1:${w}:${iv}:${body.slice(0, 10)}`,
      `wb1:k1:${w}:${iv}:${body}:extra`,
      `wb1:k1:${w}:${iv}`,
      `wb1:k1:${w}:${iv}:${body.replace(/./, '+')}`,
      '',
    ];
    // A flipped last character of a part often changes only unused bits: canonical checking must still catch it.
    bad.push(`wb1:k1:${last(w)}:${iv}:${body}`, `wb1:k1:${w}:${last(iv)}:${body}`, `wb1:k1:${w}:${iv}:${last(body)}`);
    for (const b of bad) {
      const err = caught(() => decrypt('n', b));
      expect(err.code).toBe('internal');
      expect(err.message).not.toContain(VALUE);
    }
  });

  it('a different key under the same id fails authentication, not garbage', () => {
    const ct = sealSecret('n', VALUE, kek);
    const err = caught(() => decrypt('n', ct, { id: 'k1', key: randomBytes(32) }));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/failed authentication under key k1/);
  });

  it('rewraps only the data key: IV and encrypted value stay byte for byte', () => {
    const ct = sealSecret('n', VALUE, kek);
    const next = rewrapSecret('n', parseEnvelope(ct, 'n'), kek, kek2);
    const [, kid, w, iv, body] = next.split(':');
    const [, , w0, iv0, body0] = ct.split(':');
    expect(kid).toBe('k2');
    expect(w).not.toBe(w0);
    expect(iv).toBe(iv0);
    expect(body).toBe(body0);
    expect(decrypt('n', next, kek2)).toBe(VALUE);
    expect(() => decrypt('n', next, kek)).toThrow(); // k1 cannot open a k2 envelope
    // The wrap binds the key id too: relabelling a k2 envelope as k1 under k2's key fails.
    expect(() => openSecret('n', parseEnvelope(next.replace(':k2:', ':k1:'), 'n'), { id: 'k1', key: kek2.key })).toThrow(AppError);
  });
});
