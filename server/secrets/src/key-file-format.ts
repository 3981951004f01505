/**
 * The key file format, version 1 (pure: no I/O). See ../README.md "Key file".
 *
 *   {
 *     "version": 1,
 *     "active": "k3f9a1c2b",
 *     "keys": [
 *       { "id": "k0a1b2c3d", "key": "<standard base64 of 32 bytes>", "created": "2026-01-31T12:00:00.000Z" },
 *       { "id": "k3f9a1c2b", "key": "...", "created": "..." }
 *     ]
 *   }
 *
 * Parsing is strict (unknown fields, duplicate ids, keys of the wrong
 * length are refused) and error messages name the file and the field but
 * never echo key material or the file's text.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AppError } from '@workbench/core';

export const KEY_FILE_VERSION = 1;
/** AES-256: a key-encryption key is exactly 32 bytes. */
export const KEY_BYTES = 32;
/** Key ids travel in every ciphertext: short, and never containing the envelope's ':' separator. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_KEYS = 100;

/** A key-encryption key (KEK). `key` is secret; everything else is not. */
export interface Kek {
  readonly id: string;
  readonly key: Buffer;
  /** ISO 8601 creation time; always set for keys from a key file, unknown for keys from the environment. */
  readonly created?: string;
}

export interface KeySet {
  readonly active: string;
  readonly keys: readonly Kek[];
}

/** Public facts about a key: what `list`/CLI output may show. */
export interface KeyInfo {
  id: string;
  created?: string;
  active: boolean;
}

function invalid(where: string, problem: string): AppError {
  return new AppError('unavailable', `Cannot load secret keys from ${where}: ${problem}`);
}

/**
 * The id a generated (or environment-supplied) key gets: derived from the
 * key itself, so the same key has the same id wherever it is configured
 * (moving a key from WORKBENCH_SECRET_KEY into a key file keeps every
 * ciphertext readable). 32 bits of an HMAC of a 256-bit random key reveal
 * nothing usable about it.
 */
export function deriveKeyId(key: Buffer): string {
  return 'k' + createHmac('sha256', key).update('workbench/secret-kek-id/v1').digest('hex').slice(0, 8);
}

/** A fresh random KEK whose id is not already in `taken`. */
export function generateKek(now: Date, taken: ReadonlySet<string> = new Set()): Kek {
  for (;;) {
    const key = randomBytes(KEY_BYTES);
    const id = deriveKeyId(key);
    if (!taken.has(id)) return { id, key, created: now.toISOString() };
  }
}

/**
 * Decode canonical base64 (standard alphabet, padding optional, or
 * base64url) of exactly 32 bytes. Returns the decoded length on failure
 * so the error can say what was wrong without echoing the value.
 */
export function decodeKey(text: string): Buffer | { error: string } {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(trimmed)) return { error: 'it is not base64' };
  const urlSafe = /[-_]/.test(trimmed);
  const buf = Buffer.from(trimmed, urlSafe ? 'base64url' : 'base64');
  const canonical = buf.toString(urlSafe ? 'base64url' : 'base64');
  if (canonical.replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) return { error: 'it is not canonical base64' };
  if (buf.length !== KEY_BYTES) return { error: `it decodes to ${buf.length} bytes, not ${KEY_BYTES} (generate one with: openssl rand -base64 32)` };
  return buf;
}

/** Parse and validate a key file's text. `where` names the file in errors. */
export function parseKeyFile(text: string, where: string): KeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Deliberately no cause: JSON.parse messages quote the input, which holds key material.
    throw invalid(where, 'it is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid(where, 'it is not a JSON object');
  const o = doc as Record<string, unknown>;
  for (const field of Object.keys(o)) {
    if (field !== 'version' && field !== 'active' && field !== 'keys') throw invalid(where, `unknown field ${JSON.stringify(field)}`);
  }
  if (o.version !== KEY_FILE_VERSION) {
    throw invalid(where, `unsupported version ${JSON.stringify(o.version ?? null)} (this server reads version ${KEY_FILE_VERSION})`);
  }
  if (!Array.isArray(o.keys) || o.keys.length === 0) throw invalid(where, '"keys" must be a non-empty array');
  if (o.keys.length > MAX_KEYS) throw invalid(where, `more than ${MAX_KEYS} keys; retire old ones`);
  const keys: Kek[] = [];
  const ids = new Set<string>();
  o.keys.forEach((entry: unknown, i) => {
    const at = `keys[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(where, `${at} is not an object`);
    const e = entry as Record<string, unknown>;
    for (const field of Object.keys(e)) {
      if (field !== 'id' && field !== 'key' && field !== 'created') throw invalid(where, `${at} has unknown field ${JSON.stringify(field)}`);
    }
    if (typeof e.id !== 'string' || !KEY_ID_PATTERN.test(e.id)) throw invalid(where, `${at}.id must be 1 to 32 characters of A-Z a-z 0-9 _ -`);
    if (ids.has(e.id)) throw invalid(where, `key id ${JSON.stringify(e.id)} appears twice`);
    ids.add(e.id);
    if (typeof e.key !== 'string') throw invalid(where, `key ${JSON.stringify(e.id)} has no "key" string`);
    const key = decodeKey(e.key);
    if (!Buffer.isBuffer(key)) throw invalid(where, `key ${JSON.stringify(e.id)}: ${key.error}`);
    if (typeof e.created !== 'string' || Number.isNaN(Date.parse(e.created))) {
      throw invalid(where, `key ${JSON.stringify(e.id)}: "created" must be an ISO 8601 date`);
    }
    keys.push({ id: e.id, key, created: e.created });
  });
  if (typeof o.active !== 'string' || !ids.has(o.active)) throw invalid(where, '"active" must name one of the keys');
  return { active: o.active, keys };
}

export function serializeKeyFile(set: KeySet): string {
  const doc = {
    version: KEY_FILE_VERSION,
    active: set.active,
    keys: set.keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created: k.created ?? new Date(0).toISOString() })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
