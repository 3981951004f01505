import { kernelSpecModel } from '@workbench/manager';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';

export function kernelspecRoutes(deps: HttpDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/kernelspecs',
      auth: 'user',
      permission: { resource: 'kernelspecs', action: 'read' },
      tag: 'kernelspecs',
      summary: 'All kernelspecs and the default',
      handler: async (_req, res) => {
        const specs = await deps.specs.list();
        const kernelspecs: Record<string, unknown> = {};
        for (const [name, spec] of specs) kernelspecs[name] = kernelSpecModel(spec, deps.baseUrl);
        res.json({ default: await deps.specs.defaultName(), kernelspecs });
      },
    },
    {
      method: 'get',
      path: '/api/kernelspecs/:kernel_name',
      auth: 'user',
      permission: { resource: 'kernelspecs', action: 'read' },
      tag: 'kernelspecs',
      summary: 'One kernelspec',
      responses: { '200': 'The kernelspec', '404': 'No such kernelspec' },
      handler: async (req, res) => {
        res.json(kernelSpecModel(await deps.specs.get(String(req.params.kernel_name)), deps.baseUrl));
      },
    },
    {
      method: 'get',
      path: '/kernelspecs/:kernel_name/:resource',
      auth: 'user',
      permission: { resource: 'kernelspecs', action: 'read' },
      tag: 'kernelspecs',
      summary: 'A kernelspec resource (logo, kernel.js)',
      responses: { '200': 'The file', '404': 'No such resource' },
      handler: async (req, res) => {
        const file = await deps.specs.resourcePath(String(req.params.kernel_name), String(req.params.resource));
        res.setHeader('Cache-Control', 'private, max-age=3600');
        await new Promise<void>((resolve, reject) => res.sendFile(file, { dotfiles: 'deny' }, (err) => (err ? reject(err) : resolve())));
      },
    },
  ];
}
