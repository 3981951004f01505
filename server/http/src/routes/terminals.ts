/**
 * /api/terminals (jupyter_server_terminals `api_handlers.py`): list,
 * create (200 with the model, as jupyter_server), get, delete. Registered
 * only when terminals are enabled; otherwise these paths are 404, as on a
 * jupyter_server without terminals. Terminals need the `terminals`
 * permission (admin by default).
 */
import { z } from 'zod';
import type { TerminalManager } from '@workbench/terminals';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';

const createSchema = z.object({ name: z.string().optional(), cwd: z.string().optional() }).loose();

export function terminalRoutes(terminals: TerminalManager): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/terminals',
      auth: 'user',
      permission: { resource: 'terminals', action: 'read' },
      tag: 'terminals',
      summary: 'Running terminals [{name, last_activity}]',
      handler: (_req, res) => {
        res.json(terminals.list());
      },
    },
    {
      method: 'post',
      path: '/api/terminals',
      auth: 'user',
      permission: { resource: 'terminals', action: 'write' },
      tag: 'terminals',
      summary: 'Start a terminal {name?, cwd?} (cwd inside the workspace root)',
      responses: { '200': 'The terminal', '400': 'Bad name or cwd outside the root', '409': 'Name taken' },
      handler: (req, res) => {
        const body = parseBody(createSchema, req.body, 'create terminal');
        res.json(terminals.create({ name: body.name, cwd: body.cwd }).model());
      },
    },
    {
      method: 'get',
      path: '/api/terminals/:name',
      auth: 'user',
      permission: { resource: 'terminals', action: 'read' },
      tag: 'terminals',
      summary: 'One terminal',
      responses: { '200': 'The terminal', '404': 'No such terminal' },
      handler: (req, res) => {
        res.json(terminals.get(String(req.params.name)).model());
      },
    },
    {
      method: 'delete',
      path: '/api/terminals/:name',
      auth: 'user',
      permission: { resource: 'terminals', action: 'write' },
      tag: 'terminals',
      summary: 'End a terminal and everything it started',
      responses: { '204': 'Ended', '404': 'No such terminal' },
      handler: async (req, res) => {
        await terminals.terminate(String(req.params.name));
        res.status(204).end();
      },
    },
  ];
}
