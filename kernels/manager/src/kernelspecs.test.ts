import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jupyterKernelDirs, KernelSpecManager, kernelSpecModel } from './kernelspecs';
import { PythonResolver } from './python-interpreter';
import { buildKernelEnv, DEFAULT_ENV_POLICY } from './kernel-env';

describe('kernelspec discovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-ks-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (base: string, name: string, spec: object, logo = false) => {
    await mkdir(join(dir, base, 'kernels', name), { recursive: true });
    await writeFile(join(dir, base, 'kernels', name, 'kernel.json'), JSON.stringify(spec));
    if (logo) await writeFile(join(dir, base, 'kernels', name, 'logo-64x64.png'), 'png');
  };

  it('searches JUPYTER_PATH, then the user dir, then system dirs', () => {
    expect(jupyterKernelDirs({ JUPYTER_PATH: '/a:/b', JUPYTER_DATA_DIR: '/u' }, '/home/x')).toEqual(['/a/kernels', '/b/kernels', '/u/kernels', '/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels']);
    expect(jupyterKernelDirs({}, '/home/x')[0]).toBe('/home/x/.local/share/jupyter/kernels');
  });

  it('lets the first directory win, lowercases names, lists logos as jupyter_server does', async () => {
    await write('first', 'MyKernel', { argv: ['a', '{connection_file}'], display_name: 'First', language: 'x' }, true);
    await write('second', 'mykernel', { argv: ['b'], display_name: 'Second', language: 'x' });
    const m = new KernelSpecManager({ dirs: [join(dir, 'first', 'kernels'), join(dir, 'second', 'kernels')] });
    const spec = await m.get('mykernel');
    expect(spec.spec.display_name).toBe('First');
    expect(kernelSpecModel(spec, '/base/').resources).toEqual({ 'logo-64x64': '/base/kernelspecs/mykernel/logo-64x64.png' });
    await expect(m.resourcePath('mykernel', '../kernel.json')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects invalid specs without hiding the valid ones', async () => {
    await write('d', 'good', { argv: ['x'], display_name: 'Good', language: 'x' });
    await write('d', 'noargv', { display_name: 'Bad', language: 'x' });
    await write('d', 'badmode', { argv: ['x'], display_name: 'Bad', language: 'x', interrupt_mode: 'shout' });
    const m = new KernelSpecManager({ dirs: [join(dir, 'd', 'kernels')] });
    expect([...(await m.list()).keys()]).toEqual(['good']);
  });

  it('runs a "python3" kernelspec with the interpreter that actually has ipykernel', async () => {
    await write('d', 'py', { argv: ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], display_name: 'Py', language: 'python' });
    await writeFile(join(dir, 'no-ipykernel'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const resolver = new PythonResolver([join(dir, 'no-ipykernel'), '/usr/bin/python3']);
    const m = new KernelSpecManager({ dirs: [join(dir, 'd', 'kernels')], transform: (s) => resolver.transform(s) });
    expect((await m.get('py')).spec.argv).toEqual(['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}']);
  });
});

describe('kernel environment', () => {
  it('passes KERNEL_* and allow-listed keys, never the server secrets', () => {
    const { env, rejected } = buildKernelEnv({
      policy: DEFAULT_ENV_POLICY,
      serverEnv: { PATH: '/bin', JUPYTER_TOKEN: 'secret', PGPASSWORD: 'pw', LC_ALL: 'C' },
      specEnv: { FROM_SPEC: '1' },
      requestEnv: { KERNEL_USERNAME: 'ada', KERNEL_CPUS: '2', LD_PRELOAD: '/evil.so', JPY_SESSION_NAME: 'n.ipynb' },
    });
    expect(env).toEqual({ PATH: '/bin', LC_ALL: 'C', FROM_SPEC: '1', KERNEL_USERNAME: 'ada', KERNEL_CPUS: '2', JPY_SESSION_NAME: 'n.ipynb' });
    expect(rejected).toEqual(['LD_PRELOAD']);
  });
});
