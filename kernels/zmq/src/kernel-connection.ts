/**
 * One set of ZeroMQ sockets per kernel (shell, control, stdin DEALER; iopub
 * SUB; hb REQ) with one receive loop per socket. Messages fan out in-process
 * to every listener, so N WebSocket clients never mean N socket sets.
 */
import * as zmq from 'zeromq';
import { randomUUID } from 'node:crypto';
import { Emitter, Logger, silentLogger } from '@workbench/core';
import { Channel, HeaderInfo, headerInfo, parseJsonPart, parseWire, ProtocolError, RawMessage, serializeWire, Signer } from '@workbench/protocol';
import { ConnectionInfo, endpoint } from './connection-info';
import { SendQueue } from './send-queue';

export interface KernelMessageEvent {
  channel: Channel;
  raw: RawMessage;
  header: HeaderInfo;
  /** Routing facts of parent_header (empty strings when there is none). */
  parent: HeaderInfo;
}

export interface KernelConnectionOptions {
  logger?: Logger;
  /** Shared routing id of shell/control/stdin, so stdin requests reach us (jupyter_client does the same). */
  routingId?: string;
}

type ClientChannel = Exclude<Channel, 'iopub'>;

export class KernelConnection {
  private readonly signer: Signer;
  private readonly logger: Logger;
  private readonly dealers: Record<ClientChannel, zmq.Dealer>;
  private readonly queues: Record<ClientChannel, SendQueue>;
  private readonly iopub: zmq.Subscriber;
  private hb: zmq.Request | undefined;
  private hbBusy: Promise<boolean> | undefined;
  private readonly loops: Promise<void>[] = [];
  private closed = false;

  private readonly messageEmitter = new Emitter<KernelMessageEvent>();
  /** Every verified message from the kernel, on any channel. */
  readonly onMessage = this.messageEmitter.event;
  private readonly protocolErrorEmitter = new Emitter<{ channel: Channel; error: Error }>();
  /** A frame that failed parsing or HMAC verification (it is dropped). */
  readonly onProtocolError = this.protocolErrorEmitter.event;

  constructor(
    private readonly info: ConnectionInfo,
    options: KernelConnectionOptions = {},
  ) {
    this.signer = new Signer(info.signature_scheme, info.key);
    this.logger = options.logger ?? silentLogger;
    const routingId = options.routingId ?? randomUUID();
    const dealer = (name: ClientChannel) => {
      // stdin is immediate: it only counts as writable once its connection completed (see stdinJoined).
      // A starting kernel binds after we connect: retry every 30 ms instead of libzmq's 100 ms.
      // Measured (bench/sandbox.js): Python starts ~110 ms sooner; 10 ms made them ~150 ms slower.
      const s = new zmq.Dealer({ routingId, linger: 0, immediate: name === 'stdin', reconnectInterval: 30 });
      s.connect(endpoint(info, name));
      return s;
    };
    this.dealers = { shell: dealer('shell'), control: dealer('control'), stdin: dealer('stdin') };
    this.queues = {
      shell: new SendQueue((f) => this.dealers.shell.send(f)),
      control: new SendQueue((f) => this.dealers.control.send(f)),
      stdin: new SendQueue((f) => this.dealers.stdin.send(f)),
    };
    this.iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0, reconnectInterval: 30 });
    this.iopub.connect(endpoint(info, 'iopub'));
    this.iopub.subscribe();
    for (const ch of ['shell', 'control', 'stdin'] as const) this.loops.push(this.receiveLoop(ch, this.dealers[ch]));
    this.loops.push(this.receiveLoop('iopub', this.iopub));
  }

  get connectionInfo(): ConnectionInfo {
    return this.info;
  }

  /**
   * Whether our stdin socket has a completed connection to the kernel. The
   * kernel's ROUTER silently drops an input_request addressed to a peer that
   * has not joined yet, so a fresh kernel is not ready until this is true.
   */
  get stdinJoined(): boolean {
    return !this.closed && this.dealers.stdin.writable;
  }

  /** Sign and send raw parts to the kernel; resolves when handed to ZeroMQ. */
  send(channel: ClientChannel, raw: RawMessage): Promise<void> {
    return this.queues[channel].send(serializeWire({ ...raw, identities: [] }, this.signer));
  }

  private async receiveLoop(channel: Channel, socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        let raw: RawMessage;
        let header: HeaderInfo;
        let parent: HeaderInfo;
        try {
          raw = parseWire(frames, this.signer);
          header = headerInfo(parseJsonPart(raw.header, 'header'));
          parent = headerInfo(parseJsonPart(raw.parentHeader, 'parent_header'));
        } catch (err) {
          const error = err instanceof Error ? err : new ProtocolError(String(err));
          this.logger.warn({ channel, err: error.message }, 'dropped invalid message from kernel');
          this.protocolErrorEmitter.fire({ channel, error });
          continue;
        }
        this.messageEmitter.fire({ channel, raw, header, parent });
      }
    } catch (err) {
      if (!this.closed) this.logger.error({ channel, err: String(err) }, 'kernel socket receive loop failed');
    }
  }

  /**
   * One heartbeat: send a ping on hb and wait up to `timeoutMs` for the echo.
   * A REQ socket that missed its reply is unusable, so it is replaced.
   */
  ping(timeoutMs: number): Promise<boolean> {
    this.hbBusy ??= this.doPing(timeoutMs).finally(() => {
      this.hbBusy = undefined;
    });
    return this.hbBusy;
  }

  private async doPing(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    if (!this.hb) {
      this.hb = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
      this.hb.connect(endpoint(this.info, 'hb'));
    }
    const hb = this.hb;
    try {
      await hb.send('ping');
      await hb.receive();
      return true;
    } catch {
      hb.close();
      if (this.hb === hb) this.hb = undefined;
      return false;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const q of Object.values(this.queues)) q.close();
    for (const s of [...Object.values(this.dealers), this.iopub]) s.close();
    this.hb?.close();
    await Promise.allSettled(this.loops);
    this.messageEmitter.dispose();
    this.protocolErrorEmitter.dispose();
  }
}
