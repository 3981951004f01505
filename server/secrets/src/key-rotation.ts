/**
 * Rewrapping stored secrets under the active key, one secret at a time.
 *
 * Why this never loses a secret, wherever the process dies:
 * - the new key is durably in the key file (ring.rotate) before the first
 *   rewrap, and the old key stays there until retireKey, which refuses
 *   while any ciphertext names it;
 * - each rewrap is one compare-and-set of one row (old ciphertext ->
 *   same value, DEK wrapped under the new key), so every row holds either
 *   its old ciphertext or its new one, both decryptable;
 * - a row changed since it was read (a concurrent put or delete) is read
 *   again instead of overwritten.
 * Running it again after a crash or an abort finishes the job; rows
 * already under the active key are skipped.
 */
import { abortError, AppError, describeError, Logger, silentLogger } from '@workbench/core';
import { parseEnvelope, rewrapSecret } from './envelope';
import { KeyRing } from './key-ring';
import { SecretStorage } from './secret-storage';

export interface RewrapReport {
  /** The key every rewrapped secret now uses. */
  activeKeyId: string;
  rewrapped: number;
  /** Already under the active key, or deleted meanwhile. */
  unchanged: number;
  /** Secrets left as they were, with why (names and key ids only, never values). */
  failed: { name: string; reason: string }[];
}

/** A row that keeps changing under us is left for the next run rather than chased forever. */
const ATTEMPTS_PER_SECRET = 3;

type Outcome = 'rewrapped' | 'unchanged' | { failed: string };

export async function rewrapAll(
  storage: SecretStorage,
  ring: KeyRing,
  options: { signal?: AbortSignal; logger?: Logger } = {},
): Promise<RewrapReport> {
  const logger = options.logger ?? silentLogger;
  await ring.refresh();
  const target = ring.activeKey();
  const report: RewrapReport = { activeKeyId: target.id, rewrapped: 0, unchanged: 0, failed: [] };
  for (const meta of await storage.list()) {
    if (options.signal?.aborted) throw abortError(options.signal, 'rewrap secrets');
    if (meta.keyId === target.id) {
      report.unchanged++;
      continue;
    }
    const outcome = await rewrapOne(storage, ring, meta.name, target);
    if (outcome === 'rewrapped') report.rewrapped++;
    else if (outcome === 'unchanged') report.unchanged++;
    else report.failed.push({ name: meta.name, reason: outcome.failed });
  }
  for (const f of report.failed) logger.warn({ secret: f.name, reason: f.reason }, 'Cannot rewrap secret; it keeps its old key');
  logger.info({ keyId: target.id, rewrapped: report.rewrapped, unchanged: report.unchanged, failed: report.failed.length }, 'Rewrapped secrets under the active key');
  return report;
}

async function rewrapOne(storage: SecretStorage, ring: KeyRing, name: string, target: { id: string; key: Buffer }): Promise<Outcome> {
  for (let attempt = 0; attempt < ATTEMPTS_PER_SECRET; attempt++) {
    const row = await storage.get(name);
    if (!row) return 'unchanged';
    let next: string;
    try {
      const envelope = parseEnvelope(row.ciphertext, name);
      if (envelope.keyId === target.id) {
        if (row.keyId === target.id) return 'unchanged';
        next = row.ciphertext; // only the key_id column was stale
      } else {
        const from = await ring.key(envelope.keyId);
        if (!from) throw new AppError('unavailable', `its key ${envelope.keyId} is not in the key ring`);
        next = rewrapSecret(name, envelope, from, target);
      }
    } catch (err) {
      return { failed: describeError(err) };
    }
    if (await storage.replaceCiphertext(name, row.ciphertext, { ciphertext: next, keyId: target.id })) return 'rewrapped';
  }
  return { failed: `it changed ${ATTEMPTS_PER_SECRET} times while being rewrapped; run the rewrap again` };
}
