/**
 * Encrypting one column of one row (e.g. a login session's refresh token)
 * with the key ring, in the same envelope format as named secrets
 * (envelope.ts). `name` binds the ciphertext to where it is stored (say
 * "sessions/<id>/refresh_token"): copied to another row it fails to open.
 *
 * Unlike SecretStore entries, these values are not registered with the log
 * redactor (there may be one per session) and are not re-wrapped by a key
 * rotation: they are short-lived; one whose key was retired cannot be opened
 * and its owner (the session) ends.
 */
import { envelopeKeyId, openSecret, parseEnvelope, sealSecret } from './envelope';
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
