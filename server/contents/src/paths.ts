/**
 * API paths -> filesystem paths, safely. An API path is relative to the
 * root with "/" separators; nothing may escape the root: no "..", no
 * absolute paths, no NUL bytes, no backslash tricks, no symlink that
 * points outside. Hidden segments (".name") are refused unless allowed;
 * ".git" never is.
 */
import { realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { AppError } from '@workbench/core';

export interface ResolvedPath {
  /** Normalised API path ("" for the root, no leading/trailing "/"). */
  apiPath: string;
  /** Absolute filesystem path inside the root. */
  osPath: string;
}

export function normalizeApiPath(path: string): string {
  if (path.includes('\0')) throw new AppError('bad_request', 'Cannot use path: it contains a NUL byte');
  if (path.includes('\\')) throw new AppError('bad_request', `Cannot use path ${JSON.stringify(path)}: backslashes are not allowed`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (const p of parts) {
    if (p === '..') throw new AppError('not_found', `Cannot use path ${JSON.stringify(path)}: it leaves the root directory`);
  }
  return parts.join('/');
}

export function isHiddenPath(apiPath: string): boolean {
  return apiPath.split('/').some((p) => p.startsWith('.'));
}

export class PathResolver {
  private rootReal: Promise<string> | undefined;

  constructor(
    readonly root: string,
    private readonly allowHidden: boolean,
  ) {}

  /** Whether a directory entry's name may be listed (not hidden unless allowed, never .git or our temp files). */
  isListable(name: string): boolean {
    if (name === '.git' || name.startsWith('.~')) return false;
    return this.allowHidden || !name.startsWith('.');
  }

  /** Resolve and check; `mustExist` is not checked here (the caller stats). */
  async resolve(path: string): Promise<ResolvedPath> {
    const apiPath = normalizeApiPath(path);
    const segments = apiPath === '' ? [] : apiPath.split('/');
    if (segments.some((s) => s === '.git' || s.startsWith('.~'))) throw new AppError('not_found', `Cannot find ${apiPath}: no such file or directory`);
    if (!this.allowHidden && segments.some((s) => s.startsWith('.'))) throw new AppError('not_found', `Cannot find ${apiPath}: no such file or directory (hidden files are not served)`);
    const osPath = resolve(this.root, ...segments);
    const rel = relative(this.root, osPath);
    if (rel.startsWith('..') || rel.includes(`..${sep}`)) throw new AppError('not_found', `Cannot use path ${JSON.stringify(path)}: it leaves the root directory`);
    await this.checkSymlinks(osPath, apiPath);
    return { apiPath, osPath };
  }

  /** The deepest existing ancestor, resolved through symlinks, must stay inside the root. */
  private async checkSymlinks(osPath: string, apiPath: string): Promise<void> {
    this.rootReal ??= realpath(this.root);
    const root = await this.rootReal;
    let probe = osPath;
    for (;;) {
      try {
        const real = await realpath(probe);
        if (real !== root && !real.startsWith(root + sep)) throw new AppError('not_found', `Cannot use path ${JSON.stringify(apiPath)}: it leads outside the root directory`);
        return;
      } catch (err) {
        if (err instanceof AppError) throw err;
        const parent = join(probe, '..');
        if (parent === probe) return;
        probe = parent;
      }
    }
  }
}

/** "a/b/c.ipynb" -> ["a/b", "c.ipynb"] */
export function splitPath(apiPath: string): [string, string] {
  const i = apiPath.lastIndexOf('/');
  return i < 0 ? ['', apiPath] : [apiPath.slice(0, i), apiPath.slice(i + 1)];
}

export function joinApiPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}
