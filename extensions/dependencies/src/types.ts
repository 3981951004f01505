/**
 * The shapes the notebook side of dependency tracking works with. The graph
 * and the cell-metadata format are @workbench/dependencies' own
 * (`/graph`, `/metadata`: browser-safe, imported as they are); what the
 * analyse route answers is mirrored here, checked in validate.ts.
 */
import type { GraphCell } from '@workbench/dependencies/graph';

export type { CellState, CellStatus, DependencyEdge, DependencyGraph, DependencyWarning, GraphCell, StaleReason } from '@workbench/dependencies/graph';
export type { DepsMetadata, StoredAnalysis } from '@workbench/dependencies/metadata';

/** `python`, `sql` or `typescript`: the languages the server analyses. */
export type CellLanguage = GraphCell['language'];

export const CELL_LANGUAGES: readonly CellLanguage[] = ['python', 'sql', 'typescript'];

/** A cell's last run as kept in its metadata (`workbench.deps.execution`). */
export type ExecutionRecord = NonNullable<GraphCell['execution']>;

/** What the server found in one cell (`POST api/dependencies/analyze`, `cells[]`). */
export interface AnalyzedCell {
  id: string;
  sourceHash: string;
  defines: string[];
  reads: string[];
  errors?: string;
}

/** One cell of the request: the notebook's language, the source as it is now. */
export interface AnalyzeRequestCell {
  id: string;
  language: CellLanguage;
  source: string;
}

/** A code cell of the notebook as the controller sees it: its source hashed, its metadata read. */
export interface TrackedCell {
  id: string;
  language: CellLanguage;
  source: string;
  /** `hashSource` of `source`. */
  sourceHash: string;
  /** The cell's `metadata` (read with readDepsMetadata). */
  metadata: unknown;
}
