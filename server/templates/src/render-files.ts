/**
 * A template's files made ready for one install, in three ways:
 *
 * - In every text file, `{{ template.NAME }}` becomes the parameter's
 *   value and `{{ template.folder }}` (or the older `__FOLDER__`) the
 *   destination folder. A pipeline's own `{{ params.x }}`, `{{ period.* }}`
 *   and the like are left alone: only the `template.` names are the
 *   template's. A name the template does not declare is an error, so a
 *   typo is caught when the template is saved, not in someone's install.
 * - A notebook's cell tagged `parameters` gets the values as its new
 *   defaults, for the names it assigns (as if its author had typed them; a
 *   pipeline's run still injects its own after it).
 * - A pipeline file's `parameters:` get the values as their `default`s,
 *   for the names it declares; the result must still be a valid pipeline.
 */
import { parseDocument } from 'yaml';
import { AppError } from '@workbench/core';
import { setParameterDefaults, type NotebookDocument } from '@workbench/executor';
import { isPipelineFile, parsePipeline } from '@workbench/pipelines';
import type { ParameterValue } from './parameter-values';

export interface TemplateFile {
  /** Relative to the template (and to the destination folder). */
  path: string;
  text: string;
}

export interface RenderContext {
  template: string;
  folder: string;
  /** Parameters declared by the template. */
  declared: readonly string[];
  /** Values for this install (declared names only; an optional one may be absent). */
  values: Readonly<Record<string, ParameterValue>>;
  /**
   * What JupyterLab writes into a notebook's metadata when a kernel of this
   * name connects (`kernelspec`, and `language_info` once such a kernel has
   * run here); written into installed notebooks, so one opens unmodified.
   */
  kernelMetadata?: ReadonlyMap<string, NotebookKernelMetadata>;
}

export interface NotebookKernelMetadata {
  kernelspec: { name: string; display_name: string; language?: string };
  language_info?: Record<string, unknown>;
}

/** The kernel names the template's notebooks ask for (for `RenderContext.kernelMetadata`). */
export function notebookKernelNames(files: readonly TemplateFile[]): string[] {
  const names = new Set<string>();
  for (const f of files) {
    if (!f.path.endsWith('.ipynb')) continue;
    try {
      const name = (JSON.parse(f.text) as { metadata?: { kernelspec?: { name?: unknown } } })?.metadata?.kernelspec?.name;
      if (typeof name === 'string' && name) names.add(name);
    } catch {
      // Not JSON: rendering says so.
    }
  }
  return [...names];
}

const PLACEHOLDER = /\{\{\s*template\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The `{{ template.X }}` names a text uses that the template does not declare. */
export function undeclaredNames(text: string, declared: readonly string[]): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (m[1] !== 'folder' && !declared.includes(m[1]!)) out.add(m[1]!);
  return [...out];
}

function substitute(text: string, ctx: RenderContext, path: string): string {
  return text.replaceAll('__FOLDER__', ctx.folder).replace(PLACEHOLDER, (_all, name: string) => {
    if (name === 'folder') return ctx.folder;
    if (!ctx.declared.includes(name)) throw new AppError('bad_request', `Cannot install template ${ctx.template}: ${path} uses {{ template.${name} }}, which the template does not declare`);
    const v = ctx.values[name];
    return v === undefined ? '' : String(v);
  });
}

function notebookLanguage(nb: NotebookDocument): string {
  const ks = nb.metadata.kernelspec as { language?: unknown } | undefined;
  const li = nb.metadata.language_info as { name?: unknown } | undefined;
  return typeof ks?.language === 'string' ? ks.language : typeof li?.name === 'string' ? li.name : 'python';
}

function renderNotebook(file: TemplateFile, ctx: RenderContext): string {
  let nb: NotebookDocument;
  try {
    nb = JSON.parse(file.text) as NotebookDocument;
  } catch {
    throw new AppError('bad_request', `Cannot install template ${ctx.template}: ${file.path} is not a notebook (not JSON)`);
  }
  if (nb === null || typeof nb !== 'object' || !Array.isArray(nb.cells)) throw new AppError('bad_request', `Cannot install template ${ctx.template}: ${file.path} is not a notebook (no cells)`);
  nb.metadata ??= {};
  const ks = nb.metadata.kernelspec as { name?: unknown } | undefined;
  const known = typeof ks?.name === 'string' ? ctx.kernelMetadata?.get(ks.name) : undefined;
  if (known) {
    nb.metadata.kernelspec = { ...known.kernelspec };
    if (known.language_info) nb.metadata.language_info = structuredClone(known.language_info);
  }
  for (const cell of nb.cells) {
    const src = Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
    cell.source = substitute(src, ctx, file.path);
  }
  const values = Object.fromEntries(Object.entries(ctx.values));
  if (Object.keys(values).length > 0 && nb.cells.some((c) => Array.isArray(c.metadata?.tags) && (c.metadata.tags as unknown[]).includes('parameters'))) {
    nb = setParameterDefaults(nb, values, notebookLanguage(nb)).notebook;
  }
  return `${JSON.stringify(nb, null, 1)}\n`;
}

function renderPipeline(file: TemplateFile, ctx: RenderContext): string {
  let text = substitute(file.text, ctx, file.path);
  const doc = parseDocument(text, { keepSourceTokens: false });
  const declared = doc.get('parameters');
  let changed = false;
  if (declared && typeof declared === 'object' && 'has' in declared) {
    for (const [name, value] of Object.entries(ctx.values)) {
      if ((declared as { has(k: string): boolean }).has(name)) {
        doc.setIn(['parameters', name, 'default'], value);
        changed = true;
      }
    }
  }
  if (changed) text = doc.toString({ lineWidth: 0 });
  try {
    parsePipeline(text, file.path);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AppError('bad_request', `Cannot install template ${ctx.template} with these values: ${message}`);
  }
  return text;
}

/** The files as this install writes them. */
export function renderFiles(files: readonly TemplateFile[], ctx: RenderContext): TemplateFile[] {
  return files.map((f) => ({
    path: f.path,
    text: f.path.endsWith('.ipynb') ? renderNotebook(f, ctx) : isPipelineFile(f.path) ? renderPipeline(f, ctx) : substitute(f.text, ctx, f.path),
  }));
}
