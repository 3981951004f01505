/**
 * @workbench/history-extension: the JupyterLab plugin wiring @workbench/history
 * into the shell (side panel `#wb-history-panel`, commands
 * `workbench-history:open` and `workbench-history:refresh`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { historyPlugin } from './plugin';

export { CommandIDs, PANEL_ID, PLUGIN_ID } from './ids';
export { historyPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [historyPlugin];
export default plugins;
