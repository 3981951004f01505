/**
 * A notebook the server writes (a template install) with each code cell's
 * dependency analysis already in its metadata, exactly as the JupyterLab
 * extension would write it when the notebook opens: the same cells take
 * part (notebook-cells.ts), blank cells get none, and the stored source
 * hash is of the source as written. The extension then finds nothing out
 * of date, asks nothing and writes nothing, so the notebook opens
 * unmodified. An installed copy has never run: execution records carried
 * over from where it came from are dropped.
 */
import { DEPS_METADATA_VERSION, hashSource, readDepsMetadata, withDepsMetadata } from './metadata';
import { analysisUpdates, notebookLanguage, trackedCells } from './notebook-cells';
import type { CellAnalysis, NotebookCellSource } from './types';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sourceOf = (s: unknown): string => (Array.isArray(s) ? s.join('') : typeof s === 'string' ? s : '');

/**
 * The notebook JSON text with the analysis of its code cells written in
 * (`analyze`: the server's analyzer, with the notebook's path for
 * `%build_models`). Text that is not a notebook, or a notebook of a
 * language the server does not analyse, comes back as it was.
 */
export async function withNotebookAnalysis(text: string, analyze: (cells: NotebookCellSource[]) => Promise<CellAnalysis[]>): Promise<string> {
  let nb: { cells?: unknown; metadata?: unknown };
  try {
    nb = JSON.parse(text) as typeof nb;
  } catch {
    return text;
  }
  if (!isObj(nb) || !Array.isArray(nb.cells)) return text;
  const cells = nb.cells.filter(isObj);
  const tracked = trackedCells(
    cells.map((c) => ({ id: typeof c.id === 'string' ? c.id : '', type: String(c.cell_type), source: sourceOf(c.source), metadata: c.metadata })),
    notebookLanguage(nb.metadata),
  );
  if (tracked.length === 0) return text;
  const answers = await analyze(tracked.map(({ id, language, source }) => ({ id, language, source })));
  // The rule the extension writes by (which answers, which cells): one piece of code for both.
  const byId = new Map(await Promise.all(tracked.map(async (t) => [t.id, { ...t, sourceHash: await hashSource(t.source) }] as const)));
  const updates = analysisUpdates(answers, (id) => byId.get(id), (id) => byId.get(id)?.metadata);
  const done = new Set<string>();
  for (const c of cells) {
    // The first cell of an id only, as trackedCells (the extension writes to that one).
    if (c.cell_type !== 'code' || typeof c.id !== 'string' || done.has(c.id) || !byId.has(c.id)) continue;
    done.add(c.id);
    const analysis = updates.get(c.id) ?? readDepsMetadata(c.metadata)?.analysis;
    if (analysis) c.metadata = withDepsMetadata(isObj(c.metadata) ? c.metadata : undefined, { version: DEPS_METADATA_VERSION, analysis });
    else if (readDepsMetadata(c.metadata)?.execution) c.metadata = withDepsMetadata(isObj(c.metadata) ? c.metadata : undefined, { version: DEPS_METADATA_VERSION });
  }
  return `${JSON.stringify(nb, null, 1)}\n`;
}
