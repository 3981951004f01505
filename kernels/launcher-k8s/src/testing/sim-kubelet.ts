/**
 * The simulator's scheduler and kubelet for its one node: binds pods that
 * fit (nodeSelector, PVCs, requested CPU/memory/extended resources against
 * the node's allocatable), pulls nothing (an image whose name the
 * `pullable` predicate rejects ends in ErrImagePull then ImagePullBackOff),
 * materialises volumes (Secret files with their modes, emptyDir, PVCs mapped
 * to host directories with subPath) and ACTUALLY RUNS the containers'
 * commands as local processes, init containers first, each in its own
 * process group, with exactly the container's env. Paths in argv and
 * workingDir under a mount point are rewritten to the host directory.
 *
 * Deviations from a real node, on purpose: containers run on the host as
 * the simulator's user (runAsUser/fsGroup, capabilities and seccomp are not
 * applied); resource limits are recorded, not enforced (`oomKill` plays the
 * kernel OOM killer); every pod shares the host network namespace, so each
 * pod gets its own loopback address 127.a.b.N as its IP, and a Jupyter
 * connection file in a Secret has its ip "0.0.0.0" rewritten to that address
 * (binding 0.0.0.0 would clash between pods); restartPolicy is always Never.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Container, ContainerResult as Result, killGroup, now, runContainerProcess } from './sim-container';
import { unschedulableReason } from './sim-scheduler';
import { ApiError, KObject, SimStore } from './sim-store';

export interface SimNode {
  name: string;
  /** Allocatable CPU and memory as quantities ("4", "8Gi"). */
  cpu: string;
  memory: string;
  labels: Record<string, string>;
  /** Extended resources (e.g. { "nvidia.com/gpu": 1 }). */
  extended: Record<string, number>;
}

export interface KubeletOptions {
  store: SimStore;
  node: SimNode;
  /** PVC claim name -> host directory. */
  volumes: ReadonlyMap<string, string>;
  workDir: string;
  /** First three octets of pod IPs, e.g. "127.12.34." (unique per simulator). */
  ipPrefix: string;
  pullable: (image: string) => boolean;
}

interface Runtime {
  uid: string;
  namespace: string;
  name: string;
  dir: string;
  state: 'unscheduled' | 'bound' | 'finished';
  ip?: string;
  ipIndex?: number;
  waitingForSecret?: string;
  proc?: ChildProcess;
  procExit?: Promise<void>;
  logs: Map<string, string>;
  started: Set<string>;
  oom: boolean;
  deleting: boolean;
  removed: boolean;
  graceTimer?: NodeJS.Timeout;
}

const LOG_LIMIT = 1 << 20;

export class SimKubelet {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly usedIps = new Set<number>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: KubeletOptions) {}

  /** A pod was created: schedule it (asynchronously, as the scheduler does). */
  admit(pod: KObject): void {
    const rt: Runtime = { uid: pod.metadata.uid!, namespace: pod.metadata.namespace!, name: pod.metadata.name, dir: join(this.o.workDir, pod.metadata.uid!), state: 'unscheduled', logs: new Map(), started: new Set(), oom: false, deleting: false, removed: false };
    this.runtimes.set(rt.uid, rt);
    setImmediate(() => this.schedule(rt));
  }

  private current(rt: Runtime): KObject | undefined {
    const pod = this.o.store.get('pods', rt.namespace, rt.name);
    return pod && pod.metadata.uid === rt.uid && !rt.removed ? pod : undefined;
  }

  private setStatus(rt: Runtime, mutate: (pod: KObject) => void): void {
    if (!this.current(rt)) return;
    this.o.store.update('pods', rt.namespace, rt.name, mutate);
  }

  private schedule(rt: Runtime): void {
    const pod = this.current(rt);
    if (!pod || rt.state !== 'unscheduled') return;
    const bound = [...this.runtimes.values()].filter((o) => o !== rt && o.state === 'bound').map((o) => this.current(o)).filter((p): p is KObject => !!p);
    const why = unschedulableReason(pod, bound, this.o.node, this.o.volumes);
    if (why) {
      if (pod.status?.conditions?.[0]?.message !== why) {
        this.setStatus(rt, (p) => (p.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: why, lastProbeTime: null, lastTransitionTime: now() }]));
      }
      return;
    }
    rt.state = 'bound';
    this.setStatus(rt, (p) => {
      p.spec.nodeName = this.o.node.name;
      p.status.conditions = [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }];
    });
    this.start(rt);
  }

  /** Run the pod; what the simulator cannot do shows as CreateContainerError, as a kubelet would say it. */
  private start(rt: Runtime): void {
    this.run(rt).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus(rt, (p) => (p.status.containerStatuses = (p.spec.containers as Container[]).map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerError', message } } }))));
    });
  }

  private async run(rt: Runtime): Promise<void> {
    const pod = this.current(rt);
    if (!pod) return;
    const init = (pod.spec.initContainers ?? []) as Container[];
    const main = pod.spec.containers as Container[];
    const status = (c: Container, state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state, ...extra });
    for (const c of [...init, ...main]) {
      if (this.o.pullable(c.image)) continue;
      const ref = c.image.includes('/') ? `docker.io/${c.image}` : `docker.io/library/${c.image}`;
      const key = init.includes(c) ? 'initContainerStatuses' : 'containerStatuses';
      const others = (list: Container[], reason: string) => list.filter((x) => x !== c).map((x) => status(x, { waiting: { reason } }));
      for (const [reason, message] of [
        ['ErrImagePull', `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`],
        ['ImagePullBackOff', `Back-off pulling image "${c.image}"`],
      ] as const) {
        this.setStatus(rt, (p) => {
          p.status.initContainerStatuses = init.length > 0 ? others(init, 'PodInitializing') : undefined;
          p.status.containerStatuses = others(main, 'PodInitializing');
          p.status[key] = [...(p.status[key] ?? []), status(c, { waiting: { reason, message } })];
        });
      }
      return;
    }
    if (!rt.ip) {
      for (let i = 1; i < 255 && rt.ip === undefined; i++) {
        if (this.usedIps.has(i)) continue;
        this.usedIps.add(i);
        rt.ipIndex = i;
        rt.ip = `${this.o.ipPrefix}${i}`;
      }
      if (!rt.ip) throw new Error(`Cannot run pod ${rt.name}: the simulator has no free pod IP`);
    }
    const volumes = await this.materialize(rt, pod);
    if (rt.removed) return this.release(rt);
    if (!volumes) {
      this.setStatus(rt, (p) => (p.status.containerStatuses = main.map((c) => status(c, { waiting: { reason: 'ContainerCreating' } }))));
      return;
    }
    this.setStatus(rt, (p) => {
      Object.assign(p.status, { hostIP: '127.0.0.1', podIP: rt.ip, podIPs: [{ ip: rt.ip }], startTime: now() });
      if (init.length > 0) p.status.initContainerStatuses = init.map((c) => status(c, { waiting: { reason: 'PodInitializing' } }));
      p.status.containerStatuses = main.map((c) => status(c, { waiting: { reason: init.length > 0 ? 'PodInitializing' : 'ContainerCreating' } }));
    });
    for (const c of init) {
      const r = await this.runContainer(rt, c, volumes, () => this.setContainer(rt, 'initContainerStatuses', c, { running: { startedAt: now() } }, {}));
      this.setContainer(rt, 'initContainerStatuses', c, { terminated: this.terminated(r) }, { ready: r.exitCode === 0 });
      if (r.exitCode !== 0 || rt.deleting || rt.removed) return this.finish(rt, 'Failed');
    }
    const c = main[0]!;
    const r = await this.runContainer(rt, c, volumes, () =>
      this.setStatus(rt, (p) => {
        p.status.phase = 'Running';
        p.status.conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now() }));
        p.status.containerStatuses = [status(c, { running: { startedAt: now() } }, { ready: true, started: true, containerID: `sim://${rt.proc?.pid}` })];
      }),
    );
    this.setContainer(rt, 'containerStatuses', c, { terminated: this.terminated(r) }, { ready: false, started: false });
    this.finish(rt, r.exitCode === 0 ? 'Succeeded' : 'Failed');
  }

  private terminated(r: Result): Record<string, unknown> {
    return { exitCode: r.exitCode, reason: r.reason, ...(r.message ? { message: r.message } : {}), startedAt: r.startedAt, finishedAt: now() };
  }

  private setContainer(rt: Runtime, key: 'initContainerStatuses' | 'containerStatuses', c: Container, state: Record<string, unknown>, extra: Record<string, unknown>): void {
    this.setStatus(rt, (p) => {
      const list = (p.status[key] ?? []) as { name: string }[];
      p.status[key] = list.map((s) => (s.name === c.name ? { ...s, state, ...extra } : s));
    });
  }

  /** The pod's containers are done: final phase, then the deferred delete if one is pending. */
  private finish(rt: Runtime, phase: 'Succeeded' | 'Failed'): void {
    rt.state = 'finished';
    clearTimeout(rt.graceTimer);
    this.setStatus(rt, (p) => {
      p.status.phase = phase;
      p.status.conditions = (p.status.conditions ?? []).map((c: { type: string }) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted' } : c));
    });
    if (rt.deleting && !rt.removed) this.remove(rt);
    else if (rt.removed) this.release(rt);
    setImmediate(() => this.retryUnschedulable());
  }

  private async materialize(rt: Runtime, pod: KObject): Promise<Map<string, string> | undefined> {
    const out = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      const dir = join(rt.dir, 'volumes', v.name);
      if (v.persistentVolumeClaim) {
        out.set(v.name, this.o.volumes.get(v.persistentVolumeClaim.claimName)!);
      } else if (v.emptyDir) {
        await mkdir(dir, { recursive: true, mode: 0o777 });
        out.set(v.name, dir);
      } else if (v.secret) {
        const secret = this.o.store.get('secrets', rt.namespace, v.secret.secretName);
        if (!secret) {
          rt.waitingForSecret = v.secret.secretName;
          return undefined;
        }
        await mkdir(dir, { recursive: true });
        const items: { key: string; path: string; mode?: number }[] = v.secret.items ?? Object.keys(secret.data ?? {}).map((key) => ({ key, path: key }));
        for (const item of items) {
          const mode = item.mode ?? v.secret.defaultMode ?? 0o644;
          const file = join(dir, item.path);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, rewriteConnectionFile(Buffer.from(secret.data?.[item.key] ?? '', 'base64'), rt.ip!), { mode });
          await chmod(file, mode);
        }
        out.set(v.name, dir);
      } else {
        throw new Error(`Cannot run pod ${rt.name}: the simulator supports secret, emptyDir and persistentVolumeClaim volumes only (volume ${v.name})`);
      }
    }
    return out;
  }

  private runContainer(rt: Runtime, c: Container, volumes: Map<string, string>, onStart: () => void): Promise<Result> {
    let ended!: () => void;
    return runContainerProcess(c, volumes, rt.dir, {
      cancelled: () => rt.removed || rt.deleting,
      spawned: (child) => {
        rt.proc = child;
        rt.procExit = new Promise<void>((r) => (ended = r));
      },
      started: () => {
        rt.started.add(c.name);
        onStart();
      },
      output: (text) => rt.logs.set(c.name, ((rt.logs.get(c.name) ?? '') + text).slice(-LOG_LIMIT)),
      ended: () => {
        this.processEnded(rt);
        ended();
      },
      oomKilled: () => rt.oom,
    });
  }

  /** DELETE of a pod: at once when nothing runs or grace is 0, else SIGTERM now and SIGKILL after the grace period. */
  delete(namespace: string, name: string, gracePeriodSeconds: number | undefined): KObject {
    const pod = this.o.store.mustGet('pods', namespace, name);
    const rt = this.runtimes.get(pod.metadata.uid!);
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!rt || !rt.proc || grace === 0) {
      const removed = rt ? this.remove(rt) : this.o.store.remove('pods', namespace, name)!;
      if (rt?.proc) killGroup(rt.proc.pid, 'SIGKILL');
      return removed;
    }
    if (rt.deleting && (pod.metadata.deletionGracePeriodSeconds ?? Infinity) <= grace) return pod;
    rt.deleting = true;
    const updated = this.o.store.update('pods', namespace, name, (p) => {
      p.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      p.metadata.deletionGracePeriodSeconds = grace;
    })!;
    try {
      process.kill(rt.proc.pid!, 'SIGTERM'); // the runtime signals the container's PID 1 only
    } catch {
      /* exiting already */
    }
    clearTimeout(rt.graceTimer);
    rt.graceTimer = setTimeout(() => killGroup(rt.proc?.pid, 'SIGKILL'), grace * 1000);
    rt.graceTimer.unref();
    return updated;
  }

  private remove(rt: Runtime): KObject {
    rt.removed = true;
    clearTimeout(rt.graceTimer);
    const removed = this.o.store.remove('pods', rt.namespace, rt.name)!;
    if (!rt.proc) this.release(rt);
    setImmediate(() => this.retryUnschedulable());
    return removed;
  }

  private release(rt: Runtime): void {
    if (!this.runtimes.delete(rt.uid)) return;
    if (rt.ipIndex !== undefined) this.usedIps.delete(rt.ipIndex);
    void rm(rt.dir, { recursive: true, force: true });
  }

  private retryUnschedulable(): void {
    for (const rt of this.runtimes.values()) if (rt.state === 'unscheduled') this.schedule(rt);
  }

  /** A Secret appeared: start pods that were waiting to mount it. */
  secretCreated(namespace: string, name: string): void {
    for (const rt of this.runtimes.values()) {
      if (rt.namespace === namespace && rt.waitingForSecret === name) {
        rt.waitingForSecret = undefined;
        this.start(rt);
      }
    }
  }

  /** Play the kernel OOM killer on a pod's running container. */
  oomKill(namespace: string, name: string): void {
    const uid = this.o.store.mustGet('pods', namespace, name).metadata.uid!;
    const rt = this.runtimes.get(uid);
    if (!rt?.proc) throw new Error(`Cannot OOM-kill pod ${namespace}/${name}: no container is running`);
    rt.oom = true;
    killGroup(rt.proc.pid, 'SIGKILL');
  }

  /** pods/log: a started container's output (stdout and stderr interleaved), like kubelet's. */
  logs(namespace: string, name: string, container: string | null, tailLines: number | undefined, limitBytes: number | undefined): string {
    const pod = this.o.store.mustGet('pods', namespace, name);
    const all = [...((pod.spec.initContainers ?? []) as Container[]), ...(pod.spec.containers as Container[])].map((c) => c.name);
    const cname = container ?? (pod.spec.containers.length === 1 ? pod.spec.containers[0].name : undefined);
    if (!cname) throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((c: Container) => c.name).join(' ')}]`);
    if (!all.includes(cname)) throw new ApiError(400, 'BadRequest', `container ${cname} is not valid for pod ${name}`);
    const rt = this.runtimes.get(pod.metadata.uid!);
    if (!rt?.started.has(cname)) {
      const st = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s: { name: string }) => s.name === cname);
      throw new ApiError(400, 'BadRequest', `container "${cname}" in pod "${name}" is waiting to start: ${st?.state?.waiting?.reason ?? 'ContainerCreating'}`);
    }
    let text = rt.logs.get(cname) ?? '';
    if (tailLines !== undefined) text = text.split(/(?<=\n)/).slice(-tailLines).join('');
    if (limitBytes !== undefined) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');
    return text;
  }

  /** Processes of all pods' containers still running. */
  runningProcesses(): number {
    return [...this.runtimes.values()].filter((rt) => rt.proc).length;
  }

  /** Resolves when no container process runs and their ends are recorded (force-deleted pods' processes end a moment later). */
  whenIdle(): Promise<void> {
    if (this.runningProcesses() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private processEnded(rt: Runtime): void {
    rt.proc = undefined;
    // After the container's terminated status (written in the microtasks that follow) is recorded.
    setImmediate(() => {
      if (this.runningProcesses() > 0) return;
      for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  async dispose(): Promise<void> {
    const exits: Promise<void>[] = [];
    for (const rt of this.runtimes.values()) {
      rt.removed = true;
      clearTimeout(rt.graceTimer);
      if (rt.proc) {
        killGroup(rt.proc.pid, 'SIGKILL');
        exits.push(rt.procExit!);
      }
    }
    await Promise.all(exits);
    this.runtimes.clear();
    await rm(this.o.workDir, { recursive: true, force: true });
  }
}

/** A Jupyter connection file binding 0.0.0.0 binds the pod's own address instead (see the module comment). */
function rewriteConnectionFile(content: Buffer, podIp: string): Buffer {
  try {
    const info = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (info && info.ip === '0.0.0.0' && typeof info.shell_port === 'number') return Buffer.from(JSON.stringify({ ...info, ip: podIp }));
  } catch {
    /* not JSON: as is */
  }
  return content;
}
