/**
 * The simulator speaks the Kubernetes API as @kubernetes/client-node expects
 * it: Status objects and codes, resourceVersions, watch resume and 410,
 * selectors, logs, graceful deletion, scheduling, garbage collection.
 */
import { K8s, k8s, statusCodeOf, statusMessageOf } from '../k8s-client';
import { ClusterSimulator } from './cluster-sim';

const SLEEP = [process.execPath, '-e', "console.log('hello from the pod'); setInterval(() => {}, 1000)"];
let sim: ClusterSimulator;
let api: K8s.CoreV1Api;

function pod(name: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): K8s.V1Pod {
  return { metadata: { name, labels: { app: 'sim-test' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1', command: SLEEP, ...container }], ...extra } };
}

async function failure(p: Promise<unknown>): Promise<{ code: number | undefined; message: string; body: Record<string, unknown> }> {
  const err = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  const body = (err as { body?: unknown }).body;
  return { code: statusCodeOf(err), message: statusMessageOf(err), body: (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown> };
}

/** Collect watch events until `stop` says so. */
function watchUntil(path: string, query: Record<string, string>, stop: (type: string, obj: { metadata?: { name?: string; resourceVersion?: string } }) => boolean): Promise<{ type: string; name?: string; rv: number }[]> {
  const seen: { type: string; name?: string; rv: number }[] = [];
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let done = false;
    new (k8s().Watch)(sim.kubeConfig())
      .watch(
        path,
        query,
        (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) => {
          seen.push({ type, name: obj.metadata?.name, rv: type === 'ERROR' ? obj.code! : Number(obj.metadata?.resourceVersion) });
          if (!done && stop(type, obj)) {
            done = true;
            controller?.abort();
            resolve(seen);
          }
        },
        (err: unknown) => (done ? undefined : err ? reject(err) : ((done = true), resolve(seen))),
      )
      .then((c) => (done ? c.abort() : (controller = c)), reject);
  });
}

beforeAll(async () => {
  sim = await ClusterSimulator.start({ node: { cpu: '2', memory: '1Gi' } });
  api = sim.kubeConfig().makeApiClient(k8s().CoreV1Api);
  await api.createNamespace({ body: { metadata: { name: 'sim' } } });
});

afterAll(async () => {
  await sim[Symbol.asyncDispose]();
});

afterEach(async () => {
  for (const p of sim.list('pods')) sim.deletePod(p.metadata.namespace!, p.metadata.name, 0);
  await sim.whenIdle();
});

describe('ClusterSimulator API server', () => {
  it('answers with Status objects: 401, 404, 409, 422, 400', async () => {
    const anonymous = new (k8s().KubeConfig)();
    anonymous.loadFromOptions({ clusters: [{ name: 'c', server: sim.url, skipTLSVerify: true }], users: [{ name: 'u', token: 'wrong' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    expect((await failure(anonymous.makeApiClient(k8s().CoreV1Api).listNamespace())).code).toBe(401);
    expect(await failure(api.readNamespace({ name: 'nope' }))).toMatchObject({ code: 404, body: { kind: 'Status', reason: 'NotFound', message: 'namespaces "nope" not found', code: 404 } });
    expect(await failure(api.createNamespace({ body: { metadata: { name: 'sim' } } }))).toMatchObject({ code: 409, message: 'namespaces "sim" already exists' });
    expect(await failure(api.createNamespacedPod({ namespace: 'nope', body: pod('p') }))).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
    const invalid = await failure(api.createNamespacedPod({ namespace: 'sim', body: pod('Bad_Name', {}, { image: '' }) }));
    expect(invalid).toMatchObject({ code: 422, body: { reason: 'Invalid', details: { kind: 'Pod', causes: [{ field: 'metadata.name' }, { field: 'spec.containers[0].image', reason: 'FieldValueRequired' }] } } });
    expect(invalid.message).toMatch(/^Pod "Bad_Name" is invalid: \[metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(await failure(api.listNamespacedPod({ namespace: 'sim', fieldSelector: 'status.phase=Running' }))).toMatchObject({ code: 400, message: 'field label not supported: status.phase' });
  });

  it('runs a pod: Pending, then Running with its own loopback IP, logs, and graceful deletion', async () => {
    const created = await api.createNamespacedPod({ namespace: 'sim', body: pod('runner') });
    expect(created.status?.phase).toBe('Pending');
    await api.createNamespacedPod({ namespace: 'sim', body: pod('no-image', {}, { image: 'sim/missing:1' }) });
    await sim.waitForPod('sim', 'no-image', (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    expect((await failure(api.readNamespacedPodLog({ name: 'no-image', namespace: 'sim' }))).message).toBe('container "main" in pod "no-image" is waiting to start: ImagePullBackOff');
    const running = (await sim.waitForPod('sim', 'runner', (p) => p?.status?.phase === 'Running'))!;
    expect(running.status.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(running.spec.nodeName).toBe('sim-node');
    const deleting = await api.deleteNamespacedPod({ name: 'runner', namespace: 'sim', gracePeriodSeconds: 30 });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    const events = await watchUntil('/api/v1/namespaces/sim/pods', { resourceVersion: deleting.metadata!.resourceVersion! }, (type) => type === 'DELETED');
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED', 'DELETED']);
  });

  it('watches resume from a resourceVersion, start with ADDED for what exists, and answer 410 after compaction', async () => {
    const before = (await api.listNamespacedSecret({ namespace: 'sim' })).metadata!.resourceVersion!;
    await api.createNamespacedSecret({ namespace: 'sim', body: { metadata: { name: 's1', labels: { team: 'a' } }, stringData: { k: 'v' } } });
    await api.createNamespacedSecret({ namespace: 'sim', body: { metadata: { name: 's2', labels: { team: 'b' } }, stringData: { k: 'v' } } });
    const resumed = await watchUntil('/api/v1/namespaces/sim/secrets', { resourceVersion: before, labelSelector: 'team in (b)' }, (_t, o) => o.metadata?.name === 's2');
    expect(resumed.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED s2']);
    const fresh = await watchUntil('/api/v1/secrets', {}, (_t, o) => o.metadata?.name === 's2');
    expect(fresh.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED s1', 'ADDED s2']);
    expect((await api.readNamespacedSecret({ name: 's1', namespace: 'sim' })).data).toEqual({ k: Buffer.from('v').toString('base64') });
    sim.compact();
    expect(await watchUntil('/api/v1/namespaces/sim/secrets', { resourceVersion: before }, (type) => type === 'ERROR')).toEqual([{ type: 'ERROR', name: undefined, rv: 410 }]);
    await api.deleteNamespacedSecret({ name: 's1', namespace: 'sim' });
    await api.deleteNamespacedSecret({ name: 's2', namespace: 'sim' });
  });

  it('garbage-collects a Secret owned by a deleted pod; an immutable Secret keeps its data', async () => {
    const p = await api.createNamespacedPod({ namespace: 'sim', body: pod('owner') });
    await api.createNamespacedSecret({ namespace: 'sim', body: { metadata: { name: 'owned' }, immutable: true, stringData: { k: 'v' } } });
    await api.patchNamespacedSecret({ name: 'owned', namespace: 'sim', body: [{ op: 'add', path: '/metadata/ownerReferences', value: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: p.metadata!.uid }] }] });
    expect(await failure(api.patchNamespacedSecret({ name: 'owned', namespace: 'sim', body: [{ op: 'replace', path: '/data/k', value: 'eA==' }] }))).toMatchObject({ code: 422, message: 'Secret "owned" is invalid: data: Forbidden: field is immutable when `immutable` is set' });
    const gone = watchUntil('/api/v1/namespaces/sim/secrets', { fieldSelector: 'metadata.name=owned' }, (type) => type === 'DELETED');
    await api.deleteNamespacedPod({ name: 'owner', namespace: 'sim', gracePeriodSeconds: 0 });
    expect((await gone).map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('schedules against the node: a pod that does not fit waits, and runs once another one is gone', async () => {
    await api.createNamespacedPod({ namespace: 'sim', body: pod('big', {}, { resources: { requests: { memory: '768Mi' } } }) });
    const hello = [process.execPath, '-e', "console.log('hello from the pod')"];
    await api.createNamespacedPod({ namespace: 'sim', body: pod('second', {}, { command: hello, resources: { limits: { memory: '512Mi', cpu: '500m' } } }) });
    const waiting = (await sim.waitForPod('sim', 'second', (p) => p?.status?.conditions?.[0]?.reason === 'Unschedulable'))!;
    expect(waiting.status.conditions[0].message).toBe('0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    expect(waiting.spec.containers[0].resources.requests).toEqual({ memory: '512Mi', cpu: '500m' }); // defaulted from limits
    expect(waiting.status.qosClass).toBe('Guaranteed');
    await api.deleteNamespacedPod({ name: 'big', namespace: 'sim', gracePeriodSeconds: 0 });
    await sim.waitForPod('sim', 'second', (p) => p?.status?.phase === 'Succeeded');
    const log = await api.readNamespacedPodLog({ name: 'second', namespace: 'sim', tailLines: 1 });
    expect(log).toBe('hello from the pod\n');
  });

  it('kills every pod process when disposed', async () => {
    const other = await ClusterSimulator.start();
    const otherApi = other.kubeConfig().makeApiClient(k8s().CoreV1Api);
    await otherApi.createNamespacedPod({ namespace: 'default', body: pod('orphan') });
    const running = (await other.waitForPod('default', 'orphan', (p) => p?.status?.phase === 'Running'))!;
    const pid = Number(String(running.status.containerStatuses[0].containerID).replace('sim://', ''));
    expect(other.runningProcesses()).toBe(1);
    await other[Symbol.asyncDispose]();
    expect(other.runningProcesses()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
