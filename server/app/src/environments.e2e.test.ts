/**
 * Issue 17 (PRD NB-002), done means: a notebook in project A imports a
 * package installed only in A's environment; project B cannot import it; the
 * sandbox still applies. Through the real server: kernels started over the
 * REST API for notebooks in two project folders, real venvs built by real
 * pip from a package index served by this test, real bubblewrap.
 *
 * The sandbox gets the network here (sandbox.network) so that %pip in a
 * kernel reaches the test's index on loopback; everything else of the
 * sandbox is as by default.
 */
import { KernelManager, Kernel } from '@jupyterlab/services';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildWheel, PackageIndex, servePackageIndex } from '@workbench/environments/testing/package-index';
import { runCell } from './testing/run-cell';
import { api, startTestServer, TestServer } from './testing/harness';
import { notebookJson, pipelineId, runEnded, writeWorkspace } from './testing/pipelines';

const VERA = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const ANNA = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };

describe('per-project Python environments, through the server', () => {
  let dir: string;
  let index: PackageIndex;
  let ts: TestServer;
  let manager: KernelManager;

  async function startKernel(path: string): Promise<Kernel.IKernelConnection> {
    const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', path }) });
    expect(res.status).toBe(201);
    const k = manager.connectTo({ model: (await res.json()) as Kernel.IModel });
    await k.info;
    return k;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-envs-e2e-'));
    const demo = await buildWheel(dir, { dist: 'wb-demo-pkg', version: '1.0', pkg: 'wb_demo_pkg', source: 'VALUE = "only in A"\n' });
    const other = await buildWheel(dir, { dist: 'wb-other-pkg', version: '2.0', pkg: 'wb_other_pkg', source: 'VALUE = "pip-installed"\n' });
    index = await servePackageIndex([demo, other]);
    ts = await startTestServer([], process.env, { environments: { index_url: index.url }, sandbox: { network: true } }, { users: [VERA, ANNA] });
    for (const p of ['a', 'b', 'bad']) await mkdir(join(ts.rootDir, p), { recursive: true });
    await writeFile(join(ts.rootDir, 'a', 'requirements.txt'), 'wb-demo-pkg==1.0\n');
    await writeFile(join(ts.rootDir, 'bad', 'requirements.txt'), 'wb-demo-pkg==7.0\n');
    manager = new KernelManager({ serverSettings: ts.settings });
  });

  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
    await index?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs A's notebook in A's environment, inside the sandbox; B cannot import A's package; %pip in A installs into A only", async () => {
    const { dataDir } = ts.wb.config;
    const envsDir = join(dataDir, 'envs');
    const a = await startKernel('a/analysis.ipynb');
    const b = await startKernel('b/analysis.ipynb');

    expect(await runCell(a, 'import wb_demo_pkg; print(wb_demo_pkg.VALUE)')).toEqual({ stdout: 'only in A', error: undefined });
    expect((await runCell(b, 'import wb_demo_pkg')).error).toBe("ModuleNotFoundError: No module named 'wb_demo_pkg'");

    const envA = (await readdir(envsDir)).find((n) => n.startsWith('a-') && !n.endsWith('.log'))!;
    expect(envA).toBeDefined();
    // The sandbox still applies: uid 1000, its own environment visible and nothing else of the
    // server's data folder (keys, database, other environments), the system read-only.
    const probe = [
      'import os, sys, json',
      'out = {"prefix": sys.prefix, "uid": os.getuid()}',
      `out["data"] = sorted(os.listdir(${JSON.stringify(dataDir)}))`,
      `out["envs"] = sorted(os.listdir(${JSON.stringify(envsDir)}))`,
      `out["keys"] = os.path.exists(${JSON.stringify(join(dataDir, 'secret-keys.json'))})`,
      'try:',
      '    open("/usr/lib/python3/dist-packages/wb_evil.py", "w")',
      '    out["usr"] = "written"',
      'except OSError as e:',
      '    out["usr"] = type(e).__name__',
      'print(json.dumps(out))',
    ].join('\n');
    const seen = JSON.parse((await runCell(a, probe)).stdout) as Record<string, unknown>;
    expect(seen).toEqual({ prefix: join(envsDir, envA), uid: 1000, data: ['envs'], envs: [envA], keys: false, usr: 'OSError' });

    // %pip is the venv's pip (sys.executable -m pip): it writes into A's environment.
    const pip = await runCell(a, '%pip install wb-other-pkg==2.0');
    expect(pip.error).toBeUndefined();
    expect(pip.stdout).toMatch(/Successfully installed wb-other-pkg-2.0/);
    expect((await runCell(a, 'import importlib; importlib.invalidate_caches(); import wb_other_pkg; print(wb_other_pkg.__file__)')).stdout).toBe(
      join(envsDir, envA, 'lib', 'python3.11', 'site-packages', 'wb_other_pkg', '__init__.py'),
    );
    expect((await runCell(b, 'import wb_other_pkg')).error).toBe("ModuleNotFoundError: No module named 'wb_other_pkg'");

    // A second kernel of project A reuses the environment, with what %pip added.
    const a2 = await startKernel('a/other.ipynb');
    expect((await runCell(a2, 'import wb_demo_pkg, wb_other_pkg; print(wb_other_pkg.VALUE)')).stdout).toBe('pip-installed');
    expect((await readdir(envsDir)).filter((n) => n.startsWith('a-') && !n.endsWith('.log'))).toEqual([envA]);
    await Promise.all([a.shutdown(), b.shutdown(), a2.shutdown()]);
    expect(basename(envA)).toMatch(/^a-[0-9a-f]{16}$/);
  });

  it("runs a pipeline's notebook task of project A in A's environment (the executor starts kernels through the same manager)", async () => {
    await writeWorkspace(ts, {
      'a/job.ipynb': notebookJson('python3', [{ source: 'import sys, wb_demo_pkg\nprint(wb_demo_pkg.VALUE, sys.prefix.startswith(' + JSON.stringify(join(ts.wb.config.dataDir, 'envs')) + '))' }]),
      'a/job.pipeline.yaml': 'name: In A\ntasks:\n  job: { notebook: a/job.ipynb }\n',
      'b/job.ipynb': notebookJson('python3', [{ source: 'import wb_demo_pkg' }]),
      'b/job.pipeline.yaml': 'name: In B\ntasks:\n  job: { notebook: b/job.ipynb }\n',
    });
    const inA = await runEnded(ts, (await ts.wb.pipelines.runNow(await pipelineId(ts, 'a/job.pipeline.yaml'), { by: 'test' })).id);
    expect(inA.status).toBe('succeeded');
    const out = JSON.parse(await readFile(join(ts.rootDir, inA.tasks[0]!.outputPath!), 'utf8')) as { cells: { outputs: { text?: string | string[] }[] }[] };
    expect(out.cells[0]!.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))).toEqual(['only in A True\n']);
    const inB = await runEnded(ts, (await ts.wb.pipelines.runNow(await pipelineId(ts, 'b/job.pipeline.yaml'), { by: 'test' })).id);
    expect(inB.status).toBe('failed');
    expect(inB.tasks[0]!.error).toContain("No module named 'wb_demo_pkg'");
  });

  it('refuses to start a kernel whose project requirements cannot be installed, saying why', async () => {
    const res = await api(ts, 'api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', path: 'bad/n.ipynb' }) });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { message: string };
    expect(body.message).toMatch(/Cannot build the Python environment of project "bad": its requirements \(requirements.txt\) cannot be installed/);
    expect(body.message).toMatch(/No matching distribution found for wb-demo-pkg==7.0/);
  });

  it('lists the environments with the one a kernel uses; deleting it waits for the kernel to end; the next kernel builds it again', async () => {
    const a = await startKernel('a/again.ipynb');
    const list = async (token?: string) => {
      const res = await api(ts, 'api/environments', token ? { token } : {});
      return { status: res.status, body: (await res.json()) as Array<{ id: string; project: string; current: boolean; inUse: boolean; sizeBytes: number }> };
    };
    expect((await list(VERA.token)).status).toBe(403);
    const seen = await list(ANNA.token);
    expect(seen.status).toBe(200);
    const envA = seen.body.find((e) => e.project === 'a')!;
    expect(envA).toMatchObject({ current: true, inUse: true });
    expect(envA.sizeBytes).toBeGreaterThan(0);

    expect((await api(ts, `api/environments/${envA.id}`, { method: 'DELETE', token: ANNA.token })).status).toBe(403);
    const busy = await api(ts, `api/environments/${envA.id}`, { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { message: string }).message).toBe(`Cannot delete environment ${envA.id}: a running kernel uses it (shut it down first)`);
    // Prune never takes the environment a project's requirements name now.
    const pruned = await api(ts, 'api/environments/prune', { method: 'POST', body: JSON.stringify({ keep_days: 0 }) });
    expect(((await pruned.json()) as { removed: string[] }).removed).not.toContain(envA.id);
    expect((await api(ts, 'api/environments/prune', { method: 'POST', body: JSON.stringify({ keep_days: 'soon' }) })).status).toBe(400);

    await a.shutdown();
    expect((await api(ts, `api/environments/${envA.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await list()).body.map((e) => e.id)).not.toContain(envA.id);
    const again = await startKernel('a/again.ipynb');
    expect(await runCell(again, 'import wb_demo_pkg; print(wb_demo_pkg.VALUE)')).toEqual({ stdout: 'only in A', error: undefined });
    await again.shutdown();
  });
});
