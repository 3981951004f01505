/**
 * JupyterLab workspaces (jupyterlab_server `workspaces_handler.py`), per
 * user: `<user>/workspaces/<slug>.jupyterlab-workspace` holding the JSON
 * JupyterLab sent, verbatim. File names use jupyterlab_server's slug (so
 * files copied from `~/.jupyter/lab/workspaces` work); `metadata.id` must
 * name the workspace being saved.
 */
import { readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { fileTimes, UserFiles } from './user-files';

export const WORKSPACE_EXTENSION = '.jupyterlab-workspace';

export interface Workspace {
  data: Record<string, unknown>;
  metadata: { id: string; last_modified?: string; created?: string; [key: string]: unknown };
}

/** jupyterlab_server's `slugify(name)`: a readable lowercase slug plus 4 hex digits of sha256(name). */
export function workspaceSlug(name: string): string {
  const raw = name.startsWith('/') ? name : `/${name}`;
  const signature = `-${createHash('sha256').update(raw.slice(1), 'utf8').digest('hex').slice(0, 4)}`;
  let value = raw.toLowerCase();
  try {
    value = decodeURIComponent(value);
  } catch {
    /* keep it as it came */
  }
  value = value
    .normalize('NFKC')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[-\s]+/g, '-');
  return value.slice(0, 128 - WORKSPACE_EXTENSION.length - signature.length) + signature;
}

export class WorkspaceStore {
  constructor(private readonly files: UserFiles) {}

  async list(username: string): Promise<{ ids: string[]; values: Workspace[] }> {
    const dir = this.files.dir(username, 'workspaces');
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(WORKSPACE_EXTENSION)).sort();
    } catch {
      names = [];
    }
    const values: Workspace[] = [];
    for (const n of names) {
      const ws = await this.load(join(dir, n));
      if (ws) values.push(ws);
    }
    return { ids: values.map((w) => w.metadata.id), values };
  }

  /** The workspace, or an empty one with that id when none is saved (as jupyterlab_server). */
  async get(username: string, name: string): Promise<Workspace> {
    const ws = await this.load(this.path(username, name));
    return ws ?? { data: {}, metadata: { id: name.startsWith('/') ? name : `/${name}` } };
  }

  async save(username: string, name: string, raw: string): Promise<void> {
    let ws: Workspace;
    try {
      ws = JSON.parse(raw) as Workspace;
    } catch (err) {
      throw new AppError('bad_request', `Cannot save workspace ${name}: ${(err as Error).message}`);
    }
    const id = (ws as { metadata?: { id?: unknown } } | null)?.metadata?.id;
    if (typeof ws !== 'object' || ws === null || typeof id !== 'string') throw new AppError('bad_request', `Cannot save workspace ${name}: expected {"data": {...}, "metadata": {"id": "${name}"}}`);
    let metadataId = id.startsWith('/') ? id : `/${id}`;
    try {
      metadataId = decodeURIComponent(metadataId);
    } catch {
      /* compare as sent */
    }
    if (metadataId !== `/${name}`) throw new AppError('bad_request', `Cannot save workspace ${name}: Workspace metadata ID mismatch: expected '${name}' got '${metadataId}'`);
    const path = this.path(username, name);
    await this.files.serial(path, () => this.files.write(path, raw));
  }

  async delete(username: string, name: string): Promise<void> {
    const path = this.path(username, name);
    await this.files.serial(path, async () => {
      if (!(await this.files.read(path))) throw new AppError('not_found', `Cannot delete workspace ${name}: Workspace '${name}' (${workspaceSlug(name)}) not found`);
      await rm(path);
    });
  }

  private path(username: string, name: string): string {
    if (!name) throw new AppError('bad_request', 'Cannot use a workspace without a name');
    return join(this.files.dir(username, 'workspaces'), workspaceSlug(name) + WORKSPACE_EXTENSION);
  }

  private async load(path: string): Promise<Workspace | undefined> {
    const file = await this.files.read(path);
    if (!file) return undefined;
    let ws: Workspace;
    try {
      ws = JSON.parse(file.text) as Workspace;
    } catch {
      return undefined; // a damaged file is skipped, not fatal to the whole list
    }
    if (typeof ws !== 'object' || ws === null || typeof ws.metadata !== 'object' || ws.metadata === null) return undefined;
    const times = fileTimes(file.stats);
    ws.metadata = { ...ws.metadata, last_modified: times.last_modified!, created: times.created! };
    return ws;
  }
}
