import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { holderOf, lockJournal, parseHolder } from './journal-lock';

describe('the audit journal lock', () => {
  let dir: string;
  let journal: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-journal-lock-'));
    journal = join(dir, 'workbench.db-audit');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lockFile = () => `${journal}.lock`;
  const holdWith = (holder: object) => writeFileSync(lockFile(), JSON.stringify(holder));

  /** A live process other than this one, for as long as `fn` runs. */
  async function withOtherProcess(fn: (pid: number) => void | Promise<void>): Promise<void> {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const gone = new Promise<void>((done) => other.once('exit', () => done()));
    try {
      await fn(other.pid!);
    } finally {
      other.kill('SIGKILL');
      await gone;
    }
  }

  it('names this machine, its boot and the process start time, and lets go on release', () => {
    const release = lockJournal(journal);
    const held = JSON.parse(readFileSync(lockFile(), 'utf8'));
    expect(held).toEqual({ pid: process.pid, host: hostname(), boot: expect.any(String), start: expect.stringMatching(/^\d+$/) });
    release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses a second open in this same process while the first holds it', () => {
    const release = lockJournal(journal);
    expect(() => lockJournal(journal)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('this very process') }));
    release();
    lockJournal(journal)();
  });

  it('refuses while the process that wrote the lock runs, with what to remove if none does', async () => {
    await withOtherProcess((pid) => {
      holdWith(holderOf(pid));
      expect(() => lockJournal(journal)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining(`another Workbench server (pid ${pid} on ${hostname()}) writes it`) }));
      expect(() => lockJournal(journal)).toThrow(expect.objectContaining({ message: expect.stringContaining(`If no server runs on this data directory, remove ${lockFile()}`) }));
    });
    // Nothing was written over the holder's lock.
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).not.toBe(process.pid);
  });

  it('takes over a lock whose pid now belongs to another process (the pid was handed out again)', async () => {
    await withOtherProcess((pid) => {
      holdWith({ ...holderOf(pid), start: '1' }); // that pid, started at another time
      lockJournal(journal)();
    });
  });

  it('takes over a lock written before the machine last started, even when its pid runs now', async () => {
    await withOtherProcess((pid) => {
      holdWith({ ...holderOf(pid), boot: '00000000-0000-0000-0000-000000000000' });
      const release = lockJournal(journal);
      expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
      release();
    });
  });

  it('refuses a lock written on another machine: from here it cannot be told whether that server runs', () => {
    holdWith({ pid: 4242, host: 'another-host', boot: 'b', start: '1' });
    expect(() => lockJournal(journal)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('(pid 4242 on another-host) writes it, and from here it cannot be told whether that server still runs') }));
  });

  it('reads a bare pid (earlier versions) and takes over a lock cut short while it was written', async () => {
    expect(parseHolder('1234\n')).toEqual({ pid: 1234 });
    await withOtherProcess((pid) => {
      writeFileSync(lockFile(), String(pid));
      expect(() => lockJournal(journal)).toThrow(expect.objectContaining({ code: 'conflict' }));
    });
    writeFileSync(lockFile(), '{"pid": 12');
    lockJournal(journal)();
    expect(existsSync(lockFile())).toBe(false);
  });
});
