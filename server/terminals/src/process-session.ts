/**
 * Signalling everything a terminal started. The shell runs as the leader
 * of its own session (node-pty calls setsid), so its pid is also the
 * session id; background jobs live in other process groups of the same
 * session. Sending to every session member reaches them all; only a
 * process that left the session on purpose (setsid, daemons) escapes.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose session id is `sid` (Linux /proc; elsewhere just the group). */
export function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [sid];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp session ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') out.push(Number(e));
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

/** Signal the session's process group and every other member; ignore the ones already gone. */
export function signalSession(sid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-sid, signal);
  } catch {
    /* no such group any more */
  }
  for (const pid of sessionMembers(sid)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

/**
 * Resolve once no live process is left in the session, or after
 * `timeoutMs`. Processes that are not our children cannot be waited for,
 * so this looks at /proc every few milliseconds (Linux; elsewhere it
 * resolves at once).
 */
export async function sessionEnded(sid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (sessionMembers(sid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}
