/**
 * Persistent file ids (jupyter_server_fileid's role): a document's
 * collaboration room is named by an id that survives renames and moves, so
 * clients editing `a.ipynb` keep their room when it becomes `old/a.ipynb`.
 * Paths are Contents API paths ('dir/a.ipynb', no leading slash).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@workbench/core';
import { Database, openDatabase } from './sqlite';

export interface FileIdsOptions {
  /** Folder for the SQLite file (`file-ids.db`). */
  dataDir: string;
}

export function normalizeApiPath(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (p.split('/').some((s) => s === '..' || s === '.')) throw new AppError('bad_request', `Cannot index ${path}: relative segments are not allowed`);
  return p;
}

export class FileIds implements AsyncDisposable {
  private readonly db: Database;

  constructor(options: FileIdsOptions) {
    this.db = openDatabase(options.dataDir, 'file-ids.db');
    this.db.exec(`CREATE TABLE IF NOT EXISTS files (
      id TEXT PRIMARY KEY,
      path TEXT NOT NULL UNIQUE
    )`);
  }

  /** The id of `path`, created on first request. */
  getId(path: string): string {
    const p = normalizeApiPath(path);
    const row = this.db.prepare<[string]>('SELECT id FROM files WHERE path = ?').get(p) as { id: string } | undefined;
    if (row) return row.id;
    const id = randomUUID();
    this.db.prepare<[string, string]>('INSERT INTO files (id, path) VALUES (?, ?)').run(id, p);
    return id;
  }

  /** The id of `path` if it has one (no creation). */
  findId(path: string): string | undefined {
    const row = this.db.prepare<[string]>('SELECT id FROM files WHERE path = ?').get(normalizeApiPath(path)) as { id: string } | undefined;
    return row?.id;
  }

  /** The current path of an id, or undefined when unknown or deleted. */
  getPath(id: string): string | undefined {
    const row = this.db.prepare<[string]>('SELECT path FROM files WHERE id = ?').get(id) as { path: string } | undefined;
    return row?.path;
  }

  /**
   * A file or a whole directory moved: everything at or under `from` now lives
   * under `to` with the same ids. Ids that were at `to` (an overwritten
   * target) are dropped.
   */
  move(from: string, to: string): void {
    const src = normalizeApiPath(from);
    const dst = normalizeApiPath(to);
    if (src === dst) return;
    if (src === '' || dst.startsWith(`${src}/`)) throw new AppError('bad_request', `Cannot move ${from} to ${to}: a folder cannot move into itself`);
    this.db.transaction(() => {
      this.deleteTree(dst);
      const rows = this.underTree(src);
      const update = this.db.prepare<[string, string]>('UPDATE files SET path = ? WHERE id = ?');
      // Two passes through a temporary prefix: a swap of names never hits the UNIQUE constraint halfway.
      for (const r of rows) update.run(`\u0000${r.id}`, r.id);
      for (const r of rows) update.run(dst + r.path.slice(src.length), r.id);
    })();
  }

  /** Forget `path` and everything under it; returns the ids that were dropped. */
  delete(path: string): string[] {
    const p = normalizeApiPath(path);
    return this.db.transaction(() => this.deleteTree(p))();
  }

  private underTree(p: string): { id: string; path: string }[] {
    return this.db
      .prepare<[string, string, string]>("SELECT id, path FROM files WHERE path = ? OR substr(path, 1, length(?) + 1) = ? || '/'")
      .all(p, p, p) as { id: string; path: string }[];
  }

  private deleteTree(p: string): string[] {
    const del = this.db.prepare<[string]>('DELETE FROM files WHERE id = ?');
    const rows = this.underTree(p);
    for (const r of rows) del.run(r.id);
    return rows.map((r) => r.id);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
