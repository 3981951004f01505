/** @workbench/git: git-backed versioning for the contents API. */
export { GitRepository } from './git-repository';
export type { GitRepositoryOptions, CommitOptions, ReadOptions, LogOptions } from './git-repository';
export type { FileChange } from './private-index';
export { CommitBatcher, systemTimers } from './commit-batcher';
export type { CommitBatcherOptions, BatcherTimers, BatchCommitted, BatchFailed } from './commit-batcher';
export type { GitAuthor } from './git-author';
export type { VersionInfo, VersionChange } from './version-info';
export * from './notebook-diff';
