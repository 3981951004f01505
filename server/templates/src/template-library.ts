/**
 * The templates library: the templates shipped with Workbench (a folder
 * per template with its `template.json`, read-only) and those users saved
 * from their own notebooks and pipelines (the metadata store), listed
 * together, installed the same way.
 *
 * Installing copies a template's files into a workspace folder with the
 * values given for its parameters (see render-files.ts). It never
 * overwrites: a file that exists at the destination refuses the whole
 * install before anything is written, and so do bad values, an unknown
 * connection or a pipeline the values would break.
 *
 * Saving reads workspace files or folders (as the person saving), clears
 * notebooks' outputs and run records (a template carries code, not last
 * month's figures or who ran them),
 * refuses what is not text, and checks every `{{ template.X }}` is declared.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { AppError, type Logger } from '@workbench/core';
import { isPipelineFile } from '@workbench/pipelines';
import type { MetadataStore } from '@workbench/store';
import { isFolder, parseManifest, TEMPLATE_NAME, type TemplateManifest } from './manifest';
import { resolveValues, type ConnectionLookup } from './parameter-values';
import { notebookKernelNames, renderFiles, undeclaredNames, type NotebookKernelMetadata, type TemplateFile } from './render-files';
import { TemplateStore, type StoredVersion } from './template-store';
import { diffTemplateFiles, diffManifests, type TemplateDiff } from './template-diff';

export interface TemplateInfo extends TemplateManifest {
  name: string;
  source: 'shipped' | 'user';
  files: string[];
  /** The files that are pipelines (registered when installed). */
  pipelines: string[];
  /** Users' templates: who saved it, when, how many times. */
  created_by?: string;
  updated_by?: string;
  updated_at?: number;
  version?: number;
}

/** The workspace as templates see it (over the contents manager: path checks, versioning). */
export interface TemplateWorkspace {
  /** A file's text; undefined when there is none. */
  readText(path: string): Promise<string | undefined>;
  /** Files under a folder (relative workspace paths, hidden ones left out); undefined when it is not a folder. */
  listFiles(folder: string): Promise<string[] | undefined>;
  exists(path: string): Promise<boolean>;
  writeText(path: string, text: string, by: string): Promise<void>;
}

export interface TemplateLibraryOptions {
  /** The shipped templates' folder (the repository's `templates/`). */
  shippedDir: string;
  store: MetadataStore;
  workspace: TemplateWorkspace;
  /** Checks connection parameters; without it their values are only checked for shape. */
  connections?: ConnectionLookup;
  now?: () => number;
  limits?: { maxFiles?: number; maxBytes?: number };
  /** The metadata a kernel of this name gives a notebook (kernelspec, language_info); undefined when unknown. */
  kernelMetadata?: (name: string) => Promise<NotebookKernelMetadata | undefined>;
  /**
   * An installed notebook's text with what JupyterLab's extensions would
   * write into it on opening already there (the cells' dependency analysis),
   * so it opens unmodified. `path`: where it is installed. When it fails,
   * the notebook is installed as rendered (the extension writes the
   * analysis on opening instead) and the failure is logged.
   */
  prepareNotebook?: (path: string, text: string) => Promise<string>;
  logger?: Logger;
}

/** One saved version of a user's template, as its history lists it. */
export interface TemplateVersionInfo extends Omit<StoredVersion, 'template'> {
  /** The version installs take now. */
  current: boolean;
}

export interface SaveRequest extends Partial<TemplateManifest> {
  name: string;
  /** Workspace files and folders to take. One folder: its files keep their paths inside it. */
  paths: string[];
  /** The version being replaced (from the list); absent for a new template. */
  replace?: number;
}

export interface InstallResult {
  template: string;
  folder: string;
  files: string[];
  pipelines: string[];
  /** The file to open (the template's `open`, else its first pipeline or notebook). */
  open: string | null;
  values: Record<string, string | number | boolean>;
  /** The version installed (users' templates); null for a shipped one. */
  version: number | null;
}

const SKIP = new Set(['.ipynb_checkpoints', '__pycache__', 'node_modules']);

export class TemplateLibrary {
  private readonly users: TemplateStore;
  private readonly maxFiles: number;
  private readonly maxBytes: number;

  constructor(private readonly options: TemplateLibraryOptions) {
    this.users = new TemplateStore(options.store);
    this.maxFiles = options.limits?.maxFiles ?? 200;
    this.maxBytes = options.limits?.maxBytes ?? 10 * 1024 * 1024;
  }

  async list(): Promise<TemplateInfo[]> {
    const shipped: TemplateInfo[] = [];
    for (const name of await this.shippedNames()) shipped.push(await this.shipped(name));
    const users = (await this.users.list()).map(userInfo);
    return [...shipped, ...users].sort((a, b) => a.title.localeCompare(b.title) || a.name.localeCompare(b.name));
  }

  /** A template as it is now, or as it was at `version` (users' templates only). */
  async get(name: string, version?: number): Promise<TemplateInfo> {
    if (!TEMPLATE_NAME.test(name)) throw notFound(name);
    if ((await this.shippedNames()).includes(name)) {
      if (version !== undefined) throw new AppError('not_found', `Cannot find version ${version} of template ${name}: it is shipped with Workbench, which keeps no versions of it (its history is Workbench's own)`);
      return this.shipped(name);
    }
    const u = await this.users.get(name);
    if (!u) throw notFound(name);
    if (version === undefined || version === u.version) return userInfo(u);
    const v = await this.users.version(name, version);
    if (!v) throw versionNotFound(name, version, u.version);
    const { open: _currentOpen, ...current } = userInfo(u);
    return { ...current, ...manifestOfVersion(v), files: v.files, pipelines: v.files.filter((f) => isPipelineFile(f)), updated_by: v.saved_by, updated_at: v.saved_at, version: v.version };
  }

  /** One file of a template (at `version`) as stored, before any values: for a preview. */
  async file(name: string, path: string, version?: number): Promise<string> {
    const t = await this.get(name, version);
    if (!t.files.includes(path)) throw new AppError('not_found', `Cannot find ${JSON.stringify(path.slice(0, 200))} in template ${name}${version === undefined ? '' : ` version ${version}`}`);
    return (await this.filesOf(t)).find((f) => f.path === path)!.text;
  }

  /** Every saved version of a user's template, newest first; a shipped template has none. */
  async history(name: string): Promise<TemplateVersionInfo[]> {
    const t = await this.get(name);
    if (t.source === 'shipped') return [];
    return (await this.users.versions(name)).map((v) => versionInfo(v, v.version === t.version));
  }

  /**
   * What changed from version `from` to version `to` (default: the current
   * one): the manifest's fields and parameters, and each file, notebooks
   * cell by cell.
   */
  async diff(name: string, from: number, to?: number): Promise<TemplateDiff> {
    const a = await this.get(name, from);
    if (a.source === 'shipped') throw new AppError('not_found', `Cannot compare versions of template ${name}: it is shipped with Workbench, which keeps no versions of it`);
    const b = await this.get(name, to);
    const [oldFiles, newFiles] = [await this.filesOf(a), await this.filesOf(b)];
    return { template: name, from: a.version!, to: b.version!, manifest: diffManifests(a, b), files: diffTemplateFiles(oldFiles, newFiles) };
  }

  /**
   * Makes an old version current again by saving its content as a new
   * version (the history keeps every version). `replace` is the current
   * version, as for a save; the same people may do it.
   */
  async restore(name: string, request: { version?: unknown; replace?: unknown }, by: string, mayReplaceOthers: boolean): Promise<TemplateInfo> {
    const { version, replace } = request;
    if (!Number.isSafeInteger(version) || (version as number) < 1) throw new AppError('bad_request', `Cannot restore template ${name}: version must be the number of the version to restore`);
    if (!Number.isSafeInteger(replace)) throw new AppError('bad_request', `Cannot restore template ${name}: replace must be the current version (the one being replaced)`);
    const t = await this.get(name);
    if (t.source === 'shipped') throw new AppError('forbidden', `Cannot restore template ${name}: it is shipped with Workbench`);
    if (t.created_by !== by && !mayReplaceOthers) throw new AppError('forbidden', `Cannot restore template ${name}: ${t.created_by!} saved it (an engineer or admin may restore it)`);
    if (version === t.version) throw new AppError('bad_request', `Cannot restore template ${name}: version ${t.version!} is the current one`);
    const v = await this.users.version(name, version as number);
    if (!v) throw versionNotFound(name, version as number, t.version!);
    const saved = await this.users.save(name, { manifest: manifestOfVersion(v), files: await this.users.versionFiles(name, v.version), by, now: this.now(), replace: replace as number, restoredFrom: v.version });
    return userInfo(saved);
  }

  async install(name: string, request: { folder?: string; values?: Record<string, unknown>; version?: number }, by: string): Promise<InstallResult> {
    const t = await this.get(name, request.version);
    const folder = (request.folder ?? t.folder).replace(/\/+$/, '');
    if (!isFolder(folder)) throw new AppError('bad_request', `Cannot install template ${name}: folder must be a relative workspace path of letters, digits, _ - . and spaces (got ${JSON.stringify(folder.slice(0, 100))})`);
    const values = await resolveValues(name, t.parameters, request.values ?? {}, this.options.connections);
    const stored = await this.filesOf(t);
    const kernelMetadata = new Map<string, NotebookKernelMetadata>();
    for (const kernel of notebookKernelNames(stored)) {
      const known = await this.options.kernelMetadata?.(kernel);
      if (known) kernelMetadata.set(kernel, known);
    }
    const files = renderFiles(stored, { template: name, folder, declared: t.parameters.map((p) => p.name), values, kernelMetadata });
    for (const f of files) if (f.path.endsWith('.ipynb')) f.text = await this.prepared(`${folder}/${f.path}`, f.text);
    const targets = files.map((f) => `${folder}/${f.path}`);
    for (const p of targets) if (await this.options.workspace.exists(p)) throw new AppError('conflict', `Cannot install template ${name} into ${folder}: ${p} exists (nothing was written)`);
    for (const f of files) await this.options.workspace.writeText(`${folder}/${f.path}`, f.text, by);
    const pipelines = targets.filter((p) => isPipelineFile(p));
    const open = t.open ? `${folder}/${t.open}` : (pipelines[0] ?? targets.find((p) => p.endsWith('.ipynb')) ?? null);
    return { template: name, folder, files: targets, pipelines, open, values, version: t.version ?? null };
  }

  /**
   * Saves workspace files as a user's template (`replace`: over the given
   * version, which `mayReplace` must allow when another user saved it).
   */
  async save(request: SaveRequest, by: string, mayReplaceOthers: boolean): Promise<TemplateInfo> {
    const name = request.name;
    if (typeof name !== 'string' || !TEMPLATE_NAME.test(name)) throw new AppError('bad_request', `Cannot save template: name must be 1-64 lowercase letters, digits and - (got ${JSON.stringify(String(name).slice(0, 64))})`);
    if ((await this.shippedNames()).includes(name)) throw new AppError('conflict', `Cannot save template ${name}: a template shipped with Workbench has that name`);
    if (!Array.isArray(request.paths) || request.paths.length === 0 || request.paths.length > 50 || !request.paths.every((p) => typeof p === 'string')) throw new AppError('bad_request', `Cannot save template ${name}: paths must list 1 to 50 workspace files or folders`);
    const existing = await this.users.get(name);
    if (request.replace !== undefined) {
      if (!existing) throw notFound(name);
      if (existing.created_by !== by && !mayReplaceOthers) throw new AppError('forbidden', `Cannot replace template ${name}: ${existing.created_by} saved it (an engineer or admin may replace it)`);
    }
    const { files, base } = await this.collect(name, request.paths);
    const first = files.find((f) => isPipelineFile(f.path)) ?? files.find((f) => f.path.endsWith('.ipynb'));
    const manifest = parseManifest(
      { title: request.title, description: request.description, folder: request.folder, open: request.open, parameters: request.parameters },
      name,
      { title: name, folder: base ?? name },
    );
    if (manifest.open !== undefined && !files.some((f) => f.path === manifest.open)) throw new AppError('bad_request', `Cannot save template ${name}: open names ${manifest.open}, which is not one of its files`);
    if (manifest.open === undefined && first) manifest.open = first.path;
    const declared = manifest.parameters.map((p) => p.name);
    for (const f of files) {
      const bad = undeclaredNames(f.text, declared);
      if (bad.length > 0) throw new AppError('bad_request', `Cannot save template ${name}: ${f.path} uses ${bad.map((b) => `{{ template.${b} }}`).join(', ')}, not among its parameters (${declared.join(', ') || 'none'})`);
    }
    const saved = await this.users.save(name, { manifest, files, by, now: this.now(), replace: request.replace });
    return userInfo(saved);
  }

  async remove(name: string, by: string, mayRemoveOthers: boolean): Promise<void> {
    if ((await this.shippedNames()).includes(name)) throw new AppError('forbidden', `Cannot delete template ${name}: it is shipped with Workbench`);
    const t = await this.users.get(name);
    if (!t) throw notFound(name);
    if (t.created_by !== by && !mayRemoveOthers) throw new AppError('forbidden', `Cannot delete template ${name}: ${t.created_by} saved it (an engineer or admin may delete it)`);
    await this.users.remove(name);
  }

  /** The files a save takes, relative to the template, cleaned. */
  private async collect(name: string, paths: string[]): Promise<{ files: TemplateFile[]; base?: string }> {
    const ws = this.options.workspace;
    const entries: { source: string; path: string }[] = [];
    const clean = paths.map((p) => p.replace(/^\/+|\/+$/g, ''));
    const folders: string[] = [];
    for (const p of clean) {
      if (p === '' || p.split('/').some((s) => s === '..' || s === '.')) throw new AppError('bad_request', `Cannot save template ${name}: ${JSON.stringify(p.slice(0, 200))} is not a workspace path`);
      const inside = await ws.listFiles(p);
      if (inside) {
        folders.push(p);
        const prefix = clean.length === 1 ? p : p.split('/').slice(0, -1).join('/');
        for (const f of inside) if (!f.split('/').some((s) => SKIP.has(s))) entries.push({ source: f, path: prefix ? f.slice(prefix.length + 1) : f });
      } else entries.push({ source: p, path: basename(p) });
    }
    const base = clean.length === 1 && folders.length === 1 ? basename(folders[0]!) : undefined;
    if (entries.length === 0) throw new AppError('bad_request', `Cannot save template ${name}: ${clean.join(', ')} holds no files`);
    if (entries.length > this.maxFiles) throw new AppError('bad_request', `Cannot save template ${name}: ${entries.length} files is more than ${this.maxFiles}`);
    const twice = entries.find((e, i) => entries.findIndex((x) => x.path === e.path) !== i);
    if (twice) throw new AppError('bad_request', `Cannot save template ${name}: two files would both be ${twice.path} in it (save their folder instead)`);
    const files: TemplateFile[] = [];
    let bytes = 0;
    for (const e of entries) {
      const text = await ws.readText(e.source);
      if (text === undefined) throw new AppError('not_found', `Cannot save template ${name}: ${e.source} does not exist`);
      if (text.includes('\u0000') || text.includes('\ufffd')) throw new AppError('bad_request', `Cannot save template ${name}: ${e.source} is not text (templates hold notebooks, SQL, code and text files)`);
      bytes += Buffer.byteLength(text);
      if (bytes > this.maxBytes) throw new AppError('bad_request', `Cannot save template ${name}: its files are larger than ${Math.round(this.maxBytes / 1024 / 1024)} MB`);
      let out = e.path.endsWith('.ipynb') ? clearOutputs(text, e.source, name) : text;
      // A pipeline saved with its folder names its notebooks by that folder: point it at wherever the template is installed.
      if (isPipelineFile(e.path) && clean.length === 1 && folders.length === 1) out = out.replaceAll(`${folders[0]}/`, '{{ template.folder }}/');
      files.push({ path: e.path, text: out });
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    return { files, base };
  }

  private async shippedNames(): Promise<string[]> {
    try {
      return (await readdir(this.options.shippedDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory() && TEMPLATE_NAME.test(d.name))
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  }

  private async shipped(name: string): Promise<TemplateInfo> {
    const dir = join(this.options.shippedDir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(dir, 'template.json'), 'utf8'));
    } catch (err) {
      throw new AppError('internal', `Cannot read template ${name}: its template.json is missing or not JSON`, { cause: err });
    }
    const m = parseManifest(raw, name, { folder: name });
    const files = (await walk(dir)).map((f) => relative(dir, f).split(sep).join('/')).filter((f) => f !== 'template.json').sort();
    return { name, source: 'shipped', ...m, files, pipelines: files.filter((f) => isPipelineFile(f)) };
  }

  private async prepared(path: string, text: string): Promise<string> {
    const prepare = this.options.prepareNotebook;
    if (!prepare) return text;
    try {
      return await prepare(path, text);
    } catch (err) {
      this.options.logger?.warn({ path, err: err instanceof Error ? err.message : String(err) }, 'could not prepare an installed notebook (installed as rendered)');
      return text;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async filesOf(t: TemplateInfo): Promise<TemplateFile[]> {
    if (t.source === 'user') return this.users.versionFiles(t.name, t.version!);
    const dir = join(this.options.shippedDir, t.name);
    const out: TemplateFile[] = [];
    for (const f of t.files) out.push({ path: f, text: await readFile(join(dir, ...f.split('/')), 'utf8') });
    return out;
  }
}

function notFound(name: string): AppError {
  return new AppError('not_found', `Cannot find template ${JSON.stringify(name.slice(0, 64))}: no such template`);
}

function versionNotFound(name: string, version: number, current: number): AppError {
  return new AppError('not_found', `Cannot find version ${version} of template ${name}: its versions are 1 to ${current} (some may have been saved before history was kept)`);
}

function manifestOfVersion(v: StoredVersion): TemplateManifest {
  const m: TemplateManifest = { title: v.title, description: v.description, folder: v.folder, parameters: v.parameters };
  if (v.open !== undefined) m.open = v.open;
  return m;
}

function versionInfo(v: StoredVersion, current: boolean): TemplateVersionInfo {
  const { template: _template, ...info } = v;
  return { ...info, current };
}

function userInfo(t: import('./template-store').StoredTemplate): TemplateInfo {
  const info: TemplateInfo = { name: t.name, source: 'user', title: t.title, description: t.description, folder: t.folder, parameters: t.parameters, files: t.files, pipelines: t.files.filter((f) => isPipelineFile(f)), created_by: t.created_by, updated_by: t.updated_by, updated_at: t.updated_at, version: t.version };
  if (t.open !== undefined) info.open = t.open;
  return info;
}

/** A notebook with its outputs and execution counts cleared (not JSON: refused). */
function clearOutputs(text: string, path: string, name: string): string {
  let nb: { cells?: Array<Record<string, unknown>> };
  try {
    nb = JSON.parse(text) as typeof nb;
  } catch {
    throw new AppError('bad_request', `Cannot save template ${name}: ${path} is not a notebook (not JSON)`);
  }
  if (!nb || !Array.isArray(nb.cells)) throw new AppError('bad_request', `Cannot save template ${name}: ${path} is not a notebook (no cells)`);
  for (const c of nb.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
      dropExecutionRecord(c);
    }
  }
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** The dependency tracker's record of the cell's last run (who ran it, when, in which kernel) is the author's, not the template's. */
function dropExecutionRecord(cell: Record<string, unknown>): void {
  const md = cell.metadata as { workbench?: { deps?: Record<string, unknown> } } | undefined;
  const deps = md?.workbench?.deps;
  if (deps && typeof deps === 'object' && 'execution' in deps) delete deps.execution;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
