/**
 * The templates' icon (a page with a dashed copy behind it): a LabIcon
 * whose paths carry `jp-icon3`, so it takes the theme's icon colour.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path fill-rule="evenodd" d="M8 5h9l4 4v13H8zm2 2v13h9V10h-3V7z"/>
    <path d="M3 2h2v2H3zm0 4h2v2H3zm0 4h2v2H3zm0 4h2v2H3zm3-12h2v2H6zm4 0h2v1.5h-2z"/>
    <path d="M11.5 12h6v1.6h-6zm0 3h6v1.6h-6z"/>
  </g>
</svg>`;

export const templateIcon = new LabIcon({ name: 'workbench-templates:template', svgstr });
