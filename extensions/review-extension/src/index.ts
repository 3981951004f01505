/**
 * @workbench/review-extension: the JupyterLab plugin wiring
 * @workbench/review-ui into the shell (the review queue and document pages
 * in the main area, the launcher card, the commands `workbench-review:queue`
 * and `:open`, and links `/lab?document=<id>`).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { reviewPlugin } from './plugin';

export { CommandIDs, DOCUMENT_PARAM, NAMESPACES, PLUGIN_ID } from './ids';
export { reviewIcon } from './review-icon';
export { reviewPlugin };

const plugins: JupyterFrontEndPlugin<any>[] = [reviewPlugin];
export default plugins;
