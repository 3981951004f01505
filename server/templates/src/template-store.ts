/**
 * Users' templates in the metadata store (`templates`, `template_files`,
 * migration 0010): one row per template, its files beside it. A template
 * is written whole in one transaction (a replacement deletes the old files
 * first), so an install never sees half of one.
 */
import { AppError } from '@workbench/core';
import { isUniqueViolation, type MetadataStore } from '@workbench/store';
import type { TemplateManifest, TemplateParameter } from './manifest';
import type { TemplateFile } from './render-files';

export interface StoredTemplate extends TemplateManifest {
  name: string;
  files: string[];
  size_bytes: number;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
  version: number;
}

export class TemplateStore {
  constructor(private readonly store: MetadataStore) {}

  async list(): Promise<StoredTemplate[]> {
    const rows = await this.store.db.selectFrom('templates').selectAll().orderBy('name').execute();
    const files = await this.store.db.selectFrom('template_files').select(['template', 'path']).orderBy('path').execute();
    return rows.map((r) => toTemplate(r, files.filter((f) => f.template === r.name).map((f) => f.path)));
  }

  async get(name: string): Promise<StoredTemplate | undefined> {
    const r = await this.store.db.selectFrom('templates').selectAll().where('name', '=', name).executeTakeFirst();
    if (!r) return undefined;
    const files = await this.store.db.selectFrom('template_files').select('path').where('template', '=', name).orderBy('path').execute();
    return toTemplate(r, files.map((f) => f.path));
  }

  async files(name: string): Promise<TemplateFile[]> {
    const rows = await this.store.db.selectFrom('template_files').select(['path', 'content']).where('template', '=', name).orderBy('path').execute();
    return rows.map((r) => ({ path: r.path, text: r.content }));
  }

  /**
   * Saves a template whole. `replace`: the version it replaces (it must
   * still be the current one: two people saving over the same template do
   * not silently lose one's work); absent: the name must be free.
   */
  async save(name: string, manifest: TemplateManifest, files: readonly TemplateFile[], by: string, now: number, replace?: number): Promise<StoredTemplate> {
    const size = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
    const row = { title: manifest.title, description: manifest.description, folder: manifest.folder, open: manifest.open ?? null, parameters: JSON.stringify(manifest.parameters), file_count: files.length, size_bytes: size, updated_by: by, updated_at: now };
    try {
      await this.store.transaction(async (trx) => {
        if (replace === undefined) {
          await trx.insertInto('templates').values({ ...row, name, created_by: by, created_at: now, version: 1 }).execute();
        } else {
          const r = await trx.updateTable('templates').set({ ...row, version: replace + 1 }).where('name', '=', name).where('version', '=', replace).executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) throw new AppError('conflict', `Cannot replace template ${name}: it changed since version ${replace} (reload and try again)`);
          await trx.deleteFrom('template_files').where('template', '=', name).execute();
        }
        for (const f of files) await trx.insertInto('template_files').values({ template: name, path: f.path, content: f.text }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `Cannot save template ${name}: a template of that name exists (replace it, or choose another name)`);
      throw err;
    }
    return (await this.get(name))!;
  }

  async remove(name: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      await trx.deleteFrom('template_files').where('template', '=', name).execute();
      const r = await trx.deleteFrom('templates').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}

function toTemplate(
  r: { name: string; title: string; description: string; folder: string; open: string | null; parameters: string; size_bytes: number | string; created_by: string; created_at: number | string; updated_by: string; updated_at: number | string; version: number },
  files: string[],
): StoredTemplate {
  const t: StoredTemplate = {
    name: r.name,
    title: r.title,
    description: r.description,
    folder: r.folder,
    parameters: JSON.parse(r.parameters) as TemplateParameter[],
    files,
    size_bytes: Number(r.size_bytes),
    created_by: r.created_by,
    created_at: Number(r.created_at),
    updated_by: r.updated_by,
    updated_at: Number(r.updated_at),
    version: r.version,
  };
  if (r.open !== null) t.open = r.open;
  return t;
}
