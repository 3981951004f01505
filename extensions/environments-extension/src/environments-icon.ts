/**
 * The environments' icon (a box with a package inside): a LabIcon whose
 * paths carry `jp-icon3`, so it takes the theme's icon colour.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path fill-rule="evenodd" d="M12 2 3 6.5v11L12 22l9-4.5v-11zm0 2.2 6.5 3.3L12 10.8 5.5 7.5zM5 9.1l6 3v7.3l-6-3zm8 10.3v-7.3l6-3v7.3z"/>
  </g>
</svg>`;

export const environmentsIcon = new LabIcon({ name: 'workbench-environments:environments', svgstr });
