/**
 * The shapes of dependency tracking across cells (issue 17, PRD NB-006).
 * Plain JSON: they travel over HTTP and live in cell metadata
 * (`metadata.workbench.deps`, see metadata.ts). Nothing here does I/O, so a
 * JupyterLab extension may import it.
 *
 * Names (see README.md):
 * - a variable, as the language writes it: `df`, `total` (Python and
 *   TypeScript names never meet: each language's kernel has its own);
 * - `table:<name>` a table or view of the shared DuckDB warehouse, lower
 *   case, the default schema left out (`table:sales`, `table:gold.revenue`);
 *   `table:<connection>:<name>` one of another connection (`table:odoo:res_partner`);
 * - `param:<name>` a notebook parameter (`%params`, `$name` / `:name`);
 * - `check:<name>` a data-quality check of the SQL kernel (`%%expect`).
 * Names holding a `:` are shared by every language.
 */

export type CellLanguage = 'python' | 'sql' | 'typescript';

export const CELL_LANGUAGES: readonly CellLanguage[] = ['python', 'sql', 'typescript'];

/** What one cell defines and reads; `errors` says what could not be analysed (names may then be missing). */
export interface NameAnalysis {
  defines: string[];
  reads: string[];
  errors?: string;
}

/** A code cell as the analyzers take it. */
export interface NotebookCellSource {
  id: string;
  language: CellLanguage;
  source: string;
}

/** The analysis of one cell, for the source whose hash is `sourceHash` (see `hashSource`). */
export interface CellAnalysis extends NameAnalysis {
  id: string;
  sourceHash: string;
}

/** A cell's last run, as the UI records it when the kernel replies. */
export interface ExecutionRecord {
  /** The kernel's execution count of that run (null when the kernel gave none). */
  executionCount: number | null;
  /** `hashSource` of the source that ran. */
  sourceHash: string;
  /** When the run finished, ISO 8601. */
  ranAt: string;
  /** The run raised: the cell counts as stale until it runs cleanly. */
  failed?: true;
  /**
   * The kernel process that ran it (the `session` of the kernel's reply
   * header: ipykernel and tslab pick a new one per process, so it changes
   * on restart). Given to the graph as `kernelSession`, a run of another
   * process counts as never run: its names are gone.
   */
  kernelSession?: string;
}
