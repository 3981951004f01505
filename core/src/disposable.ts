/**
 * Ownership and disposal. Every long-lived object implements
 * `[Symbol.asyncDispose]` (idempotent) and puts what it owns in a
 * DisposableStore, so shutdown leaves no process, socket or timer behind.
 */

export interface AsyncDisposableLike {
  [Symbol.asyncDispose](): PromiseLike<void>;
}

export interface DisposableLike {
  [Symbol.dispose](): void;
}

export type AnyDisposable = AsyncDisposableLike | DisposableLike;

/** Wrap a cleanup function as a disposable that runs at most once. */
export function toDisposable(fn: () => void): DisposableLike {
  let done = false;
  return {
    [Symbol.dispose]() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Wrap an async cleanup function as an async disposable that runs at most once. */
export function toAsyncDisposable(fn: () => Promise<void> | void): AsyncDisposableLike {
  let pending: Promise<void> | undefined;
  return {
    [Symbol.asyncDispose]() {
      pending ??= Promise.resolve().then(fn);
      return pending;
    },
  };
}

/**
 * A bag of disposables, disposed in reverse order of addition.
 * Adding to a disposed store disposes the item at once (so late
 * children of a dead owner cannot leak).
 */
export class DisposableStore implements AsyncDisposableLike {
  private readonly items: AnyDisposable[] = [];
  private disposing: Promise<void> | undefined;

  get isDisposed(): boolean {
    return this.disposing !== undefined;
  }

  add<T extends AnyDisposable>(item: T): T {
    if (this.disposing) {
      void disposeOne(item);
    } else {
      this.items.push(item);
    }
    return item;
  }

  /** Forget an item without disposing it (its owner changed). */
  delete(item: AnyDisposable): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      const errors: unknown[] = [];
      while (this.items.length > 0) {
        const item = this.items.pop()!;
        try {
          await disposeOne(item);
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, 'Cannot dispose: several children failed');
    })();
    return this.disposing;
  }
}

async function disposeOne(item: AnyDisposable): Promise<void> {
  if (Symbol.asyncDispose in item) {
    await item[Symbol.asyncDispose]();
  } else {
    item[Symbol.dispose]();
  }
}
