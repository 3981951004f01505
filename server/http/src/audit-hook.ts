/**
 * Which requests are data actions, and the audit record each one leaves
 * (server/audit). One place decides, from the route table, so a route
 * added later is audited by the same rule:
 *
 * - every change (POST, PUT, PATCH, DELETE) except per-user interface state
 *   (JupyterLab settings and workspaces, frontend config, client events,
 *   login): recorded (written to the audit journal, or committed on
 *   PostgreSQL) BEFORE the handler runs, so no change happens that the log
 *   does not hold, then flushed to disk while the handler works, and
 *   nothing of the answer is sent before the record is on disk; a change
 *   that then fails leaves a second record with outcome "error";
 * - reading workspace data (a file's or notebook's content, raw files,
 *   versions, exports, the audit log itself, a pipeline run's logs, a
 *   received document, its file and pages): recorded before the handler
 *   reads and flushed to disk meanwhile, and nothing of the answer is sent
 *   before the record is on disk (a directory listing or a metadata-only
 *   check is not data and is not recorded: GET /api/contents records once
 *   the contents manager has found a file whose content it will read, and
 *   before it reads it);
 * - a signed-in user refused by a role check, on any route: recorded as
 *   "denied".
 *
 * When the audit store cannot be written the request fails with 503 and
 * nothing is changed or sent (fail closed). When the disk fails to flush a
 * record that was written (an fdatasync error) the answer is a 503 too,
 * and a read's data is never sent; a change has then been made, and its
 * record is in the log but not known to be on disk.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AuditEntry } from '@workbench/audit';
import type { Authenticated } from '@workbench/auth';
import { isAppError } from '@workbench/core';
import type { HttpDeps } from './deps';
import { toErrorBody } from './error-table';
import type { RouteDef } from './route-table';

/** Per-user interface state: changes to it are not data actions. */
// Also the dependency analysis of cells: a computation over what the client sends, which changes nothing.
const UI_STATE_TAGS = new Set(['lab', 'config', 'events', 'login', 'dependencies']);
/** GET routes that hand out workspace data. */
const DATA_READ_TAGS = new Set(['contents', 'history', 'nbconvert', 'audit', 'catalog-data', 'run-data', 'documents-data']);

/** change: recorded before the handler, on disk before the answer; read: recorded before the handler reads, flushed meanwhile; contents-read: a read when it is a file's content. */
export type AuditPlan = 'change' | 'read' | 'contents-read';

export function auditPlan(r: RouteDef): AuditPlan | undefined {
  if (r.auth === 'public' || UI_STATE_TAGS.has(r.tag)) return undefined;
  if (r.method !== 'get') return 'change';
  if (!DATA_READ_TAGS.has(r.tag)) return undefined;
  // GET /api/contents answers directories and metadata-only checks too.
  return r.path.startsWith('/api/contents') && !r.path.includes('checkpoints') ? 'contents-read' : 'read';
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The record written before the handler ran, for the "error" record if it fails. */
    audited?: AuditEntry;
    /** Its sequence number in the log (what usage statistics point at); see `auditSeqOf`. */
    auditSeq?: () => Promise<number>;
    /** GET /api/contents: records the read once the handler knows it reads a file's or notebook's content (before it reads it). */
    auditContentRead?: (type: 'notebook' | 'file') => void;
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
    detail: { method: req.method, route: r.path, request_id: req.id, ...(auth.kernelId && { kernel_id: auth.kernelId }) },
    ...extra,
  };
}

/** How the actor signed in, in the audit log's terms. */
export function auditVia(auth: Authenticated): Authenticated['method'] {
  return auth.method;
}

/** The middleware that writes a route's record (after authentication, before the handler). */
export function auditMiddleware(deps: HttpDeps, r: RouteDef, plan: AuditPlan) {
  const audit = deps.audit!;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let entry = auditEntry(req, r, req.auth!);
    if (r.auditDetail) entry = { ...entry, detail: { ...entry.detail, ...(await r.auditDetail(req)) } };
    if (plan === 'change') {
      // Recorded before anything changes; its flush overlaps the handler's work and the answer waits for it.
      const { seq, durable } = await audit.append(entry);
      req.auditSeq = seq;
      req.audited = entry;
      holdResponse(res, durable);
      next();
      return;
    }
    if (plan === 'contents-read') {
      // A file's or notebook's content is data; a listing or a metadata-only check is not. The contents
      // manager knows which once it has looked at the path: the handler passes this on (routes/contents.ts).
      const read = entry;
      req.auditContentRead = (type) => {
        req.auditContentRead = undefined;
        recordRead(req, res, audit, { ...read, detail: { ...read.detail, type } });
      };
      next();
      return;
    }
    recordRead(req, res, audit, entry);
    next();
  };
}

/**
 * A read changes nothing: its record is written (on the journal, at once) and flushed while the
 * handler reads; what the handler answers is held until the record is on disk.
 */
function recordRead(req: Request, res: Response, audit: NonNullable<HttpDeps['audit']>, entry: AuditEntry): void {
  const durable = audit.append(entry).then((appended) => appended.durable);
  holdResponse(res, durable);
  req.audited = entry;
}

/**
 * Nothing of the response leaves before `durable` resolves: the handler
 * runs meanwhile and what it writes is queued, then sent in order. When
 * `durable` rejects, the client gets the audit log's 503 instead (once the
 * handler has finished) and the data is never sent.
 */
function holdResponse(res: Response, durable: Promise<void>): void {
  const queue: (() => void)[] = [];
  const { writeHead, write, end } = res;
  let state: 'held' | 'released' | 'failed' = 'held';
  let failure: unknown;
  let ended = false;
  const restore = () => {
    res.writeHead = writeHead;
    res.write = write;
    res.end = end;
  };
  const sendFailure = () => {
    restore();
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) if (name !== 'x-request-id' && !name.startsWith('access-control-')) res.removeHeader(name);
    const { status, body } = toErrorBody(failure);
    res.status(status).json(body);
  };
  res.writeHead = function (this: Response, ...args: unknown[]) {
    if (state === 'held') queue.push(() => (writeHead as (...a: unknown[]) => Response).apply(this, args));
    return this;
  } as Response['writeHead'];
  res.write = function (this: Response, ...args: unknown[]) {
    if (state === 'held') queue.push(() => (write as (...a: unknown[]) => boolean).apply(this, args));
    return true;
  } as Response['write'];
  res.end = function (this: Response, ...args: unknown[]) {
    ended = true;
    if (state === 'failed') sendFailure();
    else queue.push(() => (end as (...a: unknown[]) => Response).apply(this, args));
    return this;
  } as Response['end'];
  durable.then(
    () => {
      state = 'released';
      restore();
      for (const send of queue.splice(0)) send();
    },
    (err: unknown) => {
      state = 'failed';
      failure = err;
      queue.length = 0;
      // The handler's answer is dropped; the failure goes out when it has finished (or now, if it has).
      if (ended) sendFailure();
    },
  );
}

/** The sequence number of the record written before the handler ran, or null (none, or the log could not say). */
export async function auditSeqOf(req: Request): Promise<number | null> {
  try {
    return req.auditSeq ? await req.auditSeq() : null;
  } catch {
    return null;
  }
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
