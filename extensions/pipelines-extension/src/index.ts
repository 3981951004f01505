/**
 * @workbench/pipelines-extension: the JupyterLab plugin wiring
 * @workbench/pipelines-ui into the shell (the dashboard, list, pipeline
 * and run pages, the Pipelines side panel, Create job in the notebook
 * toolbar, and the commands `workbench-pipelines:dashboard`, `:list`,
 * `:open`, `:open-run`, `:create-job`, `:panel`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { pipelinesPlugin } from './plugin';

export { CommandIDs, NAMESPACES, PANEL_ID, PLUGIN_ID } from './ids';
export { pipelinesIcon } from './pipelines-icon';
export { CreateJobButton, parametersOf } from './create-job';
export { pipelinesPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [pipelinesPlugin];
export default plugins;
