/**
 * The audit log over the metadata store: one record per action, appended
 * to the hash chain (chain.ts) inside one transaction that holds the
 * chain's lock, so concurrent writers — in this process, in the CLI, or in
 * other gateway replicas on the same PostgreSQL — never fork the chain.
 *
 * `record` resolves only once the record is on disk, so a caller that
 * awaits it before acting has made the record durable first. `append`
 * resolves once the record survives the process being killed and says
 * when it is on disk (`durable`), for a caller that overlaps the flush
 * with its own work and holds its answer until then. When the log cannot
 * be written both reject with `unavailable`: data actions that cannot be
 * audited fail closed.
 *
 * Two ways to write, one chain:
 * - direct (PostgreSQL by default, where a commit is durable when it
 *   returns; and the CLI): each record is chained and committed by itself;
 * - journaled (the server on the embedded SQLite store, and on PostgreSQL
 *   when `audit.journal` says so; `AuditLog.open` with `journal`): a
 *   record is one line written to the journal and flushed there; the
 *   lines are copied into `audit_log` in batches a few milliseconds later
 *   and chained then (journaled-writer.ts).
 *   Anything that reads the log (query, records, verify, export, a
 *   record's sequence number) copies what is waiting first, so a reader
 *   never misses a record that was appended before it asked.
 */
import { AppError, Logger, silentLogger } from '@workbench/core';
import type { MetadataStore } from '@workbench/store';
import { AuditEntry, AuditRecord, HashedFields, verifyChain, VerifyResult } from './chain';
import { csvLine, CSV_COLUMNS, exportObject } from './export-format';
import { JournaledWriter, type AuditJournalOptions, type Waiting } from './journaled-writer';
import { appendToChain, fromRow } from './store-chain';

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

/** What `append` gives back. */
export interface Appended {
  /** Resolves once the record is on disk; rejects with `unavailable` when the flush fails. */
  durable: Promise<void>;
  /** The record's sequence number in the log (a journaled record is copied into the store first, if it has not been yet). */
  seq(): Promise<number>;
}

const PAGE = 1000;

export class AuditLog implements AsyncDisposable {
  private readonly store: MetadataStore;
  private readonly clock: () => number;
  private readonly logger: Logger;
  /** Journaled mode only. */
  private journaled: JournaledWriter | undefined;

  constructor(options: AuditLogOptions) {
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The server's log: with `journal`, records go through the journal (its
   * `path`; by default beside the SQLite database, and none for an
   * in-memory one), and what a crash left in it is copied into the store
   * now. Without, every record is committed by itself.
   */
  static async open(options: AuditLogOptions & { journal?: AuditJournalOptions | boolean }): Promise<AuditLog> {
    const log = new AuditLog(options);
    const { journal } = options;
    const path = typeof journal === 'object' && journal.path ? journal.path : options.store.file && `${options.store.file}-audit`;
    if (journal && path) log.journaled = await JournaledWriter.open(options.store, path, typeof journal === 'object' ? journal : {}, log.clock, log.logger);
    return log;
  }

  /** Appends one record; resolves with it once it is on disk. Rejects with `unavailable` when it could not be written. */
  async record(entry: AuditEntry): Promise<AuditRecord> {
    if (!this.journaled) return this.appendDirect(entry).then(async ({ record, durable }) => (await durable, record));
    const item = this.appendJournaled(entry);
    await item.durable;
    return this.journaled.copied(item.waiting);
  }

  /**
   * Appends one record and resolves once it survives the process being
   * killed (committed, or written to the journal), with `durable`, which
   * resolves once it is on disk (it survives a power loss). A caller that
   * has work to do meanwhile (reading the file the record is about, a
   * kernel running the code) overlaps that work with the flush, and sends
   * nothing to the client before `durable` resolves. Both reject with
   * `unavailable` when the log cannot be written.
   */
  async append(entry: AuditEntry): Promise<Appended> {
    const journaled = this.journaled;
    if (!journaled) {
      const { record, durable } = await this.appendDirect(entry);
      return { durable, seq: () => Promise.resolve(record.seq) };
    }
    try {
      // The store could not take the last copy: try again now, and refuse while it still cannot.
      await journaled.retryFailedCopy();
    } catch (err) {
      return this.failed(entry, err);
    }
    const { waiting, durable } = this.appendJournaled(entry);
    return { durable, seq: async () => (await journaled.copied(waiting)).seq };
  }

  /** Resolves once every record appended so far is in the store (what a reader of `audit_log` waits for). */
  settled(): Promise<void> {
    return this.journaled ? this.journaled.copy() : Promise.resolve();
  }

  private appendJournaled(entry: AuditEntry): { waiting: Waiting; durable: Promise<void> } {
    let written: { waiting: Waiting; durable: Promise<void> };
    try {
      written = this.journaled!.write(this.fieldsOf(entry));
    } catch (err) {
      return this.failed(entry, err);
    }
    const durable = written.durable.catch((err: unknown) => this.failed(entry, err));
    // Logged in `failed`; a caller that stops waiting (its client went away) must not leave it unhandled.
    durable.catch(() => undefined);
    return { waiting: written.waiting, durable };
  }

  private async appendDirect(entry: AuditEntry): Promise<{ record: AuditRecord; durable: Promise<void> }> {
    try {
      const { records, durable } = await appendToChain(this.store, [this.fieldsOf(entry)]);
      const flushed = durable.catch((err: unknown) => this.failed(entry, err));
      flushed.catch(() => undefined);
      return { record: records[0]!, durable: flushed };
    } catch (err) {
      return this.failed(entry, err);
    }
  }

  /** Copies what waits, closes the journal. What cannot be copied stays in the journal for the next start. */
  async [Symbol.asyncDispose](): Promise<void> {
    const journaled = this.journaled;
    this.journaled = undefined;
    await journaled?.[Symbol.asyncDispose]();
  }

  /** An entry's hashed fields, stamped now. */
  private fieldsOf(entry: AuditEntry): HashedFields {
    return {
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
  }

  private failed(entry: AuditEntry, err: unknown): never {
    this.logger.error({ err: err instanceof Error ? err.message : String(err), resource: entry.resource, action: entry.action }, 'audit record could not be written');
    throw new AppError('unavailable', 'Cannot record the action in the audit log: the audit store cannot be written', { cause: err });
  }

  /** Records matching `filter`, oldest first. Every value is a bound parameter. */
  async query(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    await this.settled();
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
  async verify(): Promise<VerifyResult> {
    await this.settled();
    return verifyChain(this.records(), async (hash) => (await this.store.db.selectFrom('audit_log').select('seq').where('hash', '=', hash).executeTakeFirst()) !== undefined);
  }

  /** The records of a period as JSON Lines or CSV, one line at a time (header first for CSV). */
  async *export(filter: Omit<AuditFilter, 'limit' | 'afterSeq'>, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
    if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
    for await (const r of this.records(filter)) yield format === 'jsonl' ? JSON.stringify(exportObject(r)) + '\n' : csvLine(r);
  }
}
