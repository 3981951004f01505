/**
 * Real-time collaboration, as jupyter-collaboration serves it to
 * JupyterLab's docprovider: `PUT /api/collaboration/session/{path}`
 * ({format, type} -> {format, type, fileId, sessionId}; 201 the first time
 * a file is shared, 200 after) and the room WebSocket
 * `/api/collaboration/room/{format}:{type}:{fileId}?sessionId=...` (plus the
 * global awareness room). Joining needs read access to contents; users
 * without write access join read-only (their edits are refused, not applied).
 */
import { z } from 'zod';
import { GLOBAL_AWARENESS_ROOM, type CollaborationService } from '@workbench/collab';
import { AppError, type Logger } from '@workbench/core';
import type { IdentityProvider } from '@workbench/auth';
import type { RouteDef, SocketRouteDef } from '../route-table';
import { parseBody } from '../validate';
import { authorOf, wildcardPath } from './contents';

const sessionSchema = z.object({ format: z.string().min(1), type: z.string().min(1) }).loose();

export function collaborationRoutes(collab: CollaborationService): RouteDef[] {
  return [
    {
      method: 'put',
      path: '/api/collaboration/session/*path',
      auth: 'user',
      permission: { resource: 'contents', action: 'read' },
      tag: 'collaboration',
      summary: 'Share a document: {format, type} -> {format, type, fileId, sessionId}',
      responses: { '200': 'Already shared', '201': 'Shared for the first time', '404': 'No such file' },
      handler: async (req, res) => {
        const body = parseBody(sessionSchema, req.body, 'open a collaboration session');
        const path = wildcardPath(req);
        const existed = collab.isIndexed(path);
        const model = await collab.openSession(path, body.format, body.type, authorOf(req));
        res.status(existed ? 200 : 201).json(model);
      },
    },
  ];
}

export function collaborationSocketRoute(collab: CollaborationService, identity: IdentityProvider, logger: Logger): SocketRouteDef {
  return {
    path: '/api/collaboration/room/:room',
    auth: 'user',
    permission: { resource: 'contents', action: 'read' },
    tag: 'collaboration',
    summary: 'A shared document (y-protocols sync and awareness, save requests)',
    accept: ({ params, url, auth }) => {
      // Unknown documents are refused before the upgrade (404), as every socket route here.
      const room = params.room!;
      if (room !== GLOBAL_AWARENESS_ROOM) {
        const fileId = room.split(':').slice(2).join(':');
        if (!fileId || collab.fileIds.getPath(fileId) === undefined) throw new AppError('not_found', `Cannot join ${room}: no shared document with that id (open a session first)`);
      }
      const u = auth.user;
      const author = { name: u.display_name || u.username, email: `${u.username}@workbench.invalid` };
      const readOnly = !identity.isAuthorized(u, 'contents', 'write');
      return (ws) => {
        collab.handleConnection(ws, params.room!, url.searchParams.get('sessionId') ?? undefined, author, { readOnly }).catch((err: unknown) => {
          logger.warn({ room: params.room, err: err instanceof Error ? err.message : String(err) }, 'collaboration socket failed');
        });
      };
    },
  };
}
