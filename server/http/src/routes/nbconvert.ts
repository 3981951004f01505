/**
 * Notebook export (jupyter_server `services/nbconvert` and `nbconvert/handlers.py`):
 * `/api/nbconvert` lists the formats, `/nbconvert/{format}/{path}` exports
 * a notebook from the workspace (`?download=true` for an attachment).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '@workbench/core';
import { EXPORT_FORMATS, exportNotebook, isExportFormat } from '@workbench/contents';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { wildcardPath } from './contents';

export function nbconvertRoutes(deps: HttpDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/nbconvert',
      auth: 'user',
      permission: { resource: 'nbconvert', action: 'read' },
      tag: 'nbconvert',
      summary: 'Export formats: {format: {output_mimetype}}',
      handler: (_req, res) => {
        res.json(EXPORT_FORMATS);
      },
    },
    {
      method: 'get',
      path: '/nbconvert/:format/*path',
      auth: 'user',
      permission: { resource: 'nbconvert', action: 'read' },
      tag: 'nbconvert',
      summary: 'Export a notebook: html, markdown, script or notebook (?download=true for an attachment)',
      responses: { '200': 'The export', '400': 'Not a notebook', '404': 'No such format or file' },
      handler: async (req, res) => {
        const contents = deps.contents;
        if (!contents) throw new AppError('unavailable', 'Cannot export: no contents manager configured');
        const format = String(req.params.format);
        if (!isExportFormat(format)) throw new AppError('not_found', `Cannot export to ${format}: No exporter for format: ${format} (available: ${Object.keys(EXPORT_FORMATS).join(', ')})`);
        const path = wildcardPath(req);
        const model = await contents.get(path, { content: false });
        if (model.type !== 'notebook') throw new AppError('bad_request', `Cannot export ${path}: not a notebook (only .ipynb files can be exported)`);
        const raw = await readFile((await contents.resolve(path)).osPath, 'utf8');
        let notebook;
        try {
          notebook = JSON.parse(raw);
        } catch (err) {
          throw new AppError('bad_request', `Cannot export ${path}: Unreadable Notebook: ${(err as Error).message}`);
        }
        const out = exportNotebook(format, { notebook, raw, stem: model.name.replace(/\.ipynb$/i, '') });
        // attachment() first: it would set a Content-Type from the file name.
        if (String(req.query.download).toLowerCase() === 'true') res.attachment(out.filename);
        res.setHeader('Content-Type', `${out.mimetype}; charset=utf-8`);
        res.setHeader('Cache-Control', 'no-store, no-cache, must-revalidate, max-age=0');
        res.setHeader('Last-Modified', new Date(model.last_modified).toUTCString());
        res.setHeader('X-Content-Type-Options', 'nosniff');
        // As jupyter_server: scripts in an exported page run in an opaque origin and cannot call this server.
        res.setHeader('Content-Security-Policy', "frame-ancestors 'self'; sandbox allow-scripts");
        res.send(out.body);
      },
    },
  ];
}
