import { DisposableLike, toDisposable } from './disposable';

export type Listener<T> = (event: T) => void;

/** A subscribable event: calling it adds a listener and returns its disposable. */
export type Event<T> = (listener: Listener<T>) => DisposableLike;

/**
 * A typed event source. Listener errors are reported to `onListenerError`
 * and never stop delivery to the other listeners.
 */
export class Emitter<T> {
  private listeners: Listener<T>[] = [];

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return toDisposable(() => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    });
  };

  get listenerCount(): number {
    return this.listeners.length;
  }

  fire(event: T): void {
    // Copy: listeners may unsubscribe while we deliver.
    for (const l of this.listeners.slice()) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  dispose(): void {
    this.listeners = [];
  }
}

/** Resolve with the first event that satisfies `predicate`, or reject when `signal` aborts. */
export function waitForEvent<T>(event: Event<T>, predicate: (e: T) => boolean = () => true, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      sub[Symbol.dispose]();
      reject(signal!.reason);
    };
    const sub = event((e) => {
      if (!predicate(e)) return;
      sub[Symbol.dispose]();
      signal?.removeEventListener('abort', onAbort);
      resolve(e);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
