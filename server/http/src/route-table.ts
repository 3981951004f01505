/**
 * Every HTTP route is declared here with its auth level, so the auth
 * middleware, the OpenAPI description (/api/spec.yaml) and the auth sweep
 * test all read one table: a new route cannot forget auth.
 */
import type { Request, Response } from 'express';

export type AuthLevel = 'public' | 'user' | 'admin';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDef {
  method: Method;
  /** Express path (":param" segments), relative to the base URL, starting with "/". */
  path: string;
  auth: AuthLevel;
  summary: string;
  tag: string;
  /** Example values for path params, used by the auth sweep and spec. */
  responses?: Record<string, string>;
  /** A browser page: unauthenticated GETs redirect to /login instead of a 403. */
  page?: boolean;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export class RouteTable {
  private readonly routes: RouteDef[] = [];

  add(...defs: RouteDef[]): void {
    this.routes.push(...defs);
  }

  all(): readonly RouteDef[] {
    return this.routes;
  }
}
