/**
 * /api/kernels/{id}/channels: adapts one WebSocket to a ChannelClient of
 * the kernel's fan-out hub, in either framing. Small frames are written at
 * once (TCP_NODELAY: jupyter_server's ~44 ms round trip is Nagle + delayed
 * ACK on its WebSocket), JSON parts are relayed as bytes in v1, big ones
 * as WebSocket fragments without a copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authenticated } from '@workbench/auth';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '@workbench/core';
import type { ChannelClient, KernelChannels } from '@workbench/manager';
import { assertHeader, createMessage, isClientChannel, MessageHeader, toRaw, Channel, decodeLegacy, decodeWsV1, encodeLegacy, encodeWsV1Chunks, fromRaw, parseJsonPart, ProtocolError, RawMessage, V1_SUBPROTOCOL } from '@workbench/protocol';
import type { HttpDeps } from '../deps';
import { WS_CLOSE } from '../error-table';
import { parseCell, type ParsedCell } from '@workbench/sql-kernel/magics';
import { ownKernel } from '../routes/kernels';
import { clientIp } from '../client-address';
import type { SocketRouteDef } from '../route-table';
import type { Appended } from '@workbench/audit';
import { SqlRunsObserver } from './sql-runs-observer';

export interface KernelSocketOptions {
  ws: WebSocket;
  channels: KernelChannels;
  sessionId: string | undefined;
  logger: Logger;
  maxClientBufferBytes: number;
  /**
   * Records a code execution in the audit log; resolves once the record is
   * committed, with `durable` for its flush to disk. The execute_request
   * reaches the kernel only after the commit; when it rejects, the code does
   * not run and the client is told why (fail closed). The flush runs while
   * the kernel works, and nothing reaches this client before it is done.
   */
  auditExecute?: (header: MessageHeader, content: Buffer) => Promise<{ durable: Promise<void> }>;
  /** Told the status of each execute_reply it awaits (the catalog's SQL runs). */
  replies?: { awaits(msgId: string): boolean; replied(msgId: string, status: string): void };
}

/** The parent msg_id and status of an execute_reply the observer awaits; never throws. */
function observeReply(raw: RawMessage, replies: NonNullable<KernelSocketOptions['replies']>): void {
  try {
    const parent = JSON.parse(raw.parentHeader.toString('utf8')) as { msg_id?: unknown };
    if (typeof parent.msg_id !== 'string' || !replies.awaits(parent.msg_id)) return;
    const header = JSON.parse(raw.header.toString('utf8')) as { msg_type?: unknown };
    if (header.msg_type !== 'execute_reply') return;
    const content = JSON.parse(raw.content.toString('utf8')) as { status?: unknown };
    replies.replied(parent.msg_id, typeof content.status === 'string' ? content.status : 'error');
  } catch {
    // Not a message the observer can read: nothing to record.
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function attachKernelSocket(opts: KernelSocketOptions): void {
  const { ws, channels, logger } = opts;
  const v1 = ws.protocol === V1_SUBPROTOCOL;
  // A connection without session_id gets its own key, so it never collides (as jupyter_server).
  const sessionKey = opts.sessionId || `anonymous-${randomUUID()}`;
  let open = true;

  /** While an execute's audit record is being flushed: what goes to this client waits, in order. */
  let hold: Promise<void> | undefined;
  const held: [Channel, RawMessage][] = [];
  const holdUntil = (durable: Promise<void>) => {
    const mine: Promise<void> = (hold ?? Promise.resolve()).then(() => durable);
    hold = mine;
    mine.then(
      () => {
        if (hold !== mine) return; // a later execute holds them longer
        hold = undefined;
        for (const [channel, raw] of held.splice(0)) send(channel, raw);
      },
      (err: unknown) => {
        if (hold === mine) hold = undefined;
        held.length = 0;
        logger.error({ session: sessionKey, err: err instanceof Error ? err.message : String(err) }, 'the audit record of an execute could not be flushed to disk: its outputs are withheld');
        if (open) {
          open = false;
          ws.close(WS_CLOSE.internal, 'Cannot flush the audit log to disk: outputs withheld');
        }
      },
    );
  };

  const send = (channel: Channel, raw: RawMessage): boolean => {
    if (!open) return false;
    if (ws.bufferedAmount > opts.maxClientBufferBytes) {
      // Too slow: hand this session to the reconnect buffer instead of growing memory without bound.
      logger.warn({ session: sessionKey, buffered: ws.bufferedAmount }, 'client too slow; asking it to reconnect');
      open = false;
      ws.close(WS_CLOSE.tryAgainLater, 'client too slow: reconnect to receive buffered messages');
      return false;
    }
    if (v1) {
      const chunks = encodeWsV1Chunks(channel, raw);
      // Big parts go out as fragments of one message, so they are never copied here.
      if (chunks.length === 1) ws.send(chunks[0]!, { binary: true });
      else chunks.forEach((c, i) => ws.send(c, { binary: true, fin: i === chunks.length - 1 }));
    } else {
      const msg = fromRaw(raw);
      const frame = encodeLegacy(channel, msg);
      ws.send(frame, { binary: typeof frame !== 'string' });
    }
    return true;
  };

  const client: ChannelClient = {
    sessionKey,
    deliver(channel: Channel, raw: RawMessage): boolean {
      if (opts.replies && channel === 'shell') observeReply(raw, opts.replies);
      if (!open) return false;
      if (hold) {
        held.push([channel, raw]);
        return true;
      }
      return send(channel, raw);
    },
    close(code: number, reason: string): void {
      open = false;
      ws.close(code, reason);
    },
  };

  const attachment = channels.attach(client);
  /** The tail of the messages waiting behind an execute being audited. */
  const settled = Promise.resolve();
  let pending: Promise<unknown> = settled;

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!open) return;
    let channel: string;
    let raw: RawMessage;
    let msgId: string;
    let header: MessageHeader;
    if (v1 && !isBinary) {
      // RFC 6455 1003: this subprotocol carries binary frames only.
      logger.warn({ session: sessionKey }, 'closing WebSocket after a text frame on the v1 protocol');
      open = false;
      ws.close(WS_CLOSE.unsupportedData, 'Cannot accept text frames on v1.kernel.websocket.jupyter.org');
      return;
    }
    try {
      const buf = toBuffer(data);
      ({ channel, msg: raw } = v1 ? decodeWsV1(buf) : decodeLegacy(buf, isBinary && !looksLikeJson(buf)));
      if (!isClientChannel(channel)) {
        // As jupyter_server: a message for a channel that does not exist is dropped, the connection stays.
        logger.warn({ session: sessionKey, channel: channel.slice(0, 64) }, 'dropped a message for a channel that does not exist');
        return;
      }
      const parsed = parseJsonPart(raw.header, 'header');
      assertHeader(parsed);
      header = parsed;
      msgId = header.msg_id;
    } catch (err) {
      const why = err instanceof ProtocolError ? err.message : 'Cannot decode message';
      logger.warn({ session: sessionKey, err: why }, 'closing WebSocket after a malformed frame');
      open = false;
      ws.close(WS_CLOSE.invalidPayload, why.slice(0, 120));
      return;
    }
    const forward = () =>
      channels.fromClient(client, channel, msgId, raw).catch((err: unknown) => {
        logger.warn({ session: sessionKey, err: String(err) }, 'could not send message to kernel');
      });
    // Messages keep their order behind an execute that is being recorded.
    if (opts.auditExecute && channel === 'shell' && header.msg_type === 'execute_request') {
      const audited = opts.auditExecute(header, raw.content);
      const afterCommit = ({ durable }: { durable: Promise<void> }) => {
        holdUntil(durable);
        return forward();
      };
      pending = pending.then(() => audited).then(afterCommit, (err: unknown) => {
        logger.warn({ session: sessionKey, err: err instanceof Error ? err.message : String(err) }, 'refused to run code: the audit log cannot be written');
        refuseExecute(client, header, 'Cannot run code: the audit log cannot be written, so nothing runs until it can (ask an administrator)');
      });
    } else if (pending === settled) {
      void forward();
    } else {
      pending = pending.then(forward);
    }
  });

  ws.on('close', () => {
    open = false;
    attachment[Symbol.dispose]();
  });
}

/** What a client sees when its code is refused: the error as output, the kernel idle again, and an error reply. */
function refuseExecute(client: ChannelClient, parent: MessageHeader, message: string): void {
  const reply = (channel: Channel, msgType: string, content: unknown) =>
    client.deliver(channel, toRaw(createMessage({ msgType, content, session: parent.session, parent })));
  const error = { ename: 'AuditUnavailable', evalue: message, traceback: [message] };
  reply('iopub', 'error', error);
  reply('iopub', 'status', { execution_state: 'idle' });
  reply('shell', 'execute_reply', { status: 'error', execution_count: null, ...error });
}

/**
 * jupyter_server 1.23 in gateway mode forwards a client's frames as text
 * even when they were binary; a binary frame that is plain JSON is decoded
 * as a text frame.
 */
function looksLikeJson(buf: Buffer): boolean {
  return buf.length > 0 && buf[0] === 0x7b; // "{"
}

/** /api/kernels/{id}/channels as a socket route (404 before the upgrade for an unknown kernel). */
export function kernelSocketRoute(deps: HttpDeps): SocketRouteDef {
  const observer = deps.catalog ? new SqlRunsObserver(deps.catalog, deps.logger.child({ component: 'catalog' })) : undefined;
  return {
    path: '/api/kernels/:kernel_id/channels',
    auth: 'user',
    permission: { resource: 'kernels', action: 'execute' },
    tag: 'kernels',
    summary: 'Kernel channels (v1.kernel.websocket.jupyter.org or legacy JSON framing; ?session_id=)',
    accept: ({ params, url, auth, req }) => {
      // Only the kernel's owner (or an admin) connects; anybody else is told there is no such kernel.
      const kernelId = ownKernel(deps, auth.user, params.kernel_id!).id;
      const channels = deps.kernels.channels(kernelId);
      const isSql = deps.kernels.get(kernelId).spec.spec.language?.toLowerCase() === 'sql';
      const sqlRuns = isSql ? observer : undefined;
      return (ws) => {
        if (!deps.kernels.has(kernelId)) {
          ws.close(WS_CLOSE.normal, 'kernel shut down');
          return;
        }
        attachKernelSocket({
          ws,
          channels,
          sessionId: url.searchParams.get('session_id') ?? undefined,
          logger: deps.logger.child({ kernel_id: kernelId }),
          maxClientBufferBytes: deps.maxClientBufferBytes,
          auditExecute: deps.audit
            ? async (header, content) => {
                // Read once for the audit record and the catalog: the code, the notebook, a SQL cell's parse.
                const code = codeOf(content);
                const paths = deps.sessions.list().filter((s) => s.kernel?.id === kernelId).map((s) => s.path);
                const sql = isSql ? parseSqlCell(code) : undefined;
                if (sql?.cell) sqlRuns?.started({ kernelId, msgId: header.msg_id, cell: sql.cell, actor: auth.user.username, notebook: paths.length === 1 ? paths[0] : undefined });
                const r = await recordExecute(deps, kernelId, auth, req, header, { code, paths, sql });
                sqlRuns?.audited(header.msg_id, r.seq);
                return r;
              }
            : undefined,
          replies: sqlRuns,
        });
      };
    },
  };
}

/** The audit record of one execute: who ran what (the code's hash, not the code) on which kernel and notebook. */
function codeOf(content: Buffer): string {
  try {
    const parsed = JSON.parse(content.toString('utf8')) as { code?: unknown };
    if (typeof parsed.code === 'string') return parsed.code;
  } catch {
    // The kernel answers a malformed request itself; the record still says it was sent.
  }
  return '';
}

/** A SQL cell as the SQL kernel reads it, or why it refuses it. */
interface SqlCellParse {
  cell?: ParsedCell;
  error?: string;
}

function parseSqlCell(code: string): SqlCellParse {
  try {
    return { cell: parseCell(code) };
  } catch (err) {
    return { error: err instanceof Error ? err.message.slice(0, 200) : 'unparsable' };
  }
}

async function recordExecute(deps: HttpDeps, kernelId: string, auth: Authenticated, req: IncomingMessage, header: MessageHeader, read: { code: string; paths: string[]; sql: SqlCellParse | undefined }): Promise<Appended> {
  const { code, paths, sql } = read;
  const kernel = deps.kernels.has(kernelId) ? deps.kernels.get(kernelId).model() : undefined;
  return deps.audit!.append({
    actor: auth.user.username,
    actorRole: auth.user.roles.join(',') || null,
    via: auth.method,
    resource: 'kernels',
    action: 'execute',
    target: kernelId,
    ip: clientIp(req, deps.trustXheaders === true),
    userAgent: (req.headers['user-agent'] ?? '').slice(0, 256) || null,
    outcome: 'ok',
    detail: {
      kernel_name: kernel?.name ?? null,
      notebook: paths.length === 1 ? paths[0] : paths.length ? paths : null,
      code_sha256: createHash('sha256').update(code).digest('hex'),
      code_bytes: Buffer.byteLength(code),
      msg_id: header.msg_id,
      ...(sql && { sql: sqlDetail(sql) }),
    },
  });
}

/**
 * A SQL cell's query, for the audit record: the connection it names
 * (`-- connection: NAME` for this cell, `%connect NAME` switching the
 * session), or "current" (the session's current connection, whichever
 * that is), and how many statements it holds. The SQL text's hash is the
 * record's code_sha256. A cell the parser refuses is recorded as such (the
 * kernel refuses it too).
 */
function sqlDetail({ cell, error }: SqlCellParse): Record<string, unknown> {
  if (!cell) return { connection: null, unparsed: error };
  return { connection: cell.connection ?? cell.connect ?? 'current', statements: cell.statements.length, ...(cell.keepAs && { keep_as: cell.keepAs }) };
}
