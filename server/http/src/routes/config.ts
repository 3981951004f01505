/** /api/config/{section}: frontend config sections, per user (jupyter_server services/config). */
import { AppError } from '@workbench/core';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';

export function configRoutes(deps: HttpDeps): RouteDef[] {
  const store = () => {
    if (!deps.frontendConfig) throw new AppError('unavailable', 'Cannot use config sections: no config store configured');
    return deps.frontendConfig;
  };
  return [
    {
      method: 'get',
      path: '/api/config/:section',
      auth: 'user',
      permission: { resource: 'config', action: 'read' },
      tag: 'config',
      summary: 'A config section ({} when never set)',
      handler: async (req, res) => {
        res.json(await store().get(req.auth!.user.username, String(req.params.section)));
      },
    },
    {
      method: 'put',
      path: '/api/config/:section',
      auth: 'user',
      permission: { resource: 'config', action: 'write' },
      tag: 'config',
      summary: 'Replace a config section',
      responses: { '204': 'Saved', '400': 'Not a JSON object' },
      handler: async (req, res) => {
        await store().set(req.auth!.user.username, String(req.params.section), req.body);
        res.status(204).end();
      },
    },
    {
      method: 'patch',
      path: '/api/config/:section',
      auth: 'user',
      permission: { resource: 'config', action: 'write' },
      tag: 'config',
      summary: 'Merge into a config section (objects merge, null deletes); returns the section',
      responses: { '200': 'The updated section', '400': 'Not a JSON object' },
      handler: async (req, res) => {
        res.json(await store().update(req.auth!.user.username, String(req.params.section), req.body));
      },
    },
  ];
}
