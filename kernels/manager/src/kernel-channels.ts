/**
 * Fan-out of one kernel's messages to many clients (WebSockets), with
 * per-session buffering while a session has no client attached and replay
 * when it comes back (jupyter_server buffers only when *all* clients are
 * gone; we buffer per session, so one tab's network blip loses nothing even
 * while another tab stays connected).
 *
 * Routing: iopub goes to everyone. shell/control/stdin messages go to the
 * session that sent the parent request (tracked by msg_id), falling back to
 * parent_header.session; replies to the server's own requests are dropped.
 */
import { Logger, toDisposable } from '@workbench/core';
import { Channel, createMessage, parseJsonPart, RawMessage, toRaw } from '@workbench/protocol';
import type { KernelMessageEvent } from '@workbench/zmq';
import type { Kernel, ServerStatusEvent } from './kernel';

export interface ChannelClient {
  readonly sessionKey: string;
  /** Deliver a message; false means the client could not take it (too slow, closing). */
  deliver(channel: Channel, raw: RawMessage): boolean;
  close(code: number, reason: string): void;
}

export interface BufferLimits {
  maxMessages: number;
  maxBytes: number;
  /** Drop a detached session's buffer after this long without a reconnect. */
  ttlMs: number;
}

interface Buffered {
  channel: Channel;
  raw: RawMessage;
  bytes: number;
}

interface SessionState {
  clients: Set<ChannelClient>;
  buffer: Buffered[] | undefined;
  bufferedBytes: number;
  dropped: number;
  droppedBytes: number;
  lastDroppedParent: Buffer | undefined;
  expiry: NodeJS.Timeout | undefined;
}

const MAX_PENDING = 10_000;

const EXECUTE_REQUEST = Buffer.from('"execute_request"');

export class KernelChannels {
  private readonly sessions = new Map<string, SessionState>();
  /** msg_id of a client request -> its session, until the reply comes. */
  private readonly pending = new Map<string, string>();
  private readonly subs: { [Symbol.dispose](): void }[] = [];
  private closed = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly limits: BufferLimits,
    private readonly logger: Logger,
  ) {
    this.subs.push(kernel.onMessage((e) => this.route(e)));
    this.subs.push(kernel.onServerStatus((e) => this.announce(e)));
  }

  get clientCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.clients.size;
    return n;
  }

  /** Attach a client; first replays what its session missed while detached. */
  attach(client: ChannelClient): Disposable {
    let state = this.sessions.get(client.sessionKey);
    if (!state) {
      state = { clients: new Set(), buffer: undefined, bufferedBytes: 0, dropped: 0, droppedBytes: 0, lastDroppedParent: undefined, expiry: undefined };
      this.sessions.set(client.sessionKey, state);
    }
    if (state.buffer) this.replay(client, state);
    state.clients.add(client);
    const conn = this.kernel.addConnection();
    return toDisposable(() => {
      conn[Symbol.dispose]();
      const wasAttached = state.clients.delete(client);
      if (wasAttached && state.clients.size === 0 && !this.closed && !this.kernel.isDead) this.startBuffering(state);
      if (state.clients.size === 0) this.scheduleExpiry(client.sessionKey, state);
    });
  }

  /** A message from a client: remember who asked, then send it to the kernel. */
  async fromClient(client: ChannelClient, channel: 'shell' | 'control' | 'stdin', msgId: string, raw: RawMessage): Promise<void> {
    if (channel !== 'stdin') {
      this.pending.set(msgId, client.sessionKey);
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
      if (channel === 'shell' && raw.header.includes(EXECUTE_REQUEST)) {
        this.executing.set(msgId, raw.header);
        if (this.executing.size > MAX_PENDING) this.executing.delete(this.executing.keys().next().value!);
      }
    }
    await this.kernel.send(channel, raw);
  }

  /** The execute_request the kernel is working on (busy, not yet idle): where a death is reported. */
  private running: Buffer | undefined;
  /** execute_requests sent and not yet answered, oldest first (the kernel runs them in order). */
  private readonly executing = new Map<string, Buffer>();

  private route(e: KernelMessageEvent): void {
    if (e.channel === 'iopub') {
      if (e.header.msgType === 'status' && e.parent.msgType === 'execute_request') {
        const st = (parseJsonPart(e.raw.content, 'content') as { execution_state?: string }).execution_state;
        if (st === 'busy') this.running = e.raw.parentHeader;
        else if (st === 'idle') this.running = undefined;
      }
      for (const [, state] of this.sessions) this.deliverTo(state, e.channel, e.raw);
      return;
    }
    if (e.header.msgType === 'execute_reply') this.executing.delete(e.parent.msgId);
    const key = this.pending.get(e.parent.msgId) ?? (this.sessions.has(e.parent.session) ? e.parent.session : undefined);
    if (e.header.msgType.endsWith('_reply')) this.pending.delete(e.parent.msgId);
    if (key === undefined) return; // a reply to the server's own request (nudge, shutdown)
    const state = this.sessions.get(key);
    if (state) this.deliverTo(state, e.channel, e.raw);
  }

  private deliverTo(state: SessionState, channel: Channel, raw: RawMessage): void {
    if (state.clients.size > 0) {
      let accepted = false;
      for (const c of [...state.clients]) {
        if (c.deliver(channel, raw)) accepted = true;
        else state.clients.delete(c);
      }
      if (accepted) return;
      if (state.clients.size === 0 && !state.buffer) this.startBuffering(state);
    }
    if (!state.buffer) return;
    const bytes = raw.header.length + raw.parentHeader.length + raw.metadata.length + raw.content.length + raw.buffers.reduce((n, b) => n + b.length, 0);
    if (state.buffer.length >= this.limits.maxMessages || state.bufferedBytes + bytes > this.limits.maxBytes) {
      state.dropped++;
      state.droppedBytes += bytes;
      state.lastDroppedParent = raw.parentHeader;
      return;
    }
    state.buffer.push({ channel, raw, bytes });
    state.bufferedBytes += bytes;
  }

  private startBuffering(state: SessionState): void {
    state.buffer = [];
    state.bufferedBytes = 0;
    state.dropped = 0;
    state.droppedBytes = 0;
  }

  /** A session nobody comes back for is forgotten after the TTL. */
  private scheduleExpiry(key: string, state: SessionState): void {
    clearTimeout(state.expiry);
    state.expiry = setTimeout(() => {
      if (state.clients.size === 0 && this.sessions.get(key) === state) this.sessions.delete(key);
    }, this.limits.ttlMs);
    state.expiry.unref();
  }

  private replay(client: ChannelClient, state: SessionState): void {
    const buffer = state.buffer!;
    clearTimeout(state.expiry);
    this.logger.info({ session: client.sessionKey, messages: buffer.length, dropped: state.dropped }, 'replaying buffered messages');
    for (const item of buffer) client.deliver(item.channel, item.raw);
    if (state.dropped > 0) {
      // Said where the user looks: a stderr stream in the cell whose output was cut.
      const notice = createMessage({
        msgType: 'stream',
        session: this.kernel.session,
        content: {
          name: 'stderr',
          text: `[Workbench] ${state.dropped} messages (${formatBytes(state.droppedBytes)}) from the kernel were dropped while this client was disconnected: the reconnect buffer holds at most ${this.limits.maxMessages} messages or ${formatBytes(this.limits.maxBytes)}.\n`,
        },
      });
      const raw = toRaw(notice);
      if (state.lastDroppedParent) raw.parentHeader = state.lastDroppedParent;
      client.deliver('iopub', raw);
    }
    state.buffer = undefined;
    state.bufferedBytes = 0;
    state.dropped = 0;
  }

  /** Server-originated status (restarting/dead) as an iopub status message. */
  private announce(e: ServerStatusEvent): void {
    if (e.reason && e.state !== 'starting') {
      // Clients show stream text; a bare status says nothing about why. It goes first, as output
      // of the cell that was running (so the notebook shows it under that cell), before the status
      // that makes JupyterLab drop its pending requests and reconnect.
      let parent: Parameters<typeof createMessage>[0]['parent'];
      try {
        // The kernel may die before its "busy" got out: then the oldest unanswered request is the one.
        const header = this.running ?? this.executing.values().next().value;
        parent = header ? (parseJsonPart(header, 'parent_header') as unknown as typeof parent) : undefined;
      } catch {
        parent = undefined;
      }
      const why = toRaw(createMessage({ msgType: 'stream', session: this.kernel.session, parent, content: { name: 'stderr', text: `[Workbench] ${e.reason}\n` } }));
      for (const [, state] of this.sessions) this.deliverTo(state, 'iopub', why);
    }
    if (e.state === 'restarting' || e.state === 'dead') {
      this.running = undefined;
      this.executing.clear();
    }
    const msg = createMessage({ msgType: 'status', session: this.kernel.session, content: { execution_state: e.state } });
    if (e.reason) msg.metadata = { reason: e.reason };
    const raw = toRaw(msg);
    for (const [, state] of this.sessions) this.deliverTo(state, 'iopub', raw);
  }

  /** Close every client (1000: do not reconnect) and forget all buffers. */
  close(code = 1000, reason = 'kernel shut down'): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs) s[Symbol.dispose]();
    for (const state of this.sessions.values()) {
      clearTimeout(state.expiry);
      for (const c of [...state.clients]) c.close(code, reason);
    }
    this.sessions.clear();
    this.pending.clear();
  }

  /** For tests and metrics: how many messages a detached session holds. */
  bufferedFor(sessionKey: string): number {
    return this.sessions.get(sessionKey)?.buffer?.length ?? 0;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

