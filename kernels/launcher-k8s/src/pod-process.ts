/**
 * A running kernel pod behind the Popen-shaped KernelProcess interface.
 *
 * Kubernetes has no API to signal a container, so only the two signals that
 * end a process are emulated: SIGTERM deletes the pod gracefully (kubelet
 * sends SIGTERM, then SIGKILL after terminationGracePeriodSeconds), SIGKILL
 * deletes it with gracePeriodSeconds 0. Any other signal (SIGINT above all)
 * is refused with an AppError: interrupt Kubernetes kernels with
 * interrupt_mode "message" (an interrupt_request on the control channel),
 * which is what the launcher's `deliversSignals: false` tells the manager.
 *
 * A pod deleted with grace 0 is gone from the API at once; its processes
 * may outlive the object for a moment on the node. "Ended" here means the
 * pod object is gone, the only thing the API can tell.
 */
import { AppError, deferred, DisposableLike, Emitter, Logger, raceSignal } from '@workbench/core';
import type { ExitInfo, KernelEndpoints, KernelProcess, LauncherSnapshot } from '@workbench/launcher';
import { K8s, statusCodeOf, statusMessageOf } from './k8s-client';
import { KERNEL_CONTAINER } from './pod-builder';
import { exitInfoOf, isFinished, Pod } from './pod-status';
import type { PodUpdate, PodWatch } from './pod-watch';

/** What a gateway persists to reattach to a kernel pod (JSON). */
export interface PodSnapshot {
  launcher: 'kubernetes';
  kernelId: string;
  namespace: string;
  podName: string;
  podUid: string;
  secretName: string;
  endpoints: KernelEndpoints;
}

export function assertPodSnapshot(value: LauncherSnapshot): asserts value is LauncherSnapshot & PodSnapshot {
  const v = value as Partial<Record<keyof PodSnapshot, unknown>>;
  for (const k of ['kernelId', 'namespace', 'podName', 'podUid', 'secretName'] as const) {
    if (typeof v[k] !== 'string' || v[k] === '') throw new AppError('bad_request', `Cannot restore kernel pod: snapshot field ${k} is not a string`);
  }
  if (v.launcher !== 'kubernetes') throw new AppError('bad_request', `Cannot restore kernel pod: the snapshot is from launcher ${JSON.stringify(v.launcher)}`);
}

export interface PodProcessDeps {
  api: K8s.CoreV1Api;
  logger: Logger;
  /** How long dispose waits for a deleted pod to disappear from the API. */
  deleteTimeoutMs: number;
  /** Lines of the pod log kept for stderrTail (read once, when the kernel ends). */
  logTailLines: number;
}

/** The last lines of a container's log, or '' when the log cannot be read within 2 s. */
export async function readLogTail(api: K8s.CoreV1Api, pod: Pod, container: string, lines: number): Promise<string> {
  try {
    const read = api.readNamespacedPodLog({ name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default', container, tailLines: lines });
    const text: unknown = await raceSignal(read, AbortSignal.timeout(2000), 'read pod log');
    return typeof text === 'string' ? text.trimEnd() : '';
  } catch {
    return '';
  }
}

export class PodKernelProcess implements KernelProcess {
  readonly label: string;
  private exitInfo: ExitInfo | undefined;
  private finishing = false;
  private readonly exited = deferred<ExitInfo>();
  private readonly exitEmitter = new Emitter<ExitInfo>();
  readonly onExit = this.exitEmitter.event;
  private tail = '';
  /** The signal we asked for by deleting the pod, so its disappearance reads as that signal. */
  private ending: 'SIGTERM' | 'SIGKILL' | undefined;
  private readonly sub: DisposableLike;
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly watch: PodWatch,
    readonly endpoints: KernelEndpoints,
    private readonly facts: { kernelId: string; secretName: string },
    private readonly deps: PodProcessDeps,
  ) {
    this.label = `pod ${watch.namespace}/${watch.name}`;
    this.sub = watch.onUpdate((u) => this.update(u));
    // Events that arrived in the same chunk as "Running" were applied before we subscribed.
    this.update({ type: watch.isDeleted ? 'DELETED' : 'MODIFIED', pod: watch.pod });
  }

  private update(u: PodUpdate): void {
    if (this.exitInfo || this.finishing) return;
    if (u.type === 'DELETED') {
      this.finish(this.deletedExit(u.pod));
    } else if (isFinished(u.pod)) {
      this.finishing = true;
      void readLogTail(this.deps.api, u.pod, KERNEL_CONTAINER, this.deps.logTailLines).then((tail) => {
        this.tail = tail;
        this.finish(exitInfoOf(u.pod));
      });
    }
  }

  private deletedExit(pod: Pod): ExitInfo {
    if (isFinished(pod)) return exitInfoOf(pod);
    if (this.ending) return { code: null, signal: this.ending };
    return { code: null, signal: 'SIGKILL', reason: 'the pod was deleted' };
  }

  private finish(info: ExitInfo): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    this.deps.logger.info({ pod: this.label, exit: info }, 'kernel pod ended');
    this.exited.resolve(info);
    this.exitEmitter.fire(info);
  }

  wait(): Promise<ExitInfo> {
    return this.exited.promise;
  }

  isAlive(): boolean {
    return this.exitInfo === undefined;
  }

  async signal(sig: NodeJS.Signals): Promise<void> {
    if (!this.isAlive()) return;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      if (this.ending !== 'SIGKILL') this.ending = sig;
      await this.deletePod(sig === 'SIGKILL' ? 0 : undefined);
      return;
    }
    throw new AppError(
      'bad_request',
      `Cannot send ${sig} to kernel ${this.label}: Kubernetes cannot signal a container; interrupt this kernel with interrupt_mode "message" (interrupt_request on the control channel)`,
    );
  }

  async kill(): Promise<ExitInfo> {
    if (this.isAlive()) {
      this.ending = 'SIGKILL';
      await this.deletePod(0);
    }
    return this.exited.promise;
  }

  stderrTail(): string {
    return this.tail;
  }

  snapshot(): LauncherSnapshot {
    const s: PodSnapshot = {
      launcher: 'kubernetes',
      kernelId: this.facts.kernelId,
      namespace: this.watch.namespace,
      podName: this.watch.name,
      podUid: this.watch.pod.metadata.uid ?? '',
      secretName: this.facts.secretName,
      endpoints: { ...this.endpoints },
    };
    return s as unknown as LauncherSnapshot;
  }

  /** Delete the pod (404 is fine); when nothing watches it any more, its deletion is its end. */
  private async deletePod(gracePeriodSeconds: number | undefined): Promise<void> {
    const { namespace, name } = this.watch;
    try {
      await this.deps.api.deleteNamespacedPod({ name, namespace, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw new AppError('unavailable', `Cannot delete kernel ${this.label}: ${statusMessageOf(err)}`, { cause: err });
      await this.watch.refresh().catch(() => undefined);
    }
    if (this.watch.isDisposed && gracePeriodSeconds === 0) this.finish(this.deletedExit(this.watch.pod));
  }

  /** Delete the pod (grace 0) and its Secret and wait until the pod is gone. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      try {
        if (!this.watch.isDeleted) {
          if (this.isAlive()) this.ending = 'SIGKILL';
          await this.deletePod(0);
          await this.waitGone();
        }
      } finally {
        try {
          await this.deps.api.deleteNamespacedSecret({ name: this.facts.secretName, namespace: this.watch.namespace });
        } catch (err) {
          // The pod owns the Secret (ownerReferences), so the garbage collector still removes it.
          if (statusCodeOf(err) !== 404) this.deps.logger.warn({ pod: this.label, err: statusMessageOf(err) }, 'cannot delete kernel connection secret');
        }
        this.sub[Symbol.dispose]();
        this.watch.dispose();
        this.exitEmitter.dispose();
      }
    })();
    return this.disposed;
  }

  private async waitGone(): Promise<void> {
    if (this.watch.isDeleted || this.watch.isDisposed) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, this.deps.deleteTimeoutMs, true);
    });
    try {
      if (await Promise.race([this.watch.gone.then(() => false), timedOut])) {
        this.deps.logger.warn({ pod: this.label, timeout_ms: this.deps.deleteTimeoutMs }, 'kernel pod still exists after delete; leaving it to the cluster');
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
