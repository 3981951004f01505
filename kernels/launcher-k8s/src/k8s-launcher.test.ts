/**
 * KubernetesLauncher against the cluster simulator with small Node "kernels"
 * (real processes): what it creates, why a launch fails, how a kernel ends,
 * per-user namespaces. ipykernel end to end is in k8s-launcher.ipykernel.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import type { LaunchRequest } from '@workbench/launcher';
import { KubernetesLauncher, KubernetesLauncherOptions } from './k8s-launcher';
import { ClusterSimulator } from './testing/cluster-sim';

const NS = 'kernels';
const SLEEPER = [process.execPath, '-e', 'setInterval(() => {}, 1000)', '{connection_file}'];
let sim: ClusterSimulator;
let root: string;
let ids = 0;
const owned: AsyncDisposable[] = [];

function launcher(extra: Partial<KubernetesLauncherOptions> = {}): KubernetesLauncher {
  const l = new KubernetesLauncher({ namespace: NS, defaultImage: 'workbench/kernel:1', kubeConfig: sim.kubeConfig(), workspace: { pvc: 'workspace', mountPath: '/work', root }, random: () => 0.5, ...extra });
  owned.push(l);
  return l;
}

function req(extra: Partial<LaunchRequest> = {}): LaunchRequest {
  return { kernelId: `k${++ids}`, argv: SLEEPER, env: { KERNEL_USERNAME: 'alice' }, cwd: root, key: 'k', signatureScheme: 'hmac-sha256', kernelName: 'node', ...extra };
}

async function started(l: KubernetesLauncher, r: LaunchRequest) {
  const proc = await l.start(r);
  owned.push(proc);
  return proc;
}

beforeAll(async () => {
  sim = await ClusterSimulator.start({ node: { cpu: '4', memory: '8Gi', extended: { 'nvidia.com/gpu': 1 } } });
  sim.createNamespace(NS);
  root = await mkdtemp(join(tmpdir(), 'wb-k8s-launcher-'));
  sim.addVolume('workspace', root);
});

afterEach(async () => {
  for (const o of owned.splice(0).reverse()) await o[Symbol.asyncDispose]();
  await sim.whenIdle();
  expect(sim.list('pods')).toEqual([]);
  expect(sim.list('secrets')).toEqual([]);
});

afterAll(async () => {
  await sim[Symbol.asyncDispose]();
  await rm(root, { recursive: true, force: true });
});

describe('KubernetesLauncher', () => {
  it('creates the secret owned by the pod, and the pod as built, and connects to the pod IP', async () => {
    const proc = await started(launcher({ gpuResource: 'nvidia.com/gpu' }), req({ env: { KERNEL_GPUS: '1' }, resources: { cpus: 1, memoryLimitBytes: 2 ** 30 } }));
    const [pod] = sim.list('pods', NS);
    const [secret] = sim.list('secrets', NS);
    expect(secret!.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: pod!.metadata.name, uid: pod!.metadata.uid }]);
    expect(secret!.data['connection.json']).toBeDefined();
    expect(pod!.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' }, limits: { memory: '1Gi', 'nvidia.com/gpu': '1' } });
    expect(proc.endpoints).toEqual({ transport: 'tcp', ip: pod!.status.podIP, shell_port: 52000, iopub_port: 52001, stdin_port: 52002, control_port: 52003, hb_port: 52004 });
    expect(proc.label).toBe(`pod ${NS}/kernel-k${ids}`);
    // The node has one GPU: a second kernel asking for one waits, and the deadline says why.
    const second = launcher({ gpuResource: 'nvidia.com/gpu', launchTimeoutMs: 300 });
    await expect(second.start(req({ env: { KERNEL_GPUS: '1' } }))).rejects.toMatchObject({ code: 'timeout', message: expect.stringMatching(/cannot be scheduled \(Unschedulable\): 0\/1 nodes are available: 1 Insufficient nvidia.com\/gpu/) });
  });

  it('fails at once, saying why, when the image cannot be pulled, and leaves nothing behind', async () => {
    const err = await launcher({ images: { node: 'sim/missing:1' } })
      .start(req())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'kernel_launch_failed' });
    expect((err as Error).message).toMatch(/^Cannot start kernel node: pod kernels\/kernel-k\d+ cannot start: container connection-file is waiting \(ImagePullBackOff\): Back-off pulling image "sim\/missing:1"; the pull failed with: rpc error: code = NotFound/);
  });

  it('when the start signal aborts on an unschedulable pod, says what the scheduler said', async () => {
    const ac = new AbortController();
    const r = req({ resources: { memoryBytes: 64 * 2 ** 30 } });
    const waiting = sim.waitForPod(NS, `kernel-${r.kernelId}`, (p) => p?.status?.conditions?.[0]?.reason === 'Unschedulable');
    const start = launcher().start(r, { signal: ac.signal });
    await waiting;
    ac.abort(new AppError('timeout', 'Cannot start kernel node: timed out'));
    await expect(start).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/was not running after [\d.]+ s: the pod cannot be scheduled \(Unschedulable\): 0\/1 nodes are available: 1 Insufficient memory\./),
    });
  });

  it('launch_timeout_s ends a launch that cannot be scheduled (node selector)', async () => {
    await expect(launcher({ launchTimeoutMs: 200, nodeSelector: { pool: 'gpu' } }).start(req())).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/didn't match Pod's node affinity\/selector/),
    });
  });

  it('a kernel that fails to exec is a launch failure with the runtime error', async () => {
    await expect(launcher().start(req({ argv: ['/nonexistent/kernel', '{connection_file}'] }))).rejects.toMatchObject({
      code: 'kernel_launch_failed',
      message: expect.stringMatching(/container kernel ended with exit code 128 \(StartError\): .*exec: "\/nonexistent\/kernel": stat \/nonexistent\/kernel: no such file or directory/),
    });
  });

  it('an invalid pod is refused by the API server with its own words (422)', async () => {
    await expect(launcher().start(req({ resources: { cpus: 2, cpusLimit: 1 } }))).rejects.toMatchObject({
      code: 'kernel_launch_failed',
      message: expect.stringMatching(/cannot create pod kernels\/kernel-k\d+: Pod "kernel-k\d+" is invalid: .*requests: Invalid value: "2": must be less than or equal to cpu limit of 1/),
    });
  });

  it('a kernel that crashes at once: start resolves, wait gives the exit code, stderrTail the log', async () => {
    const crash = [process.execPath, '-e', "process.stderr.write('boom: no such module\\n'); process.exit(3)", '{connection_file}'];
    const proc = await started(launcher(), req({ argv: crash }));
    await expect(proc.wait()).resolves.toEqual({ code: 3, signal: null });
    expect(proc.stderrTail()).toBe('boom: no such module');
    expect(proc.isAlive()).toBe(false);
  });

  it('reports an OOM kill with the memory limit', async () => {
    const r = req({ resources: { memoryLimitBytes: 512 * 2 ** 20 } });
    const proc = await started(launcher(), r);
    sim.oomKill(NS, `kernel-${r.kernelId}`);
    await expect(proc.wait()).resolves.toEqual({ code: null, signal: 'SIGKILL', reason: 'out of memory (limit 512Mi)' });
  });

  it('SIGTERM deletes the pod gracefully (the kernel sees SIGTERM); SIGINT is refused', async () => {
    const r = req();
    const proc = await started(launcher(), r);
    await expect(proc.signal('SIGINT')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/interrupt_mode "message"/) });
    const gone = sim.waitForPod(NS, `kernel-${r.kernelId}`, (p) => p === undefined);
    await proc.signal('SIGTERM');
    await expect(proc.wait()).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    await gone;
  });

  it('restoring a kernel whose pod has ended cleans the pod up and gives undefined', async () => {
    const proc = await started(launcher(), req({ argv: [process.execPath, '-e', 'process.exit(0)'] }));
    await expect(proc.wait()).resolves.toEqual({ code: 0, signal: null });
    const snapshot = proc.snapshot();
    expect(sim.list('pods', NS)).toHaveLength(1);
    await expect(launcher().restore(snapshot)).resolves.toBeUndefined();
    expect(sim.list('pods', NS)).toEqual([]);
    await expect(launcher().restore({ ...snapshot, launcher: 'local' })).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('per-user namespaces', () => {
  it('creates <namespace>-<user> once, marked as the user\'s, and runs the pod there', async () => {
    const l = launcher({ namespace: 'wb', namespacePerUser: true });
    await started(l, req());
    await started(l, req());
    const ns = sim.store.mustGet('namespaces', undefined, 'wb-alice');
    expect(ns.metadata.annotations).toEqual({ 'workbench/user': 'alice' });
    expect(ns.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'workbench', 'workbench/user': 'alice' });
    expect(sim.list('pods', 'wb-alice')).toHaveLength(2);
    const bob = await started(l, req({ env: { KERNEL_USERNAME: 'Bob.Smith@example.com' } }));
    expect(bob.label).toMatch(/^pod wb-bob-smith-example-com-[0-9a-f]{8}\/kernel-k\d+$/);
    const found = await launcher({ namespace: 'wb', namespacePerUser: true }).discover();
    // The owner comes back as it was (from the pod's annotation), not as its sanitised label.
    expect(found.map((k) => k.user).sort()).toEqual(['Bob.Smith@example.com', 'alice', 'alice']);
  });

  it('refuses a namespace that belongs to another user, and a kernel without a user', async () => {
    sim.store.create('namespaces', undefined, { metadata: { name: 'wb-carol', annotations: { 'workbench/user': 'mallory' } } });
    const l = launcher({ namespace: 'wb', namespacePerUser: true });
    await expect(l.start(req({ env: { KERNEL_USERNAME: 'carol' } }))).rejects.toMatchObject({ code: 'forbidden', message: 'Cannot use namespace wb-carol for user carol: it belongs to user mallory' });
    await expect(l.start(req({ env: {} }))).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/need KERNEL_USERNAME/) });
  });

  it('puts a kernel in its authenticated owner\'s namespace, whatever KERNEL_USERNAME the client wrote', async () => {
    const l = launcher({ namespace: 'wb', namespacePerUser: true });
    const proc = await started(l, req({ owner: 'dave', env: { KERNEL_USERNAME: 'mallory' } }));
    expect(proc.label).toMatch(/^pod wb-dave\/kernel-k\d+$/);
    await proc[Symbol.asyncDispose]();
  });
});
