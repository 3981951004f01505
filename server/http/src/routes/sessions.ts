import { z } from 'zod';
import type { Request } from 'express';
import { isAdmin } from '@workbench/auth';
import { AppError } from '@workbench/core';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { envSchema, parseBody } from '../validate';
import { clientGone } from './kernels';

const kernelRef = z.object({ id: z.string().nullish(), name: z.string().nullish(), env: envSchema }).loose().nullish();
const createSchema = z
  .object({
    path: z.string().optional(),
    name: z.string().nullish(),
    type: z.string().nullish(),
    kernel: kernelRef,
    notebook: z.object({ path: z.string().optional(), name: z.string().optional() }).loose().optional(),
  })
  .loose();
const patchSchema = createSchema;

/**
 * Sessions are per user: each sees, changes and deletes only their own
 * (admins: all); another user's session is "no such session".
 */
export function sessionRoutes(deps: HttpDeps): RouteDef[] {
  const id = (req: Request) => String(req.params.session_id);
  const scope = (req: Request) => (isAdmin(req.auth!.user) ? undefined : req.auth!.user.username);
  return [
    {
      method: 'get',
      path: '/api/sessions',
      auth: 'user',
      permission: { resource: 'sessions', action: 'read' },
      tag: 'sessions',
      summary: 'Sessions',
      handler: (req, res) => {
        res.json(deps.sessions.list(scope(req)));
      },
    },
    {
      method: 'post',
      path: '/api/sessions',
      auth: 'user',
      permission: { resource: 'sessions', action: 'write' },
      tag: 'sessions',
      summary: 'Create a session (or return the existing one for the path)',
      responses: { '201': 'Created', '400': 'Bad body', '501': 'Kernelspec not available' },
      handler: async (req, res) => {
        const body = parseBody(createSchema, req.body, 'create session');
        const path = body.path ?? body.notebook?.path;
        if (path === undefined) throw new AppError('bad_request', 'Cannot create session: path missing');
        let model;
        try {
          model = await deps.sessions.create({
            path,
            name: body.name ?? undefined,
            type: body.type ?? undefined,
            kernel: body.kernel ? { id: body.kernel.id ?? undefined, name: body.kernel.name ?? undefined, env: body.kernel.env } : undefined,
            user: req.auth!.user.username,
            anyKernel: isAdmin(req.auth!.user),
            signal: clientGone(req, res),
          });
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found') {
            // jupyter_server answers 501 for an unknown kernelspec here.
            const name = body.kernel?.name ?? 'default';
            res.status(501).json({ message: `The '${name}' kernel is not available. Please pick another suitable kernel instead, or install that kernel.`, short_message: `${name} not found`, reason: null });
            return;
          }
          throw err;
        }
        res.status(201).location(`${deps.baseUrl}api/sessions/${model.id}`).json(model);
      },
    },
    {
      method: 'get',
      path: '/api/sessions/:session_id',
      auth: 'user',
      permission: { resource: 'sessions', action: 'read' },
      tag: 'sessions',
      summary: 'One session',
      responses: { '200': 'The session', '404': 'No such session' },
      handler: (req, res) => {
        res.json(deps.sessions.get(id(req), scope(req)));
      },
    },
    {
      method: 'patch',
      path: '/api/sessions/:session_id',
      auth: 'user',
      permission: { resource: 'sessions', action: 'write' },
      tag: 'sessions',
      summary: 'Rename/move a session or swap its kernel ({kernel: {id}} or {kernel: {name}})',
      responses: { '200': 'Updated', '400': 'Bad body or unknown kernel id', '404': 'No such session' },
      handler: async (req, res) => {
        const body = parseBody(patchSchema, req.body, 'update session');
        const model = await deps.sessions.patch(id(req), {
          path: body.path ?? body.notebook?.path,
          name: body.name ?? undefined,
          type: body.type ?? undefined,
          kernel: body.kernel ? { id: body.kernel.id ?? undefined, name: body.kernel.name ?? undefined } : undefined,
          user: req.auth!.user.username,
          anyKernel: isAdmin(req.auth!.user),
        });
        res.json(model);
      },
    },
    {
      method: 'delete',
      path: '/api/sessions/:session_id',
      auth: 'user',
      permission: { resource: 'sessions', action: 'write' },
      tag: 'sessions',
      summary: 'Delete a session and shut its kernel down',
      responses: { '204': 'Deleted', '404': 'No such session' },
      handler: async (req, res) => {
        await deps.sessions.delete(id(req), scope(req));
        res.status(204).end();
      },
    },
  ];
}
