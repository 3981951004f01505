/**
 * Which requests are data actions, and the audit record each one leaves
 * (server/audit). One place decides, from the route table, so a route
 * added later is audited by the same rule:
 *
 * - every change (POST, PUT, PATCH, DELETE) except per-user interface state
 *   (JupyterLab settings and workspaces, frontend config, client events,
 *   login): recorded BEFORE the handler runs, so no change happens that the
 *   log does not hold; a change that then fails leaves a second record with
 *   outcome "error";
 * - reading workspace data (a file's or notebook's content, raw files,
 *   versions, exports, the audit log itself): recorded before the data
 *   leaves the server (a directory listing or a metadata-only check is not
 *   data and is not recorded);
 * - a signed-in user refused by a role check: recorded as "denied".
 *
 * `record` resolves once the record is committed; when the audit store
 * cannot be written the request fails with 503 and nothing is changed or
 * sent (fail closed).
 */
import type { NextFunction, Request, Response } from 'express';
import type { AuditEntry } from '@workbench/audit';
import type { Authenticated } from '@workbench/auth';
import { isAppError } from '@workbench/core';
import type { HttpDeps } from './deps';
import { toErrorBody } from './error-table';
import type { RouteDef } from './route-table';

/** Per-user interface state: changes to it are not data actions. */
const UI_STATE_TAGS = new Set(['lab', 'config', 'events', 'login']);
/** GET routes that hand out workspace data. */
const DATA_READ_TAGS = new Set(['contents', 'history', 'nbconvert', 'audit']);

export type AuditPlan = 'before' | 'on-response';

export function auditPlan(r: RouteDef): AuditPlan | undefined {
  if (r.auth === 'public' || UI_STATE_TAGS.has(r.tag)) return undefined;
  if (r.method !== 'get') return 'before';
  if (!DATA_READ_TAGS.has(r.tag)) return undefined;
  // GET /api/contents answers directories and metadata-only checks too: decided on the answer.
  return r.path.startsWith('/api/contents') && !r.path.includes('checkpoints') ? 'on-response' : 'before';
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The record written before the handler ran, for the "error" record if it fails. */
    audited?: AuditEntry;
  }
}

function targetOf(req: Request): string | null {
  const p = req.params as Record<string, string | string[] | undefined>;
  const path = p.path;
  if (Array.isArray(path)) return path.join('/');
  if (typeof path === 'string') return path;
  for (const k of ['kernel_id', 'session_id', 'name', 'id', 'username', 'plugin', 'checkpoint_id']) if (typeof p[k] === 'string') return p[k] as string;
  if (typeof req.query.path === 'string') return req.query.path;
  return null;
}

export function auditEntry(req: Request, r: Pick<RouteDef, 'path' | 'permission' | 'tag' | 'method'>, auth: Authenticated, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: auth.user.username,
    actorRole: auth.user.roles.join(',') || null,
    via: auditVia(auth),
    resource: r.permission?.resource ?? r.tag,
    action: r.permission?.action ?? (r.method === 'get' ? 'read' : 'write'),
    target: targetOf(req),
    ip: req.clientIp ?? req.socket.remoteAddress ?? null,
    userAgent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
    outcome: 'ok',
    // request_id: the X-Request-Id the client got, so a record, the server log and the client's own log line up.
    detail: { method: req.method, route: r.path, request_id: req.id },
    ...extra,
  };
}

/** How the actor signed in, in the audit log's terms. */
export function auditVia(auth: Authenticated): 'token' | 'cookie' | 'sso' | 'api_token' {
  return auth.method;
}

/** The middleware that writes a route's record (after authentication, before the handler). */
export function auditMiddleware(deps: HttpDeps, r: RouteDef, plan: AuditPlan) {
  const audit = deps.audit!;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let entry = auditEntry(req, r, req.auth!);
    if (r.auditDetail) entry = { ...entry, detail: { ...entry.detail, ...(await r.auditDetail(req)) } };
    if (plan === 'before') {
      await audit.record(entry);
      req.audited = entry;
      next();
      return;
    }
    // on-response: the model decides (content of a file or notebook is data; a listing is not).
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const model = body as { type?: string; content?: unknown } | null;
      if (res.statusCode >= 400 || !model || model.type === 'directory' || model.content === null || model.content === undefined) return json(body);
      audit.record({ ...entry, detail: { ...entry.detail, type: model.type } }).then(
        () => json(body),
        (err: unknown) => {
          const { status, body: errorBody } = toErrorBody(err);
          res.status(status);
          json(errorBody);
        },
      );
      return res;
    };
    next();
  };
}

/** After a change was recorded and then failed: a second record with the outcome. Best effort: the client still gets its error. */
export async function auditFailure(deps: HttpDeps, req: Request, status: number, message: string): Promise<void> {
  if (!deps.audit || !req.audited) return;
  const entry = req.audited;
  req.audited = undefined;
  try {
    await deps.audit.record({ ...entry, outcome: status === 403 ? 'denied' : 'error', detail: { ...entry.detail, status, message: message.slice(0, 300) } });
  } catch {
    // The audit failure itself is logged by the audit log.
  }
}

/** A signed-in user refused by a role check on an audited route. */
export async function auditDenied(deps: HttpDeps, req: Request, r: RouteDef, auth: Authenticated, err: unknown): Promise<void> {
  if (!deps.audit) return;
  try {
    await deps.audit.record(auditEntry(req, r, auth, { outcome: 'denied', detail: { method: req.method, route: r.path, request_id: req.id, message: isAppError(err) ? err.message : 'forbidden' } }));
  } catch {
    // Refused either way.
  }
}
