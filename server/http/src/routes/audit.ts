/**
 * The audit log over HTTP (admin only): query with filters, verify the
 * hash chain, and export a period as JSON Lines or CSV. Query parameters
 * are validated here and bound as parameters by the audit log: nothing a
 * client sends becomes SQL text.
 */
import type { Request } from 'express';
import { exportObject, type AuditFilter, type AuditLog } from '@workbench/audit';
import { AppError } from '@workbench/core';
import type { RouteDef } from '../route-table';

const NAME = /^[A-Za-z0-9_.:@/-]{1,200}$/;

function time(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new AppError('bad_request', `Cannot query the audit log: ${name} must be an ISO 8601 time or epoch milliseconds`);
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new AppError('bad_request', `Cannot query the audit log: ${name} ${JSON.stringify(v.slice(0, 40))} is not an ISO 8601 time or epoch milliseconds`);
  return t;
}

function name(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !NAME.test(v)) throw new AppError('bad_request', `Cannot query the audit log: ${field} must be 1-200 characters of letters, digits and _ . : @ / -`);
  return v;
}

function filterOf(req: Request): AuditFilter {
  const q = req.query as Record<string, unknown>;
  const known = new Set(['since', 'until', 'user', 'action', 'resource', 'limit', 'after', 'format', 'token']);
  // JupyterLab's ServerConnection adds a bare timestamp (`&1765432100000`) to GETs to defeat caches: not a filter.
  for (const k of Object.keys(q)) if (!known.has(k) && !(/^\d{1,20}$/.test(k) && q[k] === '')) throw new AppError('bad_request', `Cannot query the audit log: unknown parameter ${JSON.stringify(k.slice(0, 40))}`);
  const filter: AuditFilter = { since: time(q.since, 'since'), until: time(q.until, 'until'), user: name(q.user, 'user'), action: name(q.action, 'action'), resource: name(q.resource, 'resource') };
  if (q.limit !== undefined) {
    const n = Number(q.limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new AppError('bad_request', 'Cannot query the audit log: limit must be an integer from 1 to 1000');
    filter.limit = n;
  }
  if (q.after !== undefined) {
    const n = Number(q.after);
    if (!Number.isInteger(n) || n < 0) throw new AppError('bad_request', 'Cannot query the audit log: after must be a sequence number');
    filter.afterSeq = n;
  }
  return filter;
}

export function auditRoutes(audit: AuditLog): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/audit',
      auth: 'user',
      permission: { resource: 'audit', action: 'read' },
      tag: 'audit',
      summary: 'Audit records, oldest first: ?since&until (ISO 8601 or epoch ms) &user&action&resource&limit (<= 1000) &after (sequence number, for paging)',
      responses: { '200': '{records, next_after}', '400': 'A malformed parameter' },
      handler: async (req, res) => {
        const filter = filterOf(req);
        const records = await audit.query(filter);
        const limit = filter.limit ?? 100;
        res.json({ records: records.map(exportObject), next_after: records.length === limit ? records[records.length - 1]!.seq : null });
      },
    },
    {
      method: 'get',
      path: '/api/audit/verify',
      auth: 'user',
      permission: { resource: 'audit', action: 'read' },
      tag: 'audit',
      summary: 'Walk the hash chain: {ok, count, head} or {ok: false, seq, problem: edited|removed|reordered, message}',
      handler: async (_req, res) => {
        res.json(await audit.verify());
      },
    },
    {
      method: 'get',
      path: '/api/audit/export',
      auth: 'user',
      permission: { resource: 'audit', action: 'read' },
      tag: 'audit',
      summary: 'A period as JSON Lines (?format=jsonl, default) or CSV (?format=csv), with the same filters as /api/audit',
      handler: async (req, res) => {
        const format = req.query.format ?? 'jsonl';
        if (format !== 'jsonl' && format !== 'csv') throw new AppError('bad_request', 'Cannot export the audit log: format must be jsonl or csv');
        const { limit: _limit, afterSeq: _after, ...filter } = filterOf(req);
        res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="audit.${format === 'csv' ? 'csv' : 'jsonl'}"`);
        for await (const line of audit.export(filter, format)) {
          if (res.destroyed) return;
          // Back-pressure: wait for the client to take more, or for it to go away.
          if (!res.write(line)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
        }
        res.end();
      },
    },
  ];
}
