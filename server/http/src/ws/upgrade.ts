/**
 * WebSocket upgrades for every socket route in the table: authenticate
 * (token or login cookie), refuse a cookie-authenticated socket from a
 * foreign origin (jupyter_server's check_origin), find the route, check
 * its role permission, let the route refuse (unknown kernel or terminal),
 * and only then upgrade. Refusals are plain HTTP answers with a JSON body,
 * and an anonymous client learns nothing about which paths exist.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { isAppError } from '@workbench/core';
import { authenticate, checkPermission, originAllowed } from '../auth-middleware';
import type { HttpDeps } from '../deps';
import { httpStatus } from '../error-table';
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

export function createUpgradeHandler(deps: HttpDeps, table: RouteTable, wss: WebSocketServer, onSocket: (ws: WebSocket) => void) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const reject = (status: number, message: string) => {
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message, reason: null })}`);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(deps.baseUrl)) return reject(404, 'Cannot upgrade: no such endpoint');
      const auth = authenticate(req, url.searchParams, deps.identity);
      if (!auth) return reject(403, 'Cannot authenticate: send a token (Authorization: token <TOKEN> or ?token=) or log in at /login');
      // Cookie-authenticated WebSockets must come from our own origin (or an allowed one).
      if (auth.method === 'cookie' && !sameOrAllowedOrigin(req, deps)) return reject(403, `Cannot accept WebSocket: origin ${req.headers.origin} is not allowed`);
      const path = url.pathname.slice(deps.baseUrl.length - 1);
      let params: Record<string, string> | undefined;
      const route = table.sockets().find((r) => (params = matchSocketPath(r.path, path)) !== undefined);
      if (!route || !params) return reject(404, 'Cannot upgrade: no such WebSocket endpoint');
      if (route.auth === 'admin' && !auth.user.roles.includes('admin')) return reject(403, `Cannot open ${route.path}: requires the admin role`);
      checkPermission(deps.identity, auth, route.permission);
      const onOpen = route.accept({ req, url, params, auth });
      (socket as Duplex & { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
      wss.handleUpgrade(req, socket, head, (ws) => {
        onSocket(ws);
        onOpen(ws);
      });
    } catch (err) {
      if (isAppError(err)) return reject(httpStatus(err.code), err.message);
      deps.logger.warn({ err: String(err) }, 'WebSocket upgrade failed');
      reject(400, 'Cannot upgrade: bad request');
    }
  };
}
