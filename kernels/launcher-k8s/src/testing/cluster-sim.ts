/**
 * A one-node Kubernetes cluster in a test process: an HTTP server speaking
 * the part of the core/v1 REST API the Kubernetes launcher uses, faithfully
 * enough for @kubernetes/client-node (Status objects and codes: 401, 404
 * NotFound, 409 AlreadyExists, 422 Invalid, 410 Expired; watch=true streams
 * of JSON lines with monotonically increasing resourceVersions and resume
 * semantics), and a kubelet that really runs each pod's command as a local
 * process (see sim-kubelet.ts for how and for its deviations).
 *
 *   namespaces                     create, get, list (+watch)
 *   namespaces/{ns}/pods           create, list (+watch, labelSelector, fieldSelector), get, delete (gracePeriodSeconds)
 *   namespaces/{ns}/pods/{n}/log   container, tailLines, limitBytes (no follow)
 *   namespaces/{ns}/secrets        create, list (+watch), get, delete, patch (JSON patch, merge patch)
 *   pods, secrets                  list (+watch) across namespaces
 *
 * Other deviations: PVCs are not API objects (`addVolume` maps a claim name
 * to a host directory, in every namespace); no admission (quotas, limit
 * ranges), no RBAC (one bearer token), no namespace deletion; the garbage
 * collector (ownerReferences) acts at once; no env is injected into
 * containers (a real kubelet adds KUBERNETES_SERVICE_* and HOSTNAME).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisposableLike } from '@workbench/core';
import { k8s, K8s } from '../k8s-client';
import { SimKubelet, SimNode } from './sim-kubelet';
import { ApiError, KObject, notFound, parseFieldSelector, parseLabelSelector, Resource, SimStore, StoreEvent } from './sim-store';
import { prepareCreate } from './sim-validate';

export type { KObject } from './sim-store';
export type { SimNode } from './sim-kubelet';

export interface ClusterSimulatorOptions {
  /** The node's allocatable resources and labels (default 4 CPUs, 8Gi, no extended resources). */
  node?: Partial<SimNode>;
  /** Which images "exist" (default: all but those named sim/missing...). */
  pullable?: (image: string) => boolean;
  token?: string;
  /** Watch events kept for resuming (older ones are compacted: 410 Gone). */
  historyLimit?: number;
}

const RESOURCES = new Set<Resource>(['namespaces', 'pods', 'secrets']);

export class ClusterSimulator implements AsyncDisposable {
  readonly store: SimStore;
  private kubelet!: SimKubelet;
  private server: Server | undefined;
  private port = 0;
  /** Between stopApiServer and startApiServer: every connection is reset on arrival. */
  private down = false;
  private readonly token: string;
  private readonly volumes = new Map<string, string>();
  /** Open watch streams, each with what ends it (unsubscribed at once: no event is written after the end). */
  private readonly watchStreams = new Map<ServerResponse, () => void>();
  private readonly subs: DisposableLike[] = [];
  private disposed: Promise<void> | undefined;

  private constructor(
    options: ClusterSimulatorOptions,
    private readonly workDir: string,
  ) {
    this.token = options.token ?? 'sim-token';
    this.store = new SimStore(options.historyLimit);
    this.store.create('namespaces', undefined, prepareCreate('namespaces', undefined, { metadata: { name: 'default' } }));
    // The garbage collector: a Secret owned by a deleted pod goes with it.
    this.subs.push(this.store.onChange((ev) => ev.type === 'DELETED' && ev.resource === 'pods' && setImmediate(() => this.collectGarbage(ev.object))));
  }

  static async start(options: ClusterSimulatorOptions = {}): Promise<ClusterSimulator> {
    const sim = new ClusterSimulator(options, await mkdtemp(join(tmpdir(), 'wb-cluster-sim-')));
    await sim.startApiServer();
    // The API server's port is unique on this host while the simulator lives: pod IPs 127.<port>.N are too.
    const node: SimNode = { name: 'sim-node', cpu: '4', memory: '8Gi', extended: {}, ...options.node, labels: { 'kubernetes.io/hostname': 'sim-node', 'kubernetes.io/os': 'linux', ...options.node?.labels } };
    sim.kubelet = new SimKubelet({
      store: sim.store,
      node,
      volumes: sim.volumes,
      workDir: join(sim.workDir, 'pods'),
      ipPrefix: `127.${sim.port >> 8}.${sim.port & 255}.`,
      pullable: options.pullable ?? ((image) => !image.startsWith('sim/missing')),
    });
    return sim;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A KubeConfig for this cluster (http, bearer token). */
  kubeConfig(): K8s.KubeConfig {
    const kc = new (k8s().KubeConfig)();
    kc.loadFromOptions({
      clusters: [{ name: 'sim', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'sim', token: this.token }],
      contexts: [{ name: 'sim', cluster: 'sim', user: 'sim', namespace: 'default' }],
      currentContext: 'sim',
    });
    return kc;
  }

  /** Make PVC `claimName` (in every namespace) the host directory `hostPath`. */
  addVolume(claimName: string, hostPath: string): void {
    this.volumes.set(claimName, hostPath);
  }

  createNamespace(name: string): KObject {
    return this.store.create('namespaces', undefined, prepareCreate('namespaces', undefined, { metadata: { name } }));
  }

  list(resource: Resource, namespace?: string): KObject[] {
    return this.store.list(resource, namespace);
  }

  /** Resolves with the pod once `predicate` holds for it (now or after a change); rejects when `signal` aborts. */
  waitForPod(namespace: string, name: string, predicate: (pod: KObject | undefined) => boolean, signal?: AbortSignal): Promise<KObject | undefined> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const pod = this.store.get('pods', namespace, name);
        if (!predicate(pod)) return false;
        sub[Symbol.dispose]();
        signal?.removeEventListener('abort', onAbort);
        resolve(pod);
        return true;
      };
      const onAbort = () => {
        sub[Symbol.dispose]();
        reject(signal!.reason);
      };
      const sub = this.store.onChange((ev) => ev.resource === 'pods' && ev.object.metadata.name === name && check());
      if (!check()) signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Delete a pod as another client would (kubectl delete), even while the API server is stopped. */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): void {
    this.kubelet.delete(namespace, name, gracePeriodSeconds);
  }

  /** The kernel OOM killer, for the pod's running container (limits are not enforced otherwise). */
  oomKill(namespace: string, name: string): void {
    this.kubelet.oomKill(namespace, name);
  }

  /** End every open watch stream (as an API server does after its request timeout). */
  dropWatches(): void {
    for (const end of [...this.watchStreams.values()]) end();
  }

  get activeWatches(): number {
    return this.watchStreams.size;
  }

  /** Compact the event history: watches resuming from before now get 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  runningProcesses(): number {
    return this.kubelet.runningProcesses();
  }

  /** Resolves once no pod process runs any more. */
  whenIdle(): Promise<void> {
    return this.kubelet.whenIdle();
  }

  /**
   * Stop answering (pods keep running): open connections are cut and new
   * ones are reset, as by a load balancer in front of an API server that is
   * down. The port stays bound (a port let go could be taken by another
   * process before `startApiServer`), so clients fail at once and retry.
   */
  async stopApiServer(): Promise<void> {
    if (!this.server || this.down) return;
    this.down = true;
    this.dropWatches();
    this.server.closeAllConnections();
  }

  /** Listen (the first time, on a port of the system's choosing) or answer again after stopApiServer. */
  async startApiServer(): Promise<void> {
    this.down = false;
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      if (this.down) socket.resetAndDestroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  private async closeApiServer(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.dropWatches();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const url = new URL(req.url ?? '/', 'http://sim');
      const q = url.searchParams;
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const unknownPath = new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      if (parts[0] !== 'api' || parts[1] !== 'v1') throw unknownPath;
      const rest = parts.slice(2);
      const scoped = rest[0] === 'namespaces' && rest.length >= 3;
      const [ns, resource, name, sub] = scoped ? [rest[1], rest[2], rest[3], rest[4]] : [undefined, rest[0], rest[1], rest[2]];
      if (!RESOURCES.has(resource as Resource) || rest.length > (scoped ? 5 : 2) || (scoped && resource === 'namespaces')) throw unknownPath;
      const r = resource as Resource;
      const method = req.method ?? 'GET';
      if (name === undefined) {
        if (method === 'GET') {
          const filter = { resource: r, namespace: ns, labels: parseLabelSelector(q.get('labelSelector')), fields: parseFieldSelector(q.get('fieldSelector')) };
          if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(req, res, filter, q);
          const items = this.store.list(r, ns, filter);
          return send(res, 200, { kind: `${items[0]?.kind ?? kindOf(r)}List`, apiVersion: 'v1', metadata: { resourceVersion: this.store.resourceVersion }, items });
        }
        if (method === 'POST' && (r === 'namespaces' || ns !== undefined)) return send(res, 201, this.create(r, ns, await readJson(req)));
      } else if (sub === 'log') {
        if (r === 'pods' && method === 'GET') {
          const num = (k: string) => (q.get(k) === null ? undefined : Number(q.get(k)));
          const text = this.kubelet.logs(ns!, name, q.get('container'), num('tailLines'), num('limitBytes'));
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return void res.end(text);
        }
      } else if (sub !== undefined) {
        throw unknownPath;
      } else if (method === 'GET') {
        return send(res, 200, this.store.mustGet(r, ns, name));
      } else if (method === 'DELETE') {
        return send(res, 200, this.delete(r, ns, name, q, await readJson(req, true)));
      } else if (method === 'PATCH' && r === 'secrets') {
        return send(res, 200, this.patch(r, ns, name, String(req.headers['content-type'] ?? ''), await readJson(req)));
      }
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, e.code, e.toStatus());
      else res.end();
    }
  }

  private create(r: Resource, ns: string | undefined, body: unknown): KObject {
    if (ns !== undefined && !this.store.get('namespaces', undefined, ns)) throw notFound('namespaces', ns);
    const created = this.store.create(r, ns, prepareCreate(r, ns, body));
    if (r === 'pods') this.kubelet.admit(created);
    if (r === 'secrets') this.kubelet.secretCreated(ns!, created.metadata.name);
    return created;
  }

  private delete(r: Resource, ns: string | undefined, name: string, q: URLSearchParams, body: unknown): unknown {
    if (r === 'namespaces') throw new ApiError(405, 'MethodNotAllowed', 'the simulator does not delete namespaces');
    const fromBody = (body as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds;
    const grace = q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : typeof fromBody === 'number' ? fromBody : undefined;
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw new ApiError(400, 'BadRequest', `invalid gracePeriodSeconds: ${grace}`);
    if (r === 'pods') return this.kubelet.delete(ns!, name, grace);
    const removed = this.store.remove(r, ns, name);
    if (!removed) throw notFound(r, name);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: r, uid: removed.metadata.uid } };
  }

  /** RFC 6902 JSON patch or RFC 7386 merge patch (strategic merge patch is treated as a merge patch). */
  private patch(r: Resource, ns: string | undefined, name: string, contentType: string, body: unknown): KObject {
    const cur = this.store.mustGet(r, ns, name);
    let next: KObject;
    if (contentType.startsWith('application/json-patch+json')) next = applyJsonPatch(cur, body);
    else if (/^application\/(merge-patch|strategic-merge-patch)\+json/.test(contentType)) next = mergePatch(cur, body) as KObject;
    else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`);
    if (cur.immutable && (JSON.stringify(next.data) !== JSON.stringify(cur.data) || next.immutable !== true)) {
      throw new ApiError(422, 'Invalid', `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`);
    }
    return this.store.update(r, ns, name, (o) => Object.assign(o, next, { metadata: { ...next.metadata, uid: cur.metadata.uid, name, namespace: ns } }))!;
  }

  private watch(req: IncomingMessage, res: ServerResponse, filter: Parameters<SimStore['replay']>[0], q: URLSearchParams): void {
    const line = (ev: { type: string; object: unknown }) => res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
    let initial: StoreEvent[];
    try {
      initial = this.store.replay(filter, q.get('resourceVersion'));
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 410) throw err;
      // A real API server answers 200 and sends the 410 as an ERROR event, then closes.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      line({ type: 'ERROR', object: err.toStatus() });
      return void res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (const ev of initial) line(ev);
    const sub = this.store.onChange((ev) => this.store.matches(filter, ev) && line(ev));
    const close = () => {
      sub[Symbol.dispose]();
      clearTimeout(timer);
      this.watchStreams.delete(res);
    };
    const end = () => {
      close();
      res.end();
    };
    this.watchStreams.set(res, end);
    const seconds = Number(q.get('timeoutSeconds') ?? 0);
    const timer = seconds > 0 ? setTimeout(end, seconds * 1000) : undefined;
    timer?.unref();
    res.on('close', close);
    req.on('close', close);
  }

  private collectGarbage(pod: KObject): void {
    for (const s of this.store.list('secrets', pod.metadata.namespace)) {
      if (s.metadata.ownerReferences?.some((o) => o.uid === pod.metadata.uid)) this.store.remove('secrets', s.metadata.namespace, s.metadata.name);
    }
  }

  /** Kill every pod process, close the server, remove the temp files. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      await this.closeApiServer();
      await this.kubelet?.dispose();
      for (const s of this.subs) s[Symbol.dispose]();
      this.store.dispose();
      await rm(this.workDir, { recursive: true, force: true });
    })();
    return this.disposed;
  }
}

function kindOf(r: Resource): string {
  return r === 'namespaces' ? 'Namespace' : r === 'pods' ? 'Pod' : 'Secret';
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) {
    if (optional) return undefined;
    throw new ApiError(400, 'BadRequest', 'the request body is empty');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

function applyJsonPatch(doc: KObject, ops: unknown): KObject {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
  const out = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops as { op?: string; path?: string; value?: unknown }[]) {
    const keys = (op.path ?? '').split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    let parent: Record<string, unknown> = out;
    for (const k of keys) {
      if (typeof parent[k] !== 'object' || parent[k] === null) throw new ApiError(422, 'Invalid', `doc is missing path: "${op.path}"`);
      parent = parent[k] as Record<string, unknown>;
    }
    if (last === undefined) throw new ApiError(422, 'Invalid', `invalid JSON patch path: "${op.path}"`);
    if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
    else if (op.op === 'remove') delete parent[last];
    else throw new ApiError(422, 'Invalid', `unsupported JSON patch operation: ${JSON.stringify(op.op)}`);
  }
  return out as KObject;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
