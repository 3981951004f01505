/**
 * Users and roles (admins only): who has signed in or holds API tokens,
 * with their roles; an administrator sets roles (kept across SSO logins
 * until handed back to the identity provider with `roles: null`) and
 * disables or enables accounts. Each change is audited with the values
 * before and after.
 */
import { z } from 'zod';
import type { UserAdmin } from '@workbench/auth';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';

const patchSchema = z.object({ roles: z.array(z.string()).max(4).nullable().optional(), disabled: z.boolean().optional() }).strict();

export function userRoutes(users: UserAdmin): RouteDef[] {
  const name = (params: Record<string, unknown>) => String(params.username);
  return [
    {
      method: 'get',
      path: '/api/users',
      auth: 'user',
      permission: { resource: 'users', action: 'read' },
      tag: 'users',
      summary: 'Everybody who has signed in with SSO or holds API tokens: {users, roles (the roles there are)}',
      handler: async (_req, res) => {
        res.json({ users: await users.list(), roles: users.roles });
      },
    },
    {
      method: 'patch',
      path: '/api/users/:username',
      auth: 'user',
      permission: { resource: 'users', action: 'write' },
      tag: 'users',
      summary: "Change a user: {roles?: [...] (null: the identity provider's again), disabled?: boolean}",
      responses: { '200': 'The user after the change', '400': 'Unknown key or role', '404': 'No such user', '409': 'A token user, or your own admin role or account' },
      auditDetail: async (req) => {
        const body = parseBody(patchSchema, req.body, 'change user');
        const before = await users.get(name(req.params)).catch(() => undefined);
        return {
          ...(body.roles !== undefined && { roles: { old: before?.roles ?? null, old_source: before?.roles_source ?? null, new: body.roles } }),
          ...(body.disabled !== undefined && { disabled: { old: before ? before.disabled !== null : null, new: body.disabled } }),
        };
      },
      handler: async (req, res) => {
        const body = parseBody(patchSchema, req.body, 'change user');
        const { after } = await users.change(req.auth!.user, name(req.params), body);
        res.json(after);
      },
    },
  ];
}
