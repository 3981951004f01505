/**
 * Kernel lifecycle as a user sees it: death and auto-restart, death past
 * the restart limit, idle culling, kernel limits, sessions (VS Code style).
 */
import { KernelManager, SessionManager, Kernel } from '@jupyterlab/services';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForEvent } from '@workbench/core';
import { KernelChannels } from '@workbench/manager';
import { api, startTestServer, TestServer } from './testing/harness';

function statuses(k: Kernel.IKernelConnection): Kernel.Status[] {
  const seen: Kernel.Status[] = [];
  k.statusChanged.connect((_s, st) => seen.push(st));
  return seen;
}

function untilStatus(k: Kernel.IKernelConnection, wanted: Kernel.Status): Promise<void> {
  return new Promise((resolve) => {
    const on = (_s: unknown, st: Kernel.Status) => {
      if (st === wanted) {
        k.statusChanged.disconnect(on);
        resolve();
      }
    };
    k.statusChanged.connect(on);
  });
}

function killKernelProcess(ts: TestServer, id: string): number {
  const pid = ts.wb.kernels.get(id).processSnapshot()!.pid as number;
  process.kill(pid, 'SIGKILL');
  return pid;
}

describe('a kernel killed with SIGKILL', () => {
  let ts: TestServer;
  let manager: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer();
    manager = new KernelManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('is restarted: clients see restarting then idle, and it runs code again', async () => {
    const k = await manager.startNew({ name: 'python3' });
    await k.info;
    const seen = statuses(k);
    const restarted = waitForEvent(ts.wb.kernels.get(k.id).onServerStatus, (e) => e.state === 'restarting');
    const oldPid = killKernelProcess(ts, k.id);
    await restarted;
    await untilStatus(k, 'idle');
    expect(seen).toContain('autorestarting'); // @jupyterlab/services' name for the server's "restarting"
    const future = k.requestExecute({ code: 'import os; os.getpid()' });
    let pid = '';
    future.onIOPub = (m) => {
      if (m.header.msg_type === 'execute_result') pid = (m.content as { data: Record<string, string> }).data['text/plain']!;
    };
    await future.done;
    expect(Number(pid)).not.toBe(oldPid);
    const model = (await (await api(ts, `api/kernels/${k.id}`)).json()) as { execution_state: string };
    expect(model.execution_state).toBe('idle');
    await k.shutdown();
  });
});

describe('activity and execution_state (as jupyter_server tracks them)', () => {
  let ts: TestServer;
  let manager: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer();
    manager = new KernelManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('a kernel_info request (every client reconnect sends one) neither shows the kernel busy nor counts as activity; running code does', async () => {
    const k = await manager.startNew({ name: 'python3' });
    await k.info;
    const model = async () => (await (await api(ts, `api/kernels/${k.id}`)).json()) as { execution_state: string; last_activity: string };
    const before = await model();
    expect(before.execution_state).toBe('idle');
    const kernel = ts.wb.kernels.get(k.id);
    // Every status the kernel publishes, with the server's execution_state right after it.
    const seen: { parent: string; status: string; state: string }[] = [];
    const checks = new Set<() => void>();
    const sub = kernel.onMessage((e) => {
      if (e.channel !== 'iopub' || e.header.msgType !== 'status') return;
      const status = (JSON.parse(e.raw.content.toString()) as { execution_state: string }).execution_state;
      seen.push({ parent: e.parent.msgId, status, state: kernel.executionState });
      for (const check of [...checks]) check();
    });
    const statusesOf = (parent: string) => seen.filter((s) => s.parent === parent).map((s) => `${s.status}->${s.state}`);
    const idleOf = (parent: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (seen.some((s) => s.parent === parent && s.status === 'idle')) {
            checks.delete(check);
            resolve();
          }
        };
        checks.add(check);
        check();
      });
    const info = await k.requestKernelInfo();
    const infoId = info!.parent_header.msg_id as string;
    await idleOf(infoId);
    expect(statusesOf(infoId)).toEqual(['busy->idle', 'idle->idle']);
    expect(await model()).toEqual(before);
    const future = k.requestExecute({ code: '1 + 1' });
    await future.done;
    await idleOf(future.msg.header.msg_id);
    sub[Symbol.dispose]();
    expect(statusesOf(future.msg.header.msg_id)).toEqual(['busy->busy', 'idle->idle']);
    const ran = await model();
    expect(Date.parse(ran.last_activity)).toBeGreaterThan(Date.parse(before.last_activity));
    await k.shutdown();
  });
});

describe('a kernel that hangs (SIGSTOP: alive but silent)', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { kernels: { heartbeat_interval_s: 0.3, heartbeat_misses: 2 } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('is detected by the heartbeat watch and restarted, with the reason told to clients', async () => {
    const manager = new KernelManager({ serverSettings: ts.settings });
    const k = await manager.startNew({ name: 'python3' });
    await k.info;
    const kernel = ts.wb.kernels.get(k.id);
    const restarting = waitForEvent(kernel.onServerStatus, (e) => e.state === 'restarting');
    // Stop the kernel itself: in the sandbox that is the sandbox's process group, not bwrap.
    const snap = kernel.processSnapshot() as { pid: number; sandboxPid?: number };
    process.kill(snap.sandboxPid !== undefined ? -snap.sandboxPid : snap.pid, 'SIGSTOP');
    expect((await restarting).reason).toMatch(/heartbeat lost: no answer to 2 heartbeats/);
    await untilStatus(k, 'idle');
    const future = k.requestExecute({ code: '1+1' });
    expect((await future.done).content.status).toBe('ok');
    await k.shutdown();
    manager.dispose();
  });
});

describe("interrupt_mode 'message' and dropped connections (JupyterLab's own reconnect)", () => {
  let ts: TestServer;
  let specDir: string;
  beforeAll(async () => {
    specDir = await mkdtemp(join(tmpdir(), 'wb-spec-'));
    await mkdir(join(specDir, 'kernels', 'pymsg'), { recursive: true });
    await writeFile(join(specDir, 'kernels', 'pymsg', 'kernel.json'), JSON.stringify({ argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], display_name: 'Python (message interrupts)', language: 'python', interrupt_mode: 'message' }));
    ts = await startTestServer([], { ...process.env, JUPYTER_PATH: specDir });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await rm(specDir, { recursive: true, force: true });
  });

  it('interrupts with interrupt_request on control when the kernelspec asks for it', async () => {
    const manager = new KernelManager({ serverSettings: ts.settings });
    const k = await manager.startNew({ name: 'pymsg' });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const future = k.requestExecute({ code: "import time\nprint('start', flush=True)\ntime.sleep(600)" });
    future.onIOPub = (m) => {
      // The cell's own first line: the interrupt must land in its code. One that lands before, in
      // IPython's pre-run hooks (execute_input is published ahead of them), is reported and swallowed.
      if (m.header.msg_type === 'stream' && (m.content as { text: string }).text.includes('start')) started();
    };
    await running;
    await k.interrupt();
    expect(((await future.done).content as { ename?: string }).ename).toBe('KeyboardInterrupt');
    await k.shutdown();
    manager.dispose();
  });

  it('loses no output when the socket drops mid-cell: @jupyterlab/services reconnects with its session and gets the rest', async () => {
    // The server learns of the dropped socket when its close arrives; what it sent before that is lost on any
    // Jupyter server (the protocol has no acknowledgements). So the cell prints its first line, then waits for
    // the test's word, given once the server has detached the dropped socket: the rest is produced after it.
    let detached!: () => void;
    const serverNoticed = new Promise<void>((resolve) => (detached = resolve));
    let dropped = false;
    const attach = KernelChannels.prototype.attach;
    KernelChannels.prototype.attach = function (this: KernelChannels, client) {
      const attachment = attach.call(this, client);
      return {
        [Symbol.dispose]: () => {
          attachment[Symbol.dispose]();
          if (dropped) detached();
        },
      };
    };
    const marker = 'socket-dropped.marker';
    const manager = new KernelManager({ serverSettings: ts.settings });
    try {
      const k = await manager.startNew({ name: 'python3' });
      await k.info;
      const texts: string[] = [];
      const connection: string[] = [];
      k.connectionStatusChanged.connect((_s, st) => connection.push(st));
      const future = k.requestExecute({
        code: `import os, time\nprint(0, flush=True)\nwhile not os.path.exists(${JSON.stringify(marker)}):\n    time.sleep(0.005)\nfor i in range(1, 30):\n    print(i, flush=True)\n    time.sleep(0.005)`,
      });
      future.onIOPub = (m) => {
        if (m.header.msg_type !== 'stream') return;
        texts.push((m.content as { text: string }).text);
        if (!dropped) {
          dropped = true;
          // A network blip: the socket closes abnormally; the client reconnects on its own.
          (k as unknown as { _ws: { close(code: number): void } })._ws.close(4000);
          void serverNoticed.then(() => writeFile(join(ts.rootDir, marker), ''));
        }
      };
      await future.done;
      expect(texts.join('')).toBe(Array.from({ length: 30 }, (_, i) => `${i}\n`).join(''));
      expect(connection).toEqual(expect.arrayContaining(['connecting', 'connected'])); // it really reconnected
      await k.shutdown();
    } finally {
      KernelChannels.prototype.attach = attach;
      manager.dispose();
    }
  });
});

describe('a kernel that keeps dying', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { kernels: { restart_limit: 0 } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('is declared dead past the restart limit, with the reason, and removed', async () => {
    const manager = new KernelManager({ serverSettings: ts.settings });
    const k = await manager.startNew({ name: 'python3' });
    await k.info;
    const dead = untilStatus(k, 'dead');
    const removed = waitForEvent(ts.wb.kernels.onKernelRemoved, (e) => e.id === k.id);
    killKernelProcess(ts, k.id);
    await dead;
    expect((await removed).reason).toMatch(/the kernel died \(killed by SIGKILL\) and was restarted 0 times; giving up/);
    expect((await api(ts, `api/kernels/${k.id}`)).status).toBe(404);
    manager.dispose();
  });
});

describe('culling', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { kernels: { cull_idle_timeout: 1, cull_interval: 1, cull_connected: false } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('culls an idle kernel without clients, but not one with a client attached', async () => {
    const start = async () => ((await (await api(ts, 'api/kernels', { method: 'POST', body: '{"name":"python3"}' })).json()) as { id: string }).id;
    const [lonely, watched] = await Promise.all([start(), start()]);
    const manager = new KernelManager({ serverSettings: ts.settings });
    const conn = manager.connectTo({ model: { id: watched, name: 'python3' } });
    await conn.info;
    const removed = await waitForEvent(ts.wb.kernels.onKernelRemoved, (e) => e.id === lonely);
    expect(removed.reason).toMatch(/culled after \d+ s idle/);
    expect(ts.wb.kernels.has(watched)).toBe(true);
    conn.dispose();
    await waitForEvent(ts.wb.kernels.onKernelRemoved, (e) => e.id === watched);
    manager.dispose();
  });

});

describe('limits', () => {
  let ts: TestServer;
  beforeAll(async () => {
    // No culling here: a kernel culled while the next one starts would free a slot.
    ts = await startTestServer([], process.env, { kernels: { max_kernels_per_user: 2 } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('refuses a kernel past the per-user limit with 403 Resource Limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await api(ts, 'api/kernels', { method: 'POST', body: '{"name":"python3"}' });
      expect(r.status).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    const third = await api(ts, 'api/kernels', { method: 'POST', body: '{"name":"python3"}' });
    expect(third.status).toBe(403);
    expect(await third.json()).toMatchObject({ reason: 'Resource Limit', message: expect.stringMatching(/maximum of 2 kernels/) });
    for (const id of ids) await api(ts, `api/kernels/${id}`, { method: 'DELETE' });
  });
});

describe('sessions (JupyterLab and VS Code)', () => {
  let ts: TestServer;
  let sessions: SessionManager;
  let kernels: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer();
    kernels = new KernelManager({ serverSettings: ts.settings });
    sessions = new SessionManager({ serverSettings: ts.settings, kernelManager: kernels });
    await sessions.ready;
  });
  afterAll(async () => {
    sessions?.dispose();
    kernels?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('creates a session for a path that does not exist, renames it, swaps its kernel, deletes it', async () => {
    const s = await sessions.startNew({ path: 'made-up-by-vscode-1f2e.ipynb', name: 'x.ipynb', type: 'notebook', kernel: { name: 'python3' } });
    expect(s.kernel?.name).toBe('python3');
    const same = await api(ts, 'api/sessions', { method: 'POST', body: JSON.stringify({ path: 'made-up-by-vscode-1f2e.ipynb', type: 'notebook', kernel: { name: 'python3' } }) });
    expect(same.status).toBe(201);
    expect(((await same.json()) as { id: string }).id).toBe(s.id);
    await s.setPath('renamed.ipynb');
    expect((await sessions.findByPath('renamed.ipynb'))?.id).toBe(s.id);
    const oldKernel = s.kernel!.id;
    await s.changeKernel({ name: 'tslab' });
    expect(s.kernel?.name).toBe('tslab');
    expect((await api(ts, `api/kernels/${oldKernel}`)).status).toBe(404); // the replaced kernel was shut down
    const newKernel = s.kernel!.id;
    await s.shutdown();
    expect((await api(ts, `api/sessions/${s.id}`)).status).toBe(404);
    expect((await api(ts, `api/kernels/${newKernel}`)).status).toBe(404);
  });

  it('gives two windows that open a notebook at the same time one session and one kernel', async () => {
    const open = () => api(ts, 'api/sessions', { method: 'POST', body: JSON.stringify({ path: 'together.ipynb', type: 'notebook', name: 'together.ipynb', kernel: { name: 'python3' } }) });
    const [a, b] = await Promise.all([open(), open()]);
    const [ma, mb] = (await Promise.all([a.json(), b.json()])) as { id: string; kernel: { id: string } }[];
    expect(mb!.id).toBe(ma!.id);
    expect(mb!.kernel.id).toBe(ma!.kernel.id);
    const kernels = (await (await api(ts, 'api/kernels')).json()) as { id: string }[];
    expect(kernels.filter((k) => k.id === ma!.kernel.id)).toHaveLength(1);
    expect((await api(ts, `api/sessions/${ma!.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('answers 501 with a clear message for an unknown kernelspec, as jupyter_server does', async () => {
    const r = await api(ts, 'api/sessions', { method: 'POST', body: JSON.stringify({ path: 'a.ipynb', type: 'notebook', kernel: { name: 'cobol' } }) });
    expect(r.status).toBe(501);
    expect(await r.json()).toMatchObject({ message: expect.stringMatching(/The 'cobol' kernel is not available/) });
  });

  it('PATCH with an unknown kernel id is a 400 and changes nothing', async () => {
    const s = await sessions.startNew({ path: 'p.ipynb', name: 'p.ipynb', type: 'notebook', kernel: { name: 'python3' } });
    const r = await api(ts, `api/sessions/${s.id}`, { method: 'PATCH', body: JSON.stringify({ kernel: { id: 'nope' } }) });
    expect(r.status).toBe(400);
    const after = (await (await api(ts, `api/sessions/${s.id}`)).json()) as { kernel: { id: string } };
    expect(after.kernel.id).toBe(s.kernel!.id);
    await s.shutdown();
  });
});
