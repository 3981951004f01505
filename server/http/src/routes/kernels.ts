import { z } from 'zod';
import type { Request, Response } from 'express';
import { isAdmin, type User } from '@workbench/auth';
import { AppError } from '@workbench/core';
import type { Kernel } from '@workbench/manager';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { envSchema, parseBody } from '../validate';

const startSchema = z.object({ name: z.string().min(1).optional(), path: z.string().optional(), env: envSchema }).loose();

/** An AbortSignal that fires when the client goes away before the response. */
export function clientGone(req: Request, res: Response): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort(new Error('client disconnected'));
  });
  void req;
  return ac.signal;
}

/**
 * The kernel `id` if the requester may use it: their own, or any for an
 * admin. Anybody else's kernel is "no such kernel" (404), as if it did not
 * exist, so kernel ids tell other users nothing.
 */
export function ownKernel(deps: Pick<HttpDeps, 'kernels'>, user: User, id: string): Kernel {
  const kernel = deps.kernels.has(id) ? deps.kernels.get(id) : undefined;
  if (!kernel || (!isAdmin(user) && kernel.owner !== user.username)) throw new AppError('not_found', `Cannot find kernel: no kernel with id ${id}`);
  return kernel;
}

export function kernelRoutes(deps: HttpDeps): RouteDef[] {
  const id = (req: Request) => ownKernel(deps, req.auth!.user, String(req.params.kernel_id)).id;
  return [
    {
      method: 'get',
      path: '/api/kernels',
      auth: 'user',
      permission: { resource: 'kernels', action: 'read' },
      tag: 'kernels',
      summary: 'Running kernels: your own (admins: everybody\'s)',
      handler: (req, res) => {
        const user = req.auth!.user;
        res.json(isAdmin(user) ? deps.kernels.list() : deps.kernels.list().filter((k) => deps.kernels.get(k.id).owner === user.username));
      },
    },
    {
      method: 'post',
      path: '/api/kernels',
      auth: 'user',
      permission: { resource: 'kernels', action: 'write' },
      tag: 'kernels',
      summary: 'Start a kernel: {name?, path?, env?} (KERNEL_* env passes, as in Enterprise Gateway)',
      responses: { '201': 'Kernel started', '400': 'Bad body', '403': 'Resource Limit', '404': 'No such kernelspec', '500': 'Launch failed' },
      handler: async (req, res) => {
        const body = parseBody(startSchema, req.body, 'start kernel');
        const kernel = await deps.kernels.start({ name: body.name, path: body.path, env: body.env, user: req.auth!.user.username, signal: clientGone(req, res) });
        res.status(201).location(`${deps.baseUrl}api/kernels/${encodeURIComponent(kernel.id)}`).json(kernel.model());
      },
    },
    {
      method: 'get',
      path: '/api/kernels/:kernel_id',
      auth: 'user',
      permission: { resource: 'kernels', action: 'read' },
      tag: 'kernels',
      summary: 'One kernel',
      responses: { '200': 'The kernel', '404': 'No such kernel' },
      handler: (req, res) => {
        res.json(ownKernel(deps, req.auth!.user, String(req.params.kernel_id)).model());
      },
    },
    {
      method: 'delete',
      path: '/api/kernels/:kernel_id',
      auth: 'user',
      permission: { resource: 'kernels', action: 'write' },
      tag: 'kernels',
      summary: 'Shut a kernel down',
      responses: { '204': 'Shut down', '404': 'No such kernel' },
      handler: async (req, res) => {
        await deps.kernels.shutdown(id(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/kernels/:kernel_id/interrupt',
      auth: 'user',
      permission: { resource: 'kernels', action: 'write' },
      tag: 'kernels',
      summary: 'Interrupt a kernel (signal or interrupt_request, per its interrupt_mode)',
      responses: { '204': 'Interrupted', '404': 'No such kernel' },
      handler: async (req, res) => {
        await deps.kernels.interrupt(id(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/kernels/:kernel_id/restart',
      auth: 'user',
      permission: { resource: 'kernels', action: 'write' },
      tag: 'kernels',
      summary: 'Restart a kernel (same id)',
      responses: { '200': 'Restarted', '404': 'No such kernel' },
      handler: async (req, res) => {
        const kernel = await deps.kernels.restart(id(req), clientGone(req, res));
        res.json(kernel.model());
      },
    },
  ];
}
