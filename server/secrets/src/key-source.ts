/**
 * Where the key-encryption keys come from (pure: the caller, server/app,
 * passes its env and config in). Precedence, first match wins:
 *
 *   1. WORKBENCH_SECRET_KEY=[<id>:]<base64 of 32 bytes>  (containers)
 *      plus WORKBENCH_SECRET_DECRYPT_KEYS=[<id>:]<base64>,...  (older or
 *      upcoming keys accepted for decryption only). Ids default to one
 *      derived from the key. Setting a key file as well is refused: two
 *      sources of truth for key material is a mistake, not a preference.
 *   2. The key file configured in the config file (secrets.key_file), then
 *      WORKBENCH_SECRET_KEY_FILE (config file before env, as for every
 *      other setting in server/app). It must exist: a configured path that
 *      is missing is most likely an unmounted volume, and starting a fresh
 *      key there would strand every secret written afterwards.
 *   3. The embedded default `defaultFile` (under the data dir), created
 *      with a new key on first start.
 */
import { isAbsolute } from 'node:path';
import { AppError } from '@workbench/core';
import { decodeKey, deriveKeyId, Kek, KEY_ID_PATTERN } from './key-file-format';

export const ENV_SECRET_KEY = 'WORKBENCH_SECRET_KEY';
export const ENV_SECRET_DECRYPT_KEYS = 'WORKBENCH_SECRET_DECRYPT_KEYS';
export const ENV_SECRET_KEY_FILE = 'WORKBENCH_SECRET_KEY_FILE';

export type KeySource =
  | { kind: 'env'; active: Kek; decryptOnly: Kek[] }
  | { kind: 'file'; path: string; createIfMissing: boolean };

export interface KeySourceInput {
  env: Readonly<Record<string, string | undefined>>;
  /** secrets.key_file from the config file, as an absolute path. */
  configuredFile?: string;
  /** The embedded default, e.g. `<dataDir>/secret-keys.json`; created when missing. */
  defaultFile: string;
}

export function resolveKeySource(input: KeySourceInput): KeySource {
  const { env } = input;
  const envKey = nonEmpty(env[ENV_SECRET_KEY]);
  const envFile = nonEmpty(env[ENV_SECRET_KEY_FILE]);
  if (envKey !== undefined) {
    const file = input.configuredFile ?? envFile;
    if (file !== undefined) {
      throw new AppError(
        'unavailable',
        `Cannot choose the secret key: ${ENV_SECRET_KEY} is set and so is a key file (${file}); unset one of them`,
      );
    }
    const active = parseEnvKey(envKey, ENV_SECRET_KEY);
    const decryptOnly: Kek[] = [];
    const seen = new Set([active.id]);
    const extra = nonEmpty(env[ENV_SECRET_DECRYPT_KEYS]);
    for (const [i, entry] of (extra?.split(',') ?? []).entries()) {
      if (entry.trim() === '') continue;
      const kek = parseEnvKey(entry, `${ENV_SECRET_DECRYPT_KEYS} entry ${i + 1}`);
      if (seen.has(kek.id)) throw new AppError('unavailable', `Cannot use ${ENV_SECRET_DECRYPT_KEYS}: key id ${kek.id} appears twice`);
      seen.add(kek.id);
      decryptOnly.push(kek);
    }
    return { kind: 'env', active, decryptOnly };
  }
  if (nonEmpty(env[ENV_SECRET_DECRYPT_KEYS]) !== undefined) {
    throw new AppError('unavailable', `Cannot use ${ENV_SECRET_DECRYPT_KEYS} without ${ENV_SECRET_KEY}; key files list their own older keys`);
  }
  const path = input.configuredFile ?? envFile;
  if (path !== undefined) {
    if (!isAbsolute(path)) throw new AppError('unavailable', `Cannot use secret key file ${JSON.stringify(path)}: the path must be absolute`);
    return { kind: 'file', path, createIfMissing: false };
  }
  return { kind: 'file', path: input.defaultFile, createIfMissing: true };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** `[<id>:]<base64>`; the error names the variable, never the value. */
function parseEnvKey(text: string, what: string): Kek {
  const colon = text.indexOf(':');
  const givenId = colon >= 0 ? text.slice(0, colon).trim() : undefined;
  if (givenId !== undefined && !KEY_ID_PATTERN.test(givenId)) {
    throw new AppError('unavailable', `Cannot use ${what}: the key id before ':' must be 1 to 32 characters of A-Z a-z 0-9 _ -`);
  }
  const key = decodeKey(colon >= 0 ? text.slice(colon + 1) : text);
  if (!Buffer.isBuffer(key)) throw new AppError('unavailable', `Cannot use ${what}: ${key.error}`);
  return { id: givenId ?? deriveKeyId(key), key };
}
