/**
 * Runs a plan ("Run cell and everything downstream", "Run what this cell
 * needs"): the cells one after the other, in the plan's order, each through
 * JupyterLab's own run machinery (`NotebookActions.runCells`: the cell
 * executor, the prompts, the notebook's signals), stopping at the first
 * that does not succeed. The graph is brought up to date first (the
 * analysis of the last edits), and `reads_later` warnings the plan itself
 * does not settle are asked about once.
 */
import type { ISessionContextDialogs } from '@jupyterlab/apputils';
import { NotebookActions } from '@jupyterlab/notebook';
import type { ITranslator } from '@jupyterlab/translation';
import type { CellLabel } from './describe';
import type { NotebookDependencies } from './notebook-dependencies';
import { planOf, unmetReadsLater, type PlanKind, type ReadsLater } from './plan';
import type { DependencyGraph } from './types';

export interface RunPlanOptions {
  sessionDialogs?: ISessionContextDialogs;
  translator?: ITranslator;
  /** Asked when some cell of the plan reads a name only a later cell outside the plan defines; true to go on. */
  confirm(graph: DependencyGraph, warnings: readonly ReadsLater[], label: CellLabel): Promise<boolean>;
  /** Cells the executor lets run without asking (the plan asked already), while they run. */
  unguarded: Set<string>;
}

/** The outcome: `ran` the cells that ran (ids), `ok` false when one failed, the run was cancelled, or there was nothing to run. */
export interface PlanResult {
  ok: boolean;
  ran: string[];
}

export async function runPlan(deps: NotebookDependencies, cellId: string, kind: PlanKind, options: RunPlanOptions): Promise<PlanResult> {
  await deps.flush();
  const graph = deps.graph;
  const panel = deps.panel;
  if (!graph || panel.isDisposed) return { ok: false, ran: [] };
  const plan = planOf(graph, cellId, kind);
  if (!plan.length) return { ok: false, ran: [] };
  const notebook = panel.content;
  const label: CellLabel = (id) => `cell ${notebook.widgets.findIndex((w) => w.model.id === id) + 1}`;
  const unmet = unmetReadsLater(graph, plan);
  if (unmet.length && !(await options.confirm(graph, unmet, label))) return { ok: false, ran: [] };
  const ran: string[] = [];
  for (const id of plan) {
    // Looked up each time: cells may have moved while the previous one ran.
    const cell = notebook.widgets.find((w) => w.model.id === id);
    if (!cell || panel.isDisposed) continue;
    options.unguarded.add(id);
    let ok: boolean;
    try {
      ok = await NotebookActions.runCells(notebook, [cell], panel.sessionContext, options.sessionDialogs, options.translator);
    } finally {
      options.unguarded.delete(id);
    }
    if (!ok) return { ok: false, ran };
    ran.push(id);
  }
  return { ok: true, ran };
}
