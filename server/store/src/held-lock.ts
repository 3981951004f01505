/**
 * Named locks held for as long as a piece of work takes (minutes: building
 * a Python environment), across the replicas that share one store.
 *
 * PostgreSQL: a session-level advisory lock on a connection of its own,
 * taken out of the pool for the time it is held. Releasing unlocks, then
 * closes that connection, so a lock can never go back into the pool still
 * held; a process that dies loses its connection, and PostgreSQL releases
 * its locks with it. Waiting is PostgreSQL's own (no polling); an abort
 * cancels the waiting query.
 * A held lock's connection that PostgreSQL ends (a restart) is closed and
 * the lock is lost with it; the holder is not told (the work it guards
 * must still be safe to finish: see server/environments).
 *
 * SQLite (one server per database): a lock in this process.
 */
import { AppError } from '@workbench/core';
import type { Pool } from 'pg';

export type ReleaseLock = () => Promise<void>;

export interface HeldLocks {
  /** Waits until the lock named `name` is free and takes it; `signal` ends the wait. */
  hold(name: string, key: string, signal?: AbortSignal): Promise<ReleaseLock>;
  /** Takes the lock if it is free now; undefined while someone holds it. */
  tryHold(name: string, key: string): Promise<ReleaseLock | undefined>;
}

function aborted(name: string, signal: AbortSignal): AppError {
  return new AppError('unavailable', `Cannot take the lock ${name}: stopped waiting for it`, { cause: signal.reason });
}

export function postgresHeldLocks(pool: Pool): HeldLocks {
  async function connect(key: string) {
    const client = await pool.connect();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      client.off('error', onError);
      client.release(true); // ends the session: whatever it still holds goes with it
    };
    // Out of the pool, nobody else listens: a connection PostgreSQL ends (a restart, an administrator)
    // would otherwise be an unhandled 'error' that stops the process. The lock went with the session.
    const onError = () => close();
    client.on('error', onError);
    /** Unlocks before closing: the lock is free when this resolves, not once the server notices the closed socket. */
    const release: ReleaseLock = async () => {
      if (closed) return;
      try {
        await client.query('select pg_advisory_unlock($1::bigint)', [key]);
      } catch {
        // The session is gone or going: closing it releases the lock.
      } finally {
        close();
      }
    };
    return { client, close, release };
  }
  return {
    async hold(name, key, signal) {
      signal?.throwIfAborted();
      const { client, close, release } = await connect(key);
      let cancelled: Promise<unknown> | undefined;
      try {
        const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        // Cancelling the wait (not closing the socket): a backend whose client went away would still
        // take the lock when it frees up, and hold it until it noticed.
        const onAbort = () => (cancelled = pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined));
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          await client.query('select pg_advisory_lock($1::bigint)', [key]);
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
      } catch (err) {
        await cancelled;
        close();
        if (signal?.aborted) throw aborted(name, signal);
        throw err;
      }
      if (signal?.aborted) {
        await cancelled;
        await release();
        throw aborted(name, signal);
      }
      return release;
    },
    async tryHold(_name, key) {
      const { client, close, release } = await connect(key);
      let got = false;
      try {
        got = (await client.query<{ got: boolean }>('select pg_try_advisory_lock($1::bigint) as got', [key])).rows[0]?.got === true;
      } finally {
        if (!got) close();
      }
      return got ? release : undefined;
    },
  };
}

export function localHeldLocks(): HeldLocks {
  /** Per held name: resolved when its holder releases it (the waiters then try again). */
  const tails = new Map<string, Promise<void>>();
  function take(name: string): ReleaseLock {
    let done!: () => void;
    const freed = new Promise<void>((r) => (done = r));
    tails.set(name, freed);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      tails.delete(name);
      done();
    };
  }
  return {
    async hold(name, _key, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const tail = tails.get(name);
        if (!tail) return take(name);
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(aborted(name, signal!));
          signal?.addEventListener('abort', onAbort, { once: true });
          void tail.then(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
    },
    async tryHold(name) {
      return tails.has(name) ? undefined : take(name);
    },
  };
}
