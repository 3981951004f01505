/**
 * Key file I/O: read with an ssh-style permission check, write atomically
 * and durably (temp file, fsync, rename or link, fsync of the directory),
 * and a lock file that serializes key changes across processes (the
 * server and a `workbench secrets rotate-key` run side by side).
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '@workbench/core';
import { KeySet, parseKeyFile, serializeKeyFile } from './key-file-format';

/** The filesystem calls the key file uses; injectable so tests can fail one step. */
export type KeyFileFs = Pick<typeof nodeFs, 'open' | 'rename' | 'link' | 'unlink' | 'mkdir' | 'stat'>;

/** A key file is a few hundred bytes per key; anything huge is not one. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** What identifies one version of the file, to notice that another process replaced it. */
export interface KeyFileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export function sameVersion(a: KeyFileVersion | undefined, b: KeyFileVersion | undefined): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as { code?: unknown }).code as string | undefined) : undefined;
}

/**
 * Read and validate a key file. Refuses (like ssh with a private key) a
 * file that group or others may access in any way, since anyone who can
 * read it can decrypt every secret in every backup of the database.
 * Returns undefined when the file does not exist.
 */
export async function readKeyFile(path: string, fs: KeyFileFs = nodeFs): Promise<{ set: KeySet; version: KeyFileVersion } | undefined> {
  let fh: nodeFs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new AppError('unavailable', `Cannot read secret key file ${path}: ${errnoCode(err) ?? 'open failed'}`, { cause: err });
  }
  try {
    // fstat the open descriptor, not the path: what is checked is what is read.
    const st = await fh.stat();
    if (!st.isFile()) throw new AppError('unavailable', `Cannot load secret key file ${path}: it is not a regular file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new AppError(
        'unavailable',
        `Cannot load secret key file ${path}: its permissions ${mode} let group or others access it; the key file must be private to its owner (run: chmod 600 ${path})`,
      );
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw new AppError('unavailable', `Cannot load secret key file ${path}: it is larger than 1 MiB, which no key file is`);
    const text = (await fh.readFile()).toString('utf8');
    return { set: parseKeyFile(text, path), version: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs } };
  } finally {
    await fh.close();
  }
}

/** The identity of the file now at `path`, or undefined if there is none. */
export async function statKeyFile(path: string, fs: KeyFileFs = nodeFs): Promise<KeyFileVersion | undefined> {
  try {
    const st = await fs.stat(path);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Write `set` to `path` atomically and durably: a 0600 temp file beside
 * it is written and fsynced, then renamed over `path` (or, with
 * `exclusive`, hard-linked to `path`, which fails if another process
 * created the file first), then the directory is fsynced so the new name
 * survives a power cut. Readers see the old file or the new one, never a
 * torn one. The temp file is removed on every path out except a crash.
 *
 * Returns false only when `exclusive` and the file already existed.
 */
export async function writeKeyFile(path: string, set: KeySet, options: { exclusive?: boolean; fs?: KeyFileFs } = {}): Promise<boolean> {
  const fs = options.fs ?? nodeFs;
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await fs.open(tmp, 'wx', 0o600);
    try {
      await fh.chmod(0o600); // whatever the umask
      await fh.writeFile(serializeKeyFile(set));
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.exclusive) {
      try {
        await fs.link(tmp, path);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') return false;
        throw err;
      }
    } else {
      await fs.rename(tmp, path);
    }
    await syncDir(dir, fs);
    return true;
  } catch (err) {
    throw new AppError('unavailable', `Cannot write secret key file ${path}: ${errnoCode(err) ?? 'write failed'}; the previous file, if any, is unchanged`, { cause: err });
  } finally {
    // After a rename this name is already gone; after a link it is a second name of the file.
    await fs.unlink(tmp).catch(() => undefined);
  }
}

async function syncDir(dir: string, fs: KeyFileFs): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Run `fn` holding `<path>.lock` (created exclusively), so two processes
 * never both read-modify-write the key file and lose a key. A lock left
 * by a crashed process is reported, not broken: removing it is a
 * decision for the operator.
 */
export async function withKeyFileLock<T>(path: string, fn: () => Promise<T>, fs: KeyFileFs = nodeFs): Promise<T> {
  const lock = `${path}.lock`;
  let fh: nodeFs.FileHandle;
  try {
    fh = await fs.open(lock, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') {
      throw new AppError(
        'conflict',
        `Cannot change secret keys: ${lock} exists, so another key rotation is running (or one crashed; if no workbench secrets command is running, delete ${lock} and retry)`,
      );
    }
    throw new AppError('unavailable', `Cannot lock secret key file ${path}: ${errnoCode(err) ?? 'open failed'}`, { cause: err });
  }
  try {
    try {
      await fh.writeFile(`${process.pid}\n`);
    } finally {
      await fh.close();
    }
    return await fn();
  } finally {
    await fs.unlink(lock).catch(() => undefined);
  }
}
