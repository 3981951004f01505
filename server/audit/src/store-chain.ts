/**
 * Appending to the hash chain in the store, the one way both of the log's
 * writers use (audit-log.ts: a record by itself; journaled-writer.ts: a
 * batch copied from the journal): the records are chained after the head
 * and inserted in one transaction, with the journal's mark moved in the
 * same transaction when a batch comes from it.
 *
 * SQLite: on the raw connection, committed without waiting for the disk,
 * `durable` says when it is on disk (store/wal-flush.ts); a transaction on
 * SQLite excludes every other writer. PostgreSQL: under the chain's
 * advisory lock, which serialises every replica's writes; durable at
 * commit.
 */
import type { AuditLogTable, MetadataStore, Selectable } from '@workbench/store';
import { AuditRecord, GENESIS_HASH, HashedFields, recordHash } from './chain';

const LOCK = 'audit-chain';
/** The SQLite statements: fixed text, so each is prepared once (wal-flush.ts keeps them). */
const SELECT_HEAD = 'select seq, hash from audit_log order by seq desc limit 1';
const COLUMNS = ['seq', 'ts', 'actor', 'actor_role', 'via', 'resource', 'action', 'target', 'ip', 'user_agent', 'outcome', 'detail', 'prev_hash', 'hash'] as const;
const INSERT = `insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;
const MARK = 'insert into audit_journal (journal, last_entry) values (?, ?) on conflict (journal) do update set last_entry = excluded.last_entry';

type Head = { seq: number | string; hash: string };

/** How far a batch takes the journal: `lastEntry` is the journal's number of its last line. */
export interface JournalMark {
  journal: string;
  lastEntry: number;
}

/** Chains `fields` after the head and inserts them, in one transaction; rejects (rolled back) when the store refuses. */
export async function appendToChain(store: MetadataStore, fields: readonly HashedFields[], mark?: JournalMark): Promise<{ records: AuditRecord[]; durable: Promise<void> }> {
  const fast = store.deferredFlush;
  if (fast) {
    const { value: records, durable } = await fast.write((raw) => {
      const records = chainAfter(raw.get(SELECT_HEAD) as Head | undefined, fields);
      for (const r of records) raw.run(INSERT, rowValues(r));
      if (mark) raw.run(MARK, [mark.journal, mark.lastEntry]);
      return records;
    });
    return { records, durable };
  }
  const records = await store.transaction(async (trx) => {
    await store.lock(trx, LOCK);
    const head = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const records = chainAfter(head, fields);
    await trx.insertInto('audit_log').values(records.map(toRow)).execute();
    if (mark) await trx.insertInto('audit_journal').values({ journal: mark.journal, last_entry: mark.lastEntry }).onConflict((oc) => oc.column('journal').doUpdateSet({ last_entry: mark.lastEntry })).execute();
    return records;
  });
  return { records, durable: Promise.resolve() };
}

/** The records that follow `head` in the chain, in order. */
function chainAfter(head: Head | undefined, fields: readonly HashedFields[]): AuditRecord[] {
  let seq = head ? Number(head.seq) : 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return fields.map((f) => {
    const record = { seq: ++seq, ...f, prevHash, hash: recordHash(prevHash, f) };
    prevHash = record.hash;
    return record;
  });
}

type Row = Selectable<AuditLogTable>;

/** toRow's values in COLUMNS order. */
function rowValues(r: AuditRecord): unknown[] {
  return [r.seq, r.ts, r.actor, r.actorRole, r.via, r.resource, r.action, r.target, r.ip, r.userAgent, r.outcome, JSON.stringify(r.detail), r.prevHash, r.hash];
}

export function toRow(r: AuditRecord) {
  return {
    seq: r.seq,
    ts: r.ts,
    actor: r.actor,
    actor_role: r.actorRole,
    via: r.via,
    resource: r.resource,
    action: r.action,
    target: r.target,
    ip: r.ip,
    user_agent: r.userAgent,
    outcome: r.outcome,
    detail: JSON.stringify(r.detail),
    prev_hash: r.prevHash,
    hash: r.hash,
  };
}

export function fromRow(row: Row): AuditRecord {
  let detail: Record<string, unknown>;
  try {
    detail = JSON.parse(row.detail) as Record<string, unknown>;
  } catch {
    // An edited row with broken JSON still has to be reported by verify, not crash it.
    detail = { unparseable: row.detail };
  }
  return {
    seq: Number(row.seq),
    ts: Number(row.ts),
    actor: row.actor,
    actorRole: row.actor_role,
    via: row.via,
    resource: row.resource,
    action: row.action,
    target: row.target,
    ip: row.ip,
    userAgent: row.user_agent,
    outcome: row.outcome,
    detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
