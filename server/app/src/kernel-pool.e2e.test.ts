/**
 * The pre-started kernel pool (`kernels.pool`): a start request takes a
 * kernel that is already idle, which then lives in the notebook's folder
 * with the notebook's session variables (also after a restart); the pool
 * refills; pooled kernels are not listed; requests the pool cannot serve
 * start a kernel of their own.
 */
import { KernelManager, Kernel } from '@jupyterlab/services';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCell } from './testing/run-cell';
import { api, startTestServer, TestServer } from './testing/harness';

describe('a pool of pre-started Python kernels', () => {
  let ts: TestServer;
  let manager: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { kernels: { pool: { python3: 1 } } });
    manager = new KernelManager({ serverSettings: ts.settings });
    await mkdir(join(ts.rootDir, 'reports'));
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  const start = async (body: object) => {
    const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await res.json()) as Kernel.IModel;
  };

  it("hands out an idle kernel that takes on the notebook's folder and session, keeps them across a restart, and refills", async () => {
    await ts.wb.kernels.poolReady('python3');
    expect(ts.wb.kernels.poolCounts()).toEqual({ python3: 1 });
    expect(await (await api(ts, 'api/kernels')).json()).toEqual([]); // pooled kernels are nobody's yet

    const model = await start({ name: 'python3', path: 'reports/month-end.ipynb' });
    expect(model.execution_state).toBe('idle');
    expect(ts.wb.kernels.poolCounts()).toEqual({ python3: 0 });
    const k = manager.connectTo({ model });
    const where = "import os; print(os.getcwd(), os.environ['JPY_SESSION_NAME'])";
    expect((await runCell(k, where)).stdout).toBe(`${join(ts.rootDir, 'reports')} reports/month-end.ipynb`);

    await k.restart();
    expect((await runCell(k, where)).stdout).toBe(`${join(ts.rootDir, 'reports')} reports/month-end.ipynb`);

    await ts.wb.kernels.poolReady('python3');
    const listed = (await (await api(ts, 'api/kernels')).json()) as Kernel.IModel[];
    expect(listed.map((m) => m.id)).toEqual([model.id]);
    await k.shutdown();
  });

  it('starts a kernel of its own for a request with resource limits, leaving the pool alone', async () => {
    await ts.wb.kernels.poolReady('python3');
    const model = await start({ name: 'python3', env: { KERNEL_MEMORY_LIMIT: '1Gi' } });
    expect(ts.wb.kernels.poolCounts()).toEqual({ python3: 1 });
    const k = manager.connectTo({ model });
    expect((await runCell(k, 'import os; print(os.getcwd())')).stdout).toBe(ts.rootDir);
    await k.shutdown();
  });
});
