/**
 * Users' templates in the metadata store. `templates` (migration 0010)
 * holds one row per template: its current manifest and which version is
 * current; `template_versions` / `template_version_files` (0012) hold every
 * version ever saved, whole, the current one included (its files are read
 * from there). A save writes the row and the new version in one
 * transaction, so an install never sees half of a template and the
 * history never misses a version. Versions are never rewritten: a restore
 * saves an old version's content as a new version.
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

/** One saved version, as the history lists it. */
export interface StoredVersion extends TemplateManifest {
  template: string;
  version: number;
  files: string[];
  size_bytes: number;
  saved_by: string;
  saved_at: number;
  /** The version this one restored; absent for a save. */
  restored_from?: number;
}

export interface SaveVersion {
  manifest: TemplateManifest;
  files: readonly TemplateFile[];
  by: string;
  now: number;
  /** The version it replaces (it must still be the current one); absent: a new template, the name must be free. */
  replace?: number;
  /** A restore: the version whose content this is. */
  restoredFrom?: number;
}

export class TemplateStore {
  constructor(private readonly store: MetadataStore) {}

  async list(): Promise<StoredTemplate[]> {
    const rows = await this.store.db.selectFrom('templates').selectAll().orderBy('name').execute();
    const files = await this.store.db
      .selectFrom('template_version_files as f')
      .innerJoin('templates as t', (j) => j.onRef('t.name', '=', 'f.template').onRef('t.version', '=', 'f.version'))
      .select(['f.template', 'f.path'])
      .orderBy('f.path')
      .execute();
    return rows.map((r) => toTemplate(r, files.filter((f) => f.template === r.name).map((f) => f.path)));
  }

  async get(name: string): Promise<StoredTemplate | undefined> {
    const r = await this.store.db.selectFrom('templates').selectAll().where('name', '=', name).executeTakeFirst();
    if (!r) return undefined;
    return toTemplate(r, await this.filePaths(name, r.version));
  }

  /** Every saved version of a template, newest first ([] when there is no such template). */
  async versions(name: string): Promise<StoredVersion[]> {
    const rows = await this.store.db.selectFrom('template_versions').selectAll().where('template', '=', name).orderBy('version', 'desc').execute();
    const files = await this.store.db.selectFrom('template_version_files').select(['version', 'path']).where('template', '=', name).orderBy('path').execute();
    return rows.map((r) => toVersion(r, files.filter((f) => f.version === r.version).map((f) => f.path)));
  }

  async version(name: string, version: number): Promise<StoredVersion | undefined> {
    const r = await this.store.db.selectFrom('template_versions').selectAll().where('template', '=', name).where('version', '=', version).executeTakeFirst();
    if (!r) return undefined;
    return toVersion(r, await this.filePaths(name, version));
  }

  private async filePaths(name: string, version: number): Promise<string[]> {
    const rows = await this.store.db.selectFrom('template_version_files').select('path').where('template', '=', name).where('version', '=', version).orderBy('path').execute();
    return rows.map((f) => f.path);
  }

  async versionFiles(name: string, version: number): Promise<TemplateFile[]> {
    const rows = await this.store.db.selectFrom('template_version_files').select(['path', 'content']).where('template', '=', name).where('version', '=', version).orderBy('path').execute();
    return rows.map((r) => ({ path: r.path, text: r.content }));
  }

  /**
   * Saves a template whole as its next version. `replace`: the version it
   * replaces (it must still be the current one: two people saving over the
   * same template do not silently lose one's work).
   */
  async save(name: string, s: SaveVersion): Promise<StoredTemplate> {
    const { manifest, files, by, now, replace } = s;
    const size = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
    const row = { title: manifest.title, description: manifest.description, folder: manifest.folder, open: manifest.open ?? null, parameters: JSON.stringify(manifest.parameters), file_count: files.length, size_bytes: size };
    const version = replace === undefined ? 1 : replace + 1;
    try {
      await this.store.transaction(async (trx) => {
        if (replace === undefined) {
          await trx.insertInto('templates').values({ ...row, name, created_by: by, created_at: now, updated_by: by, updated_at: now, version }).execute();
          // A template deleted and saved again starts a new history.
          await trx.deleteFrom('template_version_files').where('template', '=', name).execute();
          await trx.deleteFrom('template_versions').where('template', '=', name).execute();
        } else {
          const r = await trx.updateTable('templates').set({ ...row, updated_by: by, updated_at: now, version }).where('name', '=', name).where('version', '=', replace).executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) throw new AppError('conflict', `Cannot replace template ${name}: it changed since version ${replace} (reload and try again)`);
        }
        await trx.insertInto('template_versions').values({ ...row, template: name, version, saved_by: by, saved_at: now, restored_from: s.restoredFrom ?? null }).execute();
        for (const f of files) await trx.insertInto('template_version_files').values({ template: name, version, path: f.path, content: f.text }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `Cannot save template ${name}: a template of that name exists (replace it, or choose another name)`);
      throw err;
    }
    return (await this.get(name))!;
  }

  /** Deletes a template with its history. */
  async remove(name: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      await trx.deleteFrom('template_version_files').where('template', '=', name).execute();
      await trx.deleteFrom('template_versions').where('template', '=', name).execute();
      const r = await trx.deleteFrom('templates').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}

interface ManifestRow {
  title: string;
  description: string;
  folder: string;
  open: string | null;
  parameters: string;
  size_bytes: number | string;
}

function manifestOf(r: ManifestRow): TemplateManifest {
  const m: TemplateManifest = { title: r.title, description: r.description, folder: r.folder, parameters: JSON.parse(r.parameters) as TemplateParameter[] };
  if (r.open !== null) m.open = r.open;
  return m;
}

function toTemplate(
  r: ManifestRow & { name: string; created_by: string; created_at: number | string; updated_by: string; updated_at: number | string; version: number },
  files: string[],
): StoredTemplate {
  return {
    name: r.name,
    ...manifestOf(r),
    files,
    size_bytes: Number(r.size_bytes),
    created_by: r.created_by,
    created_at: Number(r.created_at),
    updated_by: r.updated_by,
    updated_at: Number(r.updated_at),
    version: r.version,
  };
}

function toVersion(r: ManifestRow & { template: string; version: number; saved_by: string; saved_at: number | string; restored_from: number | null }, files: string[]): StoredVersion {
  const v: StoredVersion = { template: r.template, version: r.version, ...manifestOf(r), files, size_bytes: Number(r.size_bytes), saved_by: r.saved_by, saved_at: Number(r.saved_at) };
  if (r.restored_from !== null) v.restored_from = r.restored_from;
  return v;
}
