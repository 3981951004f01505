/**
 * Encrypting one column of one row (e.g. a login session's refresh token)
 * with the key ring, in the same envelope format as named secrets
 * (envelope.ts). `name` binds the ciphertext to where it is stored (say
 * "sessions/<id>/refresh_token"): copied to another row it fails to open.
 *
 * Unlike SecretStore entries, these values are not registered with the log
 * redactor (there may be one per session). A key rotation re-wraps them
 * through their owner (`rewrapField`, e.g. the login sessions); one whose
 * key was retired before that cannot be opened and its owner (the session)
 * ends.
 */
import { envelopeKeyId, openSecret, parseEnvelope, rewrapSecret, sealSecret } from './envelope';
import type { KeyRing } from './key-ring';
import { AppError } from '@workbench/core';

export function sealField(ring: KeyRing, name: string, value: string): string {
  return sealSecret(name, value, ring.activeKey());
}

/** The value sealed under `name`; an `internal` AppError when it was altered, moved, or its key is unknown. */
export async function openField(ring: KeyRing, name: string, ciphertext: string): Promise<string> {
  const kid = envelopeKeyId(ciphertext);
  const key = kid === undefined ? undefined : await ring.key(kid);
  if (!key) throw new AppError('internal', `Cannot decrypt ${JSON.stringify(name)}: its key ${kid ?? '(none)'} is not in the key ring`);
  return openSecret(name, parseEnvelope(ciphertext, name), key);
}

/**
 * The ciphertext under the ring's active key (the value is not decrypted,
 * only its data key re-wrapped), or undefined when it already is. An
 * `internal` AppError when its key is unknown or it was altered.
 */
export async function rewrapField(ring: KeyRing, name: string, ciphertext: string): Promise<string | undefined> {
  const kid = envelopeKeyId(ciphertext);
  if (kid === ring.activeId) return undefined;
  const from = kid === undefined ? undefined : await ring.key(kid);
  if (!from) throw new AppError('internal', `Cannot re-wrap ${JSON.stringify(name)}: its key ${kid ?? '(none)'} is not in the key ring`);
  return rewrapSecret(name, parseEnvelope(ciphertext, name), from, ring.activeKey());
}
