/**
 * Group commit for one file: `sync()` resolves once an fdatasync of the
 * file that started after the call has finished, so every write made
 * before the call is on disk. One fdatasync serves every caller that
 * arrived before it started; a caller that arrives while one runs waits
 * for the next, which then serves everyone queued behind it. The
 * fdatasync runs on libuv's thread pool, not on the event loop.
 *
 * Used for the SQLite WAL (wal-flush.ts) and the audit log's journal.
 */
import { fdatasync } from 'node:fs';
import { AppError, describeError } from '@workbench/core';

export class GroupFsync {
  /** The fdatasync under way, and the one queued behind it for writes made after it started. */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /**
   * @param fd the file's descriptor when a sync starts (throws when the file is gone or closed)
   * @param what what is flushed, for the error: "the metadata store's journal"
   */
  constructor(
    private readonly fd: () => number,
    private readonly what: string,
  ) {}

  /** Resolves once every write made before this call is on disk; rejects with `unavailable` when the flush fails. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    // The running fdatasync may have begun before this write: the next one covers it.
    const queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    this.queued = queued;
    return queued;
  }

  private start(): Promise<void> {
    const run = new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(new AppError('unavailable', `Cannot flush ${this.what}: ${describeError(err)}`, { cause: err }));
      let fd: number;
      try {
        fd = this.fd();
      } catch (err) {
        fail(err);
        return;
      }
      fdatasync(fd, (err) => (err ? fail(err) : resolve()));
    });
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }
}
