/**
 * One pod, watched: the latest object and every change, from a Kubernetes
 * watch on `metadata.name` resumed from the last resourceVersion seen.
 *
 * Connection policy (Kubernetes API concepts, "Efficient detection of
 * changes"): a watch the server closes cleanly is resumed at once; a failed
 * one is retried with exponential backoff (100 ms doubling to 5 s, half of
 * it random jitter), reset by a successful connection; a 410 Gone ("too old
 * resource version", sent as an ERROR event) means events were compacted
 * away, so the pod is read again (GET) and the watch resumes from that
 * object's version. A 404 on that read, or the name now belonging to a pod
 * with another uid, means our pod was deleted.
 */
import { deferred, Emitter, Logger } from '@workbench/core';
import { K8s, statusCodeOf, statusMessageOf } from './k8s-client';
import { assertPod, Pod } from './pod-status';

export type PodEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface PodUpdate {
  type: PodEventType;
  pod: Pod;
}

export interface PodWatchDeps {
  api: K8s.CoreV1Api;
  watch: K8s.Watch;
  logger: Logger;
  /** Jitter source (tests pass a seeded one). */
  random?: () => number;
}

/** Delay before retry number `attempt` (1-based): exponential with a cap, upper half random. */
export function backoffDelay(attempt: number, random: () => number, initialMs = 100, maxMs = 5000): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class PodWatch {
  private latest: Pod;
  private resourceVersion: string;
  private deleted = false;
  private disposed = false;
  private generation = 0;
  private failures = 0;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly random: () => number;
  private readonly goneSignal = deferred<void>();
  private readonly emitter = new Emitter<PodUpdate>();
  /** Every change of the pod; DELETED comes once and last. */
  readonly onUpdate = this.emitter.event;

  constructor(
    private readonly deps: PodWatchDeps,
    initial: Pod,
  ) {
    this.latest = initial;
    this.resourceVersion = initial.metadata.resourceVersion;
    this.random = deps.random ?? Math.random;
  }

  get pod(): Pod {
    return this.latest;
  }

  get namespace(): string {
    return this.latest.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.latest.metadata.name;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /** Stopped by its owner (the launcher detached from its pods). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Resolves when the pod has been seen deleted. */
  get gone(): Promise<void> {
    return this.goneSignal.promise;
  }

  start(): void {
    this.connect();
  }

  /** Read the pod now (a quorum read), e.g. to say why it is not running when a deadline passes. */
  async refresh(): Promise<Pod> {
    if (this.deleted || this.disposed) return this.latest;
    try {
      const pod: unknown = await this.deps.api.readNamespacedPod({ name: this.name, namespace: this.namespace });
      assertPod(pod, `GET pod ${this.namespace}/${this.name}`);
      this.apply(pod.metadata.resourceVersion === this.resourceVersion ? undefined : 'MODIFIED', pod);
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      this.apply('DELETED', this.latest);
    }
    return this.latest;
  }

  private connect(): void {
    if (this.disposed || this.deleted) return;
    const gen = ++this.generation;
    let expired = false;
    let finished = false;
    const finish = (err: unknown) => {
      if (finished || gen !== this.generation) return;
      finished = true;
      this.controller = undefined;
      this.reconnect(err, expired);
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`;
    const query = { fieldSelector: `metadata.name=${this.name}`, resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
    this.deps.watch
      .watch(
        path,
        query,
        (type: string, obj: unknown) => {
          if (gen !== this.generation) return;
          if (type === 'ERROR') {
            if (statusCodeOf(obj) === 410) expired = true;
            else this.deps.logger.warn({ pod: this.name, status: obj }, 'pod watch reported an error');
            return;
          }
          const rv = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
          if (type === 'BOOKMARK') {
            if (typeof rv === 'string') this.resourceVersion = rv;
            return;
          }
          if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
          try {
            assertPod(obj, `the watch of pod ${this.namespace}/${this.name}`);
          } catch (err) {
            this.deps.logger.warn({ pod: this.name, err: String(err) }, 'ignored a malformed pod watch event');
            return;
          }
          this.apply(type, obj);
        },
        finish,
      )
      .then((c) => {
        if (gen !== this.generation || this.disposed) c.abort();
        else if (!finished) {
          this.controller = c;
          this.failures = 0;
        }
      })
      .catch(finish);
  }

  private reconnect(err: unknown, expired: boolean): void {
    if (this.disposed || this.deleted) return;
    if (expired) {
      this.deps.logger.info({ pod: this.name, resourceVersion: this.resourceVersion }, 'pod watch expired (410 Gone); reading the pod again');
      void this.relist();
      return;
    }
    this.failures++;
    const delay = err == null && this.failures === 1 ? 0 : backoffDelay(this.failures, this.random);
    if (err != null) this.deps.logger.warn({ pod: this.name, attempt: this.failures, delay_ms: delay, err: statusMessageOf(err) }, 'pod watch failed; reconnecting');
    this.schedule(() => this.connect(), delay);
  }

  private async relist(): Promise<void> {
    try {
      await this.refresh();
      this.connect();
    } catch (err) {
      this.failures++;
      const delay = backoffDelay(this.failures, this.random);
      this.deps.logger.warn({ pod: this.name, attempt: this.failures, delay_ms: delay, err: statusMessageOf(err) }, 'cannot read pod after its watch expired; retrying');
      this.schedule(() => void this.relist(), delay);
    }
  }

  private schedule(fn: () => void, delay: number): void {
    if (this.disposed || this.deleted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, delay);
  }

  /** Take a new state of the pod; `type` undefined means "nothing changed". */
  private apply(type: PodEventType | undefined, pod: Pod): void {
    if (this.deleted || this.disposed || type === undefined) return;
    const uid = this.latest.metadata.uid;
    if (type !== 'DELETED' && uid && pod.metadata.uid && pod.metadata.uid !== uid) {
      // The name now belongs to another pod: ours is gone.
      type = 'DELETED';
      pod = this.latest;
    }
    this.resourceVersion = pod.metadata.resourceVersion;
    this.latest = pod;
    if (type === 'DELETED') {
      this.deleted = true;
      this.stop();
    }
    this.emitter.fire({ type, pod });
    if (type === 'DELETED') this.goneSignal.resolve();
  }

  private stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = undefined;
  }

  /** Stop watching (the pod is left as it is). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    this.emitter.dispose();
  }
}
