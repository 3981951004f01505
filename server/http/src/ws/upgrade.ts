/**
 * The one place where WebSocket upgrades are dispatched, for every socket
 * route in the table: authenticate (token or login cookie), refuse a
 * cookie-authenticated socket from a foreign origin (jupyter_server's
 * check_origin), find the route, check its role permission, let the route
 * refuse (unknown kernel or terminal), and only then upgrade. Refusals are
 * plain HTTP answers with a JSON body, and an anonymous client learns
 * nothing about which paths exist.
 *
 * Ownership of errors (STYLE.md practice 6): Node's HTTP server stops
 * listening for `error` on a socket the moment it emits `upgrade`, so an
 * unhandled reset there used to kill the process. This dispatcher attaches
 * the socket's `error` handler before it does anything else and keeps it
 * for the socket's whole life, and attaches the WebSocket's `error` handler
 * before any route sees it, so a route added later gets both for free. An
 * error ends that one connection, is logged once, and touches nothing else.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { isAppError, Logger } from '@workbench/core';
import { authenticate, checkPermission, originAllowed } from '../auth-middleware';
import type { HttpDeps } from '../deps';
import { httpStatus, WS_CLOSE } from '../error-table';
import { matchSocketPath, RouteTable } from '../route-table';

function sameOrAllowedOrigin(req: IncomingMessage, deps: HttpDeps): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return true;
  try {
    if (new URL(origin).host === host) return true;
  } catch {
    return false;
  }
  return originAllowed(origin, deps.cors);
}

/** Errors a vanishing or misbehaving peer causes: routine, logged at debug. Anything else is worth a warning. */
const PEER_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Logs a connection's first error only (a reset often surfaces on the socket and the WebSocket both). */
function connectionErrorLogger(logger: Logger, label: () => string) {
  let logged = false;
  return (err: Error & { code?: string }, what: string): void => {
    if (logged) return;
    logged = true;
    const fields = { route: label(), code: err.code, err: err.message };
    if (err.code === undefined || PEER_ERRORS.has(err.code) || err.code.startsWith('WS_ERR_')) logger.debug(fields, `${what} error; connection closed`);
    else logger.warn(fields, `${what} error; connection closed`);
  };
}

export function createUpgradeHandler(deps: HttpDeps, table: RouteTable, wss: WebSocketServer, onSocket: (ws: WebSocket) => void) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let route = (req.url ?? '/').split('?')[0]!.slice(0, 200);
    const logError = connectionErrorLogger(deps.logger, () => route);
    // First, before anything can fail: this socket's errors are ours until it closes.
    socket.on('error', (err: Error) => {
      logError(err, 'WebSocket upgrade socket');
      socket.destroy();
    });
    const reject = (status: number, message: string): void => {
      if (socket.destroyed || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message, reason: null })}`);
    };
    dispatch().catch((err: unknown) => {
      deps.logger.warn({ route, err: err instanceof Error ? err.message : String(err) }, 'WebSocket upgrade failed');
      socket.destroy();
    });
    async function dispatch(): Promise<void> {
      let onOpen: (ws: WebSocket) => void;
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!url.pathname.startsWith(deps.baseUrl)) return reject(404, 'Cannot upgrade: no such endpoint');
        const auth = await authenticate(req, url.searchParams, deps.identity);
        if (!auth) return reject(403, 'Cannot authenticate: send a token (Authorization: token <TOKEN> or ?token=) or log in at /login');
        if (auth.method === 'kernel') return reject(403, 'Cannot open a WebSocket from a kernel: kernels may only query their connections and read the catalog');
        // Cookie-authenticated WebSockets must come from our own origin (or an allowed one).
        if ((auth.method === 'cookie' || auth.method === 'sso') && !sameOrAllowedOrigin(req, deps)) return reject(403, `Cannot accept WebSocket: origin ${req.headers.origin} is not allowed`);
        const path = url.pathname.slice(deps.baseUrl.length - 1);
        let params: Record<string, string> | undefined;
        const def = table.sockets().find((r) => (params = matchSocketPath(r.path, path)) !== undefined);
        if (!def || !params) return reject(404, 'Cannot upgrade: no such WebSocket endpoint');
        route = def.path;
        if (def.auth === 'admin' && !auth.user.roles.includes('admin')) return reject(403, `Cannot open ${def.path}: requires the admin role`);
        checkPermission(deps.identity, auth, def.permission);
        onOpen = def.accept({ req, url, params, auth });
      } catch (err) {
        if (isAppError(err)) return reject(httpStatus(err.code), err.message);
        deps.logger.warn({ route, err: String(err) }, 'WebSocket upgrade failed');
        return reject(400, 'Cannot upgrade: bad request');
      }
      // The peer may have gone while we decided; ws would answer a destroyed socket with nothing anyway.
      if (socket.destroyed) return;
      (socket as Duplex & { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // ws emits `error` for protocol violations (bad opcode, unmasked frame, invalid UTF-8, too big)
        // and then closes with the RFC 6455 code itself; without a listener the emit would throw.
        ws.on('error', (err) => logError(err, 'WebSocket'));
        onSocket(ws);
        try {
          onOpen(ws);
        } catch (err) {
          deps.logger.warn({ route, err: err instanceof Error ? err.message : String(err) }, 'WebSocket route failed to open');
          ws.close(WS_CLOSE.internal, 'Cannot open: internal error');
        }
      });
    }
  };
}
