/**
 * Runs a task once things have been quiet for `delayMs`: an edit asks for
 * the analysis, the next edit within the delay pushes it back. `flush()`
 * runs a pending task now (before a cell runs, the analysis of what was
 * just typed must be in). The clock comes in through `timers` (tests pass
 * a fake one).
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export class Debouncer {
  private handle: unknown = undefined;
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly task: () => void,
    readonly delayMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  /** A task is waiting for the delay to pass. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** (Re)starts the delay. */
  schedule(): void {
    if (this.disposed) return;
    if (this.scheduled) this.timers.clearTimeout(this.handle);
    this.scheduled = true;
    this.handle = this.timers.setTimeout(() => this.run(), this.delayMs);
  }

  /** Runs the pending task now; false when none was pending. */
  flush(): boolean {
    if (!this.scheduled) return false;
    this.timers.clearTimeout(this.handle);
    this.run();
    return true;
  }

  /** Drops the pending task. */
  cancel(): void {
    if (this.scheduled) this.timers.clearTimeout(this.handle);
    this.scheduled = false;
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private run(): void {
    this.scheduled = false;
    this.handle = undefined;
    this.task();
  }
}
