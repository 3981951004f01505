/**
 * JupyterLab's own server API under /lab/api (jupyterlab_server shapes and
 * status codes): settings, workspaces, translations, listings; and the
 * language-server status JupyterLab's LSP plugin polls (jupyter-lsp's
 * `/lsp/status`, empty). Settings and workspaces belong to the signed-in user.
 */
import { z } from 'zod';
import type { Request } from 'express';
import { AppError } from '@workbench/core';
import type { HttpDeps, LabDeps } from '../deps';
import type { RouteDef } from '../route-table';
import { parseBody } from '../validate';
import { wildcardPath } from './contents';

const settingsBody = z.object({ raw: z.string({ message: "Invalid format for JSON payload. Must be in the form {'raw': ...}" }) }).loose();

export const LISTINGS_PATH = '@jupyterlab/extensionmanager-extension/listings.json';

/** The one language we ship; jupyterlab_server lists the default locale first, always. */
const LANGUAGES = { en: { displayName: 'English', nativeName: 'English' } };

export function labApiRoutes(deps: HttpDeps): RouteDef[] {
  const lab = (): LabDeps => {
    if (!deps.lab) throw new AppError('unavailable', 'Cannot use the JupyterLab API: the server runs without the JupyterLab application');
    return deps.lab;
  };
  const user = (req: Request) => req.auth!.user.username;
  return [
    {
      method: 'get',
      path: '/lab/api/settings',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'Every plugin with its schema and the user\'s settings (?ids_only=true for ids)',
      handler: async (req, res) => {
        res.json(await lab().settings.list(user(req), { idsOnly: req.query.ids_only === 'true' }));
      },
    },
    {
      method: 'get',
      path: '/lab/api/settings/*plugin',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'One plugin: {id, raw, schema, settings, version, last_modified, created}',
      responses: { '200': 'The plugin\'s settings', '404': 'No such schema' },
      handler: async (req, res) => {
        res.json(await lab().settings.get(user(req), wildcardPath(req, 'plugin')));
      },
    },
    {
      method: 'put',
      path: '/lab/api/settings/*plugin',
      auth: 'user',
      permission: { resource: 'lab', action: 'write' },
      tag: 'lab',
      summary: 'Save settings {raw: JSON5 text}, kept verbatim after it parses and validates',
      responses: { '204': 'Saved', '400': 'Not JSON5, or does not match the schema (nothing saved)', '404': 'No such schema' },
      handler: async (req, res) => {
        const body = parseBody(settingsBody, req.body, 'save settings');
        await lab().settings.save(user(req), wildcardPath(req, 'plugin'), body.raw);
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/lab/api/workspaces',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'The user\'s workspaces: {workspaces: {ids, values}}',
      handler: async (req, res) => {
        res.json({ workspaces: await lab().workspaces.list(user(req)) });
      },
    },
    {
      method: 'get',
      path: '/lab/api/workspaces/*id',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'One workspace (an empty one when none is saved under that name)',
      handler: async (req, res) => {
        res.json(await lab().workspaces.get(user(req), wildcardPath(req, 'id')));
      },
    },
    {
      method: 'put',
      path: '/lab/api/workspaces/*id',
      auth: 'user',
      permission: { resource: 'lab', action: 'write' },
      tag: 'lab',
      summary: 'Save a workspace {data, metadata: {id}} (the id must match the name)',
      responses: { '204': 'Saved', '400': 'Not a workspace, or the id does not match' },
      handler: async (req, res) => {
        await lab().workspaces.save(user(req), wildcardPath(req, 'id'), JSON.stringify(req.body ?? null));
        res.status(204).end();
      },
    },
    {
      method: 'delete',
      path: '/lab/api/workspaces/*id',
      auth: 'user',
      permission: { resource: 'lab', action: 'write' },
      tag: 'lab',
      summary: 'Delete a workspace',
      responses: { '204': 'Deleted', '404': 'No such workspace' },
      handler: async (req, res) => {
        await lab().workspaces.delete(user(req), wildcardPath(req, 'id'));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/lab/api/translations',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'Installed language packs (English only)',
      handler: (_req, res) => {
        res.json({ data: LANGUAGES, message: '' });
      },
    },
    {
      method: 'get',
      path: '/lab/api/translations/:locale',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'A language pack: empty for English (built in), a message for anything else (as jupyterlab_server, always 200)',
      handler: (req, res) => {
        const locale = String(req.params.locale);
        if (locale === 'en' || locale === 'default' || /^en[_-]/i.test(locale)) {
          res.json({ data: {}, message: '' });
          return;
        }
        const valid = /^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/.test(locale);
        res.json({ data: {}, message: valid ? `Language pack '${locale}' not installed!` : `Language pack '${locale}' not valid!` });
      },
    },
    {
      method: 'get',
      path: '/lsp/status',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'Language servers (jupyter-lsp\'s status: none are offered)',
      handler: (_req, res) => {
        res.json({ version: 2, sessions: {}, specs: {} });
      },
    },
    {
      method: 'get',
      path: '/lab/api/listings/*path',
      auth: 'user',
      permission: { resource: 'lab', action: 'read' },
      tag: 'lab',
      summary: 'Extension manager allow/block lists (none)',
      responses: { '200': 'The listings', '400': 'Not the listings file' },
      handler: (req, res) => {
        if (wildcardPath(req) !== LISTINGS_PATH) throw new AppError('bad_request', `Cannot find listings ${wildcardPath(req)}: only ${LISTINGS_PATH} exists`);
        res.json({ blocked_extensions_uris: [], allowed_extensions_uris: [], blocked_extensions: [], allowed_extensions: [] });
      },
    },
  ];
}
