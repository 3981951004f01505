/**
 * Where per-user state the browser keeps on the server lives (JupyterLab
 * settings, workspaces, frontend config): `<data dir>/users/<user>/<kind>/`,
 * outside the workspace so it is neither served as contents nor versioned.
 * Files are written atomically, 0600, one write per file at a time.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { atomicWrite } from '../atomic-write';
import { KeyedQueue } from '@workbench/core';

export type UserStateKind = 'settings' | 'workspaces' | 'config';

/** A user name as a directory name: kept when it is plainly safe, hex-encoded otherwise. */
export function userDirName(username: string): string {
  return /^[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,127}$/.test(username) ? username : `u-${Buffer.from(username, 'utf8').toString('hex').slice(0, 200)}`;
}

export class UserFiles {
  private readonly queue = new KeyedQueue();

  /** @param root `<data dir>/users` */
  constructor(readonly root: string) {}

  dir(username: string, kind: UserStateKind): string {
    return join(this.root, userDirName(username), kind);
  }

  /** Read a file, or undefined when it does not exist. */
  async read(path: string): Promise<{ text: string; stats: Stats } | undefined> {
    try {
      const [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { text, stats };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async write(path: string, text: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await atomicWrite(path, text, 0o600);
  }

  /** Run read-modify-write tasks on one file one after another. */
  serial<T>(path: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(path, task);
  }
}

/** File times as the Jupyter servers report them (ISO 8601, UTC). */
export function fileTimes(stats: Stats | undefined): { last_modified: string | null; created: string | null } {
  if (!stats) return { last_modified: null, created: null };
  const created = stats.birthtimeMs > 0 ? stats.birthtime : stats.ctime;
  return { last_modified: stats.mtime.toISOString(), created: created.toISOString() };
}
