/**
 * The workspace's git repository: commit on save, history of a file across
 * renames, and a file's bytes at any version.
 *
 * Every commit is built in a private index (GIT_INDEX_FILE) seeded from HEAD,
 * as `git commit --only <paths>` does: only the named paths are staged, so
 * whatever a user staged by hand in a terminal is never swept into an
 * autosave, and staged content (e.g. a notebook without outputs) can differ
 * from the working tree. The commit is written with plumbing (`commit-tree`
 * + `update-ref`), so no hook, editor or signing ever runs; afterwards the
 * real index is updated for those paths so `git status` agrees with HEAD.
 *
 * All operations on one repository run through one queue: git fails rather
 * than waits when index.lock or a ref lock is held.
 */
import { randomUUID } from 'node:crypto';
import { lstat, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Logger, abortError, describeError, silentLogger } from '@workbench/core';
import { toLimit, toRepoPath, toVersion } from './git-args';
import { GitAuthor, assertGitAuthor, authorEnv, commitMessage, committerEnv } from './git-author';
import { GitRunner } from './git-runner';
import { SerialQueue } from './serial-queue';
import { LOG_FORMAT_ARGS, VersionInfo, parseLog } from './version-info';

export interface GitRepositoryOptions {
  /** The workspace root; `git init` (branch `main`) runs here unless it is already the top of a work tree. */
  root: string;
  /** Defaults to `git` on PATH. */
  gitBinary?: string;
  logger?: Logger;
  /** The server's identity, recorded as committer of every commit. */
  committer: GitAuthor;
  /** Environment for git processes (default `process.env`); GIT_* variables in it are ignored. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * One path to commit. `content` undefined: the working-tree file as it is
 * (its deletion if it is gone; a directory stages everything under it).
 * A Buffer: exactly these bytes, the working tree untouched. null: a deletion.
 */
export interface FileChange {
  path: string;
  content?: Buffer | null;
}

export interface CommitOptions {
  author: GitAuthor;
  coAuthors?: readonly GitAuthor[];
  message: string;
  signal?: AbortSignal;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

export interface LogOptions extends ReadOptions {
  /** At most this many versions, newest first. */
  limit?: number;
}

interface Head {
  commit: string;
  tree: string;
}

type Stager = (env: NodeJS.ProcessEnv, signal: AbortSignal | undefined) => Promise<void>;

export class GitRepository implements AsyncDisposable {
  private readonly queue = new SerialQueue('the repository');

  private constructor(
    /** Absolute, symlink-free path of the work tree. */
    readonly root: string,
    private readonly git: GitRunner,
    private readonly gitDir: string,
    private readonly logger: Logger,
  ) {}

  static async open(options: GitRepositoryOptions): Promise<GitRepository> {
    const action = 'open repository';
    assertGitAuthor(options.committer, 'committer', action);
    const root = await resolveRoot(options.root, action);
    const logger = (options.logger ?? silentLogger).child({ component: 'git', root });
    const git = new GitRunner({
      root,
      binary: options.gitBinary ?? 'git',
      env: options.env ?? process.env,
      gitEnv: committerEnv(options.committer),
      logger,
    });
    const { signal } = options;
    // 128: not a repository. GIT_CEILING_DIRECTORIES keeps git from finding a parent repository instead.
    const top = await git.run(['rev-parse', '--show-toplevel'], { action, signal, okCodes: [128] });
    const topLevel = top.code === 0 ? top.stdout.toString('utf8').trim() : undefined;
    if (topLevel === undefined || (await realpath(topLevel).catch(() => topLevel)) !== root) {
      await git.run(['init', '--quiet', '--initial-branch=main'], { action, signal });
      logger.info({}, 'initialised git repository');
    }
    const gitDir = await git.text(['rev-parse', '--absolute-git-dir'], { action, signal });
    await removeStaleIndexes(gitDir, logger);
    return new GitRepository(root, git, gitDir, logger);
  }

  /**
   * Commit exactly `changes` (see FileChange) with `author` (co-authors as
   * trailers) and the server as committer. Resolves with the new commit id,
   * or undefined when the staged result equals HEAD. Working-tree paths that
   * .gitignore excludes and HEAD does not track are skipped.
   */
  async commit(changes: readonly FileChange[], options: CommitOptions): Promise<string | undefined> {
    const action = 'commit';
    const message = prepareMessage(options, action);
    const staged = planChanges(changes, action);
    if (staged.size === 0) return undefined;
    return this.queue.run(
      action,
      () => this.commitIndex(action, options, message, [...staged.keys()], (env, signal) => this.stageChanges(staged, env, signal, action)),
      options.signal,
    );
  }

  /**
   * Record that `from` (a file or directory) was moved to `to`; the caller has
   * already moved it on disk. The committed content moves as is (a 100%
   * rename, so `log --follow` always finds it, and content staged by a
   * transform stays that way); if HEAD does not track `from`, the working
   * tree at both paths is staged instead.
   */
  async rename(from: string, to: string, options: CommitOptions): Promise<string | undefined> {
    const action = 'rename';
    const src = toRepoPath(from, action);
    const dst = toRepoPath(to, action);
    const message = prepareMessage(options, action);
    return this.queue.run(
      action,
      () => this.commitIndex(action, options, message, [src, dst], (env, signal) => this.stageMove(src, dst, env, signal, action)),
      options.signal,
    );
  }

  /** History of `path`, newest first, following renames; [] when it has none. A deleted path keeps its history. */
  async log(path: string, options: LogOptions = {}): Promise<VersionInfo[]> {
    const action = `read history of ${path}`;
    const file = toRepoPath(path, action);
    const limit = toLimit(options.limit, action);
    const { signal } = options;
    return this.queue.run(
      action,
      async () => {
        const head = await this.head(action, signal);
        if (!head) return [];
        // Not `git log --follow`: it also follows *copies* (find-copies-harder), so a new
        // notebook that resembles another one would inherit that one's history.
        // Follow true renames only: where a path was added, look in that commit
        // for a rename onto it and continue with the old path.
        const versions: VersionInfo[] = [];
        let current = file;
        let from = head.commit;
        for (let hop = 0; hop < 100; hop++) {
          const remaining = limit ? limit - versions.length : undefined;
          const args = ['log', ...LOG_FORMAT_ARGS, ...(remaining ? [`--max-count=${remaining}`] : []), from, '--', current];
          const page = parseLog((await this.git.run(args, { action, signal })).stdout, current);
          versions.push(...page);
          const oldest = page[page.length - 1];
          if (!oldest || oldest.change !== 'added' || (limit && versions.length >= limit)) break;
          const renamedFrom = await this.renameSource(oldest.id, current, action, signal);
          if (!renamedFrom) break;
          oldest.change = 'renamed';
          current = renamedFrom;
          from = `${oldest.id}^`;
        }
        return versions;
      },
      signal,
    );
  }

  /** The path that `commit` renamed onto `path`, if it did (exact or similar content, as git -M decides). */
  private async renameSource(commit: string, path: string, action: string, signal?: AbortSignal): Promise<string | undefined> {
    const { stdout } = await this.git.run(['diff-tree', '-z', '-r', '-M', '--name-status', '--no-commit-id', commit], { action, signal });
    const parts = stdout.toString('utf8').split('\0');
    for (let i = 0; i < parts.length; ) {
      const status = parts[i] ?? '';
      if (status.startsWith('R') || status.startsWith('C')) {
        if (status.startsWith('R') && parts[i + 2] === path) return parts[i + 1];
        i += 3;
      } else {
        i += 2;
      }
    }
    return undefined;
  }

  /** The latest version of `path` (its deletion, if it was deleted), or undefined when it has no history. */
  async headVersion(path: string, options: ReadOptions = {}): Promise<VersionInfo | undefined> {
    const [latest] = await this.log(path, { ...options, limit: 1 });
    return latest;
  }

  /** The bytes of `path` at `version` (a commit id or HEAD); `not_found` if either does not exist. */
  async show(path: string, version: string, options: ReadOptions = {}): Promise<Buffer> {
    const action = `show ${path} at ${version}`;
    const file = toRepoPath(path, action);
    const rev = toVersion(version, action);
    const { signal } = options;
    return this.queue.run(
      action,
      async () => {
        const commit = await this.resolveCommit(rev, action, signal);
        if (!commit) throw new AppError('not_found', `Cannot ${action}: no such version`);
        const listing = await this.git.run(['ls-tree', '-z', commit, '--', file], { action, signal });
        const entry = parseTreeEntries(listing.stdout).find((e) => e.path === file);
        if (!entry) throw new AppError('not_found', `Cannot ${action}: the file does not exist in that version`);
        if (entry.type !== 'blob') throw new AppError('not_found', `Cannot ${action}: it is a ${entry.type === 'tree' ? 'directory' : entry.type}, not a file, in that version`);
        return (await this.git.run(['cat-file', 'blob', entry.oid], { action, signal })).stdout;
      },
      signal,
    );
  }

  /** Refuse new operations and wait for the queued ones. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.queue[Symbol.asyncDispose]();
  }

  private async commitIndex(action: string, options: CommitOptions, message: string, paths: string[], stage: Stager): Promise<string | undefined> {
    const { signal } = options;
    const head = await this.head(action, signal);
    const indexFile = join(this.gitDir, `${INDEX_PREFIX}${randomUUID()}`);
    const env = { GIT_INDEX_FILE: indexFile };
    try {
      if (head) await this.git.run(['read-tree', head.commit], { action, env, signal });
      await stage(env, signal);
      const tree = await this.git.text(['write-tree'], { action, env, signal });
      const base = head?.tree ?? (await this.git.text(['hash-object', '-t', 'tree', '--stdin'], { action, input: '', signal }));
      if (tree === base) {
        this.logger.debug({ paths }, 'nothing to commit');
        return undefined;
      }
      const parents = head ? ['-p', head.commit] : [];
      const commit = await this.git.text(['commit-tree', tree, ...parents], { action, input: message, env: authorEnv(options.author), signal });
      // The commit point: past it, finish without the signal so that HEAD and the index agree.
      if (signal?.aborted) throw abortError(signal, action);
      await this.moveHead(commit, head, message, action);
      await this.syncIndex(commit, paths);
      this.logger.debug({ commit, paths }, 'committed');
      return commit;
    } finally {
      await rm(indexFile, { force: true });
    }
  }

  private async moveHead(commit: string, head: Head | undefined, message: string, action: string): Promise<void> {
    const subject = message.split('\n', 1)[0]!;
    try {
      // The expected old value makes this a compare-and-swap against a commit made by hand meanwhile.
      await this.git.run(['update-ref', '-m', `commit: ${subject}`, 'HEAD', commit, head?.commit ?? ''], { action });
    } catch (err) {
      const now = await this.head(action, undefined).catch(() => head);
      if (now?.commit !== head?.commit) {
        throw new AppError('conflict', `Cannot ${action}: HEAD moved while committing; try again`, { cause: err });
      }
      throw err;
    }
  }

  /** Make the real index match `commit` for `paths`, as `git commit --only` does. Best effort: the commit already exists. */
  private async syncIndex(commit: string, paths: string[]): Promise<void> {
    try {
      await this.git.run(['reset', '--quiet', commit, '--', ...paths], { action: 'update the index after a commit' });
    } catch (err) {
      this.logger.warn({ err: describeError(err), paths }, 'could not update the index after a commit; git status may show the committed paths as staged');
    }
  }

  private async stageChanges(staged: Map<string, Buffer | null | undefined>, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
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

  private async stageMove(from: string, to: string, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, action: string): Promise<void> {
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

  private async head(action: string, signal: AbortSignal | undefined): Promise<Head | undefined> {
    const commit = await this.resolveCommit('HEAD', action, signal);
    if (!commit) return undefined;
    const tree = await this.git.text(['rev-parse', '--verify', `${commit}^{tree}`], { action, signal });
    return { commit, tree };
  }

  /** The full id of commit `rev`, or undefined if there is none (unknown, ambiguous, or not a commit). */
  private async resolveCommit(rev: string, action: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const { code, stdout } = await this.git.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { action, signal, okCodes: [1] });
    return code === 0 ? stdout.toString('utf8').trim() : undefined;
  }
}

const INDEX_PREFIX = 'workbench-index-';
const STALE_INDEX_MS = 60 * 60 * 1000;

/** Private indexes left by a process that died mid-commit (a live one is seconds old at most). */
async function removeStaleIndexes(gitDir: string, logger: Logger): Promise<void> {
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

async function resolveRoot(root: string, action: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(root);
  } catch (err) {
    throw new AppError('not_found', `Cannot ${action}: ${root} does not exist`, { cause: err });
  }
  if (!(await stat(real)).isDirectory()) throw new AppError('bad_request', `Cannot ${action}: ${root} is not a directory`);
  return real;
}

function prepareMessage(options: CommitOptions, action: string): string {
  if (typeof options !== 'object' || options === null) throw new AppError('bad_request', `Cannot ${action}: options are missing`);
  assertGitAuthor(options.author, 'author', action);
  const coAuthors = options.coAuthors ?? [];
  if (!Array.isArray(coAuthors)) throw new AppError('bad_request', `Cannot ${action}: coAuthors is not a list`);
  for (const co of coAuthors) assertGitAuthor(co, 'co-author', action);
  return commitMessage(options.message, options.author, coAuthors, action);
}

/** Validate and de-duplicate changes (the last one for a path wins), in order. */
function planChanges(changes: readonly FileChange[], action: string): Map<string, Buffer | null | undefined> {
  if (!Array.isArray(changes)) throw new AppError('bad_request', `Cannot ${action}: changes is not a list`);
  const staged = new Map<string, Buffer | null | undefined>();
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

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

/** `git ls-tree -z`: "<mode> SP <type> SP <oid> TAB <path> NUL". */
function parseTreeEntries(output: Buffer): TreeEntry[] {
  return splitRecords(output).map((record) => {
    const tab = record.indexOf('\t');
    const [mode = '', type = '', oid = ''] = record.slice(0, tab).split(' ');
    return { mode, type, oid, path: record.slice(tab + 1) };
  });
}

/** `git ls-files -z --stage`: "<mode> SP <oid> SP <stage> TAB <path> NUL". */
function parseIndexEntries(output: Buffer): { mode: string; oid: string; path: string }[] {
  return splitRecords(output).map((record) => {
    const tab = record.indexOf('\t');
    const [mode = '', oid = ''] = record.slice(0, tab).split(' ');
    return { mode, oid, path: record.slice(tab + 1) };
  });
}

function splitRecords(output: Buffer): string[] {
  return output
    .toString('utf8')
    .split('\0')
    .filter((r) => r.includes('\t'));
}
