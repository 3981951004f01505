/**
 * @workbench/catalog-extension: the JupyterLab plugin wiring
 * @workbench/catalog-ui into the shell (the Data Catalog side panel, table
 * pages, and the commands `workbench-catalog:open`, `:open-table`,
 * `:insert-select`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { catalogPlugin } from './plugin';

export { CommandIDs, PAGE_NAMESPACE, PANEL_ID, PLUGIN_ID } from './ids';
export { catalogIcon } from './catalog-icon';
export { insertSelect, isSqlNotebook } from './insert-select';
export type { InsertResult } from './insert-select';
export { catalogPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [catalogPlugin];
export default plugins;
