import { openApiYaml } from '../openapi';
import type { HttpDeps } from '../deps';
import type { RouteDef, RouteTable } from '../route-table';

/** GET /api/ (public), /api/status, /api/me, /api/spec.yaml, POST /api/shutdown. */
export function apiRoutes(deps: HttpDeps, table: RouteTable): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/',
      auth: 'public',
      tag: 'api',
      summary: 'Server version (no auth)',
      handler: (_req, res) => {
        res.json({ version: deps.version });
      },
    },
    {
      method: 'get',
      path: '/api/status',
      auth: 'user',
      permission: { resource: 'api', action: 'read' },
      tag: 'api',
      summary: 'Server activity',
      handler: (_req, res) => {
        const kernels = deps.kernels.list();
        const last = kernels.reduce((m, k) => (k.last_activity > m ? k.last_activity : m), deps.startedAt.toISOString());
        // jupyter_server's fields, plus the pre-started kernels waiting per kernelspec (kernels.pool).
        res.json({ started: deps.startedAt.toISOString(), last_activity: last, kernels: kernels.length, connections: kernels.reduce((n, k) => n + k.connections, 0), kernel_pool: deps.kernels.poolCounts() });
      },
    },
    {
      method: 'get',
      path: '/api/me',
      auth: 'user',
      permission: { resource: 'identity', action: 'read' },
      tag: 'identity',
      summary: 'The current identity, its Workbench roles and, with ?permissions=, which actions it may take',
      handler: (req, res) => {
        const user = req.auth!.user;
        let requested: Record<string, string[]> = {};
        if (typeof req.query.permissions === 'string') {
          try {
            const parsed: unknown = JSON.parse(req.query.permissions);
            if (typeof parsed === 'object' && parsed && !Array.isArray(parsed)) requested = parsed as Record<string, string[]>;
            else throw new Error();
          } catch {
            res.status(400).json({ message: 'Cannot read permissions: must be a JSON object of {resource: [actions]}', reason: null });
            return;
          }
        }
        // jupyter_server's identity model; Workbench's roles beside it (how the user signed in decides them: token, or SSO group mapping).
        const { roles, ...identity } = user;
        res.json({ identity, permissions: deps.identity.permissions(user, requested), roles });
      },
    },
    {
      method: 'get',
      path: '/api/spec.yaml',
      auth: 'user',
      permission: { resource: 'api', action: 'read' },
      tag: 'api',
      summary: 'This OpenAPI description',
      handler: (_req, res) => {
        res.type('text/x-yaml').send(openApiYaml(table.all(), deps.version, deps.baseUrl, table.sockets()));
      },
    },
    {
      method: 'post',
      path: '/api/shutdown',
      auth: 'user',
      permission: { resource: 'server', action: 'write' },
      tag: 'api',
      summary: 'Shut the server down (admin): stops every kernel and terminal, then exits',
      responses: { '200': 'Shutting down' },
      handler: (_req, res) => {
        res.json({ message: 'Shutting down' });
        setImmediate(deps.requestShutdown);
      },
    },
  ];
}
