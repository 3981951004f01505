/**
 * Pre-started kernels (`kernels.pool`, per kernelspec name): started and
 * idle before anyone asks, so a notebook's kernel is ready in the time it
 * takes to hand one over. A pooled kernel was started with the server's
 * defaults (root folder, no request env); when it is handed out it takes on
 * the request's folder, owner and session variables (for restarts too, and
 * in the running interpreter with a silent cell), then the pool refills.
 *
 * Only Python kernels (the folder and variables are set with Python code)
 * and only requests that ask for nothing a running kernel cannot take on
 * afterwards (no resource limits, launch timeout or other KERNEL_* besides
 * KERNEL_USERNAME) are served from the pool; others start as usual.
 */
import { AppError, Logger, raceSignal } from '@workbench/core';
import { createMessage, parseJsonPart, toRaw } from '@workbench/protocol';
import type { KernelResources } from '@workbench/launcher';
import type { Kernel } from './kernel';
import type { KernelSpec } from './kernelspecs';

/** The owner of kernels waiting in the pool (no user can have this name: it has no token). */
export const POOL_OWNER = '(pool)';

export interface MadeKernel {
  kernel: Kernel;
  env: Record<string, string>;
  cwd: string;
  owner: string;
  resources: KernelResources;
}

const TAKES_ON = new Set(['KERNEL_USERNAME']);

export class KernelPool implements AsyncDisposable {
  private readonly ready = new Map<string, Kernel[]>();
  private readonly filling = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private disposed = false;

  constructor(
    private readonly sizes: Readonly<Record<string, number>>,
    private readonly logger: Logger,
    private readonly create: (name: string) => Promise<Kernel>,
  ) {
    for (const name of Object.keys(sizes)) this.fill(name);
  }

  private waiters: { name: string; resolve: () => void }[] = [];

  /** Resolves when a kernel for `name` is waiting in the pool. */
  whenReady(name: string): Promise<void> {
    if ((this.ready.get(name)?.length ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ name, resolve }));
  }

  /** Kernels waiting, per kernelspec name. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.ready].map(([name, ks]) => [name, ks.length]));
  }

  /** Can this request be served by a pooled kernel right now? */
  take(spec: KernelSpec, req: { env?: Record<string, unknown> }): boolean {
    if ((this.ready.get(spec.name)?.length ?? 0) === 0) return false;
    if ((spec.spec.language ?? '').toLowerCase() !== 'python') return false;
    return Object.keys(req.env ?? {}).every((k) => TAKES_ON.has(k));
  }

  /** Hand out a pooled kernel as `made` describes it (undefined: none usable; start one as usual). */
  async claim(name: string, made: MadeKernel): Promise<Kernel | undefined> {
    const kernel = this.ready.get(name)?.shift();
    this.fill(name);
    await made.kernel[Symbol.asyncDispose](); // the unstarted kernel made for the request
    if (!kernel || kernel.isDead) return undefined;
    try {
      await handOver(kernel, { env: made.env, cwd: made.cwd, owner: made.owner });
      return kernel;
    } catch (err) {
      this.logger.warn({ kernel_id: kernel.id, err: err instanceof Error ? err.message : String(err) }, 'a pooled kernel could not take on its request; starting a new one');
      await kernel[Symbol.asyncDispose]();
      return undefined;
    }
  }

  private fill(name: string): void {
    if (this.disposed) return;
    const want = this.sizes[name] ?? 0;
    while ((this.ready.get(name)?.length ?? 0) + (this.filling.get(name) ?? 0) < want) {
      this.filling.set(name, (this.filling.get(name) ?? 0) + 1);
      const p: Promise<void> = this.startOne(name).finally(() => {
        this.filling.set(name, (this.filling.get(name) ?? 1) - 1);
        this.inFlight.delete(p);
      });
      this.inFlight.add(p);
    }
  }

  private async startOne(name: string): Promise<void> {
    let kernel: Kernel | undefined;
    try {
      kernel = await this.create(name);
      await kernel.start();
    } catch (err) {
      // Not retried in a loop: a kernelspec that cannot start would spin. The next claim refills.
      this.logger.warn({ kernel_name: name, err: err instanceof Error ? err.message : String(err) }, 'could not start a kernel for the pool');
      await kernel?.[Symbol.asyncDispose]();
      return;
    }
    if (this.disposed) {
      await kernel[Symbol.asyncDispose]();
      return;
    }
    const list = this.ready.get(name) ?? [];
    list.push(kernel);
    this.ready.set(name, list);
    this.waiters = this.waiters.filter((w) => (w.name === name ? (w.resolve(), false) : true));
    const k = kernel;
    k.onDead(() => {
      const l = this.ready.get(name);
      if (l?.includes(k)) this.ready.set(name, l.filter((x) => x !== k));
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    const all = [...this.ready.values()].flat();
    this.ready.clear();
    await Promise.allSettled(all.map((k) => k[Symbol.asyncDispose]()));
  }
}

/**
 * A pooled kernel becomes a requested one: its owner, folder and variables
 * from now on (restarts use them), and in the running Python interpreter
 * (a silent cell whose reply and idle status are awaited, so the kernel is
 * idle when handed out and the first user cell runs after it).
 */
async function handOver(kernel: Kernel, t: { env: Record<string, string>; cwd: string; owner: string }): Promise<void> {
  const changed = Object.fromEntries(Object.entries(t.env).filter(([k, v]) => kernel.env[k] !== v));
  const code = `import os as __wb_os\n__wb_os.chdir(${JSON.stringify(t.cwd)})\n__wb_os.environ.update(${JSON.stringify(changed)})\ndel __wb_os`;
  const req = createMessage({ msgType: 'execute_request', session: kernel.session, content: { code, silent: true, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false } });
  const replied = new Promise<string>((resolve) => {
    let status: string | undefined;
    let idle = false;
    const sub = kernel.onMessage((e) => {
      if (e.parent.msgId !== req.header.msg_id) return;
      if (e.channel === 'shell' && e.header.msgType === 'execute_reply') status = (parseJsonPart(e.raw.content, 'content') as { status?: string }).status ?? 'error';
      if (e.channel === 'iopub' && e.header.msgType === 'status' && (parseJsonPart(e.raw.content, 'content') as { execution_state?: string }).execution_state === 'idle') idle = true;
      if (status !== undefined && idle) {
        sub[Symbol.dispose]();
        resolve(status);
      }
    });
  });
  await kernel.send('shell', toRaw(req));
  const status = await raceSignal(replied, AbortSignal.timeout(kernel.launchTimeoutMs), `hand over kernel ${kernel.id}`);
  if (status !== 'ok') throw new AppError('kernel_launch_failed', `Cannot hand over pooled kernel ${kernel.id}: setting its folder failed (${status})`);
  kernel.retarget(t);
}
