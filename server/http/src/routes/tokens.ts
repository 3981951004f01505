/**
 * Personal API tokens over HTTP: each signed-in user lists, creates and
 * revokes their own (an admin may revoke anybody's). The token is in the
 * creation response only; lists show its first characters.
 */
import { z } from 'zod';
import type { ApiTokens } from '@workbench/auth';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';

const createSchema = z.object({ name: z.string(), expires_in_days: z.number().optional() }).strict();

export function tokenRoutes(tokens: ApiTokens): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/tokens',
      auth: 'user',
      permission: { resource: 'tokens', action: 'read' },
      tag: 'tokens',
      summary: 'Your API tokens (name, prefix, created, last used, expiry, revoked); never the tokens themselves',
      handler: async (req, res) => {
        res.json(await tokens.list(req.auth!.user));
      },
    },
    {
      method: 'post',
      path: '/api/tokens',
      auth: 'user',
      permission: { resource: 'tokens', action: 'write' },
      tag: 'tokens',
      summary: 'Create an API token {name, expires_in_days?}: it acts as you, with your roles; shown once',
      responses: { '201': '{token: the token (only now), ...model}', '400': 'Bad name or expiry' },
      handler: async (req, res) => {
        const body = parseBody(createSchema, req.body, 'create API token');
        const { token, plaintext } = await tokens.create(req.auth!.user, body.name, body.expires_in_days);
        res.status(201).setHeader('Cache-Control', 'no-store').json({ ...token, token: plaintext });
      },
    },
    {
      method: 'delete',
      path: '/api/tokens/:id',
      auth: 'user',
      permission: { resource: 'tokens', action: 'write' },
      tag: 'tokens',
      summary: 'Revoke an API token of yours (admins: anybody\'s)',
      responses: { '200': 'The revoked token', '404': 'No such token of yours' },
      handler: async (req, res) => {
        res.json(await tokens.revoke(req.auth!.user, String(req.params.id)));
      },
    },
  ];
}
