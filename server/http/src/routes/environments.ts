/**
 * Projects' Python environments (server/environments/README.md): which
 * exist (project, size, built and last used, whether the project's
 * requirements still name it, whether a kernel uses it), deleting one, and
 * pruning those no project needs any more.
 */
import { AppError } from '@workbench/core';
import type { EnvironmentManager } from '@workbench/environments';
import { jsonObject, onlyKeys } from './json-body';
import type { RouteDef } from '../route-table';

export function environmentRoutes(environments: EnvironmentManager): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/environments',
      auth: 'user',
      permission: { resource: 'environments', action: 'read' },
      tag: 'environments',
      summary: 'Projects’ Python environments, newest first: [{id, project, file, builtAt, lastUsedAt, sizeBytes, current, inUse}]',
      handler: async (_req, res) => {
        res.json(await environments.list());
      },
    },
    {
      method: 'delete',
      path: '/api/environments/:id',
      auth: 'user',
      permission: { resource: 'environments', action: 'write' },
      tag: 'environments',
      summary: 'Delete an environment (409 while a kernel uses it or it is being built); the next kernel of its project builds it again',
      handler: async (req, res) => {
        await environments.remove(String(req.params.id));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/environments/prune',
      auth: 'user',
      permission: { resource: 'environments', action: 'write' },
      tag: 'environments',
      summary: 'Delete the environments no project needs (superseded or project gone), unused for {keep_days} days (default 0: now), none in use',
      handler: async (req, res) => {
        const b = jsonObject(req, 'prune environments');
        onlyKeys(b, ['keep_days'], 'prune environments');
        const days = b.keep_days ?? 0;
        if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) throw new AppError('bad_request', 'Cannot prune environments: keep_days must be a number of days, 0 or more');
        res.json({ removed: await environments.prune(days * 24 * 60 * 60_000) });
      },
    },
  ];
}
