/**
 * Validation of caller input before it becomes a git argument. Paths are
 * relative to the repository root with POSIX separators; versions are commit
 * ids or `HEAD`. Nothing that passes these checks can be read by git as an
 * option, a revision expression or a path outside the work tree.
 */
import { AppError } from '@workbench/core';

/**
 * Normalise a repository-relative path (`a//b/./c/` -> `a/b/c`), or throw a
 * `bad_request` AppError if it is empty, absolute, escapes the root with
 * `..`, or points into `.git`.
 */
export function toRepoPath(input: string, action: string): string {
  if (typeof input !== 'string' || input.length === 0) {
    throw new AppError('bad_request', `Cannot ${action}: the path is empty`);
  }
  const shown = JSON.stringify(input);
  if (input.includes('\0')) {
    throw new AppError('bad_request', `Cannot ${action}: the path ${shown} contains a NUL byte`);
  }
  if (input.startsWith('/')) {
    throw new AppError('bad_request', `Cannot ${action}: the path ${shown} is absolute; paths are relative to the workspace root`);
  }
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new AppError('bad_request', `Cannot ${action}: the path ${shown} leaves the workspace root`);
  }
  if (segments.some((s) => s.toLowerCase() === '.git')) {
    throw new AppError('bad_request', `Cannot ${action}: the path ${shown} is inside the .git directory`);
  }
  if (segments.length === 0) {
    throw new AppError('bad_request', `Cannot ${action}: the path ${shown} names the workspace root, not a file`);
  }
  return segments.join('/');
}

const VERSION = /^(?:HEAD|[0-9a-fA-F]{7,40})$/;

/** Accept `HEAD` or a full or abbreviated (7-40 hex digits) commit id; throw `bad_request` otherwise. */
export function toVersion(input: string, action: string): string {
  if (typeof input !== 'string' || !VERSION.test(input)) {
    throw new AppError('bad_request', `Cannot ${action}: the version ${JSON.stringify(input)} is not a commit id (7-40 hex digits) or HEAD`);
  }
  return input === 'HEAD' ? input : input.toLowerCase();
}

/** A positive integer limit, or undefined for "no limit". */
export function toLimit(input: number | undefined, action: string): number | undefined {
  if (input === undefined) return undefined;
  if (!Number.isSafeInteger(input) || input < 1) {
    throw new AppError('bad_request', `Cannot ${action}: the limit ${String(input)} is not a positive integer`);
  }
  return input;
}
