/**
 * @workbench/connections-extension: the JupyterLab plugin wiring
 * @workbench/connections-ui into the shell (the Connections side panel and
 * the command `workbench-connections:open`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { connectionsPlugin } from './plugin';

export { CommandIDs, PANEL_ID, PLUGIN_ID } from './ids';
export { databaseIcon } from './database-icon';
export { connectionsPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [connectionsPlugin];
export default plugins;
