/**
 * Durable writes: write a temp file beside the target, fsync it, rename it
 * over the target, fsync the directory. A crash at any point leaves the old
 * file or the new one, never a truncated one.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

export function tempPathFor(target: string, kind = 'save'): string {
  return join(dirname(target), `.~${basename(target)}.${kind}-${randomBytes(4).toString('hex')}`);
}

export async function atomicWrite(target: string, data: Buffer | string, mode?: number): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    const fh = await open(tmp, 'wx', mode ?? 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(target));
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    /* some filesystems refuse fsync on directories */
  } finally {
    await fh.close();
  }
}
