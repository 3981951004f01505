/**
 * The dependencies' icons: LabIcons whose paths carry `jp-icon3`, so they
 * take the theme's icon colour as JupyterLab's own icons do.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const icon = (name: string, body: string) =>
  new LabIcon({ name: `workbench-dependencies:${name}`, svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">${body}</g></svg>` });

/** Three nodes and their edges: the side panel. */
export const dependenciesIcon = icon(
  'graph',
  '<path d="M6 3a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 1.8a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4zM18 9a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 1.8a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4zM6 15a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 1.8a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4z"/><path d="M8.3 7.4l7.5 3.4-.7 1.6-7.5-3.4zM15.1 13.6l.7 1.6-7.5 3.4-.7-1.6zM5.1 9.2h1.8v5.6H5.1z"/>',
);

/** Run, then an arrow down: the cell and everything downstream. */
export const runDownstreamIcon = icon('run-downstream', '<path d="M3 3.5v11l8.5-5.5z"/><path d="M17 3h2v11.2l2.6-2.6 1.4 1.4-5 5-5-5 1.4-1.4 2.6 2.6z"/><path d="M3 18h9v2H3z"/>');

/** An arrow up, then run: what the cell needs, then the cell. */
export const runUpstreamIcon = icon('run-upstream', '<path d="M12.5 9.5v11l8.5-5.5z"/><path d="M5 21h2V9.8l2.6 2.6L11 11 6 6l-5 5 1.4 1.4L5 9.8z"/><path d="M2 2h9v2H2z"/>');
