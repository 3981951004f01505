/**
 * The audit log over the metadata store: one record per action, appended
 * to the hash chain (chain.ts) inside one transaction that holds the
 * chain's lock, so concurrent writers — in this process or in other
 * gateway replicas on the same PostgreSQL — never fork the chain.
 *
 * `record` resolves only once the record is on disk, so a caller that
 * awaits it before acting has made the record durable first. `append`
 * resolves at the commit and says when the flush is done, for a caller
 * that overlaps the flush with its own work and holds its answer until
 * then (SQLite: store/wal-flush.ts; PostgreSQL commits are durable when
 * they return). When the store cannot be written both reject with
 * `unavailable`: data actions that cannot be audited fail closed.
 */
import { AppError, Logger, silentLogger } from '@workbench/core';
import type { MetadataStore, Selectable, AuditLogTable } from '@workbench/store';
import { AuditEntry, AuditRecord, GENESIS_HASH, recordHash, verifyChain, VerifyResult } from './chain';

export interface AuditFilter {
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  user?: string;
  action?: string;
  resource?: string;
  /** Only records after this sequence number (paging). */
  afterSeq?: number;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
}

export interface AuditLogOptions {
  store: MetadataStore;
  clock?: () => number;
  logger?: Logger;
}

const LOCK = 'audit-chain';
const PAGE = 1000;
/** The SQLite append's two statements, fixed text so each is prepared once (wal-flush.ts keeps them). */
const SELECT_HEAD = 'select seq, hash from audit_log order by seq desc limit 1';
const COLUMNS = ['seq', 'ts', 'actor', 'actor_role', 'via', 'resource', 'action', 'target', 'ip', 'user_agent', 'outcome', 'detail', 'prev_hash', 'hash'] as const;
const INSERT = `insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;

export class AuditLog {
  private readonly store: MetadataStore;
  private readonly clock: () => number;
  private readonly logger: Logger;

  constructor(options: AuditLogOptions) {
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /** Appends one record; resolves with it once it is on disk. Rejects with `unavailable` when it could not be written. */
  async record(entry: AuditEntry): Promise<AuditRecord> {
    const { record, durable } = await this.append(entry);
    await durable;
    return record;
  }

  /**
   * Appends one record and resolves once it is committed (it survives the
   * process being killed), with `durable`, which resolves once it is on
   * disk (it survives a power loss). A caller that has work to do meanwhile
   * (reading the file the record is about, a kernel running the code)
   * overlaps that work with the flush, and sends nothing to the client
   * before `durable` resolves. PostgreSQL commits are durable when they
   * return. Both reject with `unavailable` when the store cannot be written.
   */
  async append(entry: AuditEntry): Promise<{ record: AuditRecord; durable: Promise<void> }> {
    try {
      const fast = this.store.deferredFlush;
      if (fast) {
        const { value: record, durable } = await fast.write((raw) => {
          const record = this.next(entry, raw.get(SELECT_HEAD) as { seq: number; hash: string } | undefined);
          raw.run(INSERT, rowValues(record));
          return record;
        });
        const flushed = durable.catch((err: unknown) => this.failed(entry, err));
        // Logged in `failed`; a caller that stops waiting (its client went away) must not leave it unhandled.
        flushed.catch(() => undefined);
        return { record, durable: flushed };
      }
      const record = await this.store.transaction(async (trx) => {
        await this.store.lock(trx, LOCK);
        const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        const record = this.next(entry, last);
        await trx.insertInto('audit_log').values(toRow(record)).execute();
        return record;
      });
      return { record, durable: Promise.resolve() };
    } catch (err) {
      return this.failed(entry, err);
    }
  }

  /** The record that follows `last` in the chain. */
  private next(entry: AuditEntry, last: { seq: number | string; hash: string } | undefined): AuditRecord {
    const fields = {
      ts: this.clock(),
      actor: entry.actor,
      actorRole: entry.actorRole,
      via: entry.via,
      resource: entry.resource,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      outcome: entry.outcome,
      detail: entry.detail ?? {},
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    return { seq: (last ? Number(last.seq) : 0) + 1, ...fields, prevHash, hash: recordHash(prevHash, fields) };
  }

  private failed(entry: AuditEntry, err: unknown): never {
    this.logger.error({ err: err instanceof Error ? err.message : String(err), resource: entry.resource, action: entry.action }, 'audit record could not be written');
    throw new AppError('unavailable', 'Cannot record the action in the audit log: the audit store cannot be written', { cause: err });
  }

  /** Records matching `filter`, oldest first. Every value is a bound parameter. */
  async query(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 100)), PAGE);
    let q = this.store.db.selectFrom('audit_log').selectAll();
    if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
    if (filter.since !== undefined) q = q.where('ts', '>=', filter.since);
    if (filter.until !== undefined) q = q.where('ts', '<', filter.until);
    if (filter.user !== undefined) q = q.where('actor', '=', filter.user);
    if (filter.action !== undefined) q = q.where('action', '=', filter.action);
    if (filter.resource !== undefined) q = q.where('resource', '=', filter.resource);
    const rows = await q.orderBy('seq', 'asc').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** Every record matching `filter` (no limit), oldest first, read a page at a time. */
  async *records(filter: Omit<AuditFilter, 'limit' | 'afterSeq'> = {}): AsyncGenerator<AuditRecord> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.query({ ...filter, afterSeq, limit: PAGE });
      yield* page;
      if (page.length < PAGE) return;
      afterSeq = page[page.length - 1]!.seq;
    }
  }

  /** Walks the whole chain; names the first edited, removed or reordered record. */
  verify(): Promise<VerifyResult> {
    return verifyChain(this.records(), async (hash) => (await this.store.db.selectFrom('audit_log').select('seq').where('hash', '=', hash).executeTakeFirst()) !== undefined);
  }

  /** The records of a period as JSON Lines or CSV, one line at a time (header first for CSV). */
  async *export(filter: Omit<AuditFilter, 'limit' | 'afterSeq'>, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
    if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
    for await (const r of this.records(filter)) yield format === 'jsonl' ? JSON.stringify(exportObject(r)) + '\n' : csvLine(r);
  }
}

type Row = Selectable<AuditLogTable>;

/** toRow's values in COLUMNS order. */
function rowValues(r: AuditRecord): unknown[] {
  return [r.seq, r.ts, r.actor, r.actorRole, r.via, r.resource, r.action, r.target, r.ip, r.userAgent, r.outcome, JSON.stringify(r.detail), r.prevHash, r.hash];
}

function toRow(r: AuditRecord) {
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

function fromRow(row: Row): AuditRecord {
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

/** The export's shape: the stored row (snake_case, as the API), time as ISO 8601 beside the epoch, detail as an object. */
export function exportObject(r: AuditRecord): Record<string, unknown> {
  const { seq, ...row } = toRow(r);
  return { seq, time: new Date(r.ts).toISOString(), ...row, detail: r.detail };
}

const CSV_COLUMNS = ['seq', 'time', 'actor', 'actor_role', 'via', 'resource', 'action', 'target', 'ip', 'user_agent', 'outcome', 'detail', 'prev_hash', 'hash'] as const;

/** RFC 4180: every field quoted when it holds a comma, quote or line break; a leading =+-@ is prefixed with ' so spreadsheets do not run it. */
function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(r: AuditRecord): string {
  const o = exportObject(r);
  return CSV_COLUMNS.map((c) => csvField(o[c])).join(',') + '\r\n';
}
