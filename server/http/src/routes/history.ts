/**
 * Version history of a path (git): list versions with author, time and
 * message; the content of a version; a notebook-aware diff between two
 * versions or a version and the working copy; restore (a new commit).
 * Paths travel in the query string, so any file name works.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '@workbench/core';
import { diffLines, diffNotebooks } from '@workbench/git';
import type { HttpDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';
import { authorOf } from './contents';

const restoreSchema = z.object({ path: z.string().min(1), version: z.string().min(4) });

function queryString(req: Request, key: string, required = true): string | undefined {
  const v = (req.query as Record<string, unknown>)[key];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new AppError('bad_request', `Cannot read history: query parameter "${key}" is required`);
  return undefined;
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('bad_request', `Cannot diff ${what}: it is not valid notebook JSON`);
  }
}

export function historyRoutes(deps: HttpDeps): RouteDef[] {
  const history = () => {
    if (!deps.history || !deps.contents) throw new AppError('unavailable', 'Cannot use version history: versioning is off');
    return { history: deps.history, contents: deps.contents };
  };
  /** Bytes of a version, or of the working copy for "working". */
  const bytesOf = async (path: string, version: string): Promise<Buffer> => {
    const { history: h, contents } = history();
    if (version === 'working') {
      const { osPath } = await contents.resolve(path);
      try {
        return await readFile(osPath);
      } catch {
        throw new AppError('not_found', `Cannot find ${path}: no working copy`);
      }
    }
    return h.contentAt(path, version);
  };
  return [
    {
      method: 'get',
      path: '/api/history',
      auth: 'user',
      permission: { resource: 'history', action: 'read' },
      tag: 'history',
      summary: 'Versions of ?path= (newest first; author, time, message; follows renames)',
      handler: async (req, res) => {
        const { history: h, contents } = history();
        const path = (await contents.resolve(queryString(req, 'path')!)).apiPath;
        const limit = Number(queryString(req, 'limit', false) ?? 200);
        const versions = await h.versions(path, Number.isFinite(limit) && limit > 0 ? limit : 200);
        if (versions.length === 0 && !(await contents.exists(path))) throw new AppError('not_found', `Cannot find ${path}: no such file and no history`);
        res.json({ path, versions });
      },
    },
    {
      method: 'get',
      path: '/api/history/content',
      auth: 'user',
      permission: { resource: 'history', action: 'read' },
      tag: 'history',
      summary: 'Content of ?path= at ?version=',
      handler: async (req, res) => {
        const { contents } = history();
        const path = (await contents.resolve(queryString(req, 'path')!)).apiPath;
        const version = queryString(req, 'version')!;
        const bytes = await bytesOf(path, version);
        if (path.endsWith('.ipynb')) res.json({ path, version, type: 'notebook', format: 'json', content: parseJson(bytes, `${path}@${version}`) });
        else {
          const text = bytes.toString('utf8');
          const isText = Buffer.from(text, 'utf8').equals(bytes);
          res.json({ path, version, type: 'file', format: isText ? 'text' : 'base64', content: isText ? text : bytes.toString('base64') });
        }
      },
    },
    {
      method: 'get',
      path: '/api/history/diff',
      auth: 'user',
      permission: { resource: 'history', action: 'read' },
      tag: 'history',
      summary: 'Notebook-aware diff of ?path= between ?from= and ?to= (a version or "working", the default)',
      handler: async (req, res) => {
        const { contents } = history();
        const path = (await contents.resolve(queryString(req, 'path')!)).apiPath;
        const from = queryString(req, 'from')!;
        const to = queryString(req, 'to', false) ?? 'working';
        const [a, b] = await Promise.all([bytesOf(path, from), bytesOf(path, to)]);
        if (path.endsWith('.ipynb')) {
          let diff;
          try {
            diff = diffNotebooks(parseJson(a, `${path}@${from}`), parseJson(b, `${path}@${to}`));
          } catch (err) {
            if (err instanceof AppError) throw err;
            throw new AppError('bad_request', (err as Error).message);
          }
          res.json({ path, from, to, type: 'notebook', diff });
        } else {
          res.json({ path, from, to, type: 'file', diff: diffLines(a.toString('utf8'), b.toString('utf8')) });
        }
      },
    },
    {
      method: 'post',
      path: '/api/history/restore',
      auth: 'user',
      permission: { resource: 'history', action: 'write' },
      tag: 'history',
      summary: 'Restore {path, version}: writes that version and commits it (nothing is lost)',
      handler: async (req, res) => {
        const body = parseBody(restoreSchema, req.body, 'restore version');
        const { contents } = history();
        res.json(await contents.restoreVersion(body.path, body.version, authorOf(req)));
      },
    },
  ];
}
