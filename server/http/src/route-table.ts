/**
 * Every HTTP route and WebSocket endpoint is declared here with its auth
 * level (and, where it matters, the resource it touches), so the auth
 * middleware, the OpenAPI description (/api/spec.yaml) and the auth sweep
 * test all read one table: a new route cannot forget auth.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import type { WebSocket } from 'ws';
import type { Action, Authenticated } from '@workbench/auth';

export type AuthLevel = 'public' | 'user' | 'admin';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a route touches, for role checks (jupyter_server's auth_resource + action). */
export interface Permission {
  resource: string;
  action: Action;
}

export interface RouteDef {
  method: Method;
  /** Express path (":param" segments), relative to the base URL, starting with "/". */
  path: string;
  auth: AuthLevel;
  /** Checked after authentication: a user whose roles do not allow it gets 403. Required unless public. */
  permission?: Permission;
  summary: string;
  tag: string;
  /** Example values for path params, used by the auth sweep and spec. */
  responses?: Record<string, string>;
  /**
   * What the audit record of this request says beyond who, what and where
   * (e.g. a setting's old and new value). Runs before the handler, after
   * authentication; a throw refuses the request (a malformed body: 400).
   */
  auditDetail?: (req: Request) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** A browser page: unauthenticated GETs redirect to /login instead of a 403. */
  page?: boolean;
  /** Code in a kernel may call it, signed with the kernel's key, as the kernel's owner (auth/kernel-signature.ts). Off unless set. */
  kernelAccess?: boolean;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export interface SocketContext {
  req: IncomingMessage;
  url: URL;
  /** Decoded path parameters. */
  params: Record<string, string>;
  auth: Authenticated;
}

/** A WebSocket endpoint: authenticated (and origin-checked) before `accept` runs. */
export interface SocketRouteDef {
  /** Express-style path (":param" segments), relative to the base URL. */
  path: string;
  auth: Exclude<AuthLevel, 'public'>;
  permission?: Permission;
  summary: string;
  tag: string;
  /**
   * Runs before the upgrade: throw an AppError to refuse it with that
   * error's status (e.g. 404 for an unknown kernel), or return what to do
   * with the open socket.
   */
  accept(ctx: SocketContext): (ws: WebSocket) => void;
}

export class RouteTable {
  private readonly routes: RouteDef[] = [];
  private readonly socketRoutes: SocketRouteDef[] = [];

  /** Throws for a non-public route without a permission: every route says what it touches, so roles decide who may use it. */
  add(...defs: RouteDef[]): void {
    for (const d of defs) if (d.auth !== 'public' && !d.permission) throw new Error(`Route ${d.method.toUpperCase()} ${d.path} declares no permission (resource, action)`);
    this.routes.push(...defs);
  }

  addSocket(...defs: SocketRouteDef[]): void {
    for (const d of defs) if (!d.permission) throw new Error(`WebSocket ${d.path} declares no permission (resource, action)`);
    this.socketRoutes.push(...defs);
  }

  all(): readonly RouteDef[] {
    return this.routes;
  }

  sockets(): readonly SocketRouteDef[] {
    return this.socketRoutes;
  }
}

/** Match a socket route's ":param" path against a request path (both relative to the base URL). */
export function matchSocketPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.replace(/^\//, '').split('/');
  const s = path.replace(/^\//, '').split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) {
      if (!s[i]) return undefined;
      try {
        params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return undefined;
      }
    } else if (p[i] !== s[i]) return undefined;
  }
  return params;
}
