/**
 * The envelope format, version wb1 (pure: no I/O). See ../README.md "Ciphertext".
 *
 *   wb1:<kid>:<wrapped>:<iv>:<body>          every part base64url, no padding
 *
 *   wrapped = wrapIv(12) || AES-256-GCM_KEK(DEK)(32) || tag(16)   60 bytes
 *             AAD "workbench/secret/v1/dek\0<kid>\0<name>"
 *   iv      = 12 random bytes
 *   body    = AES-256-GCM_DEK(utf8 value) || tag(16)
 *             AAD "workbench/secret/v1/value\0<name>"
 *
 * Each secret has its own random DEK; the KEK (named by kid) only wraps
 * it, so a key rotation rewraps 60 bytes per secret and never touches the
 * value. The secret's name is bound into both AADs, so a ciphertext copied
 * to another name, or another key id, fails authentication. Parsing is
 * strict (canonical base64url, exact lengths) so no two strings decrypt
 * to the same thing. Errors name the secret, never its value or a key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@workbench/core';
import { KEY_ID_PATTERN } from './key-file-format';

export const ENVELOPE_VERSION = 'wb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEK_BYTES = 32;
const WRAPPED_BYTES = IV_BYTES + DEK_BYTES + TAG_BYTES;

/** Only the key, for encryption and decryption; ids and dates do not matter here. */
export interface KeyMaterial {
  readonly id: string;
  readonly key: Buffer;
}

export interface Envelope {
  keyId: string;
  /** wrapIv || wrapped DEK || wrap tag. */
  wrapped: Buffer;
  iv: Buffer;
  /** Value ciphertext || tag. */
  body: Buffer;
}

function corrupt(name: string, problem: string, cause?: unknown): AppError {
  return new AppError('internal', `Cannot decrypt secret ${JSON.stringify(name)}: ${problem}`, cause === undefined ? undefined : { cause });
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

function unb64(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  const buf = Buffer.from(part, 'base64url');
  // Canonical only: a flipped unused trailing bit must not decode to the same bytes.
  return buf.toString('base64url') === part ? buf : undefined;
}

function dekAad(keyId: string, name: string): Buffer {
  return Buffer.from(`workbench/secret/v1/dek\0${keyId}\0${name}`, 'utf8');
}

function valueAad(name: string): Buffer {
  return Buffer.from(`workbench/secret/v1/value\0${name}`, 'utf8');
}

export function formatEnvelope(e: Envelope): string {
  return [ENVELOPE_VERSION, e.keyId, b64(e.wrapped), b64(e.iv), b64(e.body)].join(':');
}

/** The key id a ciphertext names, without decrypting it; undefined when it is not a wb1 envelope. */
export function envelopeKeyId(ciphertext: string): string | undefined {
  const parts = ciphertext.split(':');
  return parts.length === 5 && parts[0] === ENVELOPE_VERSION && KEY_ID_PATTERN.test(parts[1]!) ? parts[1] : undefined;
}

/** Parse a serialized envelope; `name` only labels errors. */
export function parseEnvelope(ciphertext: string, name: string): Envelope {
  const parts = ciphertext.split(':');
  if (parts.length !== 5) throw corrupt(name, 'the stored ciphertext is not in a known format');
  const [version, keyId, wrappedText, ivText, bodyText] = parts as [string, string, string, string, string];
  if (version !== ENVELOPE_VERSION) throw corrupt(name, `the stored ciphertext has unsupported version ${JSON.stringify(version.slice(0, 8))} (this server reads ${ENVELOPE_VERSION})`);
  if (!KEY_ID_PATTERN.test(keyId)) throw corrupt(name, 'the stored ciphertext has an invalid key id');
  const wrapped = unb64(wrappedText);
  const iv = unb64(ivText);
  const body = unb64(bodyText);
  if (!wrapped || wrapped.length !== WRAPPED_BYTES) throw corrupt(name, 'the wrapped data key is malformed');
  if (!iv || iv.length !== IV_BYTES) throw corrupt(name, 'the IV is malformed');
  if (!body || body.length < TAG_BYTES) throw corrupt(name, 'the encrypted value is malformed');
  return { keyId, wrapped, iv, body };
}

function gcmEncrypt(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Throws node's "unable to authenticate" error on any tampering. */
function gcmDecrypt(key: Buffer, iv: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}

function wrapDek(dek: Buffer, kek: KeyMaterial, name: string): Buffer {
  const wrapIv = randomBytes(IV_BYTES);
  return Buffer.concat([wrapIv, gcmEncrypt(kek.key, wrapIv, dekAad(kek.id, name), dek)]);
}

function unwrapDek(e: Envelope, kek: KeyMaterial, name: string): Buffer {
  if (kek.id !== e.keyId) throw new Error('unwrapDek: key id mismatch'); // a caller bug, not data
  try {
    return gcmDecrypt(kek.key, e.wrapped.subarray(0, IV_BYTES), dekAad(e.keyId, name), e.wrapped.subarray(IV_BYTES));
  } catch (err) {
    throw corrupt(name, `the data key failed authentication under key ${e.keyId} (the ciphertext was altered, stored under another name, or the key file holds a different key with this id)`, err);
  }
}

/** Encrypt `value` for `name` under a fresh DEK wrapped by `kek`. */
export function sealSecret(name: string, value: string, kek: KeyMaterial): string {
  const dek = randomBytes(DEK_BYTES);
  try {
    const iv = randomBytes(IV_BYTES);
    const body = gcmEncrypt(dek, iv, valueAad(name), Buffer.from(value, 'utf8'));
    return formatEnvelope({ keyId: kek.id, wrapped: wrapDek(dek, kek, name), iv, body });
  } finally {
    dek.fill(0);
  }
}

/** Decrypt an envelope stored under `name`; `kek` must be the key the envelope names. */
export function openSecret(name: string, e: Envelope, kek: KeyMaterial): string {
  const dek = unwrapDek(e, kek, name);
  try {
    const plain = gcmDecrypt(dek, e.iv, valueAad(name), e.body);
    const value = plain.toString('utf8');
    plain.fill(0);
    return value;
  } catch (err) {
    throw corrupt(name, 'the encrypted value failed authentication (the ciphertext was altered or stored under another name)', err);
  } finally {
    dek.fill(0);
  }
}

/**
 * Re-wrap the envelope's DEK from the KEK it names to `to`; the IV and
 * encrypted value are kept byte for byte. The value is not decrypted.
 */
export function rewrapSecret(name: string, e: Envelope, from: KeyMaterial, to: KeyMaterial): string {
  const dek = unwrapDek(e, from, name);
  try {
    return formatEnvelope({ keyId: to.id, wrapped: wrapDek(dek, to, name), iv: e.iv, body: e.body });
  } finally {
    dek.fill(0);
  }
}
