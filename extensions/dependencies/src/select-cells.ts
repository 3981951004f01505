/**
 * Which cells take part, and when the server is asked again. Pure.
 *
 * A cell's names can depend on the cells above it (a SQL cell's
 * `%connect X` qualifies the tables of the cells after it; a Python cell
 * may use a connection bound in an earlier one; a builtin counts when some
 * cell rebinds it), so when anything changed the whole notebook is sent and
 * only the answers that differ from what the metadata holds are written.
 */
import type { GraphCell } from '@workbench/dependencies/graph';
import { graphCellOf, readDepsMetadata } from '@workbench/dependencies/metadata';
import { isBlankSource } from '@workbench/dependencies/notebook-cells';
import type { AnalyzeRequestCell, TrackedCell } from './types';

export { analysisUpdates, notebookLanguage, trackedCells, type CellSnapshot } from '@workbench/dependencies/notebook-cells';

const isBlank = isBlankSource;

/**
 * The cells whose stored analysis is missing or of another source. A blank
 * cell never analysed needs none (it names nothing, as a cell without an
 * analysis): so a new notebook's empty cell does not make it unsaved.
 */
export function cellsToAnalyze(cells: readonly TrackedCell[]): TrackedCell[] {
  return cells.filter((c) => {
    const stored = readDepsMetadata(c.metadata)?.analysis;
    return stored ? stored.sourceHash !== c.sourceHash : !isBlank(c.source);
  });
}

/** The notebook's shape for the analysis: ids and hashes in order (a move or a removal changes it too). */
export function analysisSignature(cells: readonly TrackedCell[]): string {
  return cells.map((c) => `${c.id}\u0000${c.sourceHash}`).join('\u0001');
}

/**
 * Whether to ask the server: some cell's analysis is out of date, or the
 * notebook changed shape since the last answer (`lastSignature`; undefined
 * right after opening, when up-to-date metadata is trusted as it is).
 */
export function shouldAnalyze(cells: readonly TrackedCell[], lastSignature: string | undefined): boolean {
  if (cellsToAnalyze(cells).length > 0) return true;
  return lastSignature !== undefined && lastSignature !== analysisSignature(cells);
}

/** The request body's cells. */
export function analyzeRequestCells(cells: readonly TrackedCell[]): AnalyzeRequestCell[] {
  return cells.map(({ id, language, source }) => ({ id, language, source }));
}

/** The graph's view of each tracked cell (its names and last run from the metadata). */
export function graphCells(cells: readonly TrackedCell[]): GraphCell[] {
  return cells.map((c) => graphCellOf({ id: c.id, language: c.language, sourceHash: c.sourceHash }, c.metadata));
}
