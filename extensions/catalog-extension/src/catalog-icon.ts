/**
 * The Data Catalog's icon (a table under a magnifying glass): a LabIcon
 * whose paths carry `jp-icon3`, so it takes the theme's icon colour as
 * JupyterLab's own icons do.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path fill-rule="evenodd" d="M3 3h16a1 1 0 0 1 1 1v6h-2V9H4v9h6v2H3a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm1 2v2h14V5H4z"/>
    <path d="M6 11h5v2H6zM6 15h4v2H6zM13 11h2.5v1.6H13z"/>
    <path fill-rule="evenodd" d="M17 12a4.5 4.5 0 0 1 3.72 7.03l2.37 2.38-1.42 1.41-2.37-2.37A4.5 4.5 0 1 1 17 12zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z"/>
  </g>
</svg>`;

export const catalogIcon = new LabIcon({ name: 'workbench-catalog:catalog', svgstr });
