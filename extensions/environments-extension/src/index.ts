/**
 * @workbench/environments-extension: the JupyterLab plugin wiring
 * @workbench/environments-ui into the shell (the Python Environments
 * screen, its launcher card and command `workbench-environments:open`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { environmentsPlugin } from './plugin';

export { CommandIDs, NAMESPACE, PLUGIN_ID } from './ids';
export { environmentsIcon } from './environments-icon';
export { environmentsPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [environmentsPlugin];
export default plugins;
