/**
 * The `ReadModels` of the server: reads a `%build_models` folder through
 * the Contents API, so its path checks apply (nothing outside the
 * workspace root, no hidden file, no symlink leading out), and parses it
 * with the SQL kernel's own `parseModelFolder` and `buildOrder`: the
 * analysis sees the models the kernel would build (same file naming,
 * `-- model:` names, `schema.yml` checks), and a folder the kernel would
 * refuse is noted in the cell's `errors` with the kernel's message.
 */
import { AppError } from '@workbench/core';
import { buildOrder, modelFolderFile, parseModelFolder } from '@workbench/sql-kernel/models/model-folder';
import type { ModelSource, ReadModels } from './sql-analyzer';

/** What the reader needs of the Contents API (`ContentsManager` of @workbench/contents has it). */
export interface ModelFolderContents {
  get(path: string, options: { type: 'directory' } | { type: 'file'; format: 'text' }): Promise<{ content: unknown }>;
}

export interface ContentsModelReaderOptions {
  /** Most model files (`*.sql`, `schema.yml`) read from one folder (default 1000). */
  maxFiles?: number;
  /** Largest model file read, in bytes (default 1 MiB). */
  maxFileBytes?: number;
}

interface Entry {
  name: string;
  type: string;
  size: number | null;
}

const isEntry = (e: unknown): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).name === 'string' && typeof (e as Entry).type === 'string';

/** Reads a folder (its workspace path) through `contents`: its models in build order. */
export function contentsModelReader(contents: ModelFolderContents, options: ContentsModelReaderOptions = {}): ReadModels {
  const maxFiles = options.maxFiles ?? 1000;
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
  return async (folder: string, signal?: AbortSignal): Promise<ModelSource[]> => {
    const shown = folder || '/';
    // The Contents API's own refusals (no such folder, a path leading outside the root) are the message.
    const listing = (await contents.get(folder, { type: 'directory' })).content;
    signal?.throwIfAborted();
    if (!Array.isArray(listing)) throw new AppError('internal', `Cannot read the models: the listing of ${shown} is not a list`);
    const entries = listing.filter(isEntry).filter((e) => e.type !== 'directory' && modelFolderFile(e.name) !== undefined);
    if (entries.length > maxFiles) throw new AppError('bad_request', `Cannot read the models: ${shown} holds ${entries.length} model files, more than ${maxFiles}`);
    const files: { name: string; text: string }[] = [];
    for (const e of entries) {
      const path = folder ? `${folder}/${e.name}` : e.name;
      if (e.size !== null && e.size > maxFileBytes) throw new AppError('bad_request', `Cannot read model ${path}: it is ${e.size} bytes, more than ${maxFileBytes}`);
      const text = (await contents.get(path, { type: 'file', format: 'text' })).content;
      signal?.throwIfAborted();
      if (typeof text !== 'string') throw new AppError('internal', `Cannot read model ${path}: its content is not text`);
      files.push({ name: e.name, text });
    }
    const { models } = parseModelFolder(shown, files);
    return buildOrder(models).map((m) => ({ name: m.name, sql: m.sql }));
  };
}
