/**
 * The audit trail's hash chain, pure: how a record is serialised for
 * hashing, how its hash follows from the previous record's, and how a
 * sequence of records is checked.
 *
 * hash(n) = sha256( prev_hash(n) "\n" canonical(n) ), prev_hash(n) = hash(n-1),
 * prev_hash(1) = 64 zeros. `canonical` is a JSON array of every field but
 * the sequence number in a fixed order, with the detail object's keys sorted at every depth, so the
 * same record always hashes the same on SQLite and PostgreSQL. Sequence
 * numbers are assigned by the log itself, one more than the last, so a gap
 * means records were removed.
 *
 * What the chain proves: any record edited, removed from the middle, or
 * moved is found, and the first bad one is named. What it cannot prove on
 * its own: that the newest records were not cut off the end (compare the
 * head with an exported or published head for that).
 */
import { hash } from 'node:crypto';
import { sortKeys } from '@workbench/core';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditVia = 'token' | 'api_token' | 'sso' | 'cookie' | 'agent' | 'system' | 'kernel';
export type AuditOutcome = 'ok' | 'denied' | 'error';

/** What a caller records: who, what, from where, how it ended, and the detail that matters. */
export interface AuditEntry {
  actor: string | null;
  actorRole: string | null;
  via: AuditVia;
  resource: string;
  action: string;
  target?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
}

/** A record as stored: the entry plus its place in the chain. */
export interface AuditRecord extends Required<Omit<AuditEntry, 'detail'>> {
  seq: number;
  /** Epoch milliseconds (UTC). */
  ts: number;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The fields a record's hash covers: all but its sequence number (the chain itself fixes the order). */
export type HashedFields = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

export function canonicalRecord(r: HashedFields): string {
  return canonicalJson([r.ts, r.actor, r.actorRole, r.via, r.resource, r.action, r.target, r.ip, r.userAgent, r.outcome, r.detail]);
}

export function recordHash(prevHash: string, r: HashedFields): string {
  // One-shot: a third of createHash's cost, which is on every append's critical path.
  return hash('sha256', `${prevHash}\n${canonicalRecord(r)}`, 'hex');
}

export type ChainProblem = 'edited' | 'removed' | 'reordered';

export type VerifyResult =
  | { ok: true; count: number; head: { seq: number; hash: string } | null }
  | { ok: false; count: number; seq: number; problem: ChainProblem; message: string };

/**
 * Checks records in stored order (ascending seq). Names the first record
 * that is not what the chain says it should be:
 * - edited: its content no longer gives its hash, or its sequence number
 *   was changed;
 * - reordered: it is intact but follows a record other than the one it was
 *   written after, and that record is still in the log (`exists` answers
 *   for records further on);
 * - removed: it is intact but the record it was written after is gone.
 */
export async function verifyChain(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, exists: (hash: string) => Promise<boolean> = async () => false): Promise<VerifyResult> {
  let prev: AuditRecord | undefined;
  let count = 0;
  const seen = new Set<string>();
  for await (const r of records) {
    count++;
    if (recordHash(r.prevHash, r) !== r.hash) return bad(count, r.seq, 'edited', `record ${r.seq} was changed after it was written: its content does not give its hash`);
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    if (r.prevHash !== expectedPrev) {
      if (seen.has(r.prevHash) || (await exists(r.prevHash))) return bad(count, r.seq, 'reordered', `record ${r.seq} is out of order: it was written after another record than ${prev ? `record ${prev.seq}` : 'the start of the log'}`);
      return bad(count, r.seq, 'removed', `the record written before record ${r.seq} was removed`);
    }
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (r.seq !== expectedSeq) return bad(count, r.seq, 'edited', `record ${r.seq} has had its sequence number changed (expected ${expectedSeq})`);
    seen.add(r.hash);
    prev = r;
  }
  return { ok: true, count, head: prev ? { seq: prev.seq, hash: prev.hash } : null };
}

function bad(count: number, seq: number, problem: ChainProblem, message: string): VerifyResult {
  return { ok: false, count, seq, problem, message };
}
