/**
 * What a room needs from the workspace, shaped after ContentsManager.get/save
 * (server/contents); server/app passes an adapter over the real manager.
 */
import type { Author } from '@workbench/contents';

export type { Author };
export type DocType = 'notebook' | 'file';

export interface ContentsSnapshot {
  /** Notebook JSON for notebooks, the text for text files. */
  content: unknown;
  format: string | null;
  last_modified: string;
  hash?: string;
}

export interface ContentsPort {
  get(path: string, options: { type: DocType; format?: 'text'; content: true }): Promise<ContentsSnapshot>;
  /** The file's last_modified without reading it (the periodic disk check); absent: every check reads the file. */
  modified?(path: string): Promise<string>;
  /** Write the document; `authors` are the collaborators who edited it since the last save (may be empty). */
  save(path: string, model: { type: DocType; format: 'json' | 'text'; content: unknown }, authors: Author[]): Promise<{ last_modified: string; hash?: string }>;
}

/** Timer functions, injectable so tests drive time instead of sleeping. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The subset of @workbench/contents' ContentsManager that `contentsPortFor` adapts. */
export interface ContentsManagerLike {
  get(path: string, opts: { type?: DocType; format?: 'text' | 'base64'; content?: boolean; hash?: boolean }): Promise<ContentsSnapshot>;
  save(path: string, model: { type?: DocType; format?: 'text' | 'json'; content?: unknown }, user: Author): Promise<{ model: { last_modified: string } }>;
}

/**
 * A ContentsPort over a ContentsManager. The manager records one author per
 * save (a git commit has one author): several collaborators are recorded as
 * "A, B" with the first one's email.
 */
export function contentsPortFor(manager: ContentsManagerLike, fallback: Author = { name: 'Collaboration', email: 'collaboration@workbench.invalid' }): ContentsPort {
  return {
    // With the file's hash (as the contents API gives it): clients compare it before they save.
    get: (path, options) => manager.get(path, { ...options, hash: true }),
    modified: async (path) => (await manager.get(path, { content: false })).last_modified,
    async save(path, model, authors) {
      const user = authors.length === 0 ? fallback : { name: authors.map((a) => a.name).join(', '), email: authors[0]!.email };
      const saved = (await manager.save(path, model, user)).model;
      const { hash } = await manager.get(path, { type: model.type, content: false, hash: true });
      return { last_modified: saved.last_modified, hash };
    },
  };
}
