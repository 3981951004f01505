/**
 * The workspace as the templates library sees it, over the contents
 * manager: saving a template reads files through the same path checks as
 * any GET (hidden files refused when they are), installing writes through
 * the same saves (versioned, events sent, so open file browsers follow).
 */
import { isAppError } from '@workbench/core';
import type { Author, ContentsManager, ContentsModel } from '@workbench/contents';
import type { TemplateWorkspace } from '@workbench/templates';

const author = (user: string): Author => ({ name: user, email: `${user}@workbench.invalid` });
const MAX_FILES = 1000;

export function contentsTemplateWorkspace(contents: ContentsManager): TemplateWorkspace {
  async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (isAppError(err, 'not_found')) return undefined;
      throw err;
    }
  }
  async function walk(folder: string, out: string[]): Promise<void> {
    const m = await contents.get(folder, { type: 'directory', content: true });
    for (const child of (m.content as ContentsModel[]) ?? []) {
      if (out.length >= MAX_FILES) return;
      if (child.name.startsWith('.')) continue;
      if (child.type === 'directory') await walk(child.path, out);
      else out.push(child.path);
    }
  }
  return {
    async readText(path) {
      const m = await orUndefined(contents.get(path, { format: 'text', content: true }));
      if (!m) return undefined;
      if (m.type === 'directory') return undefined;
      if (m.type === 'notebook') return JSON.stringify(m.content);
      return typeof m.content === 'string' ? m.content : undefined;
    },
    async listFiles(folder) {
      const m = await orUndefined(contents.get(folder, { content: false }));
      if (!m || m.type !== 'directory') return undefined;
      const out: string[] = [];
      await walk(folder, out);
      return out.sort();
    },
    async exists(path) {
      return (await orUndefined(contents.get(path, { content: false }))) !== undefined;
    },
    async writeText(path, text, user) {
      const dir = path.split('/').slice(0, -1);
      for (let i = 1; i <= dir.length; i++) {
        const p = dir.slice(0, i).join('/');
        if (!(await orUndefined(contents.get(p, { content: false })))) await contents.save(p, { type: 'directory' }, author(user));
      }
      if (path.endsWith('.ipynb')) await contents.save(path, { type: 'notebook', content: JSON.parse(text) as unknown }, author(user));
      else await contents.save(path, { type: 'file', format: 'text', content: text }, author(user));
    },
  };
}
