/**
 * The audit log's journal on the embedded store: a file beside the SQLite
 * database (`<database>-audit`), one JSON line per record, written with one
 * pwrite on the event loop and flushed with fdatasync on libuv's thread
 * pool (group commit: one flush serves every line written before it
 * started).
 *
 * Why a journal: an audited read or execute must not answer before its
 * record is on disk, and the embedded store's commit (an insert into the
 * log and its four indexes) costs more on the event loop than the whole
 * request may spend. A line here costs a few microseconds; its flush
 * overlaps the request's own work; the log (audit-log.ts) copies lines into
 * `audit_log` in batches moments later, where they are chained.
 *
 * The file: a header line naming the journal (`id`, a UUID the store's
 * `audit_journal` row carries too, so a journal is never copied into a
 * database it does not belong to), then a ring of lines. The file is
 * written full of zeros when created, and lines overwrite it in place: a
 * flush then writes data only (no change to the file's size or blocks,
 * which would cost the file system a journal commit on every flush). When
 * a line would pass the end and every line before it is in the store and
 * flushed there, writing starts again after the header; otherwise the file
 * grows until it can.
 *
 * Reading it back (at start): every readable line is taken; those numbered
 * above the store's mark were not copied yet (lines of earlier rounds were
 * all copied, and flushed, before the ring started over, so they are at
 * or below it). A line cut short by a crash was never flushed, so its
 * action never answered. A number missing among those above the mark is a
 * line that cannot be read back (the disk, or a person): the file is
 * copied aside for inspection and the error logged (audit-log.ts), and
 * every readable line is still copied. After a start the ring begins again
 * after the header.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { GroupFsync } from '@workbench/store';
import type { HashedFields } from './chain';

/** One line: the journal's own number for it, and the record as it will be chained. */
export interface JournalEntry {
  n: number;
  fields: HashedFields;
}

export interface JournalContents {
  /** Every readable line, in the file's order (the caller picks those above its mark). */
  entries: JournalEntry[];
  /** How many lines could not be read (old rounds' cut-off lines among them: not an error by itself). */
  unreadable: number;
}

/** The file's size when created, zeros after the header: lines overwrite them in place. */
export const JOURNAL_BYTES = 4 << 20;
const MAGIC = 'workbench-audit-journal';

export class AuditJournal {
  private fd: number | undefined;
  private pos: number;
  private readonly group: GroupFsync;

  private constructor(
    readonly path: string,
    /** Names this journal in the store's `audit_journal`. */
    readonly id: string,
    fd: number,
    /** Where the ring starts (after the header). */
    private readonly base: number,
    end: number,
    /** Where it wraps: the file's size when it was created. */
    private readonly ringEnd: number,
  ) {
    this.fd = fd;
    this.pos = end;
    this.group = new GroupFsync(() => {
      if (this.fd === undefined) throw new Error('the journal is closed');
      return this.fd;
    }, "the audit log's journal");
  }

  /** Creates a new, empty journal at `path` (replacing nothing: the caller has moved any old file aside). */
  static create(path: string, bytes = JOURNAL_BYTES): AuditJournal {
    const id = randomUUID();
    const header = Buffer.from(`${JSON.stringify({ [MAGIC]: 1, id })}\n`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(path, 'wx+', 0o600);
    try {
      writeSync(fd, header, 0, header.length, 0);
      const zeros = Buffer.alloc(1 << 20);
      for (let at = header.length; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - at), at);
      fsyncSync(fd);
      syncDirectory(dirname(path));
      return new AuditJournal(path, id, fd, header.length, header.length, Math.max(bytes, header.length));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Opens the journal at `path` and reads back its round; undefined when there is none. Throws when the file is not a journal. */
  static open(path: string): { journal: AuditJournal; contents: JournalContents } | undefined {
    if (!existsSync(path)) return undefined;
    const fd = openSync(path, 'r+');
    try {
      const text = readFileSync(fd);
      const headerEnd = text.indexOf(0x0a);
      const id = headerEnd > 0 ? headerId(text.toString('utf8', 0, headerEnd)) : undefined;
      if (!id) throw new Error('it does not start with a journal header');
      const contents = parse(text, headerEnd + 1);
      // Whatever is above the mark is copied before the first new line is written: the ring starts over.
      return { journal: new AuditJournal(path, id, fd, headerEnd + 1, headerEnd + 1, text.length), contents };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Moves a file that cannot be used aside (for inspection); returns where it went. */
  static setAside(path: string, why: string, now: number): string {
    const to = `${path}.${why}-${now}`;
    renameSync(path, to);
    return to;
  }

  /** Copies the file aside for inspection (it stays in use); returns where the copy is. */
  copyAside(why: string, now: number): string {
    const to = `${this.path}.${why}-${now}`;
    copyFileSync(this.path, to);
    return to;
  }

  /**
   * Writes one line (in the OS's cache when this returns: it survives the
   * process being killed; `sync` for a power loss). `mayWrap` says whether
   * every line written so far is in the store and flushed there, so the
   * ring may start over. Throws when it cannot be written.
   */
  write(entry: JournalEntry, mayWrap: () => boolean): void {
    if (this.fd === undefined) throw new Error('the journal is closed');
    const f = entry.fields;
    // Keys in a fixed order; JSON escapes every line break, so a line is one record.
    const line = Buffer.from(
      `${JSON.stringify({ n: entry.n, ts: f.ts, actor: f.actor, actorRole: f.actorRole, via: f.via, resource: f.resource, action: f.action, target: f.target, ip: f.ip, userAgent: f.userAgent, outcome: f.outcome, detail: f.detail })}\n`,
    );
    let at = this.pos;
    if (at + line.length > this.ringEnd && at > this.base && mayWrap()) at = this.base;
    const written = writeSync(this.fd, line, 0, line.length, at);
    // A short write leaves a fragment the next start reads as the end of the round (it was never flushed).
    if (written !== line.length) throw new Error(`short write (${written} of ${line.length} bytes)`);
    this.pos = at + written;
  }

  /** Resolves once every line written before the call is on disk; rejects with `unavailable` when the flush fails. */
  sync(): Promise<void> {
    return this.group.sync();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function headerId(line: string): string | undefined {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    return o[MAGIC] === 1 && typeof o.id === 'string' && o.id.length > 0 ? o.id : undefined;
  } catch {
    return undefined;
  }
}

/** Every readable line from `base` on. */
export function parse(text: Buffer, base: number): JournalContents {
  const entries: JournalEntry[] = [];
  let unreadable = 0;
  for (let start = base; start < text.length; ) {
    const nl = text.indexOf(0x0a, start);
    if (nl < 0) break; // zeros, or a line cut short
    const entry = readLine(text.toString('utf8', start, nl));
    if (entry) entries.push(entry);
    else unreadable++;
    start = nl + 1;
  }
  return { entries, unreadable };
}

function readLine(line: string): JournalEntry | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const text = (v: unknown) => typeof v === 'string';
  const textOrNull = (v: unknown) => v === null || typeof v === 'string';
  if (!Number.isSafeInteger(o.n) || (o.n as number) < 1 || !Number.isFinite(o.ts)) return undefined;
  if (!text(o.via) || !text(o.resource) || !text(o.action) || !text(o.outcome)) return undefined;
  if (![o.actor, o.actorRole, o.target, o.ip, o.userAgent].every(textOrNull)) return undefined;
  if (typeof o.detail !== 'object' || o.detail === null || Array.isArray(o.detail)) return undefined;
  return {
    n: o.n as number,
    fields: {
      ts: o.ts as number,
      actor: o.actor as string | null,
      actorRole: o.actorRole as string | null,
      via: o.via as HashedFields['via'],
      resource: o.resource as string,
      action: o.action as string,
      target: o.target as string | null,
      ip: o.ip as string | null,
      userAgent: o.userAgent as string | null,
      outcome: o.outcome as HashedFields['outcome'],
      detail: o.detail as Record<string, unknown>,
    },
  };
}

/** The new file's name is on disk too (its directory flushed). */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
