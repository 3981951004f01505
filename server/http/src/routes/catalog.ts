/**
 * The data catalog over HTTP. Everyone signed in searches and reads it;
 * analysts refresh a source on demand; engineers describe, tag and
 * classify. Previews (rows of data) and the OpenLineage export are data
 * reads: audited like a file's content (tag `catalog-data`). Columns tagged
 * as personal data are masked in previews unless the user may read `pii`.
 *
 * Tables are addressed as /api/catalog/tables/{source}/{schema}/{table}
 * (each part percent-encoded: names may hold '/', '.', quotes, Unicode).
 */
import type { Request } from 'express';
import type { Catalog, MatchClass, PreviewMode, SearchKind, TableName } from '@workbench/catalog';
import { AppError } from '@workbench/core';
import type { IdentityProvider } from '@workbench/auth';
import type { RouteDef } from '../route-table';
import { clientGone } from './kernels';
import { jsonObject, onlyKeys } from './json-body';

const TABLE = '/api/catalog/tables/:source/:schema/:table';
const KINDS: readonly SearchKind[] = ['table', 'view', 'column', 'notebook', 'glossary'];

const tableOf = (req: Request): TableName => ({ source: String(req.params.source), schema: String(req.params.schema), name: String(req.params.table) });

function body(req: Request, action: string, keys: readonly string[]): Record<string, unknown> {
  const b = jsonObject(req, action);
  onlyKeys(b, keys, action);
  return b;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
}

function intParam(value: unknown, name: string, min: number, max: number, fallback: number, action: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('bad_request', `Cannot ${action}: ${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function timeParam(value: unknown, name: string, action: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Date.parse(String(value));
  if (Number.isNaN(t)) throw new AppError('bad_request', `Cannot ${action}: ${name} must be an ISO 8601 date or time`);
  return t;
}

export function catalogRoutes(catalog: Catalog, identity: IdentityProvider, options: { producer: string }): RouteDef[] {
  const by = (req: Request) => req.auth!.user.username;
  const read = { resource: 'catalog', action: 'read' } as const;
  const write = { resource: 'catalog', action: 'write' } as const;
  const column = (req: Request): string | undefined => (typeof req.query.column === 'string' ? req.query.column : undefined);
  return [
    {
      method: 'get',
      kernelAccess: true,
      path: '/api/catalog/sources',
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'Catalog sources (the warehouse and each PostgreSQL/DuckDB connection) with their table count and last refresh',
      handler: async (_req, res) => {
        res.json(await catalog.sources());
      },
    },
    {
      method: 'post',
      path: '/api/catalog/sources/:source/refresh',
      auth: 'user',
      permission: { resource: 'catalog', action: 'execute' },
      tag: 'catalog',
      summary: 'Discover a source again now; answers with the run (status ok or error, counts, missing schemas)',
      handler: async (req, res) => {
        res.json(await catalog.refresh(String(req.params.source), { actor: by(req), signal: clientGone(req, res) }));
      },
    },
    {
      method: 'post',
      path: '/api/catalog/workspace/scan',
      auth: 'user',
      permission: { resource: 'catalog', action: 'execute' },
      tag: 'catalog',
      summary: "Read the workspace's SQL files and SQL notebooks again for the tables they mention (search finds them by those tables)",
      handler: async (_req, res) => {
        const scan = await catalog.scanWorkspace();
        res.json(scan ? { files: scan.files, with_references: scan.references.size, unparsed: scan.unparsed } : { files: 0, with_references: 0, unparsed: 0 });
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: '/api/catalog/search',
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'Search tables, columns, descriptions, tags, glossary terms and notebooks: ?q=&kind=table,column&source=&tag=&limit=',
      handler: (req, res) => {
        const action = 'search the catalog';
        const q = typeof req.query.q === 'string' ? req.query.q : '';
        const kinds = list(req.query.kind);
        const bad = kinds.find((k) => !(KINDS as readonly string[]).includes(k));
        if (bad) throw new AppError('bad_request', `Cannot ${action}: kind must be among ${KINDS.join(', ')}`);
        const hits = catalog.search(q, {
          limit: intParam(req.query.limit, 'limit', 1, 200, 20, action),
          kinds: kinds.length ? (kinds as SearchKind[]) : undefined,
          source: typeof req.query.source === 'string' && req.query.source ? req.query.source : undefined,
          tags: list(req.query.tag).length ? list(req.query.tag) : undefined,
        });
        res.json({ query: q, hits: hits as (typeof hits[number] & { match: MatchClass })[] });
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: '/api/catalog/tables/:source',
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'Tables and views of a source (?schema=)',
      handler: async (req, res) => {
        await catalog.kindOf(String(req.params.source));
        res.json(await catalog.tables(String(req.params.source), typeof req.query.schema === 'string' ? req.query.schema : undefined));
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: TABLE,
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'A table: columns and types, comments, descriptions, owner, tags (suggested/confirmed), glossary terms, row count, size',
      handler: async (req, res) => {
        res.json(await catalog.table(tableOf(req)));
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: `${TABLE}/preview`,
      auth: 'user',
      permission: read,
      tag: 'catalog-data',
      summary: 'Rows of a table: ?mode=first|sample&limit=1..1000; cells cut at 2,000 characters; personal-data columns masked unless the role may read pii',
      auditDetail: (req) => ({ mode: req.query.mode ?? 'first', limit: req.query.limit ?? 100 }),
      handler: async (req, res) => {
        const action = 'preview';
        const mode = req.query.mode === undefined ? 'first' : req.query.mode;
        if (mode !== 'first' && mode !== 'sample') throw new AppError('bad_request', `Cannot ${action}: mode must be "first" or "sample"`);
        const unmask = identity.isAuthorized(req.auth!.user, 'pii', 'read');
        res.json(await catalog.preview(tableOf(req), { mode: mode as PreviewMode, limit: intParam(req.query.limit, 'limit', 1, 1000, 100, action), unmask, signal: clientGone(req, res) }));
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: `${TABLE}/usage`,
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'Who queried the table and its columns, how often, when last (from the audit log); ?since=',
      handler: async (req, res) => {
        await catalog.table(tableOf(req));
        res.json(await catalog.sql.usage(tableOf(req), timeParam(req.query.since, 'since', 'show usage')));
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: `${TABLE}/lineage`,
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'Column-level lineage around the table, ?depth=1..5 hops up and down stream',
      handler: async (req, res) => {
        res.json(await catalog.sql.lineage(tableOf(req), intParam(req.query.depth, 'depth', 1, 5, 2, 'show lineage')));
      },
    },
    {
      method: 'patch',
      path: TABLE,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Describe a table, or one column (?column=): {description?, owner?} (owner: tables only)',
      handler: async (req, res) => {
        const b = body(req, 'describe', column(req) === undefined ? ['description', 'owner'] : ['description']);
        const change = await catalog.annotations.setNote(tableOf(req), column(req), b, by(req));
        res.json(change.after);
      },
      auditDetail: async (req) => {
        const t = tableOf(req);
        const info = await catalog.table(t).catch(() => undefined);
        const c = column(req);
        const before = c === undefined ? { description: info?.description ?? null, owner: info?.owner ?? null } : { description: info?.columns.find((x) => x.name === c)?.description ?? null };
        return { column: c ?? null, before, after: req.body as unknown };
      },
    },
    {
      method: 'post',
      path: `${TABLE}/tags`,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Tag a table or column (?column=): {tag, state: "confirmed" | "rejected"}; confirms or rejects a suggested tag',
      auditDetail: (req) => {
        const b = body(req, 'tag', ['tag', 'state']);
        return { column: column(req) ?? null, tag: b.tag, state: b.state };
      },
      handler: async (req, res) => {
        const b = body(req, 'tag', ['tag', 'state']);
        res.json(await catalog.annotations.setTag(tableOf(req), column(req), b.tag, b.state, by(req)));
      },
    },
    {
      method: 'delete',
      path: `${TABLE}/tags/:tag`,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Remove a tag from a table or column (?column=)',
      auditDetail: (req) => ({ column: column(req) ?? null, tag: req.params.tag }),
      handler: async (req, res) => {
        await catalog.annotations.removeTag(tableOf(req), column(req), String(req.params.tag));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: `${TABLE}/classify`,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Run the personal-data detectors on a sample of the table; stores suggested tags for a person to confirm',
      handler: async (req, res) => {
        res.json(await catalog.annotations.classify(tableOf(req), by(req), { signal: clientGone(req, res) }));
      },
    },
    {
      method: 'post',
      path: `${TABLE}/terms`,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Link a table to a glossary term: {term}',
      auditDetail: (req) => ({ term: body(req, 'link a glossary term', ['term']).term }),
      handler: async (req, res) => {
        await catalog.annotations.linkTerm(tableOf(req), body(req, 'link a glossary term', ['term']).term);
        res.status(204).end();
      },
    },
    {
      method: 'delete',
      path: `${TABLE}/terms/:term`,
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Unlink a table from a glossary term',
      handler: async (req, res) => {
        await catalog.annotations.unlinkTerm(tableOf(req), String(req.params.term));
        res.status(204).end();
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: '/api/catalog/glossary',
      auth: 'user',
      permission: read,
      tag: 'catalog',
      summary: 'The glossary: terms, definitions and the tables linked to each',
      handler: async (_req, res) => {
        res.json(await catalog.annotations.glossary());
      },
    },
    {
      method: 'put',
      path: '/api/catalog/glossary/:term',
      auth: 'user',
      permission: write,
      tag: 'catalog',
      summary: 'Define (or redefine) a glossary term: {definition}',
      auditDetail: (req) => ({ definition: String(body(req, 'define a glossary term', ['definition']).definition ?? '').slice(0, 300) }),
      handler: async (req, res) => {
        const b = body(req, 'define a glossary term', ['definition']);
        res.json(await catalog.annotations.defineTerm(String(req.params.term), b.definition, by(req)));
      },
    },
    {
      method: 'get',
      kernelAccess: true,
      path: '/api/catalog/openlineage',
      auth: 'user',
      permission: read,
      tag: 'catalog-data',
      summary: 'OpenLineage RunEvents of the SQL that wrote tables, as JSON Lines: ?since=&until= (ISO 8601)',
      handler: async (req, res) => {
        const action = 'export lineage';
        const events = await catalog.sql.openLineage({
          since: timeParam(req.query.since, 'since', action),
          until: timeParam(req.query.until, 'until', action),
          namespaceOf: (source) => `workbench://${source}`,
          producer: options.producer,
        });
        res.type('application/x-ndjson').send(events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''));
      },
    },
  ];
}
