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
 *   record is one line written to the journal
 *   (journal.ts) and flushed there; the log copies the journal's lines into
 *   `audit_log` in batches a few milliseconds later, chaining them then
 *   (one transaction per batch, which also moves the journal's mark).
 *   Anything that reads the log (query, records, verify, export, a
 *   record's sequence number) copies what is waiting first, so a reader
 *   never misses a record that was appended before it asked.
 */
import { AppError, describeError, Logger, silentLogger } from '@workbench/core';
import type { MetadataStore, Selectable, AuditLogTable } from '@workbench/store';
import { AuditEntry, AuditRecord, GENESIS_HASH, HashedFields, recordHash, verifyChain, VerifyResult } from './chain';
import { AuditJournal, lockJournal } from './journal';

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

export interface AuditJournalOptions {
  /** The journal file (default: beside the SQLite database, `<database>-audit`). */
  path?: string;
  /** How long a journaled record waits before it is copied into the store, so records are copied in batches (default 20 ms). */
  copyDelayMs?: number;
  /** The journal file's size when it is created (default 4 MiB): lines are written over it in a ring. */
  bytes?: number;
}

/** What `append` gives back. */
export interface Appended {
  /** Resolves once the record is on disk; rejects with `unavailable` when the flush fails. */
  durable: Promise<void>;
  /** The record's sequence number in the log (a journaled record is copied into the store first, if it has not been yet). */
  seq(): Promise<number>;
}

const LOCK = 'audit-chain';
const PAGE = 1000;
/** Copy at once rather than after the delay when this many records wait. */
const BATCH = 500;
/** At most this many records in one copy's transaction (PostgreSQL allows 65,535 bound values in a statement: 14 per record). */
const COPY_ROWS = 2000;
/** The SQLite statements of a copy: fixed text, so each is prepared once (wal-flush.ts keeps them). */
const SELECT_HEAD = 'select seq, hash from audit_log order by seq desc limit 1';
const COLUMNS = ['seq', 'ts', 'actor', 'actor_role', 'via', 'resource', 'action', 'target', 'ip', 'user_agent', 'outcome', 'detail', 'prev_hash', 'hash'] as const;
const INSERT = `insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;
const MARK = 'insert into audit_journal (journal, last_entry) values (?, ?) on conflict (journal) do update set last_entry = excluded.last_entry';

/** A journaled record not yet in the store (its `record` is set once it is). */
interface Waiting {
  n: number;
  fields: HashedFields;
  record?: AuditRecord;
}

export class AuditLog implements AsyncDisposable {
  private readonly store: MetadataStore;
  private readonly clock: () => number;
  private readonly logger: Logger;
  /** Journaled mode only. */
  private journal: AuditJournal | undefined;
  private releaseJournal: (() => void) | undefined;
  private copyDelayMs = 20;
  private waiting: Waiting[] = [];
  /** The journal's number of the last line written, and of the last one copied and flushed in the store. */
  private written = 0;
  private flushedThrough = 0;
  private copies: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Why the last copy failed, until one succeeds: appends are refused meanwhile. */
  private copyFailure: unknown;

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
    if (journal && path) {
      const release = lockJournal(path);
      try {
        await log.openJournal(path, typeof journal === 'object' ? journal : {});
      } catch (err) {
        release();
        throw err;
      }
      log.releaseJournal = release;
    }
    return log;
  }

  private async openJournal(path: string, options: AuditJournalOptions): Promise<void> {
    if (options.copyDelayMs !== undefined) this.copyDelayMs = options.copyDelayMs;
    const cannot = (err: unknown) => new AppError('unavailable', `Cannot open the audit log's journal ${path}: ${describeError(err)}`, { cause: err });
    let opened: ReturnType<typeof AuditJournal.open>;
    try {
      opened = AuditJournal.open(path);
    } catch (err) {
      let aside: string;
      try {
        aside = AuditJournal.setAside(path, 'unreadable', this.clock());
      } catch (moveErr) {
        throw cannot(moveErr);
      }
      this.logger.error({ err: describeError(err), journal: path, moved_to: aside }, "audit: the journal is not one; it was moved aside and a new one started");
      opened = undefined;
    }
    const mark = opened && (await this.store.db.selectFrom('audit_journal').select('last_entry').where('journal', '=', opened.journal.id).executeTakeFirst());
    if (opened && !mark) {
      // A journal this database never saw (the database was replaced or restored): its lines are not this log's.
      opened.journal.close();
      let aside: string;
      try {
        aside = AuditJournal.setAside(path, 'other-database', this.clock());
      } catch (err) {
        throw cannot(err);
      }
      this.logger.error({ journal: path, moved_to: aside }, 'audit: the journal belongs to another database; it was moved aside and a new one started');
      opened = undefined;
    }
    if (!opened || !mark) {
      try {
        const journal = AuditJournal.create(path, options.bytes);
        // Known to the store before its first line, so the next start knows the journal is this database's.
        await this.store.db.insertInto('audit_journal').values({ journal: journal.id, last_entry: 0 }).execute();
        this.journal = journal;
      } catch (err) {
        throw cannot(err);
      }
      return;
    }
    const { journal, contents } = opened;
    this.journal = journal;
    const last = Number(mark.last_entry);
    this.written = last;
    for (const e of contents.entries) {
      if (e.n > this.written) this.written = e.n;
      if (e.n > last) this.waiting.push({ n: e.n, fields: e.fields });
    }
    this.waiting.sort((a, b) => a.n - b.n);
    // Numbers missing above the mark: lines that cannot be read back (the last one may be a line cut short by the crash, never answered).
    const missing: number[] = [];
    for (let n = last + 1, i = 0; n <= this.written && missing.length < 100; n++) {
      if (this.waiting[i]?.n === n) i++;
      else missing.push(n);
    }
    if (missing.length) {
      const copy = journal.copyAside('damaged', this.clock());
      this.logger.error({ journal: path, missing, copy }, 'audit: lines of the journal could not be read back; the file was copied aside and every readable line is copied into the log');
    }
    if (this.waiting.length) {
      const count = this.waiting.length;
      await this.copy();
      this.logger.warn({ journal: path, count }, 'audit: records a crash left in the journal were copied into the log');
    }
    // What the mark says was copied may not have reached the disk before the crash: flushed now, before any line is overwritten.
    await this.store.deferredFlush?.flush();
    this.flushedThrough = this.written;
  }

  /** Appends one record; resolves with it once it is on disk. Rejects with `unavailable` when it could not be written. */
  async record(entry: AuditEntry): Promise<AuditRecord> {
    if (!this.journal) return this.appendDirect(entry).then(async ({ record, durable }) => (await durable, record));
    const item = this.appendJournaled(entry);
    await item.durable;
    return this.copied(item.waiting);
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
    if (!this.journal) {
      const { record, durable } = await this.appendDirect(entry);
      return { durable, seq: () => Promise.resolve(record.seq) };
    }
    if (this.copyFailure !== undefined) {
      // The store could not take the last copy: try again now, and refuse while it still cannot.
      try {
        await this.copy();
      } catch (err) {
        return this.failed(entry, err);
      }
    }
    const { waiting, durable } = this.appendJournaled(entry);
    return { durable, seq: async () => (await this.copied(waiting)).seq };
  }

  /** Resolves once every record appended so far is in the store (what a reader of `audit_log` waits for). */
  settled(): Promise<void> {
    return this.journal ? this.copy() : Promise.resolve();
  }

  private appendJournaled(entry: AuditEntry): { waiting: Waiting; durable: Promise<void> } {
    const journal = this.journal!;
    if (this.store.closed) this.failed(entry, new Error('the metadata store is closed'));
    const waiting: Waiting = { n: this.written + 1, fields: this.fieldsOf(entry) };
    try {
      journal.write(waiting, this.mayWrap);
    } catch (err) {
      this.failed(entry, err);
    }
    this.written = waiting.n;
    this.waiting.push(waiting);
    this.scheduleCopy();
    const durable = journal.sync().catch((err: unknown) => this.failed(entry, err));
    // Logged in `failed`; a caller that stops waiting (its client went away) must not leave it unhandled.
    durable.catch(() => undefined);
    return { waiting, durable };
  }

  private async appendDirect(entry: AuditEntry): Promise<{ record: AuditRecord; durable: Promise<void> }> {
    try {
      const fast = this.store.deferredFlush;
      if (fast) {
        const { value: record, durable } = await fast.write((raw) => {
          const record = this.chain(this.fieldsOf(entry), raw.get(SELECT_HEAD) as { seq: number; hash: string } | undefined);
          raw.run(INSERT, rowValues(record));
          return record;
        });
        const flushed = durable.catch((err: unknown) => this.failed(entry, err));
        flushed.catch(() => undefined);
        return { record, durable: flushed };
      }
      const record = await this.store.transaction(async (trx) => {
        await this.store.lock(trx, LOCK);
        const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        const record = this.chain(this.fieldsOf(entry), last);
        await trx.insertInto('audit_log').values(toRow(record)).execute();
        return record;
      });
      return { record, durable: Promise.resolve() };
    } catch (err) {
      return this.failed(entry, err);
    }
  }

  private scheduleCopy(): void {
    if (this.waiting.length >= BATCH) {
      void this.copy().catch(() => undefined); // a failure is logged and refuses the next append
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.copy().catch(() => undefined);
    }, this.copyDelayMs);
    this.timer.unref();
  }

  /** The record of a journaled entry, copying it into the store first if it has not been yet. */
  private async copied(waiting: Waiting): Promise<AuditRecord> {
    if (!waiting.record) await this.copy();
    return waiting.record!;
  }

  /** Copies every waiting record into the store (one copy at a time; a call while one runs also waits for the next). */
  private copy(): Promise<void> {
    const next = this.copies.catch(() => undefined).then(() => this.copyWaiting());
    this.copies = next;
    return next;
  }

  private async copyWaiting(): Promise<void> {
    if (this.waiting.length === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let batch: Waiting[] = [];
    let durable: Promise<void>;
    try {
      ({ batch, durable } = await this.copyBatch());
      // A backlog larger than one transaction takes: the rest now, in the same copy.
      while (batch.length === COPY_ROWS && this.waiting.length > COPY_ROWS) {
        this.waiting.splice(0, batch.length);
        ({ batch, durable } = await this.copyBatch());
      }
    } catch (err) {
      for (const w of this.waiting) w.record = undefined; // rolled back
      if (this.copyFailure === undefined) this.logger.error({ err: describeError(err), waiting: this.waiting.length }, 'audit: records in the journal could not be copied into the store; data actions are refused until it can be written');
      this.copyFailure = err;
      throw err;
    }
    this.copyFailure = undefined;
    this.waiting.splice(0, batch.length);
    const through = batch[batch.length - 1]!.n;
    // The journal's lines may be overwritten only once the store has flushed what was copied from them.
    void durable.then(
      () => {
        if (through > this.flushedThrough) this.flushedThrough = through;
      },
      () => undefined, // the journal keeps the lines; the next copy's flush tries again
    );
  }

  /**
   * One transaction: the waiting records (taken inside it, so what was
   * appended while it waited for the connection or the chain's lock is in
   * it too; at most COPY_ROWS) chained after the head and inserted, and the
   * journal's mark moved. SQLite: on the raw connection, committed without
   * waiting for the disk (`durable` says when); PostgreSQL: under the
   * chain's lock, which serialises the copies of every replica.
   */
  private async copyBatch(): Promise<{ batch: Waiting[]; durable: Promise<void> }> {
    const journalId = this.journal!.id;
    const chainAll = (batch: Waiting[], head: { seq: number | string; hash: string } | undefined): AuditRecord[] =>
      batch.map((w) => {
        const record = this.chain(w.fields, head);
        head = record;
        return record;
      });
    const fast = this.store.deferredFlush;
    if (fast) {
      const { value: batch, durable } = await fast.write((raw) => {
        const batch = this.waiting.slice(0, COPY_ROWS);
        const records = chainAll(batch, raw.get(SELECT_HEAD) as { seq: number; hash: string } | undefined);
        for (const r of records) raw.run(INSERT, rowValues(r));
        raw.run(MARK, [journalId, batch[batch.length - 1]!.n]);
        batch.forEach((w, i) => (w.record = records[i]));
        return batch;
      });
      return { batch, durable };
    }
    const batch = await this.store.transaction(async (trx) => {
      await this.store.lock(trx, LOCK);
      const batch = this.waiting.slice(0, COPY_ROWS);
      const head = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const records = chainAll(batch, head);
      await trx.insertInto('audit_log').values(records.map(toRow)).execute();
      const last = batch[batch.length - 1]!.n;
      await trx.insertInto('audit_journal').values({ journal: journalId, last_entry: last }).onConflict((oc) => oc.column('journal').doUpdateSet({ last_entry: last })).execute();
      batch.forEach((w, i) => (w.record = records[i]));
      return batch;
    });
    // A PostgreSQL commit is durable when it returns.
    return { batch, durable: Promise.resolve() };
  }

  /** Whether the journal's ring may start over: every line written is in the store and flushed there. */
  private readonly mayWrap = (): boolean => this.waiting.length === 0 && this.flushedThrough === this.written;

  /** Copies what waits, flushes the store, closes the journal. What cannot be copied stays in the journal for the next start. */
  async [Symbol.asyncDispose](): Promise<void> {
    const journal = this.journal;
    if (!journal) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.copy();
      await this.store.deferredFlush?.flush();
    } catch (err) {
      this.logger.warn({ err: describeError(err), waiting: this.waiting.length }, 'audit: records stay in the journal and are copied at the next start');
    } finally {
      journal.close();
      this.journal = undefined;
      this.releaseJournal?.();
    }
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

  /** The record that follows `last` in the chain. */
  private chain(fields: HashedFields, last: { seq: number | string; hash: string } | undefined): AuditRecord {
    const prevHash = last?.hash ?? GENESIS_HASH;
    return { seq: (last ? Number(last.seq) : 0) + 1, ...fields, prevHash, hash: recordHash(prevHash, fields) };
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
