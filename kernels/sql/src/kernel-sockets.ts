/**
 * The kernel side of the five Jupyter channels (jupyter_client
 * docs/messaging.rst, "Introduction" and "The Wire Protocol"): shell, control
 * and stdin are ROUTER, iopub is XPUB (a PUB that also tells us when a
 * subscriber joins), hb is a REP that echoes. One receive loop per socket and
 * one send queue per socket (zeromq v6 allows one send in flight).
 *
 * Every incoming message is HMAC-verified; a message that fails framing,
 * signature or header validation is logged and dropped, never thrown.
 */
import * as zmq from 'zeromq';
import { readFile, rm } from 'node:fs/promises';
import { AppError, describeError, Logger } from '@workbench/core';
import { assertHeader, JupyterMessage, MessageHeader, parseJsonPart, parseWire, RawMessage, serializeWire, Signer, toRaw } from '@workbench/protocol';
import { assertConnectionInfo, ConnectionInfo, endpoint, SendQueue, SocketName } from '@workbench/zmq';

/** A connection file's content (jupyter_client connect.py). A tcp port of 0 means "pick a free one". */
export type ConnectionInfoLike = ConnectionInfo;

export type RequestChannel = 'shell' | 'control' | 'stdin';

/** A verified message from a client. `content` is `{}` and `contentError` set when the content part is not a JSON object. */
export interface IncomingMessage {
  channel: RequestChannel;
  /** ROUTER identities of the sender: replies go back with them. */
  identities: Buffer[];
  header: MessageHeader;
  parentHeader: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  contentError?: string;
  buffers: Buffer[];
}

/**
 * Called for each verified message; the socket's loop awaits it before
 * reading the next one, so a channel's messages are handled in order.
 */
export type MessageSink = (msg: IncomingMessage) => void | Promise<void>;

/** Lingering lets the last replies (shutdown_reply) leave after close; hb needs none. */
const LINGER_MS = 1000;

export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
    assertConnectionInfo(value);
  } catch (err) {
    throw new AppError('bad_request', `Cannot read connection file ${path}: ${describeError(err)}`, { cause: err });
  }
  return value;
}

/** `-f <file>`, `-f=<file>`, `--connection-file <file>` or `--connection-file=<file>` (jupyter kernelspec argv). */
export function parseConnectionFileArg(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:-f|--connection-file)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) continue;
    const file = m[1] ?? argv[i + 1];
    if (file) return file;
  }
  throw new AppError('bad_request', 'Cannot start kernel: missing -f <connection_file>');
}

/** Content that fails validation: the request gets a reply with status 'error' and this message. */
export class BadContent extends Error {
  override readonly name = 'BadContent';
}

/** Read `content[key]`, checked; `fallback` when absent (if given). Throws BadContent. */
export function field<T>(content: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string, fallback?: T): T {
  const v = content[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (!check(v)) throw new BadContent(`content.${key} must be ${what}`);
  return v;
}
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
export const isCursor = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
export const isStringMap = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isString);

export class KernelSockets implements AsyncDisposable {
  private readonly routers: Record<RequestChannel, zmq.Router>;
  private readonly queues: Record<RequestChannel | 'iopub', SendQueue>;
  private readonly iopub: zmq.XPublisher;
  private readonly hb: zmq.Reply;
  private readonly bound: [zmq.Socket, string][] = [];
  private readonly loops: Promise<void>[] = [];
  private closed: Promise<void> | undefined;
  private info: ConnectionInfo;

  private constructor(
    info: ConnectionInfo,
    private readonly signer: Signer,
    private readonly logger: Logger,
  ) {
    this.info = { ...info };
    const router = () => new zmq.Router({ linger: LINGER_MS });
    this.routers = { shell: router(), control: router(), stdin: router() };
    // No send high-water mark: outputs must not be dropped silently (the client side does the same).
    this.iopub = new zmq.XPublisher({ linger: LINGER_MS, sendHighWaterMark: 0, verbosity: 'allSubs' });
    this.hb = new zmq.Reply({ linger: 0 });
    this.queues = {
      shell: new SendQueue((f) => this.routers.shell.send(f)),
      control: new SendQueue((f) => this.routers.control.send(f)),
      stdin: new SendQueue((f) => this.routers.stdin.send(f)),
      iopub: new SendQueue((f) => this.iopub.send(f)),
    };
  }

  /** Bind all five sockets and start receiving; `sink` gets every verified shell/control/stdin message. */
  static async bind(info: ConnectionInfo, sink: MessageSink, logger: Logger): Promise<KernelSockets> {
    const sockets = new KernelSockets(info, new Signer(info.signature_scheme, info.key), logger);
    try {
      await sockets.bindAll();
    } catch (err) {
      await sockets[Symbol.asyncDispose]();
      throw new AppError('unavailable', `Cannot bind kernel sockets: ${describeError(err)}`, { cause: err });
    }
    for (const ch of ['shell', 'control', 'stdin'] as const) sockets.loops.push(sockets.receiveLoop(ch, sink));
    sockets.loops.push(sockets.subscriptionLoop(), sockets.heartbeatLoop());
    return sockets;
  }

  /** The connection info with the ports actually bound. */
  get connectionInfo(): ConnectionInfo {
    return { ...this.info };
  }

  private async bindAll(): Promise<void> {
    const all: [SocketName, zmq.Socket][] = [
      ['shell', this.routers.shell],
      ['control', this.routers.control],
      ['stdin', this.routers.stdin],
      ['iopub', this.iopub],
      ['hb', this.hb],
    ];
    for (const [name, socket] of all) {
      await socket.bind(endpoint(this.info, name));
      const last = socket.lastEndpoint!;
      this.bound.push([socket, last]);
      if (this.info.transport === 'tcp') this.info[`${name}_port`] = Number(/:(\d+)$/.exec(last)![1]);
    }
  }

  /**
   * Sign and send. Never rejects: after close, or if ZeroMQ refuses, the
   * message is dropped and logged (a dead client must not crash the kernel).
   */
  async send(channel: RequestChannel | 'iopub', msg: JupyterMessage<unknown>, identities: Buffer[]): Promise<void> {
    try {
      await this.queues[channel].send(serializeWire(toRaw(msg, identities), this.signer));
    } catch (err) {
      this.logger.debug({ channel, msgType: msg.header.msg_type, err: describeError(err) }, 'dropped outgoing message');
    }
  }

  private async receiveLoop(channel: RequestChannel, sink: MessageSink): Promise<void> {
    try {
      for await (const frames of this.routers[channel]) {
        const msg = this.parse(channel, frames);
        if (!msg) continue;
        this.logger.debug({ event: 'received', channel, msgType: msg.header.msg_type, msgId: msg.header.msg_id }, 'received request');
        try {
          await sink(msg);
        } catch (err) {
          this.logger.error({ channel, msgType: msg.header.msg_type, err: describeError(err) }, 'request handler failed');
        }
      }
    } catch (err) {
      if (!this.closed) this.logger.error({ channel, err: describeError(err) }, 'kernel socket receive loop failed');
    }
  }

  private parse(channel: RequestChannel, frames: Buffer[]): IncomingMessage | undefined {
    let raw: RawMessage;
    let header: Record<string, unknown>;
    let parentHeader: Record<string, unknown>;
    let metadata: Record<string, unknown>;
    try {
      raw = parseWire(frames, this.signer);
      header = parseJsonPart(raw.header, 'header');
      assertHeader(header);
      parentHeader = parseJsonPart(raw.parentHeader, 'parent_header');
      metadata = parseJsonPart(raw.metadata, 'metadata');
    } catch (err) {
      this.logger.warn({ event: 'dropped', channel, err: describeError(err) }, 'dropped invalid message');
      return undefined;
    }
    const msg: IncomingMessage = { channel, identities: raw.identities, header, parentHeader, metadata, content: {}, buffers: raw.buffers };
    try {
      msg.content = parseJsonPart(raw.content, 'content');
    } catch (err) {
      msg.contentError = describeError(err);
    }
    return msg;
  }

  /** XPUB receives one frame per (un)subscription; logged so callers can tell when a client listens. */
  private async subscriptionLoop(): Promise<void> {
    try {
      for await (const [frame] of this.iopub) {
        if (frame?.[0] === 1) this.logger.debug({ event: 'iopub_subscribe', topic: frame.subarray(1).toString('utf8') }, 'iopub subscriber joined');
      }
    } catch (err) {
      if (!this.closed) this.logger.error({ channel: 'iopub', err: describeError(err) }, 'iopub subscription loop failed');
    }
  }

  /** Heartbeat: echo every message back unchanged. */
  private async heartbeatLoop(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch (err) {
      if (!this.closed) this.logger.error({ channel: 'hb', err: describeError(err) }, 'heartbeat loop failed');
    }
  }

  /**
   * Close every socket and wait until each listening endpoint is released
   * (so the ports and ipc paths can be bound again when this resolves) and
   * the loops have ended. Idempotent.
   *
   * Not zmq_unbind: libzmq 4.3.5 asserts (pipe.cpp:355) when a ROUTER is
   * unbound after its peers disconnected. The monitor's ZMQ_EVENT_CLOSED is
   * emitted after the listener's fd is closed; ZMQ_EVENT_MONITOR_STOPPED
   * ("end") ends the wait if the monitor stops first.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.closed ??= (async () => {
      for (const q of Object.values(this.queues)) q.close();
      const released = this.bound.map(
        ([socket, ep]) =>
          new Promise<void>((resolve) => {
            socket.events.on('close', (e) => e.address === ep && resolve());
            socket.events.on('end', () => resolve());
          }),
      );
      for (const s of [...Object.values(this.routers), this.iopub, this.hb]) s.close();
      await Promise.all(released);
      await Promise.allSettled(this.loops);
      // libzmq leaves ipc socket files behind; ipykernel removes them too (cleanup_ipc_files).
      await Promise.allSettled(this.bound.filter(([, ep]) => ep.startsWith('ipc://')).map(([, ep]) => rm(ep.slice('ipc://'.length), { force: true })));
    })();
    return this.closed;
  }
}
