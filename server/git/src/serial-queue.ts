/**
 * Runs async tasks one at a time, in order. git takes index.lock (and ref
 * locks) for most writes and fails instead of waiting, so every operation on
 * one repository goes through one queue.
 */
import { AppError, abortError, raceSignal } from '@workbench/core';

export class SerialQueue implements AsyncDisposable {
  private tail: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  /** @param owner names the owner in errors: `Cannot <action>: <owner> is closed`. */
  constructor(private readonly owner: string) {}

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Run `task` after every task queued before it. If `signal` aborts while
   * waiting, the task never starts; if it aborts while running, the caller
   * is released at once and the task is expected to stop on the same signal
   * (the queue still waits for it to settle before starting the next).
   */
  run<T>(action: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closing) return Promise.reject(new AppError('unavailable', `Cannot ${action}: ${this.owner} is closed`));
    if (signal?.aborted) return Promise.reject(abortError(signal, action));
    const result = this.tail.then(() => {
      if (signal?.aborted) throw abortError(signal, action);
      return task();
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return raceSignal(result, signal, action);
  }

  /** Refuse new tasks and wait for the queued ones to finish. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.closing ??= this.tail;
    return this.closing;
  }
}
