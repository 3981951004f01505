/**
 * Connections over HTTP: everyone signed in sees them (never a credential);
 * analysts test them; engineers add, change, delete and rotate them. Every
 * change is audited by the route table's audit plan, with what changed
 * (settings before and after, credential versions), never a credential.
 */
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { extractToParquet, loadParquet, queryPool, type ConnectionManager } from '@workbench/connections';
import { AppError } from '@workbench/core';
import { auditSeqOf } from '../audit-hook';
import { clientGone } from './kernels';
import { jsonObject, onlyKeys } from './json-body';
import type { RouteDef } from '../route-table';

const nameOf = (req: Request) => String(req.params.name);

const body = jsonObject;
const only = onlyKeys;

export interface ConnectionRouteHooks {
  /** A connection was deleted. */
  deleted?: (name: string) => Promise<void>;
  /** A query ran through POST .../query (after the answer was sent): usage and lineage for the catalog. */
  queried?: (q: { connection: string; sql: string; actor: string; auditSeq: number | null; kernelId?: string }) => Promise<void>;
  /** A workspace path -> where it is on disk (the contents manager's checks: inside the root, not hidden). Without it there are no extract and load routes. */
  resolvePath?: (path: string) => Promise<string>;
}

export function connectionRoutes(connections: ConnectionManager, hooks: ConnectionRouteHooks = {}): RouteDef[] {
  const by = (req: Request) => req.auth!.user.username;
  /** The connection as it is before a change, for the change's audit record (undefined when there is none). */
  const current = (req: Request) => connections.get(nameOf(req)).catch(() => undefined);
  return [
    {
      method: 'get',
      path: '/api/connections',
      auth: 'user',
      permission: { resource: 'connections', action: 'read' },
      tag: 'connections',
      summary: 'Connections (name, kind, settings, whether a credential is stored); never a credential',
      kernelAccess: true,
      handler: async (_req, res) => {
        res.json(await connections.list());
      },
    },
    {
      method: 'post',
      path: '/api/connections',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Add a connection {name, kind: "postgres", description?, settings, credential?: {password}}',
      responses: { '201': 'The connection', '400': 'Bad name, kind, settings or credential', '409': 'The name is taken' },
      auditDetail: (req) => {
        const b = body(req, 'create connection');
        return { name: b.name, kind: b.kind, credential: b.credential === undefined ? 'none' : 'set' };
      },
      handler: async (req, res) => {
        const b = body(req, 'create connection');
        only(b, ['name', 'kind', 'description', 'settings', 'credential'], 'create connection');
        const made = await connections.create({ name: b.name, kind: b.kind, description: b.description, settings: b.settings, credential: b.credential }, by(req));
        res.status(201).json(made);
      },
    },
    {
      method: 'post',
      path: '/api/connections/test',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Test settings and a credential before saving them {kind, settings, credential?}: {ok, stage, message, ...}',
      handler: async (req, res) => {
        const b = body(req, 'test connection');
        only(b, ['kind', 'settings', 'credential'], 'test connection');
        res.json(await connections.testDraft({ kind: b.kind, settings: b.settings, credential: b.credential }, { signal: clientGone(req, res) }));
      },
    },
    {
      method: 'get',
      path: '/api/connections/:name',
      auth: 'user',
      permission: { resource: 'connections', action: 'read' },
      tag: 'connections',
      summary: 'One connection',
      handler: async (req, res) => {
        res.json(await connections.get(nameOf(req)));
      },
    },
    {
      method: 'patch',
      path: '/api/connections/:name',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Change {description?, settings?} (the credential changes by rotation)',
      auditDetail: async (req) => {
        const b = body(req, 'change connection');
        const before = await current(req);
        return { ...(b.settings !== undefined && { settings: { old: before?.settings ?? null, new: b.settings } }), ...(b.description !== undefined && { description: { old: before?.description ?? null, new: b.description } }) };
      },
      handler: async (req, res) => {
        const b = body(req, 'change connection');
        only(b, ['description', 'settings'], 'change connection (the credential changes by POST .../rotate)');
        res.json((await connections.update(nameOf(req), { description: b.description, settings: b.settings }, by(req))).after);
      },
    },
    {
      method: 'post',
      path: '/api/connections/:name/query',
      auth: 'user',
      permission: { resource: 'connections', action: 'execute' },
      tag: 'connections',
      kernelAccess: true,
      summary: 'Run SQL on a PostgreSQL connection with its stored credential (which never leaves the server): {sql, params?, max_rows? (1-100000, default 10000)} -> {columns, rows, row_count, truncated, command}; what SQL kernels and workbench.connect() in Python use',
      responses: { '200': 'The result', '400': 'Bad body, or the database refused the SQL (its message and SQLSTATE)', '404': 'No such connection' },
      auditDetail: (req) => {
        const b = body(req, 'run a query');
        const sql = typeof b.sql === 'string' ? b.sql : '';
        return { connection: nameOf(req), sql_sha256: createHash('sha256').update(sql).digest('hex'), sql_bytes: Buffer.byteLength(sql), params: Array.isArray(b.params) ? b.params.length : 0 };
      },
      handler: async (req, res) => {
        const action = 'run a query';
        const b = body(req, action);
        only(b, ['sql', 'params', 'max_rows'], action);
        if (typeof b.sql !== 'string' || b.sql.trim() === '' || b.sql.length > 1_000_000) throw new AppError('bad_request', `Cannot ${action}: sql must be non-empty text of at most 1,000,000 characters`);
        if (b.params !== undefined && (!Array.isArray(b.params) || b.params.length > 1000)) throw new AppError('bad_request', `Cannot ${action}: params must be an array (at most 1,000 values)`);
        const maxRows = b.max_rows === undefined ? 10_000 : Number(b.max_rows);
        if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > 100_000) throw new AppError('bad_request', `Cannot ${action}: max_rows must be a whole number from 1 to 100000`);
        const result = await queryPool(await connections.pool(nameOf(req)), b.sql, { params: b.params as unknown[] | undefined, maxRows, signal: clientGone(req, res) });
        res.json(result);
        await hooks.queried?.({ connection: nameOf(req), sql: b.sql, actor: req.auth!.user.username, auditSeq: await auditSeqOf(req), kernelId: req.auth!.kernelId });
      },
    },
    ...(hooks.resolvePath
      ? [
          {
            method: 'post',
            path: '/api/connections/:name/extract',
            auth: 'user',
            permission: { resource: 'connections', action: 'execute' },
            tag: 'connections',
            kernelAccess: true,
            summary:
              'A SELECT\'s whole result into a Parquet file of the workspace, with the stored credential: {sql, params?, path: "x.parquet"} -> {columns, rows, bytes, sha256}; one READ ONLY snapshot, exact types, the file replaced whole or not at all (a bronze extract)',
            responses: { '200': 'The file written', '400': 'Bad body, not one SELECT, or the database refused the SQL (its message and SQLSTATE)', '404': 'No such connection' },
            auditDetail: (req: Request) => {
              const b = body(req, 'extract');
              const sql = typeof b.sql === 'string' ? b.sql : '';
              return { connection: nameOf(req), sql_sha256: createHash('sha256').update(sql).digest('hex'), sql_bytes: Buffer.byteLength(sql), params: Array.isArray(b.params) ? b.params.length : 0, path: typeof b.path === 'string' ? b.path.slice(0, 500) : null };
            },
            handler: async (req: Request, res: Response) => {
              const action = 'extract';
              const b = body(req, action);
              only(b, ['sql', 'params', 'path'], action);
              if (typeof b.sql !== 'string' || b.sql.trim() === '' || b.sql.length > 1_000_000) throw new AppError('bad_request', `Cannot ${action}: sql must be non-empty text of at most 1,000,000 characters`);
              if (b.params !== undefined && (!Array.isArray(b.params) || b.params.length > 1000)) throw new AppError('bad_request', `Cannot ${action}: params must be an array (at most 1,000 values)`);
              if (typeof b.path !== 'string' || !b.path.endsWith('.parquet')) throw new AppError('bad_request', `Cannot ${action}: path must be a workspace path ending in .parquet`);
              const dest = await hooks.resolvePath!(b.path);
              const result = await extractToParquet(await connections.pool(nameOf(req)), b.sql, dest, { params: b.params as unknown[] | undefined, signal: clientGone(req, res) });
              res.json({ path: b.path, ...result });
              await hooks.queried?.({ connection: nameOf(req), sql: b.sql, actor: req.auth!.user.username, auditSeq: await auditSeqOf(req), kernelId: req.auth!.kernelId });
            },
          } satisfies RouteDef,
          {
            method: 'post',
            path: '/api/connections/:name/load',
            auth: 'user',
            permission: { resource: 'connections', action: 'execute' },
            tag: 'connections',
            kernelAccess: true,
            summary:
              'A Parquet file of the workspace into a table of a PostgreSQL connection, with the stored credential: {path: "x.parquet", table, schema? (default public)} -> {schema, table, rows, columns, sha256}; the schema is created if missing, the table replaced whole in one transaction (readers see the old or the new one), a failed load leaves the old one (the close\'s publish step)',
            responses: { '200': 'The table loaded', '400': 'Bad body or name, not readable Parquet, or the database refused the load (its message and SQLSTATE)', '404': 'No such connection' },
            auditDetail: (req: Request) => {
              const b = body(req, 'load');
              const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : null);
              return { connection: nameOf(req), path: text(b.path), schema: b.schema === undefined ? 'public' : text(b.schema), table: text(b.table) };
            },
            handler: async (req: Request, res: Response) => {
              const action = 'load';
              const b = body(req, action);
              only(b, ['path', 'table', 'schema'], action);
              if (typeof b.path !== 'string' || !b.path.endsWith('.parquet')) throw new AppError('bad_request', `Cannot ${action}: path must be a workspace path ending in .parquet`);
              if (typeof b.table !== 'string') throw new AppError('bad_request', `Cannot ${action}: table must be text`);
              if (b.schema !== undefined && typeof b.schema !== 'string') throw new AppError('bad_request', `Cannot ${action}: schema must be text`);
              const file = await hooks.resolvePath!(b.path);
              const result = await loadParquet(await connections.pool(nameOf(req)), file, { schema: (b.schema as string | undefined) ?? 'public', table: b.table, signal: clientGone(req, res) });
              res.json({ path: b.path, ...result });
            },
          } satisfies RouteDef,
        ]
      : []),
    {
      method: 'post',
      path: '/api/connections/:name/datasets',
      auth: 'user',
      permission: { resource: 'connections', action: 'execute' },
      tag: 'connections',
      kernelAccess: true,
      summary:
        'Create or refresh the Superset datasets of tables in the serving database of a superset connection: {schema, tables: [...]} -> {database, datasets: [{schema, table, outcome: created|refreshed|failed, dataset_id?, message?}]}; each table is tried, a failure is reported for its table',
      responses: { '200': 'What was done per table', '400': 'Bad body, or not a superset connection', '404': 'No such connection' },
      auditDetail: (req) => {
        const b = body(req, 'publish datasets');
        return { connection: nameOf(req), schema: typeof b.schema === 'string' ? b.schema.slice(0, 200) : null, tables: Array.isArray(b.tables) ? b.tables.slice(0, 200).map((t) => String(t).slice(0, 200)) : null };
      },
      handler: async (req, res) => {
        const action = 'publish datasets';
        const b = body(req, action);
        only(b, ['schema', 'tables'], action);
        const plain = (v: unknown) => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(v);
        if (!plain(b.schema)) throw new AppError('bad_request', `Cannot ${action}: schema must be 1-63 letters, digits or _, not starting with a digit`);
        if (!Array.isArray(b.tables) || b.tables.length === 0 || b.tables.length > 200 || !b.tables.every(plain)) throw new AppError('bad_request', `Cannot ${action}: tables must be 1-200 table names (letters, digits or _, not starting with a digit)`);
        const schema = b.schema as string;
        const tables = b.tables as string[];
        const signal = clientGone(req, res);
        const answer = await connections.withSuperset(
          nameOf(req),
          async (client, database) => {
            const results = await client.publishDatasets(
              tables.map((table) => ({ database, schema, table })),
              { signal },
            );
            return {
              database,
              datasets: results.map((r) =>
                r.outcome === 'failed'
                  ? { schema, table: r.target.table, outcome: r.outcome, message: r.error.message }
                  : { schema, table: r.target.table, outcome: r.outcome, dataset_id: r.datasetId },
              ),
            };
          },
          { signal },
        );
        res.json(answer);
      },
    },
    {
      method: 'delete',
      path: '/api/connections/:name',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Delete a connection and its credential; its tables leave the catalog (what people wrote about them stays)',
      handler: async (req, res) => {
        await connections.delete(nameOf(req));
        await hooks.deleted?.(nameOf(req));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/connections/:name/test',
      auth: 'user',
      permission: { resource: 'connections', action: 'execute' },
      tag: 'connections',
      summary: 'Test the connection as it is used now: {ok, stage (dns, network, timeout, tls, auth, database, schema, permission, query, ok), message, server, schemas}',
      handler: async (req, res) => {
        res.json(await connections.test(nameOf(req), { signal: clientGone(req, res) }));
      },
    },
    {
      method: 'post',
      path: '/api/connections/:name/rotate',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Stage a new credential {credential} and test it; the one in use keeps serving until .../rotate/activate',
      auditDetail: async (req) => {
        const before = await current(req);
        return { rotation: 'stage', credential_version_in_use: before?.credential.version ?? null };
      },
      handler: async (req, res) => {
        const b = body(req, 'rotate the credential');
        only(b, ['credential'], 'rotate the credential');
        res.json(await connections.stageRotation(nameOf(req), b.credential, by(req), { signal: clientGone(req, res) }));
      },
    },
    {
      method: 'post',
      path: '/api/connections/:name/rotate/activate',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Switch to the staged credential once it passes a test (409 when it does not: the one in use stays); the old one is deleted',
      auditDetail: async (req) => {
        const before = await current(req);
        return { rotation: 'activate', credential_version: { old: before?.credential.version ?? null, new: before?.credential.pending_version ?? null } };
      },
      handler: async (req, res) => {
        res.json(await connections.activateRotation(nameOf(req), by(req), { signal: clientGone(req, res) }));
      },
    },
    {
      method: 'delete',
      path: '/api/connections/:name/rotate',
      auth: 'user',
      permission: { resource: 'connections', action: 'write' },
      tag: 'connections',
      summary: 'Drop a staged credential',
      handler: async (req, res) => {
        res.json(await connections.cancelRotation(nameOf(req), by(req)));
      },
    },
  ];
}
