/**
 * The server with kernels as Kubernetes pods (against the in-repo cluster
 * simulator, which runs each pod's command as a local process: no real
 * cluster can run here), through @jupyterlab/services: execute, interrupt
 * (no signals in Kubernetes: interrupt_request), and a gateway rollout: the
 * server stops, the pod keeps running, the next server adopts it and the
 * kernel's state is still there.
 */
import { KernelManager, KernelMessage } from '@jupyterlab/services';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterSimulator } from '@workbench/launcher-k8s/testing/cluster-sim';
import { runCell } from './testing/run-cell';
import { api, startTestServer, TestServer } from './testing/harness';

describe('kernels as Kubernetes pods (cluster simulator)', () => {
  let sim: ClusterSimulator;
  let dir: string;
  let root: string;
  let config: object;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    sim = await ClusterSimulator.start();
    sim.createNamespace('wb');
    dir = await mkdtemp(join(tmpdir(), 'wb-k8s-app-'));
    root = join(dir, 'root');
    await mkdir(root);
    sim.addVolume('workspace', root);
    await writeFile(join(dir, 'kubeconfig'), sim.kubeConfig().exportConfig());
    config = {
      kernels: { launcher: 'kubernetes' },
      kubernetes: { namespace: 'wb', default_image: 'workbench/kernel-python:test', workspace_pvc: 'workspace', workspace_mount_path: '/home/jovyan/work', kubeconfig: join(dir, 'kubeconfig') },
    };
  });
  afterAll(async () => {
    for (const s of servers.reverse()) await s[Symbol.asyncDispose]();
    await sim?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs and interrupts a kernel in a pod; after a gateway restart the next server adopts the pod, state intact', async () => {
    const first = await startTestServer(['--root-dir', root], process.env, config);
    servers.push(first);
    const m1 = new KernelManager({ serverSettings: first.settings });
    const k = await m1.startNew({ name: 'python3' });
    expect(sim.list('pods', 'wb').map((p) => p.metadata.name)).toEqual([`kernel-${k.id}`]);
    expect((await runCell(k, 'x = 41; print(x)')).stdout).toBe('41');

    // Kubernetes cannot signal a pod: the server interrupts with interrupt_request instead. The
    // interrupt goes once the cell's own code runs (its first line printed): execute_input comes
    // before IPython's pre-run hooks, and an interrupt landing in those is reported and swallowed,
    // so the sleep would then run to its end.
    const long = k.requestExecute({ code: "print('sleeping', flush=True)\nimport time; time.sleep(60)" });
    let ename = '';
    let sleeping!: () => void;
    const running = new Promise<void>((resolve) => (sleeping = resolve));
    long.onIOPub = (msg) => {
      if (msg.header.msg_type === 'error') ename = (msg.content as KernelMessage.IErrorMsg['content']).ename;
      if (msg.header.msg_type === 'stream' && (msg.content as KernelMessage.IStreamMsg['content']).text.includes('sleeping')) sleeping();
    };
    await running;
    await k.interrupt();
    expect(((await long.done).content as { status: string; ename?: string })).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(ename).toBe('KeyboardInterrupt');
    m1.dispose();

    // The gateway goes away (a rollout): the pod stays.
    await first[Symbol.asyncDispose]();
    servers.pop();
    expect(sim.list('pods', 'wb').map((p) => [p.metadata.name, p.status.phase])).toEqual([[`kernel-${k.id}`, 'Running']]);

    const second = await startTestServer(['--root-dir', root], process.env, config);
    servers.push(second);
    const listed = (await (await api(second, 'api/kernels')).json()) as { id: string; name: string; execution_state: string }[];
    expect(listed).toEqual([expect.objectContaining({ id: k.id, name: 'python3', execution_state: 'idle' })]);
    const m2 = new KernelManager({ serverSettings: second.settings });
    const again = m2.connectTo({ model: { id: k.id, name: 'python3' } });
    expect((await runCell(again, 'print(x + 1)')).stdout).toBe('42');
    await again.shutdown();
    m2.dispose();
    await sim.whenIdle();
    expect(sim.list('pods', 'wb')).toEqual([]);
    expect(sim.list('secrets', 'wb')).toEqual([]);
  });

  it('a notebook in a project folder runs in its pod with the image’s Python: the server builds no environment on its own disk for a pod, which could not see it', async () => {
    await mkdir(join(root, 'proj'), { recursive: true });
    await writeFile(join(root, 'proj', 'requirements.txt'), '# nothing to install\n');
    const dataDir = join(dir, 'data-project');
    const server = await startTestServer(['--root-dir', root], process.env, { ...config, data_dir: dataDir });
    servers.push(server);
    const res = await api(server, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', path: 'proj/n.ipynb' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const pod = sim.list('pods', 'wb').find((p) => p.metadata.name === `kernel-${id}`)!;
    const command = (pod.spec as { containers: { command: string[]; env?: { name: string }[] }[] }).containers[0]!;
    expect(command.command[0]).not.toContain(dataDir);
    expect((command.env ?? []).map((e) => e.name)).not.toContain('VIRTUAL_ENV');
    const m = new KernelManager({ serverSettings: server.settings });
    const k = m.connectTo({ model: { id, name: 'python3' } });
    const out = (await runCell(k, "import sys, os; print(sys.prefix == sys.base_prefix, os.environ.get('VIRTUAL_ENV'))")).stdout;
    expect(out).toBe('True None');
    await k.shutdown();
    m.dispose();
    expect(existsSync(join(dataDir, 'envs'))).toBe(false);
  });

  it('with kubernetes.keep_kernels_on_shutdown false, deletes its kernel pods and secrets when it stops', async () => {
    const cfg = config as { kubernetes: object };
    const server = await startTestServer(['--root-dir', root], process.env, { ...cfg, kubernetes: { ...cfg.kubernetes, keep_kernels_on_shutdown: false } });
    servers.push(server);
    const res = await api(server, 'api/kernels', { method: 'POST', body: '{"name":"python3"}' });
    expect(res.status).toBe(201);
    expect(sim.list('pods', 'wb')).toHaveLength(1);
    await server[Symbol.asyncDispose]();
    servers.pop();
    await sim.whenIdle();
    expect(sim.list('pods', 'wb')).toEqual([]);
    expect(sim.list('secrets', 'wb')).toEqual([]);
  });
});
