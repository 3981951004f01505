/**
 * The workspace as the pipelines see it, over the contents manager (so
 * pipeline files and run outputs go through the same path checks and git
 * versioning as any save): the `*.pipeline.yaml` files, reading a task's
 * notebook or SQL file, writing pipeline files and output notebooks
 * (each committed to git as it is saved, when versioning is on).
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isAppError } from '@workbench/core';
import type { Author, ContentsManager } from '@workbench/contents';
import { isPipelineFile, type PipelineWorkspace } from '@workbench/pipelines';

const SKIP = new Set(['node_modules', '.ipynb_checkpoints', '__pycache__']);
const MAX_FILES = 20_000;

const author = (user: string): Author => ({ name: user, email: `${user}@workbench.invalid` });

export function contentsPipelineWorkspace(contents: ContentsManager, root: string, runsDir: string): PipelineWorkspace {
  async function walk(dir: string, out: string[], budget: { left: number }): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (budget.left-- <= 0) return;
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      const rel = relative(root, p).split(sep).join('/');
      if (e.isDirectory()) {
        if (rel !== runsDir) await walk(p, out, budget);
      } else if (e.isFile() && isPipelineFile(e.name)) out.push(rel);
    }
  }
  /** The folders above `path`, made when missing. */
  async function parents(path: string, user: string): Promise<void> {
    const dir = path.split('/').slice(0, -1);
    for (let i = 1; i <= dir.length; i++) await contents.save(dir.slice(0, i).join('/'), { type: 'directory' }, author(user)).catch(() => undefined);
  }
  return {
    async listPipelineFiles() {
      const out: string[] = [];
      await walk(root, out, { left: MAX_FILES });
      return out.sort();
    },
    async readText(path) {
      try {
        const m = await contents.get(path, { type: 'file', format: 'text' });
        return typeof m.content === 'string' ? m.content : undefined;
      } catch (err) {
        if (isAppError(err, 'not_found')) return undefined;
        throw err;
      }
    },
    async writeText(path, text, user) {
      await parents(path, user);
      await contents.save(path, { type: 'file', format: 'text', content: text }, author(user));
    },
    async saveNotebook(path, nb, user) {
      await parents(path, user);
      await contents.save(path, { type: 'notebook', content: nb }, author(user));
      // Committed now (a checkpoint), not at the next autosave commit: a run's output is a version of its own.
      await contents.createCheckpoint(path, author(user)).catch((err: unknown) => {
        if (!isAppError(err, 'unavailable')) throw err;
      });
    },
    async deleteFile(path, user) {
      await contents.delete(path, author(user));
    },
  };
}
