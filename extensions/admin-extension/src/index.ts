/**
 * @workbench/admin-extension: the JupyterLab plugin wiring @workbench/admin
 * into the shell (commands `workbench-admin:tokens`, `workbench-admin:users`,
 * `workbench-admin:audit`, each opening its screen in the main area).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { adminPlugin } from './plugin';

export { ADMIN_ROLE, CommandIDs, PLUGIN_ID, WIDGET_IDS } from './ids';
export type { ScreenName } from './ids';
export { adminPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [adminPlugin];
export default plugins;
