/**
 * Where "Insert SELECT" puts a table's SELECT, in this order:
 *
 * 1. The current notebook runs the SQL kernel (its kernelspec's language
 *    is `sql`) and its active cell is an empty code cell: into that cell.
 * 2. Any other open notebook (or a SQL notebook whose active cell already
 *    holds something, which the snippet must not disturb: a
 *    `-- connection:` line only works as a cell's first line): a new code
 *    cell below the active one.
 * 3. No notebook: the clipboard.
 *
 * The notebook is then brought to the front with the cell active. With
 * real-time collaboration the text goes through the cell's shared model,
 * so collaborators see it too.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard } from '@jupyterlab/apputils';
import { NotebookActions, type INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';

export interface InsertResult {
  /** `cell`: into the active (empty) cell; `new-cell`: a new cell below; `clipboard`: no notebook. */
  where: 'cell' | 'new-cell' | 'clipboard';
  /** The notebook's path. */
  path?: string;
  /** 0-based index of the cell that holds the snippet. */
  index?: number;
  /** What happened, in words. */
  message: string;
}

/** Whether the notebook runs the SQL kernel (by its kernelspec's language, else the notebook's metadata). */
export function isSqlNotebook(app: JupyterFrontEnd, panel: NotebookPanel): boolean {
  const name = panel.sessionContext.session?.kernel?.name ?? panel.sessionContext.kernelPreference.name;
  const spec = name ? app.serviceManager.kernelspecs.specs?.kernelspecs[name] : undefined;
  if (spec) return spec.language.toLowerCase() === 'sql';
  const meta = panel.model?.getMetadata('kernelspec') as { language?: string } | undefined;
  const info = panel.model?.getMetadata('language_info') as { name?: string } | undefined;
  return (meta?.language ?? info?.name ?? '').toLowerCase() === 'sql';
}

export async function insertSelect(app: JupyterFrontEnd, tracker: INotebookTracker | null, snippet: string): Promise<InsertResult> {
  const panel = tracker?.currentWidget;
  if (!panel || panel.isDisposed || !panel.model) {
    await copy(snippet);
    return { where: 'clipboard', message: 'No notebook is open, so the SELECT was copied to the clipboard.' };
  }
  await panel.context.ready;
  const notebook = panel.content;
  const path = panel.context.path;
  const sql = isSqlNotebook(app, panel);
  const cell = notebook.activeCell;
  let where: InsertResult['where'];
  if (sql && cell && cell.model.type === 'code' && cell.model.sharedModel.getSource().trim() === '') {
    cell.model.sharedModel.setSource(snippet);
    where = 'cell';
  } else {
    if (notebook.widgets.length === 0) NotebookActions.insertAbove(notebook);
    else NotebookActions.insertBelow(notebook);
    if (notebook.activeCell?.model.type !== 'code') NotebookActions.changeCellType(notebook, 'code');
    notebook.activeCell!.model.sharedModel.setSource(snippet);
    where = 'new-cell';
  }
  const index = notebook.activeCellIndex;
  app.shell.activateById(panel.id);
  const name = path.split('/').pop() ?? path;
  const message =
    where === 'cell'
      ? `Inserted the SELECT into cell ${index + 1} of ${name}.`
      : `Inserted the SELECT into a new cell (${index + 1}) of ${name}${sql ? '' : ', which does not run the SQL kernel'}.`;
  return { where, path, index, message };
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Not allowed (no focus, no permission): the copy command JupyterLab uses.
    Clipboard.copyToSystem(text);
  }
}
