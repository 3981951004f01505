/**
 * /api/contents (jupyter_server ContentsHandler shapes and status codes),
 * checkpoints, and /files downloads.
 */
import { z } from 'zod';
import type { Request, Response } from 'express';
import { AppError } from '@workbench/core';
import { mimeFor, type Author } from '@workbench/contents';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';

/** Express 5 wildcard params arrive as segment arrays. */
export function wildcardPath(req: Request, name = 'path'): string {
  const v = (req.params as Record<string, unknown>)[name];
  if (Array.isArray(v)) return v.join('/');
  return typeof v === 'string' ? v : '';
}

export function authorOf(req: Request): Author {
  const u = req.auth!.user;
  return { name: u.display_name || u.username, email: `${u.username}@workbench.invalid` };
}

const flag = (v: unknown, dflt: boolean) => (v === undefined ? dflt : v === '1' || v === 'true');

const saveSchema = z
  .object({
    type: z.enum(['notebook', 'file', 'directory']).optional(),
    format: z.enum(['json', 'text', 'base64']).nullish(),
    content: z.unknown().optional(),
    chunk: z.number().int().optional(),
    copy_from: z.string().optional(),
  })
  .loose();
const postSchema = z.object({ copy_from: z.string().optional(), type: z.enum(['notebook', 'file', 'directory']).optional(), ext: z.string().optional() }).loose();
const patchSchema = z.object({ path: z.string() }).loose();

export function contentsRoutes(deps: HttpDeps): RouteDef[] {
  const contents = () => {
    if (!deps.contents) throw new AppError('unavailable', 'Cannot use contents: no contents manager configured');
    return deps.contents;
  };
  const location = (res: Response, path: string) => res.location(`${deps.baseUrl}api/contents/${path.split('/').map(encodeURIComponent).join('/')}`);
  return [
    {
      method: 'get',
      path: '/api/contents/*path/checkpoints',
      auth: 'user',
      permission: { resource: 'contents', action: 'read' },
      tag: 'contents',
      summary: 'List checkpoints (oldest first; each is a git version)',
      handler: async (req, res) => {
        res.json(await contents().listCheckpoints(wildcardPath(req)));
      },
    },
    {
      method: 'post',
      path: '/api/contents/*path/checkpoints',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Create a checkpoint (commits the file now)',
      responses: { '201': 'Checkpoint created' },
      handler: async (req, res) => {
        const path = wildcardPath(req);
        const cp = await contents().createCheckpoint(path, authorOf(req));
        res.status(201).location(`${deps.baseUrl}api/contents/${path}/checkpoints/${cp.id}`).json(cp);
      },
    },
    {
      method: 'post',
      path: '/api/contents/*path/checkpoints/:checkpoint_id',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Restore a checkpoint (itself a new commit)',
      responses: { '204': 'Restored', '404': 'No such checkpoint' },
      handler: async (req, res) => {
        await contents().restoreVersion(wildcardPath(req), String(req.params.checkpoint_id), authorOf(req));
        res.status(204).end();
      },
    },
    {
      method: 'delete',
      path: '/api/contents/*path/checkpoints/:checkpoint_id',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Delete a checkpoint (versions stay in git history)',
      responses: { '204': 'Deleted' },
      handler: async (req, res) => {
        await contents().deleteCheckpoint(wildcardPath(req), String(req.params.checkpoint_id));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/contents{/*path}',
      auth: 'user',
      permission: { resource: 'contents', action: 'read' },
      tag: 'contents',
      summary: 'Get a file, notebook or directory (?type, ?format=text|base64, ?content=0|1, ?hash=0|1)',
      responses: { '200': 'The model', '400': 'Bad type/format', '404': 'No such path' },
      handler: async (req, res) => {
        const q = req.query as Record<string, string | undefined>;
        if (q.type && !['notebook', 'file', 'directory'].includes(q.type)) throw new AppError('bad_request', `Cannot get contents: type ${JSON.stringify(q.type)} is not notebook, file or directory`);
        if (q.format && q.format !== 'text' && q.format !== 'base64') throw new AppError('bad_request', `Cannot get contents: format ${JSON.stringify(q.format)} is not text or base64`);
        const model = await contents().get(wildcardPath(req), {
          type: q.type as 'notebook' | 'file' | 'directory' | undefined,
          format: q.format as 'text' | 'base64' | undefined,
          content: flag(q.content, true),
          hash: flag(q.hash, false),
          beforeContent: req.auditContentRead,
        });
        res.setHeader('Last-Modified', new Date(model.last_modified).toUTCString());
        res.json(model);
      },
    },
    {
      method: 'post',
      path: '/api/contents{/*path}',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Create an untitled file/notebook/directory in a directory, or copy {copy_from} into it',
      responses: { '201': 'Created', '404': 'No such directory' },
      handler: async (req, res) => {
        const body = parseBody(postSchema, req.body, 'create contents');
        const dir = wildcardPath(req);
        const model = body.copy_from ? await contents().copy(body.copy_from, dir, authorOf(req)) : await contents().newUntitled(dir, { type: body.type, ext: body.ext }, authorOf(req));
        location(res, model.path).status(201).json(model);
      },
    },
    {
      method: 'put',
      path: '/api/contents{/*path}',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Save or upload (chunk 1..n, -1 last); 201 when new',
      responses: { '200': 'Saved', '201': 'Created', '400': 'Bad model', '413': 'Too large', '507': 'Disk full' },
      handler: async (req, res) => {
        const body = parseBody(saveSchema, req.body, 'save contents');
        if (body.copy_from) throw new AppError('bad_request', 'Cannot copy with PUT: use POST with copy_from');
        const { model, created } = await contents().save(wildcardPath(req), { type: body.type, format: body.format ?? undefined, content: body.content, chunk: body.chunk }, authorOf(req));
        location(res, model.path)
          .status(created ? 201 : 200)
          .json(model);
      },
    },
    {
      method: 'patch',
      path: '/api/contents{/*path}',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Rename or move: {path: new path}; 409 if it exists',
      responses: { '200': 'Renamed', '404': 'No such path', '409': 'Target exists' },
      handler: async (req, res) => {
        const body = parseBody(patchSchema, req.body, 'rename contents');
        const model = await contents().rename(wildcardPath(req), body.path, authorOf(req));
        location(res, model.path).json(model);
      },
    },
    {
      method: 'delete',
      path: '/api/contents{/*path}',
      auth: 'user',
      permission: { resource: 'contents', action: 'write' },
      tag: 'contents',
      summary: 'Delete a file or empty directory (history stays in git)',
      responses: { '204': 'Deleted', '400': 'Directory not empty', '404': 'No such path' },
      handler: async (req, res) => {
        await contents().delete(wildcardPath(req), authorOf(req));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/files/*path',
      auth: 'user',
      permission: { resource: 'contents', action: 'read' },
      tag: 'contents',
      summary: 'Download a file with its content type (?download=1 for an attachment)',
      responses: { '200': 'The file', '404': 'No such file' },
      handler: async (req, res) => {
        const c = contents();
        const path = wildcardPath(req);
        const model = await c.get(path, { content: false });
        if (model.type === 'directory') throw new AppError('not_found', `Cannot download ${path}: it is a directory`);
        const { osPath } = await c.resolve(path);
        const type = mimeFor(model.name) ?? 'application/octet-stream';
        res.setHeader('Content-Type', /^text\/|json|xml|yaml|sql|javascript|typescript/.test(type) ? `${type}; charset=utf-8` : type);
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (flag((req.query as Record<string, string>).download, false)) res.attachment(model.name);
        await new Promise<void>((resolve, reject) => res.sendFile(osPath, { dotfiles: 'allow', headers: { 'Content-Type': res.getHeader('Content-Type') as string } }, (err) => (err ? reject(err) : resolve())));
      },
    },
  ];
}
