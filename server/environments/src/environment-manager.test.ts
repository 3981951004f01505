/**
 * Real venvs, real pip, a real (local) package index: project A's
 * environment has the package, project B's Python does not, equal
 * requirements reuse the environment, and failures say why.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError, silentLogger } from '@workbench/core';
import type { KernelSpec } from '@workbench/manager';
import { openStore } from '@workbench/store';
import { testDatabases } from '@workbench/store/testing';
import { EnvironmentManager } from './environment-manager';
import { findProject, requirementIncludes } from './project';
import { buildWheel, PackageIndex, servePackageIndex } from './testing/package-index';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

const spec: KernelSpec = {
  name: 'python3',
  resourceDir: '/usr/share/jupyter/kernels/python3',
  spec: { argv: [PYTHON, '-m', 'ipykernel_launcher', '-f', '{connection_file}'], display_name: 'Python 3', language: 'python' },
} as KernelSpec;

async function canImport(python: string, module: string): Promise<boolean> {
  try {
    await run(python, ['-c', `import ${module}`]);
    return true;
  } catch {
    return false;
  }
}

describe('EnvironmentManager', () => {
  let dir: string;
  let root: string;
  let index: PackageIndex;
  let envs: EnvironmentManager;
  const databases = testDatabases('postgres');
  afterAll(() => databases[Symbol.asyncDispose]());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-envs-'));
    root = join(dir, 'root');
    await mkdir(join(root, 'a', 'sub'), { recursive: true });
    await mkdir(join(root, 'b'), { recursive: true });
    await mkdir(join(root, 'c'), { recursive: true });
    await mkdir(join(root, 'bad'), { recursive: true });
    await writeFile(join(root, 'a', 'requirements.txt'), 'wb-demo-pkg==1.0\n');
    await writeFile(join(root, 'c', 'pyproject.toml'), '[project]\nname = "c"\nversion = "0.1"\ndependencies = ["wb-demo-pkg>=1"]\n');
    await writeFile(join(root, 'bad', 'requirements.txt'), 'wb-no-such-package==9.9\n');
    const wheel = await buildWheel(dir, { dist: 'wb-demo-pkg', version: '1.0', pkg: 'wb_demo_pkg', source: 'VALUE = 42\n' });
    index = await servePackageIndex([wheel]);
    // HOME in the test folder: no pip cache shared with anything else.
    envs = new EnvironmentManager({ rootDir: root, envsDir: join(dir, 'envs'), indexUrl: index.url, env: { PATH: process.env.PATH, HOME: dir }, logger: silentLogger });
  });

  afterAll(async () => {
    await envs?.[Symbol.asyncDispose]();
    await index?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the nearest project folder above a notebook, and none outside projects', async () => {
    expect(await findProject(root, 'a/sub/n.ipynb')).toMatchObject({ dir: join(root, 'a'), name: 'a', kind: 'requirements' });
    expect(await findProject(root, 'c/n.ipynb')).toMatchObject({ kind: 'pyproject' });
    expect(await findProject(root, 'b/n.ipynb')).toBeUndefined();
    expect(await findProject(root, '../escape/n.ipynb')).toBeUndefined();
  });

  it("gives project A's kernels a venv that imports the package; B keeps the kernelspec's Python, which cannot", async () => {
    const prepA = await envs.prepareKernel(spec, { path: 'a/sub/n.ipynb' });
    expect(prepA).toBeDefined();
    const python = prepA!.argv![0]!;
    expect(python).toMatch(new RegExp(`^${join(dir, 'envs')}/a-[0-9a-f]{16}/bin/python$`));
    expect(prepA!.argv!.slice(1)).toEqual(['-m', 'ipykernel_launcher', '-f', '{connection_file}']);
    expect(prepA!.env).toMatchObject({ PIP_INDEX_URL: index.url, VIRTUAL_ENV: join(python, '..', '..') });
    expect(prepA!.writablePaths).toEqual([join(python, '..', '..')]);
    const { stdout } = await run(python, ['-c', 'import wb_demo_pkg, ipykernel; print(wb_demo_pkg.VALUE)']);
    expect(stdout.trim()).toBe('42');

    expect(await envs.prepareKernel(spec, { path: 'b/n.ipynb' })).toBeUndefined();
    expect(await canImport(PYTHON, 'wb_demo_pkg')).toBe(false);
    // Not a Python kernel, or no notebook path: unchanged.
    expect(await envs.prepareKernel({ ...spec, spec: { ...spec.spec, language: 'sql', argv: ['node', 'sql.js'] } }, { path: 'a/n.ipynb' })).toBeUndefined();
    expect(await envs.prepareKernel(spec, { path: undefined })).toBeUndefined();
  });

  it('reuses the environment for the same requirements (no second pip run) and builds a new one when they change', async () => {
    const before = index.downloads;
    const project = (await findProject(root, 'a/n.ipynb'))!;
    const [e1, e2] = await Promise.all([envs.ensure(project, PYTHON), envs.ensure(project, PYTHON)]);
    expect(e1.dir).toBe(e2.dir);
    const built = (await stat(join(e1.dir, '.workbench-env.json'))).mtimeMs;
    const e3 = await envs.ensure(project, PYTHON);
    expect(e3.dir).toBe(e1.dir);
    expect((await stat(join(e1.dir, '.workbench-env.json'))).mtimeMs).toBe(built);
    expect(index.downloads).toBe(before);

    await writeFile(join(root, 'a', 'requirements.txt'), 'wb-demo-pkg==1.0\n# changed\n');
    const e4 = await envs.ensure(project, PYTHON);
    expect(e4.dir).not.toBe(e1.dir);
    expect(index.downloads).toBe(before + 1);
    expect((await readdir(join(dir, 'envs'))).filter((n) => n.startsWith('a-') && !n.endsWith('.log'))).toHaveLength(2);
    await writeFile(join(root, 'a', 'requirements.txt'), 'wb-demo-pkg==1.0\n');
  });

  it('follows -r and -c includes to any depth (relative to the including file; missing ones listed; URLs and cycles left alone)', async () => {
    const p = join(dir, 'inc');
    await mkdir(join(p, 'reqs'), { recursive: true });
    await writeFile(join(p, 'reqs', 'base.txt'), 'wb-demo-pkg==1.0\n-c constraints.txt\n-r ../requirements.txt\n');
    await writeFile(join(p, 'reqs', 'constraints.txt'), 'wb-demo-pkg<2\n');
    const top = '-r reqs/base.txt  # shared\n--requirement=missing.txt\n-rhttps://example.org/r.txt\nrequests-cache==1\n';
    await writeFile(join(p, 'requirements.txt'), top);
    expect(await requirementIncludes(join(p, 'requirements.txt'), top)).toEqual([
      { path: join(p, 'reqs', 'base.txt'), text: 'wb-demo-pkg==1.0\n-c constraints.txt\n-r ../requirements.txt\n' },
      { path: join(p, 'missing.txt'), text: null },
      { path: join(p, 'reqs', 'constraints.txt'), text: 'wb-demo-pkg<2\n' },
    ]);
  });

  it('builds a new environment when a file the requirements include with -r changes', async () => {
    await mkdir(join(root, 'nested'), { recursive: true });
    await writeFile(join(root, 'nested', 'requirements.txt'), '-r base.txt\n');
    await writeFile(join(root, 'nested', 'base.txt'), 'wb-demo-pkg==1.0\n');
    const project = (await findProject(root, 'nested/n.ipynb'))!;
    await using own = new EnvironmentManager({ rootDir: root, envsDir: join(dir, 'envs-nested'), indexUrl: index.url, env: { PATH: process.env.PATH, HOME: dir }, logger: silentLogger });
    const first = await own.ensure(project, PYTHON);
    const { stdout } = await run(first.python, ['-c', 'import wb_demo_pkg; print(wb_demo_pkg.VALUE)']);
    expect(stdout.trim()).toBe('42');
    expect((await own.ensure(project, PYTHON)).dir).toBe(first.dir);
    await writeFile(join(root, 'nested', 'base.txt'), 'wb-demo-pkg==1.0\n# pinned for the close\n');
    const second = await own.ensure(project, PYTHON);
    expect(second.dir).not.toBe(first.dir);
    // The environment of the requirements as they are now: the first is superseded.
    expect((await own.list()).map((e) => [e.id, e.current])).toEqual(expect.arrayContaining([[first.dir.split('/').pop(), false], [second.dir.split('/').pop(), true]]));
  });

  it('reads [project] dependencies from pyproject.toml', async () => {
    const prep = await envs.prepareKernel(spec, { path: 'c/n.ipynb' });
    const { stdout } = await run(prep!.argv![0]!, ['-c', 'import wb_demo_pkg; print(wb_demo_pkg.VALUE)']);
    expect(stdout.trim()).toBe('42');
  });

  it('says which requirements cannot be installed, with pip\'s words, and leaves no environment behind', async () => {
    const err = (await envs.prepareKernel(spec, { path: 'bad/n.ipynb' }).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('kernel_launch_failed');
    expect(err.message).toMatch(/^Cannot build the Python environment of project "bad": its requirements \(requirements.txt\) cannot be installed/);
    expect(err.message).toMatch(/No matching distribution found for wb-no-such-package==9.9/);
    expect((await readdir(join(dir, 'envs'))).filter((n) => n.startsWith('bad-') && !n.endsWith('.log'))).toEqual([]);
  });

  it('says when the package index cannot be reached', async () => {
    // A port nothing listens on: the index of a stopped server.
    const gone = await servePackageIndex([]);
    const url = gone.url;
    await gone[Symbol.asyncDispose]();
    // pip retries a refused connection 5 times with backoff by default; once is enough here.
    const offline = new EnvironmentManager({ rootDir: root, envsDir: join(dir, 'envs-offline'), indexUrl: url, env: { PATH: process.env.PATH, HOME: dir, PIP_RETRIES: '0' }, logger: silentLogger });
    try {
      const project = (await findProject(root, 'a/n.ipynb'))!;
      const err = (await offline.ensure(project, PYTHON).catch((e: unknown) => e)) as AppError;
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('unavailable');
      expect(err.message).toContain(`the package index ${url} cannot be reached`);
    } finally {
      await offline[Symbol.asyncDispose]();
    }
  });

  it('lists the environments; prune deletes a superseded one once unused for the keep period, never a current one or one in use', async () => {
    const DAY = 24 * 60 * 60_000;
    let now = Date.now();
    let inUse = new Set<string>();
    const house = new EnvironmentManager({ rootDir: root, envsDir: join(dir, 'envs'), indexUrl: index.url, env: { PATH: process.env.PATH, HOME: dir }, logger: silentLogger, now: () => now, inUse: async () => inUse });
    try {
      const list = await house.list();
      // a: the environment of its requirements now, and the one of the changed requirements (superseded); c: current.
      expect(list.map((e) => `${e.project}:${e.current}`).sort()).toEqual(['a:false', 'a:true', 'c:true']);
      const old = list.find((e) => e.project === 'a' && !e.current)!;
      expect(old).toMatchObject({ file: 'a/requirements.txt', inUse: false });
      expect(old.sizeBytes).toBeGreaterThan(1000);

      expect(await house.prune(7 * DAY)).toEqual([]); // used (built) within the week
      now += 8 * DAY;
      inUse = new Set([join(dir, 'envs', old.id)]);
      expect(await house.prune(7 * DAY)).toEqual([]); // a kernel runs in it
      await expect(house.remove(old.id)).rejects.toMatchObject({ code: 'conflict', message: `Cannot delete environment ${old.id}: a running kernel uses it (shut it down first)` });
      inUse = new Set();
      await mkdir(join(dir, 'envs', 'x-0123456789abcdef')); // what an interrupted build leaves
      expect((await house.prune(7 * DAY)).sort()).toEqual([old.id, 'x-0123456789abcdef'].sort());
      const after = await house.list();
      expect(after.map((e) => `${e.project}:${e.current}`).sort()).toEqual(['a:true', 'c:true']);
      await expect(house.remove('../etc')).rejects.toMatchObject({ code: 'not_found' });
      await expect(house.remove(old.id)).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await house[Symbol.asyncDispose]();
    }
  });

  it('sees which environment a running process uses (from /proc)', async () => {
    const project = (await findProject(root, 'a/n.ipynb'))!;
    const env = await envs.ensure(project, PYTHON);
    const child = spawn(env.python, ['-c', 'import sys; sys.stdin.read()'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise<void>((res, rej) => child.once('spawn', res).once('error', rej));
      const listed = (await envs.list()).find((e) => join(dir, 'envs', e.id) === env.dir)!;
      expect(listed.inUse).toBe(true);
    } finally {
      const exited = new Promise((res) => child.once('exit', res));
      child.stdin!.end();
      await exited;
    }
    expect((await envs.list()).find((e) => join(dir, 'envs', e.id) === env.dir)!.inUse).toBe(false);
  });

  it('two servers sharing envsDir with the metadata store’s locks (two replicas on PostgreSQL): one builds while the other waits and uses it; prune leaves a build in progress alone', async () => {
    await mkdir(join(root, 'shared'), { recursive: true });
    await writeFile(join(root, 'shared', 'requirements.txt'), 'wb-demo-pkg==1.0\n');
    const options = await databases.create();
    await using one = await openStore(options);
    await using two = await openStore(options);
    const lockOf = (store: typeof one) => ({ hold: (name: string, signal?: AbortSignal) => store.holdLock(name, signal), tryHold: (name: string) => store.tryHoldLock(name) });
    // Each server its own HOME (no pip cache in common): two builds would download the package twice.
    const server = (store: typeof one, home: string) =>
      new EnvironmentManager({ rootDir: root, envsDir: join(dir, 'envs-shared'), indexUrl: index.url, env: { PATH: process.env.PATH, HOME: home }, logger: silentLogger, locks: lockOf(store), inUse: async () => new Set() });
    await mkdir(join(dir, 'home-1'));
    await mkdir(join(dir, 'home-2'));
    await using first = server(one, join(dir, 'home-1'));
    await using second = server(two, join(dir, 'home-2'));
    const project = (await findProject(root, 'shared/n.ipynb'))!;
    const before = index.downloads;
    const [e1, e2] = await Promise.all([first.ensure(project, PYTHON), second.ensure(project, PYTHON)]);
    expect(e2.dir).toBe(e1.dir);
    expect(index.downloads).toBe(before + 1);
    const { stdout } = await run(e2.python, ['-c', 'import wb_demo_pkg; print(wb_demo_pkg.VALUE)']);
    expect(stdout.trim()).toBe('42');

    // Another server is building x (it holds its lock; no marker yet): prune here leaves it; once that ends, it is an interrupted build.
    const building = join(dir, 'envs-shared', 'x-0123456789abcdef');
    await mkdir(building);
    const release = await one.holdLock('environment:x-0123456789abcdef');
    expect(await second.prune(0)).toEqual([]);
    expect((await stat(building)).isDirectory()).toBe(true);
    await release();
    expect(await second.prune(0)).toEqual(['x-0123456789abcdef']);
  });
});
