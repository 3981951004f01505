/**
 * What a commit contains, staged in a private index (GIT_INDEX_FILE) seeded
 * from HEAD, as `git commit --only <paths>` does: only the named paths are
 * staged, so whatever a user staged by hand in a terminal is never swept
 * into an autosave, and staged content (e.g. a notebook without outputs) can
 * differ from the working tree.
 *
 * A private index is a file in the git directory that lives for one commit;
 * one left behind by a process that died mid-commit is removed the next time
 * the repository is opened.
 */
import { randomUUID } from 'node:crypto';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Logger, describeError } from '@workbench/core';
import { toRepoPath } from './git-args';
import { parseIndexEntries } from './git-listing';
import type { GitRunner } from './git-runner';

/**
 * One path to commit. `content` undefined: the working-tree file as it is
 * (its deletion if it is gone; a directory stages everything under it).
 * A Buffer: exactly these bytes, the working tree untouched. null: a deletion.
 */
export interface FileChange {
  path: string;
  content?: Buffer | null;
}

/** Validated changes by repository path, in order (see FileChange for the values). */
export type PlannedChanges = Map<string, Buffer | null | undefined>;

const INDEX_PREFIX = 'workbench-index-';
const STALE_INDEX_MS = 60 * 60 * 1000;

/** Run `fn` with the environment of a fresh private index in `gitDir`; the index is removed afterwards. */
export async function withPrivateIndex<T>(gitDir: string, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const indexFile = join(gitDir, `${INDEX_PREFIX}${randomUUID()}`);
  try {
    return await fn({ GIT_INDEX_FILE: indexFile });
  } finally {
    await rm(indexFile, { force: true });
  }
}

/** Private indexes left by a process that died mid-commit (a live one is seconds old at most). */
export async function removeStaleIndexes(gitDir: string, logger: Logger): Promise<void> {
  const names = (await readdir(gitDir)).filter((n) => n.startsWith(INDEX_PREFIX));
  for (const name of names) {
    const file = join(gitDir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_INDEX_MS) {
      await rm(file, { force: true });
      logger.info({ file }, 'removed a stale private index');
    }
  }
}

/** Validate and de-duplicate changes (the last one for a path wins), in order. */
export function planChanges(changes: readonly FileChange[], action: string): PlannedChanges {
  if (!Array.isArray(changes)) throw new AppError('bad_request', `Cannot ${action}: changes is not a list`);
  const staged: PlannedChanges = new Map();
  for (const change of changes) {
    const path = toRepoPath(change?.path, action);
    const content = change.content;
    if (content !== undefined && content !== null && !Buffer.isBuffer(content)) {
      throw new AppError('bad_request', `Cannot ${action}: the content of ${path} is not a Buffer, null or undefined`);
    }
    staged.delete(path);
    staged.set(path, content);
  }
  return staged;
}

/** Stages into the private index that `env` names (see withPrivateIndex). */
export class IndexStager {
  constructor(
    private readonly git: GitRunner,
    /** Absolute path of the work tree. */
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  /** Stage planned changes: blobs as given, deletions, and working-tree paths (ignored untracked ones left out). */
  async stageChanges(staged: PlannedChanges, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
    const removals: string[] = [];
    const fromDisk: string[] = [];
    const blobs: [string, Buffer][] = [];
    for (const [path, content] of staged) {
      if (content === null) removals.push(path);
      else if (content !== undefined) blobs.push([path, content]);
      else if (await this.existsOnDisk(path, action)) fromDisk.push(path);
      else removals.push(path);
    }
    await this.stageRemovals(removals, env, signal, action);
    await this.stageFromDisk(fromDisk, env, signal, action);
    for (const [path, content] of blobs) {
      const oid = await this.git.text(['hash-object', '-w', '--stdin'], { action, input: content, signal });
      await this.git.run(['update-index', '--add', '--cacheinfo', `100644,${oid},${path}`], { action, env, signal });
    }
  }

  /** Move what the index holds at `from` (a file or directory) to `to`; the working tree at both when it holds nothing there. */
  async stageMove(from: string, to: string, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
    const listing = await this.git.run(['ls-files', '-z', '--stage', '--', from], { action, env, signal });
    const entries = parseIndexEntries(listing.stdout).filter((e) => e.path === from || e.path.startsWith(`${from}/`));
    if (entries.length === 0) {
      await this.stageChanges(new Map([[from, undefined], [to, undefined]]), env, signal, action);
      return;
    }
    await this.stageRemovals([from, to], env, signal, action);
    const lines = entries.map((e) => `${e.mode} ${e.oid}\t${to}${e.path.slice(from.length)}\0`).join('');
    await this.git.run(['update-index', '-z', '--index-info'], { action, env, input: lines, signal });
  }

  private async stageRemovals(paths: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
    if (paths.length === 0) return;
    await this.git.run(['rm', '-r', '--quiet', '--cached', '--ignore-unmatch', '--', ...paths], { action, env, signal });
  }

  private async stageFromDisk(paths: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
    if (paths.length === 0) return;
    // `git add` refuses ignored paths that are not tracked; leave those out. check-ignore rejects literal pathspecs
    // but treats its stdin as plain paths anyway. Exit code 1: none is ignored.
    const check = await this.git.run(['check-ignore', '-z', '--stdin'], {
      action,
      env: { ...env, GIT_LITERAL_PATHSPECS: '0' },
      input: paths.map((p) => `${p}\0`).join(''),
      okCodes: [1],
      signal,
    });
    const ignored = new Set(check.stdout.toString('utf8').split('\0').filter(Boolean));
    const add = paths.filter((p) => !ignored.has(p));
    if (ignored.size > 0) this.logger.debug({ paths: [...ignored] }, 'not staging ignored paths');
    if (add.length === 0) return;
    await this.git.run(['add', '--all', '--', ...add], { action, env, signal });
  }

  private async existsOnDisk(path: string, action: string): Promise<boolean> {
    try {
      await lstat(join(this.root, path));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw new AppError('internal', `Cannot ${action}: ${path} is not readable (${describeError(err)})`, { cause: err });
    }
  }
}
