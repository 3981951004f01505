/**
 * The pipelines' icon (three tasks, one feeding two): a LabIcon whose
 * paths carry `jp-icon3`, so it takes the theme's icon colour as
 * JupyterLab's own icons do.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path fill-rule="evenodd" d="M2 9h6v6H2zm2 2v2h2v-2zM16 3h6v6h-6zm2 2v2h2V5zM16 15h6v6h-6zm2 2v2h2v-2z"/>
    <path d="M8 11.2h3.2V7h4.8v2h-2.8v6h2.8v2h-4.8v-4.2H8z"/>
  </g>
</svg>`;

export const pipelinesIcon = new LabIcon({ name: 'workbench-pipelines:pipelines', svgstr });
