/**
 * Batches autosaves into readable history: one commit per path after
 * `debounceMs` without a new change, or at the latest `maxDelayMs` after the
 * first uncommitted change, crediting everyone who touched the file in the
 * batch (the first as author, the others as co-authors). `flush` commits at
 * once (checkpoints, renames, deletes, shutdown).
 *
 * The saver is never disturbed: a failed commit is logged, reported on
 * `onDidFail`, and its batch is kept (merged with newer changes) for the
 * next flush of that path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Emitter, Event, Logger, describeError, silentLogger } from '@workbench/core';
import { toRepoPath } from './git-args';
import { GitAuthor, assertGitAuthor, authorKey } from './git-author';
import type { GitRepository } from './git-repository';

/** Timer functions, injectable so tests drive time instead of sleeping. */
export interface BatcherTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: BatcherTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface CommitBatcherOptions {
  /** Only `root` and `commit` are used. */
  repository: Pick<GitRepository, 'root' | 'commit'>;
  /** Commit after this long without a new change to the path. Default 30 s. */
  debounceMs?: number;
  /** Commit at the latest this long after the first uncommitted change. Default 5 min. */
  maxDelayMs?: number;
  /**
   * Rewrite the working-tree content before it is staged (e.g. strip
   * notebook outputs); return undefined to stage the file as it is. The
   * working tree is never modified. A throw fails the commit (and keeps the
   * batch), so untransformed content is never committed.
   */
  transform?: (path: string, content: Buffer) => Buffer | undefined;
  /** Commit message for a path. Default `Autosave <path>`. */
  message?: (path: string) => string;
  logger?: Logger;
  timers?: BatcherTimers;
}

export interface BatchCommitted {
  path: string;
  /** The new commit id, or undefined if the content already matched HEAD. */
  version: string | undefined;
  authors: GitAuthor[];
}

export interface BatchFailed {
  path: string;
  error: unknown;
}

interface Batch {
  /** In order of first change; the first is the commit author. */
  authors: Map<string, GitAuthor>;
  debounce: unknown;
  deadline: unknown;
}

export class CommitBatcher implements AsyncDisposable {
  private readonly repository: Pick<GitRepository, 'root' | 'commit'>;
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly timers: BatcherTimers;
  private readonly logger: Logger;
  private readonly pending = new Map<string, Batch>();
  /** The commit under way for a path; a path's commits run one after another. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly committed: Emitter<BatchCommitted>;
  private readonly failed: Emitter<BatchFailed>;
  private disposing: Promise<void> | undefined;

  /** After each attempted commit of a batch that succeeded. */
  readonly onDidCommit: Event<BatchCommitted>;
  /** After each failed commit of a batch (the batch is kept for the next flush). */
  readonly onDidFail: Event<BatchFailed>;

  constructor(private readonly options: CommitBatcherOptions) {
    this.repository = options.repository;
    this.debounceMs = checkDelay(options.debounceMs ?? 30_000, 'debounceMs');
    this.maxDelayMs = checkDelay(options.maxDelayMs ?? 300_000, 'maxDelayMs');
    this.timers = options.timers ?? systemTimers;
    this.logger = (options.logger ?? silentLogger).child({ component: 'git-batcher' });
    const onListenerError = (err: unknown) => this.logger.error({ err: describeError(err) }, 'commit batcher listener failed');
    this.committed = new Emitter(onListenerError);
    this.failed = new Emitter(onListenerError);
    this.onDidCommit = this.committed.event;
    this.onDidFail = this.failed.event;
  }

  /** Paths with changes not yet committed (including batches kept after a failure). */
  get pendingPaths(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Note that `author` changed `path` (relative to the repository root);
   * schedules its commit. Throws only for a bad path or author, or after
   * dispose.
   */
  record(path: string, author: GitAuthor): void {
    const action = 'record change';
    if (this.disposing) throw new AppError('unavailable', `Cannot ${action}: the commit batcher is disposed`);
    const file = toRepoPath(path, action);
    assertGitAuthor(author, 'author', action);
    let batch = this.pending.get(file);
    if (!batch) {
      batch = { authors: new Map(), debounce: undefined, deadline: undefined };
      this.pending.set(file, batch);
    }
    const key = authorKey(author);
    if (!batch.authors.has(key)) batch.authors.set(key, { name: author.name, email: author.email });
    if (batch.debounce !== undefined) this.timers.clearTimeout(batch.debounce);
    batch.debounce = this.timers.setTimeout(() => void this.flushPath(file, undefined), this.debounceMs);
    batch.deadline ??= this.timers.setTimeout(() => void this.flushPath(file, undefined), this.maxDelayMs);
  }

  /**
   * Commit now: `path`'s batch, or every batch. Resolves when the commits
   * (and any already under way for those paths) have finished. Rejects only
   * for a bad path: commit failures are logged, reported on `onDidFail` and
   * kept for the next flush.
   */
  async flush(path?: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const paths = path === undefined ? [...new Set([...this.pending.keys(), ...this.inflight.keys()])] : [toRepoPath(path, 'flush changes')];
    await Promise.all(paths.map((p) => this.flushPath(p, options.signal)));
  }

  /** Clear the timers and commit everything pending. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      for (const batch of this.pending.values()) this.clearTimers(batch);
      await this.flush();
      for (const batch of this.pending.values()) this.clearTimers(batch); // batches kept after a failure
      this.committed.dispose();
      this.failed.dispose();
    })();
    return this.disposing;
  }

  private flushPath(path: string, signal: AbortSignal | undefined): Promise<void> {
    const batch = this.pending.get(path);
    const previous = this.inflight.get(path);
    if (!batch) return previous ?? Promise.resolve();
    this.pending.delete(path);
    this.clearTimers(batch);
    const run = (previous ?? Promise.resolve()).then(() => this.commitBatch(path, batch, signal));
    this.inflight.set(path, run);
    void run.then(() => {
      if (this.inflight.get(path) === run) this.inflight.delete(path);
    });
    return run;
  }

  /** Never rejects. */
  private async commitBatch(path: string, batch: Batch, signal: AbortSignal | undefined): Promise<void> {
    const [author, ...coAuthors] = [...batch.authors.values()];
    try {
      const content = await this.stagedContent(path);
      const message = this.options.message?.(path) ?? `Autosave ${path}`;
      const version = await this.repository.commit([{ path, content }], { author: author!, coAuthors, message, signal });
      this.logger.debug({ path, version }, version ? 'autosave committed' : 'autosave had nothing to commit');
      this.committed.fire({ path, version, authors: [author!, ...coAuthors] });
    } catch (error) {
      this.logger.error({ path, err: describeError(error) }, 'autosave commit failed; will retry at the next flush');
      this.keepForRetry(path, batch);
      this.failed.fire({ path, error });
    }
  }

  /** undefined: let the repository stage the working tree as is (or the deletion). */
  private async stagedContent(path: string): Promise<Buffer | undefined> {
    const transform = this.options.transform;
    if (!transform) return undefined;
    let raw: Buffer;
    try {
      raw = await readFile(join(this.repository.root, path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw err;
    }
    return transform(path, raw);
  }

  /** Put a failed batch back, ahead of changes recorded since (its authors came first). */
  private keepForRetry(path: string, failed: Batch): void {
    const newer = this.pending.get(path);
    if (!newer) {
      this.pending.set(path, { authors: failed.authors, debounce: undefined, deadline: undefined });
      return;
    }
    const authors = new Map(failed.authors);
    for (const [key, author] of newer.authors) if (!authors.has(key)) authors.set(key, author);
    newer.authors = authors;
  }

  private clearTimers(batch: Batch): void {
    if (batch.debounce !== undefined) this.timers.clearTimeout(batch.debounce);
    if (batch.deadline !== undefined) this.timers.clearTimeout(batch.deadline);
    batch.debounce = undefined;
    batch.deadline = undefined;
  }
}

function checkDelay(ms: number, name: string): number {
  if (!Number.isFinite(ms) || ms < 0) throw new AppError('bad_request', `Cannot create commit batcher: ${name} ${ms} is not a non-negative number`);
  return ms;
}
