/**
 * The heartbeat watch: a kernel whose process lives but whose heartbeat
 * stopped answering (hung in C code, SIGSTOPped, a remote pod gone) is
 * reported lost after `misses` unanswered pings in a row, which leads to
 * the usual auto-restart. Busy kernels are not judged: some kernels (tslab)
 * answer heartbeats on the same thread that runs user code.
 */
export interface HeartbeatOptions {
  intervalMs: number;
  timeoutMs: number;
  misses: number;
}

export interface HeartbeatTarget {
  /** Still the kernel's current, settled process (not replaced, restarting or stopping). */
  current(): boolean;
  ping(timeoutMs: number): Promise<boolean>;
  busy(): boolean;
  missed(misses: number): void;
  lost(misses: number): void;
}

/** Start watching; the returned timer is cleared by the caller (undefined: no watch). */
export function watchHeartbeat(hb: HeartbeatOptions, target: HeartbeatTarget): NodeJS.Timeout | undefined {
  if (hb.intervalMs <= 0) return undefined;
  let misses = 0;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || !target.current()) return;
    checking = true;
    void target
      .ping(hb.timeoutMs)
      .then((ok) => {
        if (ok || target.busy()) {
          misses = 0;
          return;
        }
        misses++;
        target.missed(misses);
        if (misses >= hb.misses && target.current()) target.lost(misses);
      })
      .finally(() => {
        checking = false;
      });
  }, hb.intervalMs);
  timer.unref();
  return timer;
}
