/**
 * One running kernel: its process (from a launcher), its one set of ZeroMQ
 * sockets, its state (execution_state, last_activity), readiness (see
 * kernel-ready.ts), interrupt, restart, auto-restart
 * on death with a limit, and shutdown. Messages from whichever process is
 * current are re-emitted on `onMessage`, so listeners survive restarts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, Clock, Emitter, Logger, raceSignal, systemClock, toDisposable } from '@workbench/core';
import { createMessage, ExecutionStateContent, parseJsonPart, toRaw } from '@workbench/protocol';
import { KernelConnection, KernelMessageEvent } from '@workbench/zmq';
import type { ExitInfo, KernelProcess } from '@workbench/launcher';
import { describeExit, waitKernelReady } from './kernel-ready';
import { isTracked } from './kernel-activity';
import { watchHeartbeat } from './kernel-heartbeat';
import type { KernelSpec } from './kernelspecs';
import type { ExecutionState, KernelModel, KernelOptions, ServerStatusEvent } from './kernel-model';

export type { ExecutionState, KernelModel, KernelOptions, ServerStatusEvent } from './kernel-model';

export { describeExit } from './kernel-ready';

export class Kernel {
  readonly id: string;
  readonly name: string;
  private ownerName: string;
  readonly session = randomUUID();
  private readonly key: string;
  private adoptable: KernelProcess | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private process: KernelProcess | undefined;
  private connection: KernelConnection | undefined;
  private connectionSub: Disposable | undefined;
  private exitSub: Disposable | undefined;
  private hbTimer: NodeJS.Timeout | undefined;
  private state: ExecutionState = 'starting';
  private lastActivity: number;
  private connectionCount = 0;
  private restartTimes: number[] = [];
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private kernelInfo: Record<string, unknown> | undefined;
  private disposed: Promise<void> | undefined;

  private readonly messageEmitter = new Emitter<KernelMessageEvent>();
  /** Every verified message from the current kernel process. */
  readonly onMessage = this.messageEmitter.event;
  private readonly statusEmitter = new Emitter<ServerStatusEvent>();
  /** Statuses the server announces itself: restarting (auto or manual), dead. */
  readonly onServerStatus = this.statusEmitter.event;
  private readonly deadEmitter = new Emitter<{ reason: string }>();
  /** The kernel died and will not come back. */
  readonly onDead = this.deadEmitter.event;

  constructor(private options: KernelOptions) {
    this.id = options.id ?? randomUUID();
    this.key = options.key ?? randomBytes(32).toString('hex');
    this.adoptable = options.adopt;
    this.name = options.spec.name;
    this.ownerName = options.owner;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger.child({ kernel_id: this.id, kernel_name: this.name });
    this.lastActivity = this.clock.now();
  }

  get executionState(): ExecutionState {
    return this.state;
  }

  get lastActivityTime(): number {
    return this.lastActivity;
  }

  get connections(): number {
    return this.connectionCount;
  }

  get info(): Record<string, unknown> | undefined {
    return this.kernelInfo;
  }

  get spec(): KernelSpec {
    return this.options.spec;
  }

  get isDead(): boolean {
    return this.state === 'dead';
  }

  model(): KernelModel {
    return { id: this.id, name: this.name, last_activity: this.lastActivityIso(), execution_state: this.state, connections: this.connectionCount };
  }

  private isoCache = { at: Number.NaN, text: '' };

  /** Date#toISOString was the hottest line of GET /api/kernels under load: format once per change. */
  private lastActivityIso(): string {
    if (this.isoCache.at !== this.lastActivity) this.isoCache = { at: this.lastActivity, text: new Date(this.lastActivity).toISOString() };
    return this.isoCache.text;
  }

  /** Count WebSocket clients (for the model and for culling); returns the undo. */
  addConnection(): Disposable {
    this.connectionCount++;
    return toDisposable(() => {
      this.connectionCount--;
    });
  }

  touch(): void {
    this.lastActivity = this.clock.now();
  }

  /** Launch the process and wait until it answers kernel_info and iopub flows. */
  /**
   * Launch and wait until ready. Ports are picked free just before launch, but
   * another process can take one before the kernel binds it ("Address already
   * in use"); then the launch is retried with fresh ports, up to 3 times.
   */
  async start(signal?: AbortSignal): Promise<void> {
    // One controller instead of AbortSignal.any, which keeps aborted signals alive on Node 20.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new AppError('timeout', `Cannot start kernel ${this.name}: timed out`)), this.options.launchTimeoutMs);
    const onAbort = () => ac.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.launchOnce(ac.signal);
          return;
        } catch (err) {
          const portClash = err instanceof AppError && err.code === 'kernel_launch_failed' && /address already in use|EADDRINUSE/i.test(err.message);
          if (!portClash || attempt >= 3 || ac.signal.aborted) throw err;
          this.logger.warn({ attempt }, 'kernel could not bind its ports; retrying with new ones');
        }
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async launchOnce(s: AbortSignal): Promise<void> {
    const adopted = this.adoptable;
    this.adoptable = undefined;
    const proc = adopted ?? await this.options.launcher.start(
      {
        kernelId: this.id,
        argv: this.options.spec.spec.argv,
        env: this.options.env,
        cwd: this.options.cwd,
        key: this.key,
        signatureScheme: 'hmac-sha256',
        kernelName: this.name,
        resources: this.options.resources,
        sandbox: this.options.sandbox,
        owner: this.owner,
      },
      { signal: s },
    );
    this.process = proc;
    const conn = new KernelConnection({ ...proc.endpoints, key: this.key, signature_scheme: 'hmac-sha256', kernel_name: this.name }, { logger: this.logger });
    this.connection = conn;
    this.connectionSub = conn.onMessage((e) => this.handleMessage(e));
    try {
      await this.waitReady(proc, conn, s);
    } catch (err) {
      await this.teardownProcess(true);
      throw err;
    }
    this.exitSub = proc.onExit((info) => void this.handleExit(proc, info));
    this.watchHeartbeat(proc);
    this.logger.info({ process: proc.label }, 'kernel started');
  }

  private async waitReady(proc: KernelProcess, conn: KernelConnection, signal: AbortSignal): Promise<void> {
    this.kernelInfo = await waitKernelReady(proc, conn, { name: this.name, session: this.session, launchTimeoutMs: this.options.launchTimeoutMs, signal });
    if (this.state === 'starting' || this.state === 'restarting') this.state = 'idle';
  }

  /** Kill a kernel that is alive but no longer answers heartbeats (see kernel-heartbeat.ts). */
  private watchHeartbeat(proc: KernelProcess): void {
    if (!this.options.heartbeat) return;
    this.hbTimer = watchHeartbeat(this.options.heartbeat, {
      current: () => this.process === proc && !this.restarting && !this.stopping,
      ping: (timeoutMs) => this.heartbeat(timeoutMs),
      busy: () => this.state === 'busy',
      missed: (misses) => this.logger.warn({ misses }, 'kernel missed a heartbeat'),
      lost: (misses) => {
        this.exitReason = `heartbeat lost: no answer to ${misses} heartbeats`;
        void proc.kill();
      },
    });
  }

  private exitReason: string | undefined;

  private handleMessage(e: KernelMessageEvent): void {
    const parentTracked = isTracked(e.parent.msgType);
    if (parentTracked || isTracked(e.header.msgType) || this.state === 'busy') this.lastActivity = this.clock.now();
    if (e.channel === 'iopub' && e.header.msgType === 'status') {
      try {
        const content = parseJsonPart(e.raw.content, 'content') as unknown as ExecutionStateContent;
        const st = content.execution_state;
        if (st === 'idle' || st === 'busy' || st === 'starting') {
          if (parentTracked) this.state = st;
          else if (this.state === 'starting' && st !== 'starting') this.state = 'idle';
        }
      } catch {
        /* a malformed status does not change state */
      }
    }
    this.messageEmitter.fire(e);
  }

  /** Send raw parts from a client to the kernel. */
  send(channel: 'shell' | 'control' | 'stdin', raw: Parameters<KernelConnection['send']>[1]): Promise<void> {
    if (!this.connection || this.state === 'dead') return Promise.reject(new AppError('kernel_dead', `Cannot send to kernel ${this.id}: it is not running`));
    // Activity is what the kernel does about a request (its iopub, see handleMessage), as in jupyter_server.
    return this.connection.send(channel, raw);
  }

  async interrupt(): Promise<void> {
    if (!this.process || this.state === 'dead') throw new AppError('kernel_dead', `Cannot interrupt kernel ${this.id}: it is not running`);
    // Where the launcher cannot signal (Kubernetes pods), interrupt_request is the only way.
    if (this.options.spec.spec.interrupt_mode === 'message' || this.options.launcher.deliversSignals === false) {
      await this.send('control', toRaw(createMessage({ msgType: 'interrupt_request', content: {}, session: this.session })));
    } else {
      await this.process.signal('SIGINT');
    }
  }

  /** Restart by request (REST): same kernel id, new process. */
  async restart(signal?: AbortSignal): Promise<void> {
    if (this.stopping) throw new AppError('conflict', `Cannot restart kernel ${this.id}: it is shutting down`);
    if (this.restarting) return this.restarting;
    this.restarting = (async () => {
      this.state = 'restarting';
      this.statusEmitter.fire({ state: 'restarting' });
      await this.teardownProcess(false);
      this.state = 'starting';
      await this.start(signal);
    })().finally(() => {
      this.restarting = undefined;
    });
    try {
      await this.restarting;
    } catch (err) {
      this.declareDead(`restart failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  private async handleExit(proc: KernelProcess, info: ExitInfo): Promise<void> {
    if (this.stopping || this.restarting || proc !== this.process) return;
    const why = this.exitReason ?? info.reason ?? describeExit(info);
    this.exitReason = undefined;
    const now = this.clock.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < (this.options.restartWindowMs ?? 60_000));
    if (this.restartTimes.length >= this.options.restartLimit) {
      this.logger.error({ exit: why }, 'kernel died; restart limit reached');
      await this.teardownProcess(true);
      this.declareDead(`the kernel died (${why}) and was restarted ${this.options.restartLimit} times; giving up`);
      return;
    }
    this.restartTimes.push(now);
    this.logger.warn({ exit: why, attempt: this.restartTimes.length }, 'kernel died; restarting');
    this.statusEmitter.fire({ state: 'restarting', reason: `the kernel died (${why}); restarting` });
    this.state = 'restarting';
    this.restarting = (async () => {
      await this.teardownProcess(true);
      this.state = 'starting';
      await this.start();
    })().finally(() => {
      this.restarting = undefined;
    });
    try {
      await this.restarting;
    } catch (err) {
      this.declareDead(`the kernel died (${why}) and could not be restarted: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private declareDead(reason: string): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.statusEmitter.fire({ state: 'dead', reason });
    this.deadEmitter.fire({ reason });
  }

  /** Stop the current process: shutdown_request on control, wait, then kill. */
  private async teardownProcess(force: boolean): Promise<void> {
    const proc = this.process;
    const conn = this.connection;
    this.exitSub?.[Symbol.dispose]();
    this.exitSub = undefined;
    clearInterval(this.hbTimer);
    this.hbTimer = undefined;
    if (proc && proc.isAlive() && conn && !force) {
      const req = createMessage({ msgType: 'shutdown_request', content: { restart: false }, session: this.session });
      await conn.send('control', toRaw(req)).catch(() => undefined);
      const waited = await Promise.race([proc.wait().then(() => true), new Promise<boolean>((r) => setTimeout(r, this.options.shutdownWaitMs, false).unref())]);
      if (!waited) {
        this.logger.warn({}, 'kernel did not exit after shutdown_request; terminating');
        await proc.signal('SIGTERM');
        const termed = await Promise.race([proc.wait().then(() => true), new Promise<boolean>((r) => setTimeout(r, 1000, false).unref())]);
        if (!termed) await proc.kill();
      }
    }
    this.connectionSub?.[Symbol.dispose]();
    this.connectionSub = undefined;
    this.connection = undefined;
    this.process = undefined;
    if (conn) await conn[Symbol.asyncDispose]();
    if (proc) await proc[Symbol.asyncDispose]();
  }

  /** The launcher's facts about the current process (pid for local kernels). */
  processSnapshot(): Record<string, unknown> | undefined {
    return this.process?.snapshot();
  }

  /** Last resort when the server must exit now: SIGKILL the process group, synchronously. */
  killNow(): void {
    void this.process?.signal('SIGKILL');
  }

  /** Heartbeat check for kernels whose process the launcher cannot watch. */
  async heartbeat(timeoutMs: number): Promise<boolean> {
    return (await this.connection?.ping(timeoutMs)) ?? false;
  }

  /** The HMAC key of its messages: what code in the kernel signs gateway requests with (auth/kernel-signature.ts). */
  get signingKey(): string {
    return this.key;
  }

  get owner(): string {
    return this.ownerName;
  }

  /** The environment it was (or will be, on restart) started with. */
  get env(): Readonly<Record<string, string>> {
    return this.options.env;
  }

  get launchTimeoutMs(): number {
    return this.options.launchTimeoutMs;
  }

  /** From now on (restarts included) the kernel belongs to `owner`, in `cwd`, with `env` (a pooled kernel handed out). */
  retarget(t: { env: Record<string, string>; cwd: string; owner: string }): void {
    this.options = { ...this.options, env: t.env, cwd: t.cwd, owner: t.owner };
    this.ownerName = t.owner;
    this.logger.info({ owner: t.owner, cwd: t.cwd }, 'kernel retargeted');
  }

  /** Its launcher keeps it running when the gateway stops (see Launcher.kernelsOutliveGateway). */
  get outlivesGateway(): boolean {
    return this.options.launcher.kernelsOutliveGateway === true;
  }

  /** Let go of a kernel that outlives the gateway: close our sockets, leave the process running. */
  detach(): Promise<void> {
    this.disposed ??= (async () => {
      this.stopping = true;
      await this.restarting?.catch(() => undefined);
      this.exitSub?.[Symbol.dispose]();
      clearInterval(this.hbTimer);
      this.connectionSub?.[Symbol.dispose]();
      const conn = this.connection;
      this.connection = undefined;
      this.process = undefined;
      if (conn) await conn[Symbol.asyncDispose]();
      this.messageEmitter.dispose();
      this.statusEmitter.dispose();
      this.deadEmitter.dispose();
      this.logger.info({}, 'kernel left running for the next gateway');
    })();
    return this.disposed;
  }

  /** Shut down: polite first, then signals. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      this.stopping = true;
      await this.restarting?.catch(() => undefined);
      await this.teardownProcess(false);
      if (this.state !== 'dead') this.state = 'dead';
      this.messageEmitter.dispose();
      this.statusEmitter.dispose();
      this.deadEmitter.dispose();
      this.logger.info({}, 'kernel shut down');
    })();
    return this.disposed;
  }
}


export { raceSignal };
