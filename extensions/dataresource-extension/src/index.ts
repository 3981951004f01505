/**
 * @workbench/dataresource-extension: renders `application/vnd.dataresource+json`
 * (Table Schema + rows) as a compact, accessible table. Ranked 40, ahead of
 * text/html (50), so outputs carrying both (pandas with
 * `display.html.table_schema`, the Workbench SQL kernel) show this table.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { DataResourceRenderer } from './table-renderer';
import { MIME_TYPE } from './table-model';

export { MIME_TYPE } from './table-model';
export { DataResourceRenderer, INITIAL_ROWS, MORE_ROWS } from './table-renderer';
export { formatCell, formatElapsed, readDataResource, readKernelNote, rowCells, tableModel, TableError } from './table-model';
export type { CellKind, DataResource, Field, KernelNote, TableCell, TableColumn, TableModel, TableModelOptions } from './table-model';

/** Lower is preferred; text/html is 50. */
export const RANK = 40;

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  defaultRank: RANK,
  createRenderer: (options) => new DataResourceRenderer(options),
};

const extension: IRenderMime.IExtension = {
  id: '@workbench/dataresource-extension:factory',
  description: 'Renders Table Schema data resources (pandas, the Workbench SQL kernel) as a table.',
  rendererFactory,
  rank: RANK,
  dataType: 'json',
};

export default extension;
