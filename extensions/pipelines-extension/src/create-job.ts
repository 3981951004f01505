/**
 * "Create job" in every notebook's toolbar (as jupyter-scheduler puts its
 * button there): it runs the `workbench-pipelines:create-job` command for
 * that notebook. The command saves the notebook first when it has unsaved
 * changes (a pipeline runs the file on disk), reads its `parameters`
 * cell, and shows the dialog.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { parametersCellSource } from '@workbench/pipelines-ui';
import { CommandIDs } from './ids';
import { pipelinesIcon } from './pipelines-icon';

export class CreateJobButton implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> {
  constructor(private readonly commands: JupyterFrontEnd['commands']) {}

  createNew(panel: NotebookPanel, context: DocumentRegistry.IContext<INotebookModel>): ToolbarButton {
    const button = new ToolbarButton({
      className: 'wb-pipelines-create-job',
      icon: pipelinesIcon,
      label: 'Create job',
      tooltip: 'Create a scheduled job (a pipeline) that runs this notebook',
      onClick: () => void this.commands.execute(CommandIDs.createJob, { path: context.path }),
    });
    if (!panel.toolbar.insertBefore('spacer', 'wbCreateJob', button)) panel.toolbar.insertItem(10, 'wbCreateJob', button);
    return button;
  }
}

/** The source of the notebook's `parameters` cell, from its live model (unsaved edits included). */
export function parametersOf(panel: NotebookPanel): string | undefined {
  const model = panel.content.model;
  if (!model) return undefined;
  const cells: { cell_type: string; metadata: { tags?: unknown }; source: string }[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    cells.push({ cell_type: cell.type, metadata: { tags: cell.getMetadata('tags') }, source: cell.sharedModel.getSource() });
  }
  return parametersCellSource(cells);
}
