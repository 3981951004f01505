/**
 * The review queue's icon (a receipt with a tick): a LabIcon whose paths
 * carry `jp-icon3`, so it takes the theme's icon colour as JupyterLab's
 * own icons do.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path fill-rule="evenodd" d="M5 2h14v20l-2.33-1.5L14.33 22 12 20.5 9.67 22l-2.34-1.5L5 22zm2 2v14.3l.33-.21 2.34 1.5L12 18.1l2.33 1.5 2.34-1.5.33.21V4z"/>
    <path d="M8.5 7h7v1.6h-7zM8.5 10.2h4.5v1.6H8.5zm1.1 4.3 1.1-1.1 1.3 1.3 3.2-3.2 1.1 1.1-4.3 4.3z"/>
  </g>
</svg>`;

export const reviewIcon = new LabIcon({ name: 'workbench-review:review', svgstr });
