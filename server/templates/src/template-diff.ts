/**
 * What changed between two versions of a template: its manifest (title,
 * description, folder, the file opened after install, each parameter by
 * name) and its files, a notebook cell by cell (the version history's
 * notebook diff), any other file line by line. Files only one side has
 * are diffed against nothing, so an added notebook shows its cells.
 */
import { diffLines, diffNotebooks, type LineDiff, type NotebookDiff } from '@workbench/git';
import type { TemplateManifest, TemplateParameter } from './manifest';
import type { TemplateFile } from './render-files';

export interface ManifestChange {
  /** 'title', 'description', 'folder', 'open', or 'parameters.NAME'. */
  field: string;
  old: string | TemplateParameter | null;
  new: string | TemplateParameter | null;
}

export type FileDiff =
  | { path: string; status: 'added' | 'removed' | 'modified'; type: 'notebook'; diff: NotebookDiff }
  | { path: string; status: 'added' | 'removed' | 'modified'; type: 'file'; diff: LineDiff[] }
  | { path: string; status: 'unchanged' };

export interface TemplateDiff {
  template: string;
  from: number;
  to: number;
  manifest: ManifestChange[];
  /** Every file of either version, by path. */
  files: FileDiff[];
}

const EMPTY_NOTEBOOK = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };

export function diffManifests(a: TemplateManifest, b: TemplateManifest): ManifestChange[] {
  const out: ManifestChange[] = [];
  for (const field of ['title', 'description', 'folder', 'open'] as const) {
    const [x, y] = [a[field] ?? null, b[field] ?? null];
    if (x !== y) out.push({ field, old: x, new: y });
  }
  const names = [...new Set([...a.parameters.map((p) => p.name), ...b.parameters.map((p) => p.name)])];
  for (const name of names) {
    const x = a.parameters.find((p) => p.name === name) ?? null;
    const y = b.parameters.find((p) => p.name === name) ?? null;
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ field: `parameters.${name}`, old: x, new: y });
  }
  return out;
}

export function diffTemplateFiles(a: readonly TemplateFile[], b: readonly TemplateFile[]): FileDiff[] {
  const paths = [...new Set([...a.map((f) => f.path), ...b.map((f) => f.path)])].sort();
  return paths.map((path): FileDiff => {
    const x = a.find((f) => f.path === path)?.text;
    const y = b.find((f) => f.path === path)?.text;
    if (x === y) return { path, status: 'unchanged' };
    const status = x === undefined ? 'added' : y === undefined ? 'removed' : 'modified';
    if (path.endsWith('.ipynb')) {
      const [nbA, nbB] = [notebookOf(x), notebookOf(y)];
      if (nbA !== undefined && nbB !== undefined) return { path, status, type: 'notebook', diff: diffNotebooks(nbA, nbB) };
    }
    return { path, status, type: 'file', diff: diffLines(x ?? '', y ?? '') };
  });
}

/** A stored notebook parsed (an absent side: an empty notebook); undefined when it is not notebook JSON. */
function notebookOf(text: string | undefined): unknown {
  if (text === undefined) return EMPTY_NOTEBOOK;
  try {
    const nb = JSON.parse(text) as { cells?: unknown };
    return nb && typeof nb === 'object' && Array.isArray(nb.cells) ? nb : undefined;
  } catch {
    return undefined;
  }
}
