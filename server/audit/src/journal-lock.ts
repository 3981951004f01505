/**
 * One writer per audit journal: `<journal>.lock` names the process that
 * writes it. Two servers on one data directory (two terminals, say) would
 * otherwise write over each other's lines; the second is refused with a
 * clear error instead.
 *
 * A pid alone does not say who holds the lock: after a reboot, or a
 * container's restart, the pid written there may belong to another live
 * process (an early service's small pid is handed out again), and a server
 * would then refuse to start with nothing running. So the lock names the
 * machine (host name and Linux's boot id) and the process's start time
 * (field 22 of `/proc/<pid>/stat`) besides the pid, and is taken over when
 * its holder is gone: another boot of this machine, no such pid, or a pid
 * that started at another time. A lock written on another machine (a data
 * directory on a shared volume) cannot be checked from here: it is refused,
 * and the error says what to remove when no server runs there.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { AppError } from '@workbench/core';

/** Who holds a lock; the fields past `pid` are absent where the OS cannot tell (no /proc). */
export interface LockHolder {
  pid: number;
  host?: string;
  boot?: string;
  start?: string;
}

/** The locks this process holds (a lock file naming this pid is this process's only when it is here). */
const heldHere = new Set<string>();

/** Takes the lock on `path` (the journal), or throws `conflict` while a live process holds it. Returns the release. */
export function lockJournal(path: string): () => void {
  const lock = `${path}.lock`;
  if (heldHere.has(lock)) {
    const holder = `pid ${process.pid} on ${hostname()}`;
    throw new AppError('conflict', `Cannot open the audit log's journal ${path}: another Workbench server (${holder}) writes it: this very process`, { details: { holder } });
  }
  const me = JSON.stringify(holderOf(process.pid));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(lock, me, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = parseHolder(readFileSync(lock, 'utf8'));
    const state = holder ? holderState(holder) : 'gone';
    if (state !== 'gone') {
      const who = `pid ${holder!.pid}${holder!.host ? ` on ${holder!.host}` : ''}`;
      throw new AppError(
        'conflict',
        `Cannot open the audit log's journal ${path}: another Workbench server (${who}) writes it${state === 'elsewhere' ? ', and from here it cannot be told whether that server still runs' : ''}. Run one server per data directory on the embedded store; several servers need PostgreSQL (database.url), each with its own data_dir. If no server runs on this data directory, remove ${lock}`,
        { details: { holder: who } },
      );
    }
    writeFileSync(lock, me, { mode: 0o600 }); // its process is gone: taken over
  }
  heldHere.add(lock);
  return () => {
    heldHere.delete(lock);
    try {
      if (readFileSync(lock, 'utf8') === me) unlinkSync(lock);
    } catch {
      // Gone already.
    }
  };
}

/** What a lock says about the process `pid` of this machine. */
export function holderOf(pid: number): LockHolder {
  return { pid, host: hostname(), boot: bootId(), start: startTime(pid) };
}

/** A lock file's holder: the JSON this module writes, or a bare pid (written by earlier versions). */
export function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const o = JSON.parse(trimmed) as Partial<LockHolder>;
    if (!Number.isSafeInteger(o.pid) || (o.pid as number) <= 0) return undefined;
    const opt = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return { pid: o.pid as number, host: opt(o.host), boot: opt(o.boot), start: opt(o.start) };
  } catch {
    return undefined; // a lock cut short by a crash while it was written: nobody holds it
  }
}

/** live: its process runs; gone: it cannot be running; elsewhere: written on another machine. */
function holderState(holder: LockHolder): 'live' | 'gone' | 'elsewhere' {
  if (holder.host !== undefined && holder.host !== hostname()) return 'elsewhere';
  const boot = bootId();
  if (holder.boot !== undefined && boot !== undefined && holder.boot !== boot) return 'gone'; // written before this machine last started
  // This very process's pid on a lock it does not hold (lockJournal checks that first): a container's earlier run with the same pid.
  if (holder.pid === process.pid || !alive(holder.pid)) return 'gone';
  // The pid runs: the same process only if it started when the lock's did (a pid is handed out again).
  if (holder.start !== undefined) {
    const start = startTime(holder.pid);
    if (start !== undefined && start !== holder.start) return 'gone';
  }
  return 'live';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process, alive
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
