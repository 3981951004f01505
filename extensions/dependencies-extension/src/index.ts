/**
 * @workbench/dependencies-extension: the JupyterLab plugins wiring
 * @workbench/dependencies-ui into the shell: the cell executor that asks
 * before a cell reads a later cell's name, and the badges, the Dependencies
 * panel and the commands `workbench-dependencies:run-downstream`,
 * `:run-upstream`, `:panel`, `:analyze`.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { cellExecutorPlugin, dependenciesPlugin } from './plugin';

export { CommandIDs, EXECUTOR_PLUGIN_ID, PANEL_ID, PLUGIN_ID } from './ids';
export { dependenciesIcon, runDownstreamIcon, runUpstreamIcon } from './icons';
export { cellExecutorPlugin, dependenciesPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [cellExecutorPlugin, dependenciesPlugin];
export default plugins;
