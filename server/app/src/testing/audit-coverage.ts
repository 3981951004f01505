/**
 * Audit coverage, counted in every end-to-end suite: each test server
 * watches what its clients actually did (HTTP requests as they finished,
 * execute_requests as they reached a kernel) and, when the suite disposes
 * of it, checks that every data action among them has its audit record.
 *
 * What counts as a data action is decided here, from what the client did
 * and got, independently of the server's own audit plan (so a route the
 * plan forgets is caught, not excused):
 * - a change that succeeded: POST, PUT, PATCH or DELETE answered below 400,
 *   except per-user interface state (JupyterLab settings and workspaces,
 *   front-end config, client events), signing in or out, and the
 *   dependency analysis of cells (a computation over the cells the client
 *   sends, which changes and reads nothing of the server's);
 * - a read of workspace data that succeeded: a file or notebook's content
 *   from /api/contents (not a directory listing, not a metadata-only
 *   check), a raw file (/files), a version's content or a diff, an export
 *   (/nbconvert), the audit log;
 * - an execute_request sent to a kernel over its WebSocket.
 * A record matches a request by its X-Request-Id (detail.request_id) and an
 * execute by its msg_id (detail.msg_id).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KernelChannels } from '@workbench/manager';
import type { Workbench } from '../app';

type FromClient = KernelChannels['fromClient'];
type Observer = (channels: KernelChannels, channel: string, msgId: string, header: Buffer) => void;

const observers = new Set<Observer>();
let patched = false;

/** Watch execute_requests on their way to kernels (every KernelChannels in this process). */
function observeKernelSends(observer: Observer): () => void {
  if (!patched) {
    patched = true;
    const original: FromClient = KernelChannels.prototype.fromClient;
    KernelChannels.prototype.fromClient = function (this: KernelChannels, client, channel, msgId, raw) {
      for (const o of observers) o(this, channel, msgId, raw.header);
      return original.call(this, client, channel, msgId, raw);
    };
  }
  observers.add(observer);
  return () => observers.delete(observer);
}

const NOT_DATA_CHANGES = [/^\/lab\/api\//, /^\/api\/config\//, /^\/api\/events$/, /^\/login$/, /^\/logout$/, /^\/auth\//, /^\/api\/dependencies\/analyze$/];
const DATA_READS = [/^\/files\//, /^\/api\/history\/(content|diff)$/, /^\/nbconvert\//, /^\/api\/audit(\/export)?$/];

export interface CoverageReport {
  /** Data actions seen: HTTP requests and executes. */
  requests: number;
  executes: number;
  /** Those without a record, described. */
  missing: string[];
}

export class AuditCoverage {
  private readonly requests = new Map<string, string>();
  private readonly executes = new Map<string, string>();
  private readonly stop: () => void;

  constructor(private readonly wb: Workbench) {
    const base = wb.config.baseUrl.replace(/\/$/, '');
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) || '/' : url.pathname;
      const method = req.method ?? 'GET';
      const isContentsRead = method === 'GET' && path.startsWith('/api/contents') && !path.includes('/checkpoints') && url.searchParams.get('content') !== '0';
      let body = '';
      if (isContentsRead) {
        // Keep the answer's start: whether it held a file's content decides.
        const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
        res.end = ((...args: unknown[]) => {
          const chunk = args[0];
          if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) body = chunk.toString().slice(0, 2_000_000);
          return end(...args);
        }) as ServerResponse['end'];
      }
      res.once('finish', () => {
        if (res.statusCode >= 400) return;
        const id = res.getHeader('x-request-id');
        if (typeof id !== 'string') return;
        let data = false;
        if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') data = !NOT_DATA_CHANGES.some((re) => re.test(path));
        else if (method === 'GET') data = DATA_READS.some((re) => re.test(path)) || (isContentsRead && holdsContent(body));
        if (data) this.requests.set(id, `${method} ${path} -> ${res.statusCode}`);
      });
    };
    wb.http.server.prependListener('request', onRequest);
    const unobserve = observeKernelSends((channels, channel, msgId, header) => {
      if (channel !== 'shell' || !header.includes('"execute_request"')) return;
      const kernel = wb.kernels.list().find((k) => wb.kernels.channels(k.id) === channels);
      if (kernel) this.executes.set(msgId, `execute_request ${msgId} on kernel ${kernel.id}`);
    });
    this.stop = () => {
      wb.http.server.off('request', onRequest);
      unobserve();
    };
  }

  /** Every data action seen so far against the audit log's records. */
  async report(): Promise<CoverageReport> {
    const requestIds = new Set<string>();
    const msgIds = new Set<string>();
    for await (const r of this.wb.audit.records()) {
      const d = r.detail as { request_id?: unknown; msg_id?: unknown };
      if (typeof d.request_id === 'string') requestIds.add(d.request_id);
      if (typeof d.msg_id === 'string') msgIds.add(d.msg_id);
    }
    const missing = [...[...this.requests].filter(([id]) => !requestIds.has(id)).map(([, what]) => what), ...[...this.executes].filter(([id]) => !msgIds.has(id)).map(([, what]) => what)];
    return { requests: this.requests.size, executes: this.executes.size, missing };
  }

  dispose(): void {
    this.stop();
  }
}

function holdsContent(body: string): boolean {
  try {
    const model = JSON.parse(body) as { type?: unknown; content?: unknown };
    return model.type !== 'directory' && model.content !== null && model.content !== undefined;
  } catch {
    return false;
  }
}
