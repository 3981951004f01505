/**
 * @workbench/templates-extension: the JupyterLab plugin wiring
 * @workbench/templates-ui into the shell (launcher cards, the install and
 * save dialogs, the commands `workbench-templates:install`, `:save`,
 * `:refresh`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { templatesPlugin } from './plugin';

export { CATEGORY, CommandIDs, PLUGIN_ID } from './ids';
export { templateIcon } from './template-icon';
export { templatesPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [templatesPlugin];
export default plugins;
