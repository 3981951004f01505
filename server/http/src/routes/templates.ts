/**
 * The templates library over HTTP (server/templates/README.md): list,
 * look into, install with parameters, save from the workspace, delete;
 * a user's template's versions, what changed between two, and restoring
 * one (as a new version).
 *
 * Who may do what: everybody signed in reads the library; installing
 * writes files (an analyst's), and a template holding a pipeline also
 * registers it to run as you (pipelines:write, an engineer's). Anyone who
 * may install may save templates of their own; replacing or deleting
 * another user's takes `templates-curate` (engineers).
 */
import type { Request } from 'express';
import { AppError } from '@workbench/core';
import type { PipelineService } from '@workbench/pipelines';
import type { SaveRequest, TemplateLibrary } from '@workbench/templates';
import type { IdentityProvider } from '@workbench/auth';
import { jsonObject, onlyKeys } from './json-body';
import type { RouteDef } from '../route-table';

const by = (req: Request) => req.auth!.user.username;
const nameOf = (req: Request) => String(req.params.name);

/** `?version=N` / `{version: N}`: a positive whole number, or absent. */
function versionOf(v: unknown, action: string, what = 'version'): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^[0-9]{1,9}$/.test(v) ? Number(v) : v;
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new AppError('bad_request', `Cannot ${action}: ${what} must be a version number (1, 2, ...)`);
  return n as number;
}

function valuesOf(b: Record<string, unknown>, action: string): Record<string, unknown> | undefined {
  if (b.values === undefined) return undefined;
  if (typeof b.values !== 'object' || b.values === null || Array.isArray(b.values)) throw new AppError('bad_request', `Cannot ${action}: values must be an object {parameter: value}`);
  return b.values as Record<string, unknown>;
}

export function templateRoutes(library: TemplateLibrary, identity: Pick<IdentityProvider, 'isAuthorized'>, pipelines?: PipelineService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/templates',
      auth: 'user',
      permission: { resource: 'templates', action: 'read' },
      tag: 'templates',
      summary: 'The templates library: shipped and users’ templates, each {name, source: shipped|user, title, description, folder, open, parameters, files, pipelines, created_by?, version?}',
      handler: async (_req, res) => {
        res.json(await library.list());
      },
    },
    {
      method: 'get',
      path: '/api/templates/:name',
      auth: 'user',
      permission: { resource: 'templates', action: 'read' },
      tag: 'templates',
      summary: 'One template; ?version=N as it was then (users’ templates); ?file=PATH answers that file’s text as stored (placeholders and defaults not yet filled in)',
      handler: async (req, res) => {
        const query = req.query as Record<string, unknown>;
        const version = versionOf(query.version, 'read template');
        if (query.file === undefined) {
          res.json(await library.get(nameOf(req), version));
          return;
        }
        if (typeof query.file !== 'string') throw new AppError('bad_request', 'Cannot read template file: file must be one path');
        res.type('text/plain; charset=utf-8').send(await library.file(nameOf(req), query.file, version));
      },
    },
    {
      method: 'get',
      path: '/api/templates/:name/versions',
      auth: 'user',
      permission: { resource: 'templates', action: 'read' },
      tag: 'templates',
      summary: 'Every saved version of a user’s template, newest first: [{version, title, description, folder, open, parameters, files, size_bytes, saved_by, saved_at, restored_from?, current}]; [] for a shipped one',
      handler: async (req, res) => {
        res.json(await library.history(nameOf(req)));
      },
    },
    {
      method: 'get',
      path: '/api/templates/:name/diff',
      auth: 'user',
      permission: { resource: 'templates', action: 'read' },
      tag: 'templates',
      summary: 'What changed from ?from=N to ?to=M (default: the current version): {template, from, to, manifest: [{field, old, new}], files: [{path, status, type: notebook|file, diff}]}',
      handler: async (req, res) => {
        const query = req.query as Record<string, unknown>;
        const from = versionOf(query.from, 'compare template versions', 'from');
        if (from === undefined) throw new AppError('bad_request', 'Cannot compare template versions: from is required (the older version)');
        res.json(await library.diff(nameOf(req), from, versionOf(query.to, 'compare template versions', 'to')));
      },
    },
    {
      method: 'post',
      path: '/api/templates/:name/restore',
      auth: 'user',
      permission: { resource: 'templates', action: 'write' },
      tag: 'templates',
      summary: 'Make an earlier version current again {version, replace: current version}: saved as a new version, the history keeps every one (yours; any, with templates-curate)',
      responses: { '201': 'The template, at its new version', '409': 'It changed since `replace`' },
      auditDetail: (req) => {
        const b = jsonObject(req, 'restore template');
        return { template: nameOf(req), version: typeof b.version === 'number' ? b.version : null, replace: typeof b.replace === 'number' ? b.replace : null };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'restore template');
        onlyKeys(b, ['version', 'replace'], 'restore template');
        res.status(201).json(await library.restore(nameOf(req), b, by(req), identity.isAuthorized(req.auth!.user, 'templates-curate', 'write')));
      },
    },
    {
      method: 'post',
      path: '/api/templates/:name/install',
      auth: 'user',
      permission: { resource: 'templates', action: 'execute' },
      tag: 'templates',
      summary: 'Install a template into a workspace folder {folder?, values?: {parameter: value}, version?}: never overwrites (409 before anything is written); its pipelines are registered to run as you',
      responses: { '201': '{template, folder, files, pipelines: [pipeline], open, values, version}', '409': 'A file exists' },
      auditDetail: (req) => {
        const b = jsonObject(req, 'install template');
        return { template: nameOf(req), folder: typeof b.folder === 'string' ? b.folder.slice(0, 200) : null, values: valuesOf(b, 'install template') ?? null, version: typeof b.version === 'number' ? b.version : null };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'install template');
        onlyKeys(b, ['folder', 'values', 'version'], 'install template');
        if (b.folder !== undefined && typeof b.folder !== 'string') throw new AppError('bad_request', 'Cannot install template: folder must be a string');
        if (typeof b.version === 'string') throw new AppError('bad_request', 'Cannot install template: version must be a version number (1, 2, ...)');
        const version = versionOf(b.version, 'install template');
        const t = await library.get(nameOf(req), version);
        if (t.pipelines.length > 0 && !identity.isAuthorized(req.auth!.user, 'pipelines', 'write')) throw new AppError('forbidden', `Cannot install template ${t.name}: it holds a pipeline, and registering pipelines requires the engineer role or higher`);
        const r = await library.install(t.name, { folder: b.folder as string | undefined, values: valuesOf(b, 'install template'), version }, by(req));
        const registered = pipelines && r.pipelines.length > 0 ? await pipelines.registerFiles(r.pipelines, by(req)) : [];
        res.status(201).json({ ...r, pipelines: registered.length > 0 ? registered : r.pipelines.map((path) => ({ path })) });
      },
    },
    {
      method: 'post',
      path: '/api/templates',
      auth: 'user',
      permission: { resource: 'templates', action: 'write' },
      tag: 'templates',
      summary: 'Save workspace files or a folder as a template {name, paths, title?, description?, folder?, open?, parameters?, replace?: version}; notebooks’ outputs are cleared',
      responses: { '201': 'The template', '409': 'The name is taken, or it changed since `replace`' },
      auditDetail: (req) => {
        const b = jsonObject(req, 'save template');
        return { template: typeof b.name === 'string' ? b.name.slice(0, 64) : null, paths: Array.isArray(b.paths) ? b.paths.slice(0, 50).map((p) => String(p).slice(0, 300)) : null, replace: typeof b.replace === 'number' ? b.replace : null };
      },
      handler: async (req, res) => {
        const b = jsonObject(req, 'save template');
        onlyKeys(b, ['name', 'paths', 'title', 'description', 'folder', 'open', 'parameters', 'replace'], 'save template');
        if (b.replace !== undefined && !Number.isSafeInteger(b.replace)) throw new AppError('bad_request', 'Cannot save template: replace must be the version being replaced');
        const mayCurate = identity.isAuthorized(req.auth!.user, 'templates-curate', 'write');
        res.status(201).json(await library.save(b as unknown as SaveRequest, by(req), mayCurate));
      },
    },
    {
      method: 'delete',
      path: '/api/templates/:name',
      auth: 'user',
      permission: { resource: 'templates', action: 'write' },
      tag: 'templates',
      summary: 'Delete a user’s template (yours; any, with templates-curate); shipped templates stay',
      handler: async (req, res) => {
        await library.remove(nameOf(req), by(req), identity.isAuthorized(req.auth!.user, 'templates-curate', 'write'));
        res.status(204).end();
      },
    },
  ];
}
