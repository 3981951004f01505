/**
 * End to end with a real ipykernel (Debian's /usr/bin/python3 kernelspec
 * argv) in pods of the cluster simulator: through the KernelManager as the
 * server builds it (execute, interrupt by message, restart, shutdown,
 * culling, launch failures), and through the launcher alone for a gateway
 * restart (reattach by snapshot and by label discovery, state kept).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@workbench/core';
import { LauncherRegistry } from '@workbench/launcher';
import { DEFAULT_ENV_POLICY, KernelManager, KernelSpecManager } from '@workbench/manager';
import { KernelConnection } from '@workbench/zmq';
import { KubernetesLauncher } from './k8s-launcher';
import { ClusterSimulator } from './testing/cluster-sim';
import { evaluate, execute, nextIopub } from './testing/jupyter-client';

const PYTHON_ARGV = ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'];
const NS = 'workbench';
let sim: ClusterSimulator;
let root: string;
let specsDir: string;
const owned: AsyncDisposable[] = [];

function launcher(extra: Partial<ConstructorParameters<typeof KubernetesLauncher>[0]> = {}): KubernetesLauncher {
  const l = new KubernetesLauncher({
    namespace: NS,
    defaultImage: 'quay.io/jupyter/minimal-notebook:2025-01-01',
    images: { 'python-missing-image': 'sim/missing:1' },
    kubeConfig: sim.kubeConfig(),
    workspace: { pvc: 'workspace', mountPath: '/home/jovyan/work', root },
    random: () => 0.5,
    ...extra,
  });
  owned.push(l);
  return l;
}

function manager(clock?: { now(): number }): KernelManager {
  const launchers = new LauncherRegistry('kubernetes');
  launchers.register(launcher());
  const m = new KernelManager({
    specs: new KernelSpecManager({ dirs: [specsDir] }),
    launchers,
    rootDir: root,
    logger: silentLogger,
    clock,
    serverEnv: { PATH: process.env.PATH, HOME: root },
    envPolicy: DEFAULT_ENV_POLICY,
    maxKernels: 10,
    maxKernelsPerUser: 10,
    culling: { idleTimeoutS: clock ? 60 : 0, intervalS: 3600, connected: true, busy: false },
    launchTimeoutMs: 60_000,
    restartLimit: 0,
    shutdownWaitMs: 10_000,
    buffer: { maxMessages: 100, maxBytes: 1 << 20, ttlMs: 1000 },
  });
  owned.push(m);
  return m;
}

async function writeSpec(name: string, argv: string[]): Promise<void> {
  await mkdir(join(specsDir, name), { recursive: true });
  await writeFile(join(specsDir, name, 'kernel.json'), JSON.stringify({ argv, display_name: name, language: 'python', interrupt_mode: 'message' }));
}

beforeAll(async () => {
  sim = await ClusterSimulator.start();
  sim.createNamespace(NS);
  root = await mkdtemp(join(tmpdir(), 'wb-k8s-e2e-'));
  specsDir = join(root, '.kernels');
  sim.addVolume('workspace', root);
  await writeSpec('python3', PYTHON_ARGV);
  await writeSpec('python-missing-image', PYTHON_ARGV);
  await writeSpec('crashy', ['/usr/bin/python3', '-c', "import sys; print('boom: the kernel cannot import pandas', file=sys.stderr); sys.exit(3)", '{connection_file}']);
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

describe('ipykernel in a pod, through the KernelManager', () => {
  it('executes, interrupts with interrupt_request, restarts in a new pod, and shuts down leaving nothing', async () => {
    const m = manager();
    const kernel = await m.start({ name: 'python3', user: 'alice' });
    const podName = `kernel-${kernel.id}`;
    const pod = sim.store.mustGet('pods', NS, podName);
    expect(pod.metadata.labels).toMatchObject({ component: 'kernel', kernel_id: kernel.id, 'workbench/user': 'alice', kernel_name: 'python3' });
    expect(kernel.processSnapshot()).toMatchObject({ namespace: NS, podName, endpoints: { ip: pod.status.podIP, shell_port: 52000 } });
    expect(await evaluate(kernel, '1+1')).toBe('2');

    const run = execute(kernel, "print('sleeping', flush=True)\nimport time\ntime.sleep(60)", {}, false);
    await nextIopub(kernel, run.msgId, (type, c) => type === 'stream' && String(c.text).includes('sleeping'));
    await m.interrupt(kernel.id);
    await expect(run.reply).resolves.toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });

    await expect(execute(kernel, 'y = 7').reply).resolves.toMatchObject({ status: 'ok' });
    await m.restart(kernel.id);
    const after = sim.store.mustGet('pods', NS, podName);
    expect(after.metadata.uid).not.toBe(pod.metadata.uid);
    await expect(evaluate(kernel, 'y')).rejects.toThrow(/NameError/);
    expect(await evaluate(kernel, '6*7')).toBe('42');

    await m.shutdown(kernel.id);
    expect(sim.list('pods', NS)).toEqual([]);
    expect(sim.list('secrets', NS)).toEqual([]);
  });

  it('says why a kernel cannot start: a crash (exit code and log) and an image that cannot be pulled', async () => {
    const m = manager();
    await expect(m.start({ name: 'crashy', user: 'alice' })).rejects.toMatchObject({
      code: 'kernel_launch_failed',
      message: expect.stringMatching(/exit code 3[\s\S]*boom: the kernel cannot import pandas/),
    });
    await expect(m.start({ name: 'python-missing-image', user: 'alice' })).rejects.toMatchObject({
      code: 'kernel_launch_failed',
      message: expect.stringMatching(/ImagePullBackOff[\s\S]*sim\/missing:1[\s\S]*not found/),
    });
  });

  it('culling an idle kernel deletes its pod and its secret', async () => {
    let now = Date.now();
    const m = manager({ now: () => now });
    const kernel = await m.start({ name: 'python3', user: 'alice' });
    expect(sim.list('pods', NS)).toHaveLength(1);
    now += 120_000;
    await expect(m.cull()).resolves.toEqual([kernel.id]);
    expect(sim.list('pods', NS)).toEqual([]);
    expect(sim.list('secrets', NS)).toEqual([]);
  });
});

describe('a restarted gateway', () => {
  it('reattaches to a running kernel pod by snapshot and by label discovery; the kernel keeps its state', async () => {
    const key = randomBytes(32).toString('hex');
    const first = launcher();
    const proc = await first.start({ kernelId: randomUUID(), argv: PYTHON_ARGV, env: { PATH: process.env.PATH ?? '/usr/bin', HOME: root, KERNEL_USERNAME: 'alice' }, cwd: root, key, signatureScheme: 'hmac-sha256', kernelName: 'python3' });
    const conn = new KernelConnection({ ...proc.endpoints, key, signature_scheme: 'hmac-sha256' });
    await expect(execute(conn, 'x = 41').reply).resolves.toMatchObject({ status: 'ok' });
    const snapshot = JSON.parse(JSON.stringify(proc.snapshot())) as Record<string, unknown>;
    await conn[Symbol.asyncDispose]();
    // The gateway goes away without shutting its kernels down.
    await first[Symbol.asyncDispose]();
    await expect(first.start({ kernelId: 'late', argv: PYTHON_ARGV, env: {}, cwd: root, key, signatureScheme: 'hmac-sha256', kernelName: 'python3' })).rejects.toMatchObject({ code: 'unavailable' });
    expect(sim.list('pods', NS).map((p) => p.status.phase)).toEqual(['Running']);

    const second = launcher();
    const restored = (await second.restore(snapshot))!;
    expect(restored.endpoints).toEqual(proc.endpoints);
    const conn2 = new KernelConnection({ ...restored.endpoints, key, signature_scheme: 'hmac-sha256' });
    expect(await evaluate(conn2, 'x + 1')).toBe('42');
    await conn2[Symbol.asyncDispose]();

    const third = launcher();
    const found = await third.discover();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kernelName: 'python3', user: 'alice', connection: { key, ip: proc.endpoints.ip, shell_port: 52000 } });
    const conn3 = new KernelConnection(found[0]!.connection);
    expect(await evaluate(conn3, 'x')).toBe('41');
    await conn3[Symbol.asyncDispose]();
    const alsoRestored = (await third.restore(found[0]!.snapshot))!;

    // Whichever gateway ends the kernel, the other sees the pod gone.
    await restored[Symbol.asyncDispose]();
    await expect(alsoRestored.wait()).resolves.toMatchObject({ code: null, signal: 'SIGKILL', reason: 'the pod was deleted' });
    await alsoRestored[Symbol.asyncDispose]();
    await expect(third.restore(snapshot)).resolves.toBeUndefined();
  });
});
