/**
 * The audit log's journaled way of writing (audit-log.ts says when it is
 * used): a record is one line written to the journal (journal.ts) and
 * flushed there before the action's answer; the lines are copied into
 * `audit_log` in batches a few milliseconds later, chained then
 * (store-chain.ts: one transaction per batch, which also moves the
 * journal's mark). At open, what a crash left in the journal is copied.
 *
 * Errors are thrown as they come (the log turns them into `unavailable`).
 */
import { AppError, describeError, Logger } from '@workbench/core';
import type { MetadataStore } from '@workbench/store';
import type { AuditRecord, HashedFields } from './chain';
import { AuditJournal, JournalContents } from './journal';
import { lockJournal } from './journal-lock';
import { appendToChain } from './store-chain';

export interface AuditJournalOptions {
  /** The journal file (default: beside the SQLite database, `<database>-audit`). */
  path?: string;
  /** How long a journaled record waits before it is copied into the store, so records are copied in batches (default 20 ms). */
  copyDelayMs?: number;
  /** The journal file's size when it is created (default 4 MiB): lines are written over it in a ring. */
  bytes?: number;
}

/** A journaled record not yet in the store (its `record` is set once it is). */
export interface Waiting {
  n: number;
  fields: HashedFields;
  record?: AuditRecord;
}

/** Copy at once rather than after the delay when this many records wait. */
const BATCH = 500;
/** At most this many records in one copy's transaction (PostgreSQL allows 65,535 bound values in a statement: 14 per record). */
const COPY_ROWS = 2000;

export class JournaledWriter implements AsyncDisposable {
  private waiting: Waiting[] = [];
  /** The journal's number of the last line written, and of the last one copied and flushed in the store. */
  private written = 0;
  private flushedThrough = 0;
  private copies: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Why the last copy failed, until one succeeds: appends are refused meanwhile. */
  private copyFailure: unknown;

  private constructor(
    private readonly store: MetadataStore,
    readonly journal: AuditJournal,
    private readonly release: () => void,
    private readonly copyDelayMs: number,
    private readonly logger: Logger,
  ) {}

  /** Takes the journal at `path` (one writer per journal), and copies what a crash left in it into the store. */
  static async open(store: MetadataStore, path: string, options: AuditJournalOptions, clock: () => number, logger: Logger): Promise<JournaledWriter> {
    const release = lockJournal(path);
    try {
      const cannot = (err: unknown) => new AppError('unavailable', `Cannot open the audit log's journal ${path}: ${describeError(err)}`, { cause: err });
      const setAside = (why: string) => {
        try {
          return AuditJournal.setAside(path, why, clock());
        } catch (err) {
          throw cannot(err);
        }
      };
      let opened: ReturnType<typeof AuditJournal.open> = undefined;
      try {
        opened = AuditJournal.open(path);
      } catch (err) {
        logger.error({ err: describeError(err), journal: path, moved_to: setAside('unreadable') }, 'audit: the journal is not one; it was moved aside and a new one started');
      }
      const mark = opened && (await store.db.selectFrom('audit_journal').select('last_entry').where('journal', '=', opened.journal.id).executeTakeFirst());
      if (opened && mark) {
        const writer = new JournaledWriter(store, opened.journal, release, options.copyDelayMs ?? 20, logger);
        await writer.recover(opened.contents, Number(mark.last_entry), clock);
        return writer;
      }
      if (opened) {
        // A journal this database never saw (the database was replaced or restored): its lines are not this log's.
        opened.journal.close();
        logger.error({ journal: path, moved_to: setAside('other-database') }, 'audit: the journal belongs to another database; it was moved aside and a new one started');
      }
      try {
        const journal = AuditJournal.create(path, options.bytes);
        // Known to the store before its first line, so the next start knows the journal is this database's.
        await store.db.insertInto('audit_journal').values({ journal: journal.id, last_entry: 0 }).execute();
        return new JournaledWriter(store, journal, release, options.copyDelayMs ?? 20, logger);
      } catch (err) {
        throw cannot(err);
      }
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Copies the lines above the store's mark; reports numbers missing among them (damage). */
  private async recover(contents: JournalContents, last: number, clock: () => number): Promise<void> {
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
      const copy = this.journal.copyAside('damaged', clock());
      this.logger.error({ journal: this.journal.path, missing, copy }, 'audit: lines of the journal could not be read back; the file was copied aside and every readable line is copied into the log');
    }
    if (this.waiting.length) {
      const count = this.waiting.length;
      await this.copy();
      this.logger.warn({ journal: this.journal.path, count }, 'audit: records a crash left in the journal were copied into the log');
    }
    // What the mark says was copied may not have reached the disk before the crash: flushed now, before any line is overwritten.
    await this.store.deferredFlush?.flush();
    this.flushedThrough = this.written;
  }

  /** When the store could not take the last copy: tries again, and throws while it still cannot. */
  async retryFailedCopy(): Promise<void> {
    if (this.copyFailure !== undefined) await this.copy();
  }

  /**
   * Writes one record's line (it survives the process being killed when
   * this returns) and schedules its copy; `durable` resolves once the line
   * is on disk. Throws when the store is closed or the line cannot be written.
   */
  write(fields: HashedFields): { waiting: Waiting; durable: Promise<void> } {
    if (this.store.closed) throw new Error('the metadata store is closed');
    const waiting: Waiting = { n: this.written + 1, fields };
    this.journal.write(waiting, this.mayWrap);
    this.written = waiting.n;
    this.waiting.push(waiting);
    this.scheduleCopy();
    return { waiting, durable: this.journal.sync() };
  }

  /** The record of a journaled entry, copying it into the store first if it has not been yet. */
  async copied(waiting: Waiting): Promise<AuditRecord> {
    if (!waiting.record) await this.copy();
    return waiting.record!;
  }

  /** Copies every waiting record into the store (one copy at a time; a call while one runs also waits for the next). */
  copy(): Promise<void> {
    const next = this.copies.catch(() => undefined).then(() => this.copyWaiting());
    this.copies = next;
    return next;
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

  private async copyWaiting(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    try {
      // At most COPY_ROWS a transaction; a larger backlog in several, in this same copy.
      while (this.waiting.length) {
        const batch = this.waiting.slice(0, COPY_ROWS);
        const through = batch[batch.length - 1]!.n;
        const { records, durable } = await appendToChain(this.store, batch.map((w) => w.fields), { journal: this.journal.id, lastEntry: through });
        batch.forEach((w, i) => (w.record = records[i]));
        // Appends made meanwhile went to the end: the batch is still the front.
        this.waiting.splice(0, batch.length);
        this.copyFailure = undefined;
        // The journal's lines may be overwritten only once the store has flushed what was copied from them.
        void durable.then(
          () => {
            if (through > this.flushedThrough) this.flushedThrough = through;
          },
          () => undefined, // the journal keeps the lines; the next copy's flush tries again
        );
        if (batch.length < COPY_ROWS) return;
      }
    } catch (err) {
      if (this.copyFailure === undefined) this.logger.error({ err: describeError(err), waiting: this.waiting.length }, 'audit: records in the journal could not be copied into the store; data actions are refused until it can be written');
      this.copyFailure = err;
      throw err;
    }
  }

  /** Whether the journal's ring may start over: every line written is in the store and flushed there. */
  private readonly mayWrap = (): boolean => this.waiting.length === 0 && this.flushedThrough === this.written;

  /** Copies what waits, flushes the store, closes the journal and lets it go. What cannot be copied stays in the journal for the next start. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.copy();
      await this.store.deferredFlush?.flush();
    } catch (err) {
      this.logger.warn({ err: describeError(err), waiting: this.waiting.length }, 'audit: records stay in the journal and are copied at the next start');
    } finally {
      this.journal.close();
      this.release();
    }
  }
}
