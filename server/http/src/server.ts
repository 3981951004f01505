/**
 * The HTTP + WebSocket face: an express app built from the route table,
 * auth in front of every non-public route, one error handler, and the
 * upgrade handler for the table's WebSocket routes (kernel channels,
 * terminals, events). Returns a handle that closes
 * everything it opened.
 */
import { KERNEL_AUTH_SCHEME, sha256Hex } from '@workbench/auth';
import { createServer, Server } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, Response } from 'express';
import { WebSocketServer, WebSocket } from 'ws';
import { AppError, isAppError } from '@workbench/core';
import { V1_SUBPROTOCOL } from '@workbench/protocol';
import { authenticate, corsMiddleware, requireAuth } from './auth-middleware';
import type { HttpDeps } from './deps';
import { toErrorBody, WS_CLOSE } from './error-table';
import { Permission, RouteDef, RouteTable } from './route-table';
import { StaticFiles } from './static-files';
import { apiRoutes } from './routes/api';
import { configRoutes } from './routes/config';
import { eventRoutes, eventsSocketRoute } from './routes/events';
import { kernelspecRoutes } from './routes/kernelspecs';
import { kernelRoutes } from './routes/kernels';
import { labApiRoutes } from './routes/lab-api';
import { labPageRoutes } from './routes/lab-pages';
import { loginRoutes, setLoginCookie, ensureXsrfCookie } from './routes/login';
import { oidcRoutes } from './routes/oidc';
import { nbconvertRoutes } from './routes/nbconvert';
import { sessionRoutes } from './routes/sessions';
import { contentsRoutes } from './routes/contents';
import { historyRoutes } from './routes/history';
import { terminalRoutes } from './routes/terminals';
import { collaborationRoutes, collaborationSocketRoute } from './routes/collaboration';
import { kernelSocketRoute } from './ws/kernel-socket';
import { terminalSocketRoute } from './ws/terminal-socket';
import { createUpgradeHandler } from './ws/upgrade';
import { assertJsonDepth, MAX_JSON_DEPTH } from './json-depth';
import { auditDenied, auditFailure, auditMiddleware, auditPlan } from './audit-hook';
import { auditRoutes } from './routes/audit';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';
import { connectionRoutes } from './routes/connections';
import { catalogRoutes } from './routes/catalog';
import { pipelineRoutes } from './routes/pipelines';
import { documentRoutes, isRawUpload } from './routes/documents';
import { templateRoutes } from './routes/templates';
import { environmentRoutes } from './routes/environments';
import { dependencyRoutes } from './routes/dependencies';
import { clientIp, isSecureRequest } from './client-address';
import { onClientError } from './client-error';

export interface HttpServer extends AsyncDisposable {
  readonly server: Server;
  readonly routes: RouteTable;
  listen(port: number, host: string): Promise<number>;
  /**
   * Also answer HTTP (no WebSockets) on a Unix socket: how code in a kernel
   * without network reaches the server (the socket is bound into its
   * sandbox; requests are signed with the kernel's key like any other).
   */
  listenUnix(path: string): Promise<void>;
}

export function createHttpServer(deps: HttpDeps): HttpServer {
  const table = new RouteTable();
  const staticFiles = new StaticFiles();
  table.add(
    ...apiRoutes(deps, table),
    ...kernelspecRoutes(deps),
    ...kernelRoutes(deps),
    ...sessionRoutes(deps),
    ...contentsRoutes(deps),
    ...historyRoutes(deps),
    ...loginRoutes(deps),
    ...(deps.sso ? oidcRoutes(deps, deps.sso) : []),
    ...labPageRoutes(deps, staticFiles),
    ...labApiRoutes(deps),
    ...configRoutes(deps),
    ...nbconvertRoutes(deps),
    ...(deps.audit ? auditRoutes(deps.audit) : []),
    ...(deps.apiTokens ? tokenRoutes(deps.apiTokens) : []),
    ...(deps.users ? userRoutes(deps.users) : []),
    ...(deps.connections
      ? connectionRoutes(deps.connections, {
          resolvePath: deps.contents && (async (path) => (await deps.contents!.resolve(path)).osPath),
          deleted: deps.catalog && ((name) => deps.catalog!.forget(name)),
          queried: deps.catalog && (async (q) => {
            await deps.catalog!.sql.record({ source: q.connection, dialect: 'postgres', sql: q.sql, actor: q.actor, auditSeq: q.auditSeq, job: q.kernelId ? `kernel/${q.kernelId}` : 'api' }).catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'catalog: the usage and lineage of a query were not recorded'));
          }),
        })
      : []),
    ...(deps.catalog ? catalogRoutes(deps.catalog, deps.identity, { producer: `https://workbench.local/${deps.version}` }) : []),
    ...(deps.pipelines ? pipelineRoutes(deps.pipelines, deps.audit) : []),
    ...(deps.documents ? documentRoutes(deps.documents.service, deps.documents.sources, deps.audit) : []),
    ...(deps.templates ? templateRoutes(deps.templates, deps.identity, deps.pipelines) : []),
    ...(deps.environments ? environmentRoutes(deps.environments) : []),
    ...(deps.dependencies ? dependencyRoutes(deps.dependencies) : []),
    ...eventRoutes(deps),
    ...(deps.terminals ? terminalRoutes(deps.terminals) : []),
    ...(deps.collaboration ? collaborationRoutes(deps.collaboration) : []),
  );
  table.addSocket(kernelSocketRoute(deps), eventsSocketRoute(deps));
  if (deps.terminals) table.addSocket(terminalSocketRoute(deps.terminals, deps.logger, deps.maxClientBufferBytes));
  if (deps.collaboration) table.addSocket(collaborationSocketRoute(deps.collaboration, deps.identity, deps.logger));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    req.id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
    req.clientIp = clientIp(req, deps.trustXheaders === true);
    req.secureTransport = isSecureRequest(req, deps.trustXheaders === true);
    res.setHeader('X-Request-Id', req.id);
    // The per-request debug line costs a listener, a clock read and a regex: only when someone reads it.
    if (deps.logger.isLevelEnabled?.('debug') ?? true) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        deps.logger.debug({ req_id: req.id, method: req.method, url: req.originalUrl.replace(/token=[^&]*/g, 'token=[redacted]'), status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
      });
    }
    next();
  });
  app.use(corsMiddleware(deps.cors));
  // jupyter_server parses API bodies as JSON whatever the Content-Type says; clients rely on it.
  app.use(
    express.json({
      limit: deps.maxBodyBytes,
      strict: true,
      // Document uploads are raw files, read by their routes (routes/documents.ts).
      type: (req) => !isRawUpload(req.method, req.url) && (!String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded') || (req.url ?? '').includes('/api/')),
      // JSON.parse copes with any depth, but what walks the value afterwards (validation, JSON.stringify) recurses.
      verify: (req, _res, body) => {
        assertJsonDepth(body, MAX_JSON_DEPTH);
        // A kernel signs the body it sends (auth/kernel-signature.ts).
        if (req.headers.authorization?.startsWith(KERNEL_AUTH_SCHEME)) (req as typeof req & { bodySha256?: string }).bodySha256 = sha256Hex(body);
        // A pipeline webhook is signed over its exact bytes (routes/pipelines.ts).
        if (req.method === 'POST' && /\/api\/pipelines\/[^/]+\/webhook(\?|$)/.test(req.url ?? '')) (req as typeof req & { rawBody?: Buffer }).rawBody = body;
      },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));

  const router = express.Router({ strict: false });
  for (const r of table.all()) {
    const handlers: ((req: Request, res: Response, next: NextFunction) => unknown)[] = [];
    const plan = deps.audit ? auditPlan(r) : undefined;
    if (r.auth !== 'public') {
      const check = r.page ? pageAuth(deps, r.auth, r.permission) : requireAuth(deps.identity, r.auth, r.permission, r.kernelAccess === true);
      // Every refusal of a signed-in user is recorded, audited route or not.
      handlers.push(deps.audit ? recordDenials(deps, r, check) : check);
    }
    if (plan) handlers.push(auditMiddleware(deps, r, plan));
    handlers.push(async (req, res) => {
      await r.handler(req, res);
    });
    router[r.method](r.path, ...handlers);
  }
  app.use(deps.baseUrl.replace(/\/$/, '') || '/', router);
  if (deps.baseUrl !== '/') app.get('/', (_req, res) => res.redirect(302, deps.baseUrl));
  router.get('/', (_req, res) => res.redirect(302, `${deps.baseUrl}lab`));

  // Unknown routes: still authenticate first, so an unknown path tells an anonymous client nothing.
  app.use(async (req, _res, next) => {
    await requireAuth(deps.identity, 'user')(req, _res, () => next(new AppError('not_found', `Cannot ${req.method} ${req.path}: no such endpoint`)));
  });
  app.use(async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bodyErr = err as { type?: string; status?: number };
    if (!isAppError(err) && bodyErr?.type === 'request.aborted') {
      // The client went away mid-body: nobody is left to answer.
      deps.logger.debug({ req_id: req.id, method: req.method, url: req.path }, 'client aborted the request body');
      res.destroy();
      return;
    }
    if (!isAppError(err) && bodyErr?.type === 'entity.parse.failed') err = new AppError('bad_request', 'Cannot parse request body: malformed JSON');
    else if (!isAppError(err) && bodyErr?.type === 'entity.too.large') err = new AppError('payload_too_large', `Cannot accept request body: larger than ${deps.maxBodyBytes} bytes`);
    const { status, body, known } = toErrorBody(err);
    if (req.audited) await auditFailure(deps, req, status, body.message);
    if (!known) deps.logger.error({ req_id: req.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'unhandled error');
    else if (status >= 500) deps.logger.warn({ req_id: req.id, err: body.message }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  });

  const server = createServer({ noDelay: true, keepAlive: true }, app);
  server.keepAliveTimeout = 65_000;
  server.on('clientError', onClientError(deps));
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // A text frame that is not UTF-8 closes its connection with 1007 (RFC 6455 8.1).
    skipUTF8Validation: false,
    // Checked against the frame header, so a message over the limit is refused with 1009 before it is buffered.
    maxPayload: deps.maxWsMessageBytes,
    handleProtocols: (protocols) => (protocols.has(V1_SUBPROTOCOL) ? V1_SUBPROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const pinger = setInterval(() => {
    for (const ws of sockets) {
      const alive = (ws as WebSocket & { _wbAlive?: boolean })._wbAlive;
      if (alive === false) {
        ws.terminate();
        continue;
      }
      (ws as WebSocket & { _wbAlive?: boolean })._wbAlive = false;
      ws.ping();
    }
  }, 30_000);
  pinger.unref();

  server.on(
    'upgrade',
    createUpgradeHandler(deps, table, wss, (ws) => {
      sockets.add(ws);
      (ws as WebSocket & { _wbAlive?: boolean })._wbAlive = true;
      ws.on('pong', () => ((ws as WebSocket & { _wbAlive?: boolean })._wbAlive = true));
      ws.on('close', () => sockets.delete(ws));
    }),
  );

  let disposed: Promise<void> | undefined;
  const unixServers: { server: Server; path: string }[] = [];
  return {
    server,
    routes: table,
    async listenUnix(path: string): Promise<void> {
      await rm(path, { force: true });
      const local = createServer({ noDelay: true }, app);
      local.on('clientError', onClientError(deps));
      // WebSockets are not served here: an upgrade is refused at once.
      local.on('upgrade', (_req, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        local.once('error', reject);
        local.listen(path, () => {
          local.off('error', reject);
          resolve();
        });
      });
      // Who may connect is not the boundary (each request is signed); kernels run as other uids.
      await chmod(path, 0o666);
      unixServers.push({ server: local, path });
    },
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as { port: number }).port);
        });
      });
    },
    [Symbol.asyncDispose](): Promise<void> {
      disposed ??= (async () => {
        clearInterval(pinger);
        for (const ws of sockets) ws.close(WS_CLOSE.goingAway, 'server shutting down');
        wss.close();
        for (const u of unixServers) {
          u.server.closeAllConnections();
          await new Promise<void>((resolve) => u.server.close(() => resolve()));
          await rm(u.path, { force: true });
        }
        server.closeIdleConnections();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          setTimeout(() => {
            server.closeAllConnections();
            for (const ws of sockets) ws.terminate();
          }, 2000).unref();
        });
      })();
      return disposed;
    },
  };
}

/** A signed-in user refused by the role check of an audited route leaves a "denied" record. */
function recordDenials(deps: HttpDeps, r: RouteDef, check: (req: Request, res: Response, next: NextFunction) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await check(req, res, next);
    } catch (err) {
      if (isAppError(err, 'forbidden')) {
        const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
        const auth = await authenticate(req, query, deps.identity).catch(() => undefined);
        if (auth) await auditDenied(deps, req, r, auth, err);
      }
      throw err;
    }
  };
}

/** Page routes: ?token= sets the login cookie; without auth a GET redirects to the login page. */
function pageAuth(deps: HttpDeps, level: 'user' | 'admin', permission?: Permission) {
  const check = requireAuth(deps.identity, level, permission);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await check(req, res, () => undefined);
    } catch (err) {
      if (isAppError(err, 'unauthenticated') && req.method === 'GET') {
        res.redirect(302, `${deps.baseUrl}login?next=${encodeURIComponent(req.originalUrl.replace(/([?&])token=[^&]*&?/, '$1').replace(/[?&]$/, ''))}`);
        return;
      }
      throw err;
    }
    if (req.auth!.method === 'token' && typeof req.query.token === 'string') {
      setLoginCookie(res, deps, deps.identity.issueCookie(req.auth!.user));
      ensureXsrfCookie(req, res, deps.baseUrl);
    }
    next();
  };
}
