/**
 * A scriptable HTTP(S) server for REST tests: node:http (or node:https
 * with a test certificate) on 127.0.0.1 port 0. A test routes
 * method + path to a handler that may answer anything: an error status,
 * 429 with Retry-After, 503 then 200, never (a slow server: dispose
 * closes what is left open), or a reset connection. Every request is
 * recorded, and a test can wait for the nth one.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestCertificate } from './tls';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type TestHandler = (req: IncomingMessage, res: ServerResponse, body: string, nth: number) => void | Promise<void>;

export interface TestHttpServer extends AsyncDisposable {
  /** http(s)://127.0.0.1:<port> */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answer `method` `path` (the path without query) with `handler`; `nth` counts that route's requests from 1. */
  route(method: string, path: string, handler: TestHandler): void;
  /** Resolves when `count` requests in all have arrived. */
  received(count: number): Promise<void>;
}

export async function startTestHttpServer(options: { tls?: TestCertificate } = {}): Promise<TestHttpServer> {
  const routes = new Map<string, { handler: TestHandler; count: number }>();
  const requests: RecordedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    req.on('error', () => res.destroy());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      for (const w of waiters.filter((x) => requests.length >= x.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = routes.get(`${req.method} ${path}`);
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
        return;
      }
      route.count++;
      Promise.resolve(route.handler(req, res, body, route.count)).catch(() => res.destroy());
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client refusing our certificate aborts its handshake: that is what such a test wants.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, { handler, count: 0 });
    },
    received(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    [Symbol.asyncDispose]() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
