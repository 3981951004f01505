/**
 * The Contents API over a workspace folder (jupyter_server
 * services/contents semantics): get, new untitled, copy, rename, save
 * (incl. chunked upload), delete, checkpoints. Saves are atomic and
 * serialised per path; every change is published on `onDidChange` and
 * handed to the version store (git).
 */
import { createHash } from 'node:crypto';
import { access, constants, copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { AppError, Emitter, KeyedQueue, Logger, silentLogger } from '@workbench/core';
import { atomicWrite, fsyncDir } from './atomic-write';
import { saveChunk, uploadProgressModel } from './chunked-upload';
import { mimeFor } from './mime';
import { Author, Checkpoint, ContentFormat, ContentsEvent, ContentsModel, ContentType, VersionStore } from './model';
import { ensureCellIds, NbFormat, NotebookJSON, serializeNotebook, toApiNotebook } from './nbformat';
import { joinApiPath, PathResolver, ResolvedPath, splitPath } from './paths';

export interface ContentsManagerOptions {
  root: string;
  allowHidden?: boolean;
  /** Largest file a save or upload may produce. */
  maxFileBytes: number;
  versions?: VersionStore;
  logger?: Logger;
}

export interface GetOptions {
  type?: ContentType;
  format?: 'text' | 'base64';
  content?: boolean;
  hash?: boolean;
  /**
   * Called once the path is known to be a file or notebook whose content
   * will be read, before it is read (the audit log records the read here:
   * audit-hook.ts). Not called for a directory or without `content`.
   */
  beforeContent?: (type: 'notebook' | 'file') => void;
}

export interface SaveModel {
  type?: ContentType;
  format?: 'text' | 'base64' | 'json';
  content?: unknown;
  chunk?: number;
}

const notFound = (path: string) => new AppError('not_found', `Cannot find ${path || '/'}: no such file or directory`);

export class ContentsManager {
  private readonly paths: PathResolver;
  private readonly nb = new NbFormat();
  private readonly logger: Logger;
  /** Per-path tail of the save queue: concurrent saves of one file run one after another. */
  /** Saves (and other writes) of one file are serialised. */
  private readonly queue = new KeyedQueue();
  private readonly changes = new Emitter<ContentsEvent>();
  /** File saved, created, renamed or deleted (collaboration, catalog and scheduler subscribe). */
  readonly onDidChange = this.changes.event;

  constructor(private readonly options: ContentsManagerOptions) {
    this.paths = new PathResolver(options.root, options.allowHidden ?? false);
    this.logger = options.logger ?? silentLogger;
  }

  get root(): string {
    return this.options.root;
  }

  resolve(path: string): Promise<ResolvedPath> {
    return this.paths.resolve(path);
  }

  private serial<T>(apiPath: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(apiPath, fn);
  }

  private async statOrNotFound(r: ResolvedPath): Promise<Stats> {
    try {
      return await stat(r.osPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') throw notFound(r.apiPath);
      throw err;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat((await this.paths.resolve(path)).osPath);
      return true;
    } catch {
      return false;
    }
  }

  async get(path: string, opts: GetOptions = {}): Promise<ContentsModel> {
    const r = await this.paths.resolve(path);
    const st = await this.statOrNotFound(r);
    const wantContent = opts.content ?? true;
    if (st.isDirectory()) {
      if (opts.type && opts.type !== 'directory') throw new AppError('bad_request', `Cannot get ${r.apiPath || '/'} as ${opts.type}: it is a directory`);
      const model = await this.baseModel(r, st, 'directory');
      if (wantContent) {
        model.format = 'json';
        model.content = await this.listDirectory(r);
      }
      return model;
    }
    if (opts.type === 'directory') throw new AppError('bad_request', `Cannot get ${r.apiPath} as a directory: it is a file`);
    const isNotebook = opts.type === 'notebook' || (opts.type === undefined && r.apiPath.endsWith('.ipynb'));
    if (wantContent) opts.beforeContent?.(isNotebook ? 'notebook' : 'file');
    const model = await this.baseModel(r, st, isNotebook ? 'notebook' : 'file');
    const needBytes = wantContent || opts.hash;
    const bytes = needBytes ? await readFile(r.osPath) : undefined;
    if (opts.hash && bytes) {
      model.hash = createHash('sha256').update(bytes).digest('hex');
      model.hash_algorithm = 'sha256';
    }
    if (!wantContent || !bytes) return model;
    if (isNotebook) {
      let nb: NotebookJSON;
      try {
        nb = JSON.parse(bytes.toString('utf8')) as NotebookJSON;
      } catch (err) {
        throw new AppError('bad_request', `Cannot read notebook ${r.apiPath}: Unreadable Notebook: ${(err as Error).message}`);
      }
      const message = this.nb.validate(nb);
      if (message) model.message = message;
      model.content = typeof nb === 'object' && nb && Array.isArray(nb.cells) ? toApiNotebook(nb) : nb;
      model.format = 'json';
      return model;
    }
    const text = opts.format === 'base64' ? undefined : decodeUtf8(bytes);
    if (opts.format === 'text' && text === undefined) throw new AppError('bad_request', `Cannot read ${r.apiPath} as text: it is not UTF-8 encoded`);
    if (text !== undefined) {
      model.content = text;
      model.format = 'text';
      model.mimetype ??= 'text/plain';
    } else {
      model.content = bytes.toString('base64');
      model.format = 'base64';
      model.mimetype ??= 'application/octet-stream';
    }
    return model;
  }

  private async baseModel(r: ResolvedPath, st: Stats, type: ContentType): Promise<ContentsModel> {
    let writable = true;
    try {
      await access(r.osPath, constants.W_OK);
    } catch {
      writable = false;
    }
    return { ...this.modelFromStat(r, st, type), writable };
  }

  /** The model without content; `writable` from the mode bits (listings skip one access() per entry). */
  private modelFromStat(r: ResolvedPath, st: Stats, type: ContentType): ContentsModel {
    const [, name] = splitPath(r.apiPath);
    const uid = process.getuid?.();
    const writable = uid === 0 || (uid === st.uid ? (st.mode & 0o200) !== 0 : (st.mode & 0o022) !== 0);
    return {
      name,
      path: r.apiPath,
      type,
      writable,
      created: (st.birthtimeMs > 0 ? st.birthtime : st.ctime).toISOString(),
      last_modified: st.mtime.toISOString(),
      size: type === 'directory' ? null : st.size,
      mimetype: type === 'file' ? (mimeFor(name) ?? null) : null,
      content: null,
      format: null as ContentFormat,
    };
  }

  /**
   * A directory's entries. Plain entries of an already-checked directory
   * cannot escape the root, so only symlinks go through the full path check;
   * stats run concurrently in bounded batches (a 5,000-file folder is one
   * readdir plus 5,000 stats, not 20,000 sequential syscalls).
   */
  private async listDirectory(r: ResolvedPath): Promise<ContentsModel[]> {
    const entries = (await readdir(r.osPath, { withFileTypes: true })).filter((e) => this.paths.isListable(e.name));
    const models: (ContentsModel | undefined)[] = new Array(entries.length);
    const BATCH = 128;
    for (let i = 0; i < entries.length; i += BATCH) {
      await Promise.all(
        entries.slice(i, i + BATCH).map(async (entry, j) => {
          const apiPath = joinApiPath(r.apiPath, entry.name);
          let cr: ResolvedPath = { apiPath, osPath: join(r.osPath, entry.name) };
          try {
            if (entry.isSymbolicLink()) cr = await this.paths.resolve(apiPath);
            const st = await stat(cr.osPath);
            models[i + j] = this.modelFromStat(cr, st, st.isDirectory() ? 'directory' : entry.name.endsWith('.ipynb') ? 'notebook' : 'file');
          } catch {
            // a symlink leading outside, a broken link, or gone meanwhile: not listed
          }
        }),
      );
    }
    return models.filter((m): m is ContentsModel => m !== undefined);
  }

  /** POST without copy_from: a new "Untitled" file, notebook or folder in `dir`. */
  async newUntitled(dir: string, opts: { type?: ContentType; ext?: string }, user: Author): Promise<ContentsModel> {
    const d = await this.paths.resolve(dir);
    const st = await this.statOrNotFound(d);
    if (!st.isDirectory()) throw new AppError('bad_request', `Cannot create in ${d.apiPath}: it is not a directory`);
    const type = opts.type ?? (opts.ext === '.ipynb' ? 'notebook' : 'file');
    const ext = type === 'notebook' ? '.ipynb' : type === 'directory' ? '' : (opts.ext ?? '');
    const base = type === 'directory' ? 'Untitled Folder' : type === 'notebook' ? 'Untitled' : 'untitled';
    const name = await this.freeName(d.apiPath, base, ext, type === 'directory' ? ' ' : '');
    return this.createAt(joinApiPath(d.apiPath, name), type, user);
  }

  private async createAt(path: string, type: ContentType, user: Author): Promise<ContentsModel> {
    const r = await this.paths.resolve(path);
    if (type === 'directory') {
      await mkdir(r.osPath);
    } else if (type === 'notebook') {
      await atomicWrite(r.osPath, serializeNotebook({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    } else {
      await atomicWrite(r.osPath, '');
    }
    this.changed({ type: 'created', path: r.apiPath, user });
    return this.get(r.apiPath, { content: false });
  }

  /** "Untitled.ipynb", "Untitled1.ipynb", ... (jupyter_server increment_filename). */
  private async freeName(dir: string, base: string, ext: string, insert: string): Promise<string> {
    for (let i = 0; i < 10_000; i++) {
      const name = `${base}${i === 0 ? '' : `${insert}${i}`}${ext}`;
      if (!(await this.exists(joinApiPath(dir, name)))) return name;
    }
    throw new AppError('conflict', `Cannot create a new file in ${dir || '/'}: too many untitled files`);
  }

  /** POST {copy_from}: copy a file into `toDir` as "name-Copy1.ext". */
  async copy(from: string, toDir: string, user: Author): Promise<ContentsModel> {
    const src = await this.paths.resolve(from);
    const st = await this.statOrNotFound(src);
    if (st.isDirectory()) throw new AppError('bad_request', `Cannot copy ${src.apiPath}: copying directories is not supported`);
    const d = await this.paths.resolve(toDir);
    const dst = await this.statOrNotFound(d);
    if (!dst.isDirectory()) throw new AppError('bad_request', `Cannot copy into ${d.apiPath}: it is not a directory`);
    const [, name] = splitPath(src.apiPath);
    const dot = name.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    const target = joinApiPath(d.apiPath, await this.freeCopy(d.apiPath, base, ext));
    const t = await this.paths.resolve(target);
    await copyFile(src.osPath, t.osPath);
    await fsyncDir(splitPath(t.osPath)[0] || '/');
    this.changed({ type: 'created', path: t.apiPath, user });
    this.options.versions?.recordSave(t.apiPath, user);
    return this.get(t.apiPath, { content: false });
  }

  private async freeCopy(dir: string, base: string, ext: string): Promise<string> {
    for (let i = 1; i < 10_000; i++) {
      const name = `${base}-Copy${i}${ext}`;
      if (!(await this.exists(joinApiPath(dir, name)))) return name;
    }
    throw new AppError('conflict', `Cannot copy into ${dir || '/'}: too many copies`);
  }

  /** PUT: save a file, notebook or directory (or one chunk of an upload). 201 when it did not exist. */
  async save(path: string, model: SaveModel, user: Author): Promise<{ model: ContentsModel; created: boolean }> {
    const r = await this.paths.resolve(path);
    if (r.apiPath === '') throw new AppError('bad_request', 'Cannot save the root directory');
    return this.serial(r.apiPath, async () => {
      const existed = await this.exists(r.apiPath);
      let message: string | undefined;
      const type = model.type ?? (r.apiPath.endsWith('.ipynb') ? 'notebook' : 'file');
      if (model.content === undefined && model.type !== 'directory') {
        if (existed) throw new AppError('bad_request', `Cannot save ${r.apiPath}: no content provided`);
        return { model: await this.createAt(r.apiPath, type, user), created: true };
      }
      if (type === 'directory') {
        await mkdir(r.osPath, { recursive: true });
      } else if (type === 'notebook') {
        if (typeof model.content !== 'object' || model.content === null || Array.isArray(model.content)) throw new AppError('bad_request', `Cannot save notebook ${r.apiPath}: content must be a notebook JSON object`);
        // The parsed request body is ours alone: fill in ids in place rather than deep-copying 20 MB.
        const nb = ensureCellIds(model.content as NotebookJSON);
        message = this.nb.validate(nb);
        const text = serializeNotebook(nb);
        this.checkSize(r.apiPath, Buffer.byteLength(text));
        await this.write(r, text);
      } else {
        if (typeof model.content !== 'string') throw new AppError('bad_request', `Cannot save ${r.apiPath}: content must be a string`);
        if (model.format !== 'text' && model.format !== 'base64') throw new AppError('bad_request', `Cannot save ${r.apiPath}: format must be "text" or "base64"`);
        const bytes = model.format === 'base64' ? Buffer.from(model.content, 'base64') : Buffer.from(model.content, 'utf8');
        if (model.chunk !== undefined) {
          const done = await saveChunk(r, model.chunk, bytes, { checkSize: (n) => this.checkSize(r.apiPath, n), write: (data) => this.write(r, data) });
          if (!done) return { model: await uploadProgressModel(r), created: !existed };
        } else {
          this.checkSize(r.apiPath, bytes.length);
          await this.write(r, bytes);
        }
      }
      this.changed({ type: existed ? 'saved' : 'created', path: r.apiPath, user });
      if (type !== 'directory') this.options.versions?.recordSave(r.apiPath, user);
      const out = await this.get(r.apiPath, { content: false });
      if (message) out.message = message;
      return { model: out, created: !existed };
    });
  }

  private checkSize(path: string, n: number): void {
    if (n > this.options.maxFileBytes) throw new AppError('payload_too_large', `Cannot save ${path}: ${n} bytes is over the limit of ${this.options.maxFileBytes} bytes`);
  }

  private async write(r: ResolvedPath, data: Buffer | string): Promise<void> {
    try {
      await atomicWrite(r.osPath, data);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new AppError('insufficient_storage', `Cannot save ${r.apiPath}: the disk is full; the previous version is untouched`, { cause: err });
      if (code === 'ENOENT') throw new AppError('not_found', `Cannot save ${r.apiPath}: its directory does not exist`, { cause: err });
      if (code === 'EISDIR') throw new AppError('bad_request', `Cannot save ${r.apiPath}: it is a directory`, { cause: err });
      if (code === 'EACCES' || code === 'EPERM') throw new AppError('forbidden', `Cannot save ${r.apiPath}: permission denied`, { cause: err });
      throw err;
    }
  }

  /** PATCH {path}: rename or move. 409 if the target exists. */
  async rename(from: string, to: string, user: Author): Promise<ContentsModel> {
    const src = await this.paths.resolve(from);
    const dst = await this.paths.resolve(to);
    if (src.apiPath === '' || dst.apiPath === '') throw new AppError('bad_request', 'Cannot rename the root directory');
    if (src.apiPath === dst.apiPath) return this.get(dst.apiPath, { content: false });
    await this.statOrNotFound(src);
    if (await this.exists(dst.apiPath)) throw new AppError('conflict', `Cannot rename ${src.apiPath} to ${dst.apiPath}: File already exists: ${dst.apiPath}`);
    await this.serial(src.apiPath, async () => {
      try {
        await rename(src.osPath, dst.osPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `Cannot rename ${src.apiPath} to ${dst.apiPath}: the target directory does not exist`);
        throw err;
      }
    });
    this.changed({ type: 'renamed', path: dst.apiPath, oldPath: src.apiPath, user });
    await this.options.versions?.recordRename(src.apiPath, dst.apiPath, user);
    return this.get(dst.apiPath, { content: false });
  }

  /** DELETE: a file, or an empty directory (like jupyter_server without trash). History stays in git. */
  async delete(path: string, user: Author): Promise<void> {
    const r = await this.paths.resolve(path);
    if (r.apiPath === '') throw new AppError('bad_request', 'Cannot delete the root directory');
    const st = await this.statOrNotFound(r);
    await this.serial(r.apiPath, async () => {
      if (st.isDirectory()) {
        const entries = (await readdir(r.osPath)).filter((e) => !e.startsWith('.ipynb_checkpoints'));
        if (entries.length > 0) throw new AppError('bad_request', `Cannot delete directory ${r.apiPath}: it is not empty`);
        await rm(r.osPath, { recursive: true });
      } else {
        await rm(r.osPath);
      }
    });
    this.changed({ type: 'deleted', path: r.apiPath, user });
    if (!st.isDirectory()) await this.options.versions?.recordDelete(r.apiPath, user);
  }

  private versions(path: string): VersionStore {
    if (!this.options.versions) throw new AppError('unavailable', `Cannot use checkpoints for ${path}: versioning is off`);
    return this.options.versions;
  }

  async listCheckpoints(path: string): Promise<Checkpoint[]> {
    const r = await this.paths.resolve(path);
    await this.statOrNotFound(r);
    return this.versions(r.apiPath).listCheckpoints(r.apiPath);
  }

  async createCheckpoint(path: string, user: Author): Promise<Checkpoint> {
    const r = await this.paths.resolve(path);
    const st = await this.statOrNotFound(r);
    if (st.isDirectory()) throw new AppError('bad_request', `Cannot create a checkpoint of ${r.apiPath}: it is a directory`);
    return this.serial(r.apiPath, () => this.versions(r.apiPath).checkpoint(r.apiPath, user));
  }

  /** Restore a version (checkpoint id or any version id): itself a new commit, nothing lost. */
  async restoreVersion(path: string, version: string, user: Author): Promise<ContentsModel> {
    const r = await this.paths.resolve(path);
    const v = this.versions(r.apiPath);
    await this.serial(r.apiPath, async () => {
      const bytes = await v.contentAt(r.apiPath, version);
      // Unsaved-to-git autosaves are the working copy's history: commit them before overwriting it.
      await v.settle(r.apiPath);
      await this.write(r, bytes);
      await v.recordRestore(r.apiPath, version, user);
    });
    this.changed({ type: 'saved', path: r.apiPath, user });
    return this.get(r.apiPath, { content: false });
  }

  async deleteCheckpoint(path: string, id: string): Promise<void> {
    const r = await this.paths.resolve(path);
    await this.versions(r.apiPath).deleteCheckpoint(r.apiPath, id);
  }

  private changed(e: ContentsEvent): void {
    this.logger.debug({ event: e.type, path: e.path }, 'contents changed');
    this.changes.fire(e);
  }

  dispose(): void {
    this.changes.dispose();
  }
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
