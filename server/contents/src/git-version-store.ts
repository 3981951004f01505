/**
 * Versioning on git: checkpoints are commits, autosaves are batched, the
 * authenticated user is the author, renames and deletes are commits so
 * history stays reachable, and restores are new commits (nothing lost).
 * Optional output stripping: the file on disk keeps its outputs; the
 * commit does not.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, Logger, silentLogger } from '@workbench/core';
import { CommitBatcher, GitRepository, VersionInfo } from '@workbench/git';
import type { Author, Checkpoint, VersionStore } from './model';
import { NotebookJSON, serializeNotebook, stripOutputs } from './nbformat';

export interface GitVersionStoreOptions {
  repo: GitRepository;
  root: string;
  stripOutputs: boolean;
  autosaveDebounceMs?: number;
  autosaveMaxDelayMs?: number;
  /** How many checkpoints JupyterLab is shown (the newest N, oldest first). */
  maxCheckpoints?: number;
  logger?: Logger;
}

export class GitVersionStore implements VersionStore, AsyncDisposable {
  private readonly batcher: CommitBatcher;
  private readonly logger: Logger;

  constructor(private readonly options: GitVersionStoreOptions) {
    this.logger = options.logger ?? silentLogger;
    this.batcher = new CommitBatcher({
      repository: options.repo,
      debounceMs: options.autosaveDebounceMs,
      maxDelayMs: options.autosaveMaxDelayMs,
      transform: (path, content) => this.transform(path, content),
      logger: this.logger,
    });
  }

  get repo(): GitRepository {
    return this.options.repo;
  }

  /** Strip outputs from notebooks before they are staged, when the workspace asks for it. */
  transform(path: string, content: Buffer): Buffer | undefined {
    if (!this.options.stripOutputs || !path.endsWith('.ipynb')) return undefined;
    try {
      return Buffer.from(serializeNotebook(stripOutputs(JSON.parse(content.toString('utf8')) as NotebookJSON)));
    } catch {
      return undefined; // not valid JSON: commit as is rather than lose it
    }
  }

  private async stagedContent(path: string): Promise<Buffer | null | undefined> {
    try {
      const bytes = await readFile(join(this.options.root, path));
      return this.transform(path, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  recordSave(path: string, user: Author): void {
    this.batcher.record(path, user);
  }

  async checkpoint(path: string, user: Author): Promise<Checkpoint> {
    // Commit now under the checkpointing user; the pending autosave of this path then has nothing left to commit.
    await this.options.repo.commit([{ path, content: await this.stagedContent(path) }], { author: user, message: `Checkpoint ${path}` });
    await this.batcher.flush(path);
    const v = await this.options.repo.headVersion(path);
    if (!v) throw new AppError('internal', `Cannot create a checkpoint of ${path}: nothing was committed`);
    return { id: v.id, last_modified: v.time };
  }

  async listCheckpoints(path: string): Promise<Checkpoint[]> {
    const versions = await this.options.repo.log(path, { limit: this.options.maxCheckpoints ?? 20 });
    return versions
      .filter((v) => v.change !== 'deleted')
      .reverse()
      .map((v) => ({ id: v.id, last_modified: v.time }));
  }

  /** Versions of a path, newest first (following renames). */
  versions(path: string, limit?: number): Promise<VersionInfo[]> {
    return this.options.repo.log(path, { limit });
  }

  async contentAt(path: string, version: string): Promise<Buffer> {
    const versions = await this.options.repo.log(path);
    const v = versions.find((x) => x.id === version || x.short === version || x.id.startsWith(version));
    if (!v) throw new AppError('not_found', `Cannot find version ${version} of ${path}`);
    return this.options.repo.show(v.path, v.id);
  }

  settle(path: string): Promise<void> {
    return this.batcher.flush(path);
  }

  async recordRestore(path: string, version: string, user: Author): Promise<void> {
    await this.options.repo.commit([{ path, content: await this.stagedContent(path) }], { author: user, message: `Restore ${path} to version ${version.slice(0, 8)}` });
  }

  async recordRename(from: string, to: string, user: Author): Promise<void> {
    await this.batcher.flush(from);
    await this.options.repo.commit(
      [
        { path: from, content: null },
        { path: to, content: await this.stagedContent(to) },
      ],
      { author: user, message: `Rename ${from} to ${to}` },
    );
  }

  async recordDelete(path: string, user: Author): Promise<void> {
    await this.batcher.flush(path);
    await this.options.repo.commit([{ path, content: null }], { author: user, message: `Delete ${path}` });
  }

  async deleteCheckpoint(): Promise<void> {
    // Versions are permanent history; deleting a checkpoint hides nothing and loses nothing.
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.batcher[Symbol.asyncDispose]();
  }
}
