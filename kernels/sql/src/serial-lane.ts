/**
 * One caller at a time, in arrival order, for a resource that cannot be
 * shared (a DuckDB connection runs one query at a time). A caller whose
 * signal aborts while it waits leaves the queue at once with an
 * `interrupted` SqlError; the callers behind it keep their order.
 */
import { interruptedError } from './sql-error';

export class SerialLane {
  private tail: Promise<void> = Promise.resolve();
  /** Callers running or waiting. */
  pending = 0;

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    this.pending++;
    const done = () => {
      this.pending--;
      release();
    };
    if (signal) {
      try {
        await waitUnlessAborted(prev, signal);
      } catch (err) {
        void prev.then(done);
        throw err;
      }
    } else {
      await prev;
    }
    try {
      return await fn();
    } finally {
      done();
    }
  }
}

function waitUnlessAborted(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(interruptedError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(interruptedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
