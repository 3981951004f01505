/**
 * Kernels as Kubernetes pods (Enterprise Gateway's KubernetesProcessProxy,
 * reshaped as a Launcher). start: ensure the (per-user) namespace, create the
 * connection Secret and the Pod, watch the pod until it runs with an IP, and
 * say why when it does not (image pull, scheduling, a crash). restore and
 * discover let a restarted gateway reattach to pods that kept running.
 *
 * Disposing the launcher only detaches (stops its watches): a gateway that
 * restarts must find its kernels still there. Disposing a KernelProcess
 * deletes its pod and Secret.
 */
import { abortError, AppError, ErrorCode, Logger, silentLogger } from '@workbench/core';
import type { KernelEndpoints, KernelProcess, Launcher, LaunchRequest, LauncherSnapshot } from '@workbench/launcher';
import { assertConnectionInfo, ConnectionInfo } from '@workbench/zmq';
import { K8s, k8s, loadKubeConfig, statusCodeOf, statusMessageOf } from './k8s-client';
import { KERNEL_SELECTOR, kernelObjectNames, LABELS, labelValue, MANAGED_BY, OWNER_ANNOTATION, userNamespace } from './names';
import { buildKernelManifests, CONNECTION_KEY, INIT_CONTAINER, KERNEL_CONTAINER, KERNEL_PORTS, kernelUser, PodBuilderOptions } from './pod-builder';
import { assertPodSnapshot, PodKernelProcess, PodSnapshot, readLogTail } from './pod-process';
import { assertPod, describeFinished, describePending, fatalWaiting, isFinished, isRunning, Pod, recordWaiting } from './pod-status';
import { PodWatch } from './pod-watch';

/** The launcher's options; server/app maps the `kubernetes` config section onto them. */
export interface KubernetesLauncherOptions extends Omit<PodBuilderOptions, 'namespace'> {
  /** Namespace of kernel pods (kubernetes.namespace), or the prefix of per-user namespaces. */
  namespace: string;
  /** kubernetes.namespace_per_user: each user's kernels in `<namespace>-<user>`, created on demand. */
  namespacePerUser?: boolean;
  /** kubernetes.launch_timeout_s, in ms (default 120 s); the start signal may end it sooner. */
  launchTimeoutMs?: number;
  /** kubernetes.kubeconfig: "in-cluster" (default) or a kubeconfig path. */
  kubeconfig?: string;
  /** A ready KubeConfig (tests); wins over `kubeconfig`. */
  kubeConfig?: K8s.KubeConfig;
  logger?: Logger;
  /** Jitter for watch reconnects (tests may seed it). */
  random?: () => number;
  /** kubernetes.keep_kernels_on_shutdown (default true): pods outlive the gateway; false: deleted with it. */
  keepKernelsOnShutdown?: boolean;
  /** How long disposing a kernel waits for its pod to disappear (default 30 s). */
  deleteTimeoutMs?: number;
  /** Pod log lines kept for error messages (default 20). */
  logTailLines?: number;
}

/** A kernel pod found by its labels: enough to reconnect (the key is in its Secret) and to restore. */
export interface DiscoveredKernel {
  kernelId: string;
  kernelName: string;
  /** The owner's label value (sanitised), when the pod has one. */
  user: string | undefined;
  /** Complete connection info with the pod IP; it holds the kernel's signing key. */
  connection: ConnectionInfo;
  snapshot: LauncherSnapshot;
}

export class KubernetesLauncher implements Launcher {
  readonly name = 'kubernetes';
  /** No signal API in Kubernetes: interrupts must use interrupt_mode "message". */
  readonly deliversSignals = false;
  /** Pods survive a gateway rollout (unless keepKernelsOnShutdown is false); the next gateway adopts them. */
  get kernelsOutliveGateway(): boolean {
    return this.options.keepKernelsOnShutdown !== false;
  }
  private readonly logger: Logger;
  private client: { api: K8s.CoreV1Api; watch: K8s.Watch } | undefined;
  private readonly namespaces = new Map<string, Promise<void>>();
  private readonly watches = new Set<PodWatch>();
  private disposed = false;

  constructor(private readonly options: KubernetesLauncherOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  private clients(): { api: K8s.CoreV1Api; watch: K8s.Watch } {
    if (!this.client) {
      const kc = this.options.kubeConfig ?? loadKubeConfig(this.options.kubeconfig);
      this.client = { api: kc.makeApiClient(k8s().CoreV1Api), watch: new (k8s().Watch)(kc) };
    }
    return this.client;
  }

  async start(request: LaunchRequest, options: { signal?: AbortSignal } = {}): Promise<KernelProcess> {
    if (this.disposed) throw new AppError('unavailable', `Cannot start kernel ${request.kernelName}: the Kubernetes launcher is shut down`);
    const timeoutMs = this.options.launchTimeoutMs ?? 120_000;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new AppError('timeout', `Cannot start kernel ${request.kernelName}: timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    const outer = options.signal;
    const onAbort = () => ac.abort(outer!.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.launch(request, ac.signal, Date.now());
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private async launch(request: LaunchRequest, signal: AbortSignal, startedAt: number): Promise<KernelProcess> {
    const what = `Cannot start kernel ${request.kernelName}`;
    const namespace = await this.namespaceFor(request);
    const [secret, podSpec] = buildKernelManifests(request, { ...this.options, namespace });
    const names = kernelObjectNames(request.kernelId);
    const { api, watch } = this.clients();
    if (signal.aborted) throw abortError(signal, `start kernel ${request.kernelName}`);
    await api.createNamespacedSecret({ namespace, body: secret }).catch((err: unknown) => {
      throw new AppError('kernel_launch_failed', `${what}: cannot create Secret ${namespace}/${names.secret}: ${statusMessageOf(err)}`, { cause: err });
    });
    let created: unknown;
    try {
      created = await api.createNamespacedPod({ namespace, body: podSpec });
      assertPod(created, `creating pod ${namespace}/${names.pod}`);
    } catch (err) {
      await this.deleteSecret(namespace, names.secret);
      throw new AppError('kernel_launch_failed', `${what}: cannot create pod ${namespace}/${names.pod}: ${statusMessageOf(err)}`, { cause: err });
    }
    await this.ownSecret(namespace, names.secret, created);
    // waitRunning subscribes in this same tick, so it sees every event from the pod's creation on.
    const pw = this.track(new PodWatch({ api, watch, logger: this.logger, random: this.options.random }, created));
    try {
      const running = await this.waitRunning(pw, what, signal, startedAt);
      this.logger.info({ kernel_id: request.kernelId, pod: `${namespace}/${names.pod}`, ip: running.status?.podIP }, 'kernel pod running');
      return this.process(pw, running, request.kernelId, names.secret);
    } catch (err) {
      await this.abandon(pw, names.secret);
      throw err;
    }
  }

  /** Resolve with the pod once it runs with an IP; reject with the reason it will not. */
  private waitRunning(pw: PodWatch, what: string, signal: AbortSignal, startedAt: number): Promise<Pod> {
    const seen = new Map<string, string>();
    const where = `pod ${pw.namespace}/${pw.name}`;
    return new Promise<Pod>((resolve, reject) => {
      let settled = false;
      let finishing = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        sub[Symbol.dispose]();
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (code: ErrorCode, why: string, cause?: unknown) =>
        settle(() => reject(new AppError(code, `${what}: ${where} ${why}`, cause === undefined ? undefined : { cause })));
      const check = (deleted: boolean, pod: Pod) => {
        if (settled || finishing) return;
        recordWaiting(pod, seen);
        if (deleted) return fail('kernel_launch_failed', 'was deleted before it started');
        if (isRunning(pod)) return settle(() => resolve(pod));
        if (isFinished(pod)) {
          // It ended before it ran: say how, with the end of the failed container's log.
          finishing = true;
          const initFailed = pod.status?.initContainerStatuses?.some((s) => s.name === INIT_CONTAINER && (s.state?.terminated?.exitCode ?? 0) !== 0);
          void readLogTail(this.clients().api, pod, initFailed ? INIT_CONTAINER : KERNEL_CONTAINER, this.options.logTailLines ?? 20).then((tail) =>
            fail('kernel_launch_failed', `failed: ${describeFinished(pod)}${tail ? `; its log ends:\n${tail}` : ''}`),
          );
          return;
        }
        if (fatalWaiting(pod)) fail('kernel_launch_failed', `cannot start: ${describePending(pod, seen)}`);
      };
      const onAbort = () => {
        const base = abortError(signal, what.replace(/^Cannot /, ''));
        const code = base instanceof AppError ? base.code : 'unavailable';
        const after = `${Math.round((Date.now() - startedAt) / 100) / 10} s`;
        // The watch may lag: read the pod once more to say where it is stuck.
        void pw
          .refresh()
          .catch(() => pw.pod)
          .then((pod) => fail(code, `was not running after ${after}: ${isFinished(pod) ? describeFinished(pod) : describePending(pod, seen)}`, base));
      };
      const sub = pw.onUpdate((u) => check(u.type === 'DELETED', u.pod));
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      check(pw.isDeleted, pw.pod);
    });
  }

  private process(pw: PodWatch, pod: Pod, kernelId: string, secretName: string): PodKernelProcess {
    const endpoints: KernelEndpoints = { transport: 'tcp', ip: pod.status!.podIP!, ...KERNEL_PORTS };
    const proc = new PodKernelProcess(pw, endpoints, { kernelId, secretName }, {
      api: this.clients().api,
      logger: this.logger,
      deleteTimeoutMs: this.options.deleteTimeoutMs ?? 30_000,
      logTailLines: this.options.logTailLines ?? 20,
    });
    void pw.gone.then(() => this.watches.delete(pw));
    return proc;
  }

  private track(pw: PodWatch): PodWatch {
    this.watches.add(pw);
    pw.start();
    return pw;
  }

  /** A failed launch leaves nothing behind: pod (grace 0) and Secret deleted. */
  private async abandon(pw: PodWatch, secretName: string): Promise<void> {
    const { api } = this.clients();
    try {
      await api.deleteNamespacedPod({ name: pw.name, namespace: pw.namespace, gracePeriodSeconds: 0 });
    } catch (err) {
      if (statusCodeOf(err) !== 404) this.logger.warn({ pod: pw.name, err: statusMessageOf(err) }, 'cannot delete the pod of a failed launch');
    }
    pw.dispose();
    this.watches.delete(pw);
    await this.deleteSecret(pw.namespace, secretName);
  }

  private async deleteSecret(namespace: string, name: string): Promise<void> {
    try {
      await this.clients().api.deleteNamespacedSecret({ name, namespace });
    } catch (err) {
      if (statusCodeOf(err) !== 404) this.logger.warn({ secret: `${namespace}/${name}`, err: statusMessageOf(err) }, 'cannot delete kernel connection secret');
    }
  }

  /** Make the pod the Secret's owner, so the garbage collector removes it with the pod even if we never do. */
  private async ownSecret(namespace: string, name: string, pod: Pod): Promise<void> {
    const owner = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    try {
      await this.clients().api.patchNamespacedSecret({ name, namespace, body: [{ op: 'add', path: '/metadata/ownerReferences', value: [owner] }] });
    } catch (err) {
      this.logger.warn({ secret: `${namespace}/${name}`, err: statusMessageOf(err) }, 'cannot set the owner of a kernel connection secret');
    }
  }

  private async namespaceFor(request: LaunchRequest): Promise<string> {
    if (!this.options.namespacePerUser) return this.options.namespace;
    const user = kernelUser(request);
    if (!user) throw new AppError('bad_request', `Cannot start kernel ${request.kernelName}: per-user namespaces need KERNEL_USERNAME in the kernel env`);
    const ns = userNamespace(this.options.namespace, user);
    let ensured = this.namespaces.get(ns);
    if (!ensured) {
      ensured = this.ensureNamespace(ns, user);
      this.namespaces.set(ns, ensured);
      ensured.catch(() => this.namespaces.delete(ns));
    }
    await ensured;
    return ns;
  }

  /** Create the user's namespace, or check that an existing one is that user's (two users may sanitise alike). */
  private async ensureNamespace(name: string, user: string): Promise<void> {
    const { api } = this.clients();
    const checkOwner = (ns: K8s.V1Namespace) => {
      const owner = ns.metadata?.annotations?.[OWNER_ANNOTATION];
      if (owner !== undefined && owner !== user) throw new AppError('forbidden', `Cannot use namespace ${name} for user ${user}: it belongs to user ${owner}`);
    };
    try {
      checkOwner(await api.readNamespace({ name }));
      return;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (statusCodeOf(err) !== 404) throw new AppError('kernel_launch_failed', `Cannot read namespace ${name}: ${statusMessageOf(err)}`, { cause: err });
    }
    const body: K8s.V1Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.user]: labelValue(user) }, annotations: { [OWNER_ANNOTATION]: user } },
    };
    try {
      await api.createNamespace({ body });
      this.logger.info({ namespace: name, user }, 'created kernel namespace');
    } catch (err) {
      if (statusCodeOf(err) !== 409) throw new AppError('kernel_launch_failed', `Cannot create namespace ${name}: ${statusMessageOf(err)}`, { cause: err });
      checkOwner(await api.readNamespace({ name })); // another gateway won the race
    }
  }

  /** Reattach to a kernel pod after a gateway restart; a pod that no longer runs is cleaned up. */
  async restore(snapshot: LauncherSnapshot): Promise<KernelProcess | undefined> {
    assertPodSnapshot(snapshot);
    const s: PodSnapshot = snapshot;
    const { api, watch } = this.clients();
    let pod: unknown;
    try {
      pod = await api.readNamespacedPod({ name: s.podName, namespace: s.namespace });
      assertPod(pod, `GET pod ${s.namespace}/${s.podName}`);
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw new AppError('unavailable', `Cannot restore kernel ${s.kernelId}: cannot read pod ${s.namespace}/${s.podName}: ${statusMessageOf(err)}`, { cause: err });
      await this.deleteSecret(s.namespace, s.secretName);
      return undefined;
    }
    if (s.podUid && pod.metadata.uid !== s.podUid) return undefined; // a newer pod of the same name is someone else's
    const pw = this.track(new PodWatch({ api, watch, logger: this.logger, random: this.options.random }, pod));
    if (!isRunning(pod)) {
      await this.abandon(pw, s.secretName);
      return undefined;
    }
    return this.process(pw, pod, s.kernelId, s.secretName);
  }

  /** Running kernel pods of this gateway (by label, in its namespace or its per-user namespaces). */
  async discover(): Promise<DiscoveredKernel[]> {
    const { api } = this.clients();
    const prefix = this.options.namespace;
    const list = this.options.namespacePerUser
      ? await api.listPodForAllNamespaces({ labelSelector: KERNEL_SELECTOR })
      : await api.listNamespacedPod({ namespace: prefix, labelSelector: KERNEL_SELECTOR });
    const found: DiscoveredKernel[] = [];
    for (const item of list.items) {
      assertPod(item, 'the kernel pod list');
      const ns = item.metadata.namespace ?? prefix;
      if (this.options.namespacePerUser ? !ns.startsWith(`${prefix}-`) : ns !== prefix) continue;
      if (!isRunning(item) || !item.metadata.name.startsWith('kernel-')) continue;
      const kernelId = item.metadata.name.slice('kernel-'.length);
      const secretName = kernelObjectNames(kernelId).secret;
      let connection: ConnectionInfo;
      try {
        const secret = await api.readNamespacedSecret({ name: secretName, namespace: ns });
        const parsed: unknown = JSON.parse(Buffer.from(secret.data?.[CONNECTION_KEY] ?? '', 'base64').toString('utf8'));
        assertConnectionInfo(parsed);
        connection = { ...parsed, ip: item.status!.podIP! };
      } catch (err) {
        this.logger.warn({ pod: `${ns}/${item.metadata.name}`, err: statusMessageOf(err) }, 'skipped a kernel pod whose connection secret cannot be read');
        continue;
      }
      const snapshot: PodSnapshot = {
        launcher: 'kubernetes',
        kernelId,
        namespace: ns,
        podName: item.metadata.name,
        podUid: item.metadata.uid ?? '',
        secretName,
        endpoints: { transport: connection.transport, ip: connection.ip, shell_port: connection.shell_port, iopub_port: connection.iopub_port, stdin_port: connection.stdin_port, control_port: connection.control_port, hb_port: connection.hb_port },
      };
      found.push({ kernelId, kernelName: connection.kernel_name ?? '', user: item.metadata.annotations?.[OWNER_ANNOTATION] ?? item.metadata.labels?.[LABELS.user], connection, snapshot: snapshot as unknown as LauncherSnapshot });
    }
    return found;
  }

  /** Stop watching (pods keep running for the next gateway). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    for (const pw of this.watches) pw.dispose();
    this.watches.clear();
  }
}
