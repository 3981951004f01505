/**
 * The pod watch's connection policy against the simulator's API server:
 * streams closed by the server, compacted history (410 Gone), the API server
 * down for a while, the pod deleted meanwhile. No event may be lost and
 * resourceVersions only go forward.
 */
import { Emitter, Logger, waitForEvent } from '@workbench/core';
import { k8s } from './k8s-client';
import { assertPod, Pod } from './pod-status';
import { backoffDelay, PodUpdate, PodWatch } from './pod-watch';
import { ClusterSimulator } from './testing/cluster-sim';

const NS = 'default';
let sim: ClusterSimulator;
let names = 0;
const logs: string[] = [];
const logged = new Emitter<string>();
const record = (_fields: object, msg: string) => {
  logs.push(msg);
  logged.fire(msg);
};
const logger: Logger = { debug() {}, info: record, warn: record, error: record, child: () => logger };

beforeAll(async () => {
  sim = await ClusterSimulator.start();
});

afterAll(async () => {
  await sim[Symbol.asyncDispose]();
});

const watches: PodWatch[] = [];

afterEach(async () => {
  for (const pw of watches.splice(0)) pw.dispose();
  for (const p of sim.list('pods')) sim.deletePod(NS, p.metadata.name, 0);
  await sim.whenIdle();
  logs.length = 0;
});

/** A running sleeper pod and a started watch on it, recording every update. */
async function watched(): Promise<{ pw: PodWatch; updates: PodUpdate[]; api: ReturnType<typeof client>['api'] }> {
  const { api, watch } = client();
  const name = `w${++names}`;
  const created: unknown = await api.createNamespacedPod({ namespace: NS, body: { metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'kernel', image: 'x', command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] }] } } });
  assertPod(created, 'create');
  const pw = new PodWatch({ api, watch, logger, random: () => 0.5 }, created);
  watches.push(pw);
  const updates: PodUpdate[] = [];
  pw.onUpdate((u) => updates.push(u));
  pw.start();
  await until(pw, (p) => p.status?.phase === 'Running');
  return { pw, updates, api };
}

function client() {
  const kc = sim.kubeConfig();
  return { api: kc.makeApiClient(k8s().CoreV1Api), watch: new (k8s().Watch)(kc) };
}

function until(pw: PodWatch, predicate: (pod: Pod, deleted: boolean) => boolean): Promise<Pod> {
  if (predicate(pw.pod, pw.isDeleted)) return Promise.resolve(pw.pod);
  return new Promise((resolve) => {
    const sub = pw.onUpdate((u) => {
      if (!predicate(u.pod, u.type === 'DELETED')) return;
      sub[Symbol.dispose]();
      resolve(u.pod);
    });
  });
}

function expectOrdered(updates: PodUpdate[]): void {
  const rvs = updates.map((u) => Number(u.pod.metadata.resourceVersion));
  expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
  expect(new Set(rvs).size).toBe(rvs.length);
}

describe('backoffDelay', () => {
  it('doubles from 100 ms to a 5 s cap, the upper half random', () => {
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffDelay(n, () => 0))).toEqual([50, 100, 200, 400, 2500, 2500]);
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffDelay(n, () => 1))).toEqual([100, 200, 400, 800, 5000, 5000]);
  });
});

describe('PodWatch', () => {
  it('resumes a stream the server closed without losing the events in between', async () => {
    const { pw, updates, api } = await watched();
    sim.dropWatches();
    // Changes made before the watch is back are replayed from its resourceVersion.
    await api.deleteNamespacedPod({ name: pw.name, namespace: NS, gracePeriodSeconds: 5 });
    await until(pw, (_p, deleted) => deleted);
    const phases = updates.map((u) => `${u.type}:${u.pod.status?.phase}:${u.pod.metadata.deletionTimestamp ? 'deleting' : ''}`);
    expect(phases.slice(-3)).toEqual(['MODIFIED:Running:deleting', 'MODIFIED:Failed:deleting', 'DELETED:Failed:deleting']);
    expectOrdered(updates);
    await expect(pw.gone).resolves.toBeUndefined();
  });

  it('reads the pod again after 410 Gone (compacted history) and goes on watching', async () => {
    const { pw, updates } = await watched();
    // Changes the watch misses, then compaction: resuming from its resourceVersion is no longer possible.
    await sim.stopApiServer();
    sim.oomKill(NS, pw.name);
    await sim.whenIdle();
    sim.compact();
    await sim.startApiServer();
    const ended = await until(pw, (p) => p.status?.phase === 'Failed');
    expect(ended.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
    expect(logs).toContain('pod watch expired (410 Gone); reading the pod again');
    expectOrdered(updates);
    await client().api.deleteNamespacedPod({ name: pw.name, namespace: NS });
    await pw.gone;
  });

  it('reconnects with backoff while the API server is down, then catches up', async () => {
    const { pw, updates } = await watched();
    await sim.stopApiServer();
    sim.oomKill(NS, pw.name);
    await sim.whenIdle();
    // Stay down until the watch has tried and failed to reconnect at least twice (backing off).
    let failures = 0;
    await waitForEvent(logged.event, (msg) => msg === 'pod watch failed; reconnecting' && ++failures === 2);
    expect(pw.pod.status?.phase).toBe('Running');
    await sim.startApiServer();
    await until(pw, (p) => p.status?.phase === 'Failed');
    expectOrdered(updates);
    await client().api.deleteNamespacedPod({ name: pw.name, namespace: NS });
    await pw.gone;
  });

  it('knows the pod is gone when it was deleted while the history it missed was compacted', async () => {
    const { pw } = await watched();
    await sim.stopApiServer();
    sim.deletePod(NS, pw.name, 0); // someone else's kubectl delete --force
    sim.compact();
    await sim.startApiServer();
    await until(pw, (_p, deleted) => deleted);
    expect(pw.isDeleted).toBe(true);
    pw.dispose();
  });
});
