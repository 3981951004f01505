/**
 * A database (cylinder) icon: @jupyterlab/ui-components has none. A LabIcon
 * whose paths carry `jp-icon3`, so it takes the theme's icon colour as
 * JupyterLab's own icons do.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2C7.58 2 4 3.57 4 5.5v13C4 20.43 7.58 22 12 22s8-1.57 8-3.5v-13C20 3.57 16.42 2 12 2zm0 2c3.87 0 6 1.23 6 1.5S15.87 7 12 7 6 5.77 6 5.5 8.13 4 12 4zM6 8.1C7.47 8.68 9.61 9 12 9s4.53-.32 6-.9V12c0 .27-2.13 1.5-6 1.5S6 12.27 6 12V8.1zm0 6.5c1.47.58 3.61.9 6 .9s4.53-.32 6-.9v3.9c0 .27-2.13 1.5-6 1.5s-6-1.23-6-1.5v-3.9z"/>
  </g>
</svg>`;

export const databaseIcon = new LabIcon({ name: 'workbench-connections:database', svgstr });
