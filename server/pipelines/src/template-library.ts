/**
 * Templates shipped with the product (`templates/<name>/` in the
 * repository: notebooks, SQL and a pipeline YAML a user opens, reads and
 * changes), installed into a folder of the workspace as ordinary files.
 * Each template folder has a `template.json` {title, description, folder
 * (the default destination)}; in every text file `__FOLDER__` becomes the
 * destination folder, so the pipeline's task paths point at the copies.
 * Installing never overwrites: a destination file that exists refuses the
 * whole install before anything is written.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '@workbench/core';
import { isPipelineFile } from './spec';
import type { PipelineWorkspace } from './task-runner';

export interface TemplateInfo {
  name: string;
  title: string;
  description: string;
  folder: string;
  files: string[];
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FOLDER = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}(\/[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}){0,7}$/;

export class TemplateLibrary {
  constructor(private readonly dir: string) {}

  async list(): Promise<TemplateInfo[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir, { withFileTypes: true })).filter((d) => d.isDirectory() && NAME.test(d.name)).map((d) => d.name);
    } catch {
      return [];
    }
    const out: TemplateInfo[] = [];
    for (const n of names.sort()) out.push(await this.get(n));
    return out;
  }

  async get(name: string): Promise<TemplateInfo> {
    if (!NAME.test(name)) throw new AppError('not_found', `Cannot find template ${JSON.stringify(name.slice(0, 64))}: no such template`);
    let meta: { title?: unknown; description?: unknown; folder?: unknown };
    try {
      meta = JSON.parse(await readFile(join(this.dir, name, 'template.json'), 'utf8')) as typeof meta;
    } catch {
      throw new AppError('not_found', `Cannot find template ${name}: no such template`);
    }
    const files = (await walk(join(this.dir, name))).map((f) => relative(join(this.dir, name), f).split(sep).join('/')).filter((f) => f !== 'template.json');
    return { name, title: String(meta.title ?? name), description: String(meta.description ?? ''), folder: String(meta.folder ?? name), files: files.sort() };
  }

  /** Copies the template into `folder` of the workspace (as `by`); answers the files written and the pipeline file(s). */
  async install(name: string, folder: string | undefined, workspace: PipelineWorkspace, by: string): Promise<{ folder: string; files: string[]; pipelines: string[] }> {
    const t = await this.get(name);
    const dest = (folder ?? t.folder).replace(/\/+$/, '');
    if (!FOLDER.test(dest) || dest.split('/').some((s) => s === '..' || s === '.' || s.startsWith('.'))) throw new AppError('bad_request', `Cannot install template ${name}: folder must be a relative workspace path of letters, digits, _ - . and spaces (got ${JSON.stringify(dest.slice(0, 100))})`);
    const targets = t.files.map((f) => `${dest}/${f}`);
    for (const p of targets) if ((await workspace.readText(p)) !== undefined) throw new AppError('conflict', `Cannot install template ${name} into ${dest}: ${p} exists (nothing was written)`);
    for (const f of t.files) {
      const text = (await readFile(join(this.dir, name, ...f.split('/')), 'utf8')).replaceAll('__FOLDER__', dest);
      await workspace.writeText(`${dest}/${f}`, text, by);
    }
    return { folder: dest, files: targets, pipelines: targets.filter((p) => isPipelineFile(p)) };
  }
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
