/**
 * All running kernels: start (with limits and env policy), lookup, restart,
 * interrupt, shutdown, idle culling, and shutdown of everything on dispose.
 * Owned by server/app; no module-level state.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { AppError, Clock, Emitter, isAppError, Logger, systemClock } from '@workbench/core';
import type { KernelProcess, LauncherRegistry } from '@workbench/launcher';
import { resolveResources, ResourcePolicy, SpecResources } from './resources';
import { KernelPool, MadeKernel, POOL_OWNER } from './kernel-pool';
import { LanguageInfoCache, type LanguageInfoStore } from './language-info';
import type { KernelSpec } from './kernelspecs';
import { Kernel, KernelModel } from './kernel';
import { KernelChannels, BufferLimits } from './kernel-channels';
import { buildKernelEnv, KernelEnvPolicy } from './kernel-env';
import type { KernelSpecManager } from './kernelspecs';

export interface CullingConfig {
  /** Seconds of inactivity before a kernel is culled; 0 disables culling. */
  idleTimeoutS: number;
  intervalS: number;
  /** Cull kernels that still have clients attached. */
  connected: boolean;
  /** Cull kernels that are busy. */
  busy: boolean;
}

export interface KernelManagerOptions {
  specs: KernelSpecManager;
  launchers: LauncherRegistry;
  rootDir: string;
  logger: Logger;
  clock?: Clock;
  serverEnv: Readonly<Record<string, string | undefined>>;
  /** Variables every kernel gets from the server (e.g. WORKBENCH_WAREHOUSE); no secrets here. */
  kernelEnv?: Readonly<Record<string, string>>;
  envPolicy: KernelEnvPolicy;
  maxKernels: number;
  maxKernelsPerUser: number;
  culling: CullingConfig;
  launchTimeoutMs: number;
  restartLimit: number;
  shutdownWaitMs: number;
  buffer: BufferLimits;
  heartbeat?: { intervalMs: number; timeoutMs: number; misses: number };
  /** Defaults and caps for kernels' CPU, memory and process limits. */
  resources?: ResourcePolicy;
  /** Kernels kept started and idle per kernelspec name, handed out on start (see kernel-pool.ts). */
  pool?: Readonly<Record<string, number>>;
  /**
   * Per-start changes the server makes for where a kernel runs (a project's
   * Python environment, server/environments): resolved before launch, kept
   * for restarts. Kernels it changes are never served from the pool. Called
   * only for kernels whose launcher `seesServerFiles` (not pods).
   */
  prepareKernel?: (spec: KernelSpec, at: { path: string | undefined; cwd: string; signal?: AbortSignal }) => Promise<KernelPreparation | undefined>;
  /** Keeps notebookMetadata's language_info across restarts; in memory only without. */
  languageInfoStore?: LanguageInfoStore;
}

/** What prepareKernel may change: the argv, trusted env, and what the sandbox shows. */
export interface KernelPreparation {
  argv?: readonly string[];
  env?: Readonly<Record<string, string>>;
  readOnlyPaths?: readonly string[];
  writablePaths?: readonly string[];
}

export interface StartKernelRequest {
  name?: string;
  path?: string;
  env?: Record<string, unknown>;
  /** Variables the server itself sets for this kernel (e.g. a pipeline run's ids): not subject to the request policy. Never secrets. */
  trustedEnv?: Readonly<Record<string, string>>;
  user: string;
  signal?: AbortSignal;
}

interface Entry {
  kernel: Kernel;
  channels: KernelChannels;
}

export class KernelManager {
  private readonly kernels = new Map<string, Entry>();
  /** The language_info of the last kernel of each spec (see notebookMetadata). */
  private readonly languageInfo: LanguageInfoCache;
  private starting = 0;
  private readonly startingByUser = new Map<string, number>();
  private readonly cullTimer: NodeJS.Timeout | undefined;
  private readonly clock: Clock;
  private disposed: Promise<void> | undefined;
  private readonly removedEmitter = new Emitter<{ id: string; reason: string }>();
  /** A kernel left the manager (shutdown, culled, died for good). */
  readonly onKernelRemoved = this.removedEmitter.event;

  private readonly pool: KernelPool | undefined;

  constructor(private readonly options: KernelManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.languageInfo = new LanguageInfoCache(options.logger, options.languageInfoStore);
    if (options.pool && Object.values(options.pool).some((n) => n > 0)) {
      this.pool = new KernelPool(options.pool, options.logger, async (name) => {
        const spec = await this.options.specs.get(name);
        return this.makeKernel(spec, { user: POOL_OWNER }).kernel;
      });
    }
    if (options.culling.idleTimeoutS > 0) {
      this.cullTimer = setInterval(() => void this.cull(), Math.max(1, options.culling.intervalS) * 1000);
      this.cullTimer.unref();
    }
  }

  /** Pre-started kernels waiting per kernelspec (empty without a pool). */
  poolCounts(): Record<string, number> {
    return this.pool?.counts() ?? {};
  }

  /** Resolves when the pool holds a kernel for `name` (never without a pool for it). */
  poolReady(name: string): Promise<void> {
    return this.pool?.whenReady(name) ?? new Promise(() => undefined);
  }

  get specs(): KernelSpecManager {
    return this.options.specs;
  }

  list(): KernelModel[] {
    return [...this.kernels.values()].map((e) => e.kernel.model());
  }

  has(id: string): boolean {
    return this.kernels.has(id);
  }

  get(id: string): Kernel {
    return this.entry(id).kernel;
  }

  channels(id: string): KernelChannels {
    return this.entry(id).channels;
  }

  private entry(id: string): Entry {
    const e = this.kernels.get(id);
    if (!e) throw new AppError('not_found', `Cannot find kernel: no kernel with id ${id}`);
    return e;
  }

  async start(req: StartKernelRequest): Promise<Kernel> {
    if (this.disposed) throw new AppError('unavailable', 'Cannot start kernel: the server is shutting down');
    const name = req.name ?? (await this.options.specs.defaultName());
    const spec = await this.options.specs.get(name);
    this.reserve(req.user);
    try {
      // Prepared on this machine's disk: only for kernels that run here (not pods).
      const prep = this.launcherOf(spec).seesServerFiles ? await this.options.prepareKernel?.(spec, { path: req.path, cwd: this.cwdFor(req.path, req.env?.KERNEL_WORKING_DIR), signal: req.signal }) : undefined;
      const made = this.makeKernel(spec, req, prep);
      const pooled = !prep && this.pool?.take(spec, req) ? await this.pool.claim(spec.name, made) : undefined;
      const kernel = pooled ?? made.kernel;
      if (!pooled) {
        try {
          await kernel.start(req.signal);
        } catch (err) {
          await kernel[Symbol.asyncDispose]();
          throw err;
        }
      }
      this.register(kernel);
      await this.languageInfo.remember(kernel.name, kernel.info?.language_info);
      return kernel;
    } finally {
      this.release(req.user);
    }
  }

  private launcherOf(spec: KernelSpec) {
    return this.options.launchers.get((spec.spec.metadata?.workbench as { launcher?: string } | undefined)?.launcher);
  }

  /** A kernel for this spec and request, not started: env, cwd, resources and sandbox resolved. */
  private makeKernel(specIn: KernelSpec, req: Omit<StartKernelRequest, 'name'>, prep?: KernelPreparation): MadeKernel {
    const spec = prep?.argv ? { ...specIn, spec: { ...specIn.spec, argv: [...prep.argv] } } : specIn;
    const { env, rejected } = buildKernelEnv({
      policy: this.options.envPolicy,
      serverEnv: this.options.serverEnv,
      specEnv: spec.spec.env,
      requestEnv: req.env,
      extra: { ...this.options.kernelEnv, ...prep?.env, ...req.trustedEnv, JPY_SESSION_NAME: req.path ?? '', KERNEL_USERNAME: typeof req.env?.KERNEL_USERNAME === 'string' ? req.env.KERNEL_USERNAME : req.user },
    });
    if (rejected.length > 0) this.options.logger.info({ rejected }, 'ignored kernel env keys not allowed by policy');
    const launchTimeoutMs = parseLaunchTimeout(req.env?.KERNEL_LAUNCH_TIMEOUT) ?? this.options.launchTimeoutMs;
    const meta = (spec.spec.metadata?.workbench ?? {}) as { resources?: SpecResources; sandbox?: { network?: boolean; read_only_paths?: string[] } };
    const { resources, capped } = resolveResources(this.options.resources ?? { defaults: {}, max: {} }, meta.resources, req.env);
    if (capped.length > 0) this.options.logger.info({ capped }, 'kernel resources capped by policy');
    const cwd = this.cwdFor(req.path, req.env?.KERNEL_WORKING_DIR);
    const kernel = new Kernel({
      spec,
      launcher: this.launcherOf(spec),
      env,
      cwd,
      owner: req.user,
      logger: this.options.logger,
      clock: this.clock,
      launchTimeoutMs,
      restartLimit: this.options.restartLimit,
      shutdownWaitMs: this.options.shutdownWaitMs,
      heartbeat: this.options.heartbeat,
      resources,
      // The kernelspec's own folder is visible (kernels keep helper files next to kernel.json).
      sandbox: {
        network: meta.sandbox?.network,
        readOnlyPaths: [spec.resourceDir, ...(meta.sandbox?.read_only_paths ?? []), ...(prep?.readOnlyPaths ?? [])],
        ...(prep?.writablePaths ? { writablePaths: prep.writablePaths } : {}),
      },
    });
    return { kernel, env, cwd, owner: req.user, resources };
  }

  /**
   * What JupyterLab writes into a notebook's metadata when a kernel of this
   * spec connects: `kernelspec` from the spec, and `language_info` from the
   * kernel_info reply of the last kernel of it started here (absent until
   * one has). Undefined for an unknown spec.
   */
  async notebookMetadata(name: string): Promise<{ kernelspec: { name: string; display_name: string; language?: string }; language_info?: Record<string, unknown> } | undefined> {
    let spec: KernelSpec;
    try {
      spec = await this.options.specs.get(name);
    } catch (err) {
      if (isAppError(err, 'not_found')) return undefined;
      throw err;
    }
    const languageInfo = await this.languageInfo.get(spec.name);
    return { kernelspec: { name: spec.name, display_name: spec.spec.display_name ?? spec.name, ...(spec.spec.language !== undefined && { language: spec.spec.language }) }, ...(languageInfo && { language_info: languageInfo }) };
  }

  private register(kernel: Kernel): void {
    const channels = new KernelChannels(kernel, this.options.buffer, this.options.logger.child({ kernel_id: kernel.id }));
    this.kernels.set(kernel.id, { kernel, channels });
    kernel.onDead(({ reason }) => void this.remove(kernel.id, reason));
  }

  /**
   * Take over a kernel that an earlier gateway started and that still runs
   * (a Kubernetes pod found by its labels after a rollout): same id, same
   * signing key, a new ZeroMQ connection, the kernel_info handshake, and from
   * then on it is like any other (restart uses the kernelspec as usual).
   */
  async adopt(found: { id: string; name: string; owner: string; key: string; process: KernelProcess; launcher: string }): Promise<Kernel> {
    if (this.kernels.has(found.id)) throw new AppError('conflict', `Cannot adopt kernel ${found.id}: it is already managed`);
    const spec = await this.options.specs.get(found.name);
    const { env } = buildKernelEnv({ policy: this.options.envPolicy, serverEnv: this.options.serverEnv, specEnv: spec.spec.env, requestEnv: {}, extra: { ...this.options.kernelEnv, KERNEL_USERNAME: found.owner } });
    const kernel = new Kernel({
      id: found.id,
      key: found.key,
      adopt: found.process,
      spec,
      launcher: this.options.launchers.get(found.launcher),
      env,
      cwd: this.options.rootDir,
      owner: found.owner,
      logger: this.options.logger,
      clock: this.clock,
      launchTimeoutMs: this.options.launchTimeoutMs,
      restartLimit: this.options.restartLimit,
      shutdownWaitMs: this.options.shutdownWaitMs,
      heartbeat: this.options.heartbeat,
    });
    try {
      await kernel.start();
    } catch (err) {
      await kernel[Symbol.asyncDispose]();
      throw err;
    }
    this.register(kernel);
    await this.languageInfo.remember(kernel.name, kernel.info?.language_info);
    this.options.logger.info({ kernel_id: kernel.id, owner: found.owner }, 'adopted a running kernel');
    return kernel;
  }

  private reserve(user: string): void {
    const mine = [...this.kernels.values()].filter((e) => e.kernel.owner === user).length + (this.startingByUser.get(user) ?? 0);
    if (this.kernels.size + this.starting >= this.options.maxKernels) {
      throw new AppError('resource_limit', `Resource Limit: cannot start kernel: the server runs its maximum of ${this.options.maxKernels} kernels`);
    }
    if (mine >= this.options.maxKernelsPerUser) {
      throw new AppError('resource_limit', `Resource Limit: cannot start kernel: user ${user} already runs the maximum of ${this.options.maxKernelsPerUser} kernels`);
    }
    this.starting++;
    this.startingByUser.set(user, (this.startingByUser.get(user) ?? 0) + 1);
  }

  private release(user: string): void {
    this.starting--;
    const n = (this.startingByUser.get(user) ?? 1) - 1;
    if (n <= 0) this.startingByUser.delete(user);
    else this.startingByUser.set(user, n);
  }

  /** The kernel's working directory: the notebook's folder inside the root, else the root. */
  private cwdFor(path: string | undefined, workingDir: unknown): string {
    const root = resolve(this.options.rootDir);
    const inside = (p: string) => (p === root || p.startsWith(root + sep)) && existsSync(p) && statSync(p).isDirectory();
    if (typeof workingDir === 'string' && inside(resolve(workingDir))) return resolve(workingDir);
    if (path) {
      const dir = resolve(join(root, dirname(path)));
      if (inside(dir)) return dir;
    }
    return root;
  }

  async restart(id: string, signal?: AbortSignal): Promise<Kernel> {
    const k = this.get(id);
    await k.restart(signal);
    return k;
  }

  async interrupt(id: string): Promise<void> {
    await this.get(id).interrupt();
  }

  async shutdown(id: string): Promise<void> {
    this.entry(id);
    await this.remove(id, 'shut down by request');
  }

  private async remove(id: string, reason: string): Promise<void> {
    const e = this.kernels.get(id);
    if (!e) return;
    this.kernels.delete(id);
    this.options.logger.info({ kernel_id: id, reason }, 'removing kernel');
    try {
      await e.kernel[Symbol.asyncDispose]();
    } finally {
      e.channels.close(1000, reason);
      this.removedEmitter.fire({ id, reason });
    }
  }

  /** One culling pass (jupyter_server kernelmanager.py cull_kernels semantics). */
  async cull(): Promise<string[]> {
    const culled: string[] = [];
    const now = this.clock.now();
    for (const [id, { kernel }] of this.kernels) {
      const override = Number((kernel.spec.spec.metadata as Record<string, unknown> | undefined)?.cull_idle_timeout);
      const timeoutS = Number.isFinite(override) && override > 0 ? override : this.options.culling.idleTimeoutS;
      if (timeoutS <= 0) continue;
      const idleMs = now - kernel.lastActivityTime;
      const connectedOk = this.options.culling.connected || kernel.connections === 0;
      const busyOk = this.options.culling.busy || kernel.executionState !== 'busy';
      if (idleMs > timeoutS * 1000 && connectedOk && busyOk) {
        this.options.logger.warn({ kernel_id: id, idle_s: Math.round(idleMs / 1000) }, 'culling idle kernel');
        culled.push(id);
        await this.remove(id, `culled after ${Math.round(idleMs / 1000)} s idle`);
      }
    }
    return culled;
  }

  /** Forced exit: kill every kernel process now, without waiting (no orphans even then). */
  killAllNow(): void {
    for (const { kernel } of this.kernels.values()) kernel.killNow();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      if (this.cullTimer) clearInterval(this.cullTimer);
      await this.pool?.[Symbol.asyncDispose]();
      await Promise.allSettled(
        [...this.kernels.entries()].map(async ([id, e]) => {
          if (!e.kernel.outlivesGateway) return this.remove(id, 'server shutting down');
          // Pods stay for the next gateway; clients get 1001 (going away) and reconnect to it.
          this.kernels.delete(id);
          await e.kernel.detach();
          e.channels.close(1001, 'gateway restarting');
        }),
      );
      this.removedEmitter.dispose();
    })();
    return this.disposed;
  }
}

function parseLaunchTimeout(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}
