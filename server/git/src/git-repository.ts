/**
 * The workspace's git repository: commit on save, history of a file across
 * renames, and a file's bytes at any version.
 *
 * Every commit is built in a private index (see private-index.ts: only the
 * named paths are staged). The commit is written with plumbing
 * (`commit-tree` + `update-ref`), so no hook, editor or signing ever runs;
 * afterwards the real index is updated for those paths so `git status`
 * agrees with HEAD.
 *
 * All operations on one repository run through one queue: git fails rather
 * than waits when index.lock or a ref lock is held.
 */
import { realpath, stat } from 'node:fs/promises';
import { AppError, Logger, abortError, describeError, silentLogger } from '@workbench/core';
import { toLimit, toRepoPath, toVersion } from './git-args';
import { GitAuthor, assertGitAuthor, authorEnv, commitMessage, committerEnv } from './git-author';
import { parseTreeEntries } from './git-listing';
import { GitRunner } from './git-runner';
import { type FileChange, IndexStager, planChanges, removeStaleIndexes, withPrivateIndex } from './private-index';
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
  private readonly stager: IndexStager;

  private constructor(
    /** Absolute, symlink-free path of the work tree. */
    readonly root: string,
    private readonly git: GitRunner,
    private readonly gitDir: string,
    private readonly logger: Logger,
  ) {
    this.stager = new IndexStager(git, root, logger);
  }

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
      () => this.commitIndex(action, options, message, [...staged.keys()], (env, signal) => this.stager.stageChanges(staged, env, signal, action)),
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
      () => this.commitIndex(action, options, message, [src, dst], (env, signal) => this.stager.stageMove(src, dst, env, signal, action)),
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
    return withPrivateIndex(this.gitDir, async (env) => {
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
    });
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
