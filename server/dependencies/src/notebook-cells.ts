/**
 * Which cells of a notebook take part in dependency tracking, read the same
 * way by the JupyterLab extension (on the open notebook) and by the server
 * (on a notebook it writes: template installs, see notebook-analysis.ts).
 * Pure and browser-safe (the extension imports it as
 * `@workbench/dependencies/notebook-cells`).
 */
import { readDepsMetadata, type StoredAnalysis } from './metadata';
import { CELL_LANGUAGES, type CellAnalysis, type CellLanguage } from './types';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The language of a notebook's code cells, from its kernelspec (`language`,
 * as ipykernel, tslab and the SQL kernel declare it), else `language_info`;
 * null for a language the server does not analyse.
 */
export function notebookLanguage(notebookMetadata: unknown): CellLanguage | null {
  const md = isObj(notebookMetadata) ? notebookMetadata : {};
  const spec = isObj(md.kernelspec) ? md.kernelspec.language : undefined;
  const info = isObj(md.language_info) ? md.language_info.name : undefined;
  const raw = typeof spec === 'string' && spec !== '' ? spec : typeof info === 'string' ? info : '';
  const name = raw.toLowerCase();
  return (CELL_LANGUAGES as readonly string[]).includes(name) ? (name as CellLanguage) : null;
}

/** A notebook cell before hashing: its id, type, source and metadata. */
export interface CellSnapshot {
  id: string;
  type: string;
  source: string;
  metadata: unknown;
}

/** A code cell that takes part. */
export interface NotebookCodeCell {
  id: string;
  language: CellLanguage;
  source: string;
  metadata: unknown;
}

/**
 * The code cells that take part, in notebook order: with a language, only
 * the first of two cells sharing an id (a copy made outside JupyterLab;
 * the graph needs unique ids).
 */
export function trackedCells(cells: readonly CellSnapshot[], language: CellLanguage | null): NotebookCodeCell[] {
  if (!language) return [];
  const seen = new Set<string>();
  const out: NotebookCodeCell[] = [];
  for (const c of cells) {
    if (c.type !== 'code' || c.id === '' || seen.has(c.id)) continue;
    seen.add(c.id);
    out.push({ id: c.id, language, source: c.source, metadata: c.metadata });
  }
  return out;
}

/** A cell that names nothing: never analysed unless it had been (a new notebook's empty cell does not make it unsaved). */
export const isBlankSource = (source: string): boolean => source.trim() === '';

const sameStrings = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The analyses to write: answers for cells still holding the source that
 * was analysed (`currentSource`), that differ from what their metadata
 * holds; not for a blank cell never analysed (see cellsToAnalyze).
 */
export function analysisUpdates(answer: readonly CellAnalysis[], currentSource: (id: string) => { source: string; sourceHash: string } | undefined, currentMetadata: (id: string) => unknown): Map<string, StoredAnalysis> {
  const out = new Map<string, StoredAnalysis>();
  for (const a of answer) {
    const current = currentSource(a.id);
    if (current?.sourceHash !== a.sourceHash) continue;
    const stored = readDepsMetadata(currentMetadata(a.id))?.analysis;
    if (!stored && isBlankSource(current.source)) continue;
    const next: StoredAnalysis = { sourceHash: a.sourceHash, defines: [...a.defines], reads: [...a.reads], ...(a.errors ? { errors: a.errors } : {}) };
    if (stored && stored.sourceHash === next.sourceHash && sameStrings(stored.defines, next.defines) && sameStrings(stored.reads, next.reads) && stored.errors === next.errors) continue;
    out.set(a.id, next);
  }
  return out;
}
