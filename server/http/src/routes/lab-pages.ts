/**
 * The JupyterLab application: its pages (/lab, /lab/tree/..., 
 * /lab/workspaces/...; /tree/... redirects there), its static bundle at
 * /static/lab/ and its themes at /lab/api/themes/. While the UI is not
 * built, pages answer 503 with a page that says how to build it.
 */
import type { Request, Response } from 'express';
import { AppError } from '@workbench/core';
import { renderLabPage } from '@workbench/lab-ui';
import type { HttpDeps } from '../deps';
import { buildPageConfig } from '../lab/page-config';
import type { RouteDef } from '../route-table';
import type { StaticFiles } from '../static-files';
import { wildcardPath } from './contents';
import { ensureXsrfCookie } from './login';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function notBuiltPage(hint: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench - UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;line-height:1.5}code,pre{background:#f3f3f3;padding:.1rem .3rem}pre{padding:.6rem}</style>
</head><body><h1>The JupyterLab interface is not built</h1>
<p>The Workbench server is running and its API works (JupyterLab, VS Code and <code>jupyter server --gateway-url</code> can connect with the token), but the web interface served at <code>/lab</code> has not been built yet.</p>
<p>To build it, run this in the Workbench checkout, then reload this page:</p>
<pre>${escapeHtml(hint)}</pre>
</body></html>`;
}

export function labPageRoutes(deps: HttpDeps, files: StaticFiles): RouteDef[] {
  const lab = deps.lab;
  const assetsOrThrow = (what: string) => {
    const assets = lab?.assets();
    if (!assets) throw new AppError('not_found', `Cannot find ${what}: the JupyterLab UI is not built`);
    return assets;
  };

  const page = (req: Request, res: Response, where: { treePath?: string; workspace?: string }) => {
    ensureXsrfCookie(req, res, deps.baseUrl);
    res.setHeader('Cache-Control', 'no-store');
    const assets = lab?.assets();
    if (!lab || !assets) {
      res.status(503).type('html').send(notBuiltPage(lab?.buildHint ?? 'npm run build --workspace lab-ui'));
      return;
    }
    const auth = req.auth!;
    const query = req.query as Record<string, unknown>;
    const pageConfig = buildPageConfig({
      baseUrl: deps.baseUrl,
      appName: assets.appName,
      appVersion: assets.version,
      serverVersion: deps.version,
      serverRoot: lab.serverRoot,
      // As jupyter_server: the token goes into the page only when the page itself was opened with it.
      token: auth.method === 'token' && typeof query.token === 'string' ? query.token : '',
      treePath: where.treePath ?? '',
      workspace: where.workspace ?? 'default',
      mode: 'multiple-document',
      exposeAppInBrowser: lab.exposeAppInBrowser,
      terminalsAvailable: deps.terminals !== undefined && deps.identity.isAuthorized(auth.user, 'terminals', 'execute'),
      quitButton: auth.user.roles.includes('admin'),
      disabledExtensions: lab.disabledExtensions,
    });
    res.type('html').send(renderLabPage({ assets, pageConfig }));
  };

  return [
    {
      method: 'get',
      path: '/lab',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      page: true,
      tag: 'lab',
      summary: 'The JupyterLab application (503 with build instructions while it is not built)',
      responses: { '200': 'The page', '302': 'Not signed in: to /login', '503': 'The UI is not built' },
      handler: (req, res) => page(req, res, {}),
    },
    {
      method: 'get',
      path: '/lab/tree{/*path}',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      page: true,
      tag: 'lab',
      summary: 'JupyterLab opened on a file or folder',
      handler: (req, res) => page(req, res, { treePath: wildcardPath(req) }),
    },
    {
      method: 'get',
      path: '/lab/workspaces/:workspace',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      page: true,
      tag: 'lab',
      summary: 'JupyterLab in a named workspace',
      handler: (req, res) => page(req, res, { workspace: String(req.params.workspace) }),
    },
    {
      method: 'get',
      path: '/lab/workspaces/:workspace/tree/*path',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      page: true,
      tag: 'lab',
      summary: 'JupyterLab in a named workspace, opened on a file or folder',
      handler: (req, res) => page(req, res, { workspace: String(req.params.workspace), treePath: wildcardPath(req) }),
    },
    {
      method: 'get',
      path: '/tree{/*path}',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      page: true,
      tag: 'lab',
      summary: 'Redirect to /lab/tree/... (the classic notebook URL)',
      responses: { '302': 'To /lab/tree/...' },
      handler: (req, res) => {
        const path = wildcardPath(req);
        res.redirect(302, `${deps.baseUrl}lab/tree${path ? '/' + path.split('/').map(encodeURIComponent).join('/') : ''}`);
      },
    },
    {
      method: 'get',
      path: '/static/lab/*path',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'The JupyterLab bundle (hashed files cached for a year, others revalidated; brotli/gzip)',
      responses: { '200': 'The file', '304': 'Not modified', '404': 'No such file' },
      handler: async (req, res) => {
        await files.serve(req, res, assetsOrThrow('static files').staticDir, wildcardPath(req));
      },
    },
    {
      method: 'get',
      path: '/lab/api/themes/*path',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'JupyterLab theme stylesheets and their assets',
      responses: { '200': 'The file', '304': 'Not modified', '404': 'No such file' },
      handler: async (req, res) => {
        await files.serve(req, res, assetsOrThrow('themes').themesDir, wildcardPath(req));
      },
    },
  ];
}
