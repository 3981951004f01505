/**
 * A language-agnostic Jupyter kernel: the kernel side of the messaging
 * protocol (jupyter_client docs/messaging.rst, 5.3), driven by a
 * `KernelHandlers` object that only knows how to run code.
 *
 * Contracts (as ipykernel's kernelbase.py):
 * - Shell requests run one at a time in arrival order; control requests are
 *   handled at once, even while an execute runs.
 * - iopub `status` busy/idle brackets every shell and control request, with
 *   that request as parent.
 * - An error in a non-silent execute with `stop_on_error` (the default)
 *   aborts every execute_request already queued: each gets busy, an
 *   `aborted` reply, idle.
 * - Bad content gets a reply with status 'error' and a clear evalue; bad
 *   frames or signatures are dropped (see kernel-sockets.ts).
 */
import { randomUUID } from 'node:crypto';
import { AppError, describeError, Emitter, Event, Logger, silentLogger } from '@workbench/core';
import { createMessage, JupyterMessage, MessageHeader } from '@workbench/protocol';
import { BadContent, ConnectionInfoLike, field, IncomingMessage, isBool, isCursor, isString, isStringMap, KernelSockets, readConnectionFile, RequestChannel } from './kernel-sockets';

export type { ConnectionInfoLike } from './kernel-sockets';

/** The protocol version this kernel speaks (no 5.4 `supported_features`, no 5.5 subshells). */
export const KERNEL_PROTOCOL_VERSION = '5.3';

/** Thrown by handlers for an error in user code: becomes an iopub `error` and an error reply. */
export class ExecutionError extends Error {
  override readonly name = 'ExecutionError';
  /** JupyterLab renders only `traceback`, so it defaults to one line naming the error. */
  constructor(
    readonly ename: string,
    readonly evalue: string,
    readonly traceback: string[] = [`${ename}: ${evalue}`],
  ) {
    super(`${ename}: ${evalue}`);
  }
}

export interface KernelInfo {
  implementation: string;
  implementation_version: string;
  language_info: Record<string, unknown>;
  banner: string;
  help_links?: { text: string; url: string }[];
}

export interface KernelHandlers {
  /** language_info, implementation, banner, help_links for kernel_info_reply. */
  info(): KernelInfo;
  /** Run code, emitting outputs via ctx. Throw ExecutionError for user errors; ctx.signal aborts on interrupt. */
  execute(code: string, ctx: ExecuteContext): Promise<void>;
  complete?(code: string, cursorPos: number, signal: AbortSignal): Promise<{ matches: string[]; cursor_start: number; cursor_end: number; metadata?: Record<string, unknown> }>;
  inspect?(code: string, cursorPos: number, detailLevel: number): Promise<{ found: boolean; data: Record<string, unknown>; metadata?: Record<string, unknown> }>;
  isComplete?(code: string): Promise<{ status: 'complete' | 'incomplete' | 'invalid' | 'unknown'; indent?: string }>;
  /** Called on interrupt (SIGINT or interrupt_request): cancel the running query. */
  interrupt?(): void | Promise<void>;
  /** Called on shutdown_request (and SIGTERM under runKernelMain, kernel-main.ts) before the reply is sent. */
  shutdown?(restart: boolean): Promise<void>;
}

/**
 * What an execute sees. Outputs are dropped when the request is silent, and
 * after execute() has settled (no output may follow the reply).
 */
export interface ExecuteContext {
  executionCount: number;
  signal: AbortSignal;
  silent: boolean;
  storeHistory: boolean;
  userExpressions: Record<string, string>;
  metadata: Record<string, unknown>;
  parentHeader: MessageHeader;
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(data: Record<string, unknown>, metadata?: Record<string, unknown>, transient?: { display_id?: string }): void;
  updateDisplay(displayId: string, data: Record<string, unknown>, metadata?: Record<string, unknown>): void;
  /** execute_result carrying the execution count. */
  result(data: Record<string, unknown>, metadata?: Record<string, unknown>): void;
  clearOutput(wait?: boolean): void;
  /** input_request on stdin; rejects with StdinNotImplementedError unless the request had allow_stdin, and on interrupt. */
  input(prompt: string, password?: boolean): Promise<string>;
}

export interface KernelServerOptions {
  logger?: Logger;
}

type Content = Record<string, unknown>;

export class KernelServer implements AsyncDisposable {
  private readonly session = randomUUID();
  private executionCount = 0;
  private readonly shellQueue: { msg: IncomingMessage; aborted: boolean }[] = [];
  private pumping = false;
  private running: AbortController | undefined;
  private readonly pendingInputs = new Map<string, { resolve(v: string): void; reject(e: unknown): void }>();
  private readonly lifetime = new AbortController();
  private sockets!: KernelSockets;
  private disposing: Promise<void> | undefined;

  private readonly shutdownEmitter = new Emitter<{ restart: boolean }>();
  /** Fires after shutdown_reply was sent and status idle published. */
  readonly onShutdown: Event<{ restart: boolean }> = this.shutdownEmitter.event;

  private constructor(
    private readonly handlers: KernelHandlers,
    private readonly logger: Logger,
  ) {}

  /** Bind the sockets of a connection file (path or content) and start serving. */
  static async start(connectionFile: string | ConnectionInfoLike, handlers: KernelHandlers, options: KernelServerOptions = {}): Promise<KernelServer> {
    const info = typeof connectionFile === 'string' ? await readConnectionFile(connectionFile) : connectionFile;
    const server = new KernelServer(handlers, options.logger ?? silentLogger);
    server.sockets = await KernelSockets.bind(info, (msg) => server.receive(msg), server.logger);
    void server.publish('status', { execution_state: 'starting' }, undefined);
    return server;
  }

  /** The connection info with the ports actually bound (tcp port 0 picks a free port). */
  get connectionInfo(): ConnectionInfoLike {
    return this.sockets.connectionInfo;
  }

  /** Abort the running execute's signal and call handlers.interrupt (SIGINT and interrupt_request both land here). */
  async interrupt(): Promise<void> {
    this.running?.abort(new AppError('unavailable', 'Cannot continue execution: interrupted'));
    try {
      await this.handlers.interrupt?.();
    } catch (err) {
      this.logger.error({ err: describeError(err) }, 'interrupt handler failed');
    }
  }

  private receive(msg: IncomingMessage): void | Promise<void> {
    if (msg.channel === 'stdin') return this.receiveInput(msg);
    if (msg.channel === 'control') return this.dispatch(msg, false);
    this.shellQueue.push({ msg, aborted: false });
    if (!this.pumping) void this.pumpShell();
  }

  private async pumpShell(): Promise<void> {
    this.pumping = true;
    while (this.shellQueue.length > 0 && !this.disposing) {
      const { msg, aborted } = this.shellQueue.shift()!;
      await this.dispatch(msg, aborted);
    }
    this.pumping = false;
  }

  /** One request, bracketed by busy/idle. Never throws. */
  private async dispatch(msg: IncomingMessage, aborted: boolean): Promise<void> {
    const type = msg.header.msg_type;
    let shutdown: boolean | undefined;
    await this.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      if (msg.contentError) throw new BadContent(msg.contentError);
      if (aborted) {
        await this.reply(msg, { status: 'aborted' }, { status: 'aborted' });
      } else if (type === 'shutdown_request') {
        shutdown = await this.shutdown(msg);
      } else {
        await this.handle(msg);
      }
    } catch (err) {
      if (!(err instanceof BadContent)) this.logger.error({ msgType: type, err: describeError(err) }, 'request failed');
      if (type.endsWith('_request')) {
        const ename = err instanceof BadContent ? 'BadRequest' : err instanceof ExecutionError ? err.ename : 'InternalError';
        const evalue = err instanceof ExecutionError ? err.evalue : `Cannot handle ${type}: ${describeError(err)}`;
        await this.reply(msg, { status: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`], ...(type === 'execute_request' ? { execution_count: this.executionCount } : {}) });
      }
    } finally {
      await this.publish('status', { execution_state: 'idle' }, msg.header);
    }
    if (shutdown !== undefined) this.shutdownEmitter.fire({ restart: shutdown });
  }

  private async handle(msg: IncomingMessage): Promise<void> {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'execute_request':
        return this.execute(msg);
      case 'kernel_info_request': {
        const info = this.handlers.info();
        return this.reply(msg, { status: 'ok', protocol_version: KERNEL_PROTOCOL_VERSION, ...info, help_links: info.help_links ?? [], debugger: false });
      }
      case 'complete_request': {
        const code = field(c, 'code', isString, 'a string');
        const pos = field(c, 'cursor_pos', isCursor, 'a non-negative integer', code.length);
        const r = this.handlers.complete ? await this.handlers.complete(code, pos, this.lifetime.signal) : { matches: [], cursor_start: pos, cursor_end: pos };
        return this.reply(msg, { status: 'ok', metadata: {}, ...r });
      }
      case 'inspect_request': {
        const code = field(c, 'code', isString, 'a string');
        const pos = field(c, 'cursor_pos', isCursor, 'a non-negative integer', code.length);
        const level = field(c, 'detail_level', (v): v is number => v === 0 || v === 1, '0 or 1', 0);
        const r = this.handlers.inspect ? await this.handlers.inspect(code, pos, level) : { found: false, data: {} };
        return this.reply(msg, { status: 'ok', metadata: {}, ...r });
      }
      case 'is_complete_request': {
        const code = field(c, 'code', isString, 'a string');
        return this.reply(msg, this.handlers.isComplete ? await this.handlers.isComplete(code) : { status: 'unknown' });
      }
      case 'interrupt_request':
        await this.interrupt();
        return this.reply(msg, { status: 'ok' });
      case 'comm_info_request':
        return this.reply(msg, { status: 'ok', comms: {} });
      case 'history_request':
        return this.reply(msg, { status: 'ok', history: [] });
      case 'comm_open':
        // No comm targets: close at once, as ipykernel does for an unknown target.
        return this.publish('comm_close', { comm_id: typeof c.comm_id === 'string' ? c.comm_id : '', data: {} }, msg.header);
      case 'comm_msg':
      case 'comm_close':
        return;
      case 'debug_request':
        return this.reply(msg, { status: 'error', ename: 'NotImplementedError', evalue: 'Cannot debug: this kernel has no debugger', traceback: [] });
      default:
        this.logger.warn({ msgType: msg.header.msg_type, channel: msg.channel }, 'unknown message type');
        if (msg.header.msg_type.endsWith('_request')) throw new BadContent(`unknown message type ${JSON.stringify(msg.header.msg_type)}`);
    }
  }

  private async execute(msg: IncomingMessage): Promise<void> {
    const c = msg.content;
    const code = field(c, 'code', isString, 'a string');
    const silent = field(c, 'silent', isBool, 'a boolean', false);
    const storeHistory = field(c, 'store_history', isBool, 'a boolean', !silent) && !silent;
    const allowStdin = field(c, 'allow_stdin', isBool, 'a boolean', false);
    const stopOnError = field(c, 'stop_on_error', isBool, 'a boolean', true);
    const userExpressions = field(c, 'user_expressions', isStringMap, 'an object of strings', {});

    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const parent = msg.header;
    // Not awaited: iopub sends are queued in order, and the cell need not wait for ZeroMQ to take it.
    if (!silent) void this.publish('execute_input', { code, execution_count: count }, parent);

    const controller = new AbortController();
    this.running = controller;
    // One controller, aborted by interrupt, shutdown and dispose. Not AbortSignal.any: on Node 20 the
    // composite signal (and everything its listeners capture) stays reachable after it aborted.
    const signal = controller.signal;
    let live = true;
    const out = (type: string, content: Content) => {
      if (live && !silent) void this.publish(type, content, parent);
    };
    const ctx: ExecuteContext = {
      executionCount: count,
      signal,
      silent,
      storeHistory,
      userExpressions,
      metadata: msg.metadata,
      parentHeader: parent,
      stream: (name, text) => out('stream', { name, text }),
      display: (data, metadata = {}, transient = {}) => out('display_data', { data, metadata, transient }),
      updateDisplay: (displayId, data, metadata = {}) => out('update_display_data', { data, metadata, transient: { display_id: displayId } }),
      result: (data, metadata = {}) => out('execute_result', { execution_count: count, data, metadata }),
      clearOutput: (wait = false) => out('clear_output', { wait }),
      input: (prompt, password = false) => {
        if (!allowStdin || !live) return Promise.reject(new ExecutionError('StdinNotImplementedError', 'Cannot read input: this frontend does not support input requests'));
        return this.requestInput(msg, prompt, password, signal);
      },
    };

    const started = new Date().toISOString();
    let error: ExecutionError | undefined;
    try {
      await this.handlers.execute(code, ctx);
    } catch (err) {
      error = toExecutionError(err, signal);
      if (!(err instanceof ExecutionError) && !signal.aborted) this.logger.warn({ err: describeError(err), stack: err instanceof Error ? err.stack : undefined }, 'execute handler threw a non-ExecutionError');
    } finally {
      live = false;
      if (this.running === controller) this.running = undefined;
    }

    const metadata = { started, dependencies_met: true, engine: this.session, status: error ? 'error' : 'ok' };
    if (!error) {
      // Expressions are language-specific; this server cannot evaluate them.
      const notSupported = { status: 'error', ename: 'NotImplementedError', evalue: 'Cannot evaluate user_expressions in this kernel', traceback: [] };
      const userExpressionResults = Object.fromEntries(Object.keys(userExpressions).map((k) => [k, notSupported]));
      return this.reply(msg, { status: 'ok', execution_count: count, user_expressions: userExpressionResults, payload: [] }, metadata);
    }
    const { ename, evalue, traceback } = error;
    if (!silent) await this.publish('error', { ename, evalue, traceback }, parent);
    if (!silent && stopOnError) {
      for (const queued of this.shellQueue) if (queued.msg.header.msg_type === 'execute_request') queued.aborted = true;
    }
    await this.reply(msg, { status: 'error', execution_count: count, ename, evalue, traceback }, metadata);
  }

  private requestInput(msg: IncomingMessage, prompt: string, password: boolean, signal: AbortSignal): Promise<string> {
    const request = this.message('input_request', { prompt, password }, msg.header);
    const id = request.header.msg_id;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => settle(() => reject(signal.reason));
      const settle = (fn: () => void) => {
        this.pendingInputs.delete(id);
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pendingInputs.set(id, { resolve: (v) => settle(() => resolve(v)), reject: (e) => settle(() => reject(e)) });
      // stdin requests go to the identities of the execute request (the client shares its routing id across channels).
      void this.sockets.send('stdin', request, msg.identities);
    });
  }

  private receiveInput(msg: IncomingMessage): void {
    const parentId = typeof msg.parentHeader.msg_id === 'string' ? msg.parentHeader.msg_id : '';
    // A reply without a parent answers the oldest pending request (only one is pending in practice).
    const id = this.pendingInputs.has(parentId) ? parentId : parentId === '' ? this.pendingInputs.keys().next().value : undefined;
    const pending = id === undefined ? undefined : this.pendingInputs.get(id);
    if (msg.header.msg_type !== 'input_reply' || !pending) {
      this.logger.warn({ msgType: msg.header.msg_type, parentId }, 'unexpected message on stdin');
      return;
    }
    if (typeof msg.content.value === 'string') pending.resolve(msg.content.value);
    else pending.reject(new ExecutionError('ValueError', 'Cannot read input: input_reply content.value must be a string'));
  }

  /** Returns the `restart` flag; onShutdown fires in dispatch, after idle. */
  private async shutdown(msg: IncomingMessage): Promise<boolean> {
    const restart = field(msg.content, 'restart', isBool, 'a boolean', false);
    this.running?.abort(new AppError('unavailable', 'Cannot continue execution: kernel shutting down'));
    let content: Content = { status: 'ok', restart };
    try {
      await this.handlers.shutdown?.(restart);
    } catch (err) {
      this.logger.error({ err: describeError(err) }, 'shutdown handler failed');
      content = { status: 'error', restart, ename: 'ShutdownError', evalue: `Cannot shut down cleanly: ${describeError(err)}`, traceback: [] };
    }
    await this.reply(msg, content);
    // ipykernel also publishes the reply on iopub, so every client learns of the shutdown.
    await this.publish('shutdown_reply', content, msg.header);
    return restart;
  }

  private message(msgType: string, content: unknown, parent: MessageHeader | undefined, metadata: Content = {}): JupyterMessage<unknown> {
    const msg = createMessage({ msgType, content, session: this.session, username: 'kernel', parent: parent ?? {}, metadata });
    msg.header.version = KERNEL_PROTOCOL_VERSION;
    return msg;
  }

  /** `<type>_reply` to a request on its own channel, with the request's identities. */
  private reply(req: IncomingMessage, content: Content, metadata: Content = {}): Promise<void> {
    const type = req.header.msg_type.replace(/_request$/, '_reply');
    return this.sockets.send(req.channel as RequestChannel, this.message(type, content, req.header, metadata), req.identities);
  }

  private publish(msgType: string, content: Content, parent: MessageHeader | undefined): Promise<void> {
    // ipykernel-style topic, so subscribers filtering by prefix still work.
    return this.sockets.send('iopub', this.message(msgType, content, parent), [Buffer.from(`kernel.${this.session}.${msgType}`)]);
  }

  /** Abort the running execute, drop queued requests, close every socket. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      const reason = new AppError('unavailable', 'Cannot continue execution: kernel closed');
      this.running?.abort(reason);
      this.lifetime.abort(reason);
      this.shellQueue.length = 0;
      await this.sockets[Symbol.asyncDispose]();
      this.shutdownEmitter.dispose();
    })();
    return this.disposing;
  }
}

/** Any rejection of execute(): an interrupt reads as KeyboardInterrupt (what frontends and papermill expect). */
function toExecutionError(err: unknown, signal: AbortSignal): ExecutionError {
  if (err instanceof ExecutionError) return err;
  if (signal.aborted) return new ExecutionError('KeyboardInterrupt', 'Execution interrupted');
  const name = err instanceof Error && err.name !== 'Error' ? err.name : 'Error';
  return new ExecutionError(name, describeError(err));
}
