import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeLauncherContract } from '@workbench/launcher/contract';
import { LocalLauncher } from './local-launcher';
import type { SandboxConfig } from './sandbox';

const sandbox = (workspace: string, extra: Partial<SandboxConfig> = {}): SandboxConfig => ({
  mode: 'bubblewrap',
  onMissing: 'refuse',
  network: false,
  uid: 1000,
  gid: 1000,
  readOnlyPaths: [],
  workspace,
  ...extra,
});

describeLauncherContract('local', (runtimeDir) => new LocalLauncher({ runtimeDir }));

// The same contract inside bubblewrap with the network off (the probe reports over a Unix socket in
// its working directory, which is the sandbox's workspace).
describeLauncherContract('local, sandboxed (bubblewrap, network off, cgroup limits)', (runtimeDir) => new LocalLauncher({ runtimeDir, sandbox: sandbox(dirname(runtimeDir)), defaultResources: { memoryLimitBytes: 512 * 1024 ** 2, pidsLimit: 64 } }));

describe('a sandbox whose tools are missing', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-nosandbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const request = () => ({ kernelId: 'k1', argv: ['/bin/true'], env: { PATH: '/usr/bin:/bin' }, cwd: dir, key: 'k', signatureScheme: 'hmac-sha256', kernelName: 'probe' });

  it('refuses to start kernels, saying what is missing, when the policy is "refuse"', async () => {
    const launcher = new LocalLauncher({ runtimeDir: join(dir, 'runtime'), sandbox: sandbox(dir, { bwrapPath: '/nonexistent/bwrap' }) });
    const status = (await launcher.sandboxStatus())!;
    expect(status).toMatchObject({ active: false, refuse: true });
    expect(status.summary).toMatch(/UNAVAILABLE, kernels will not start.*\/nonexistent\/bwrap not found \(Debian package "bubblewrap"\)/);
    await expect(launcher.start(request())).rejects.toMatchObject({ code: 'kernel_launch_failed', message: expect.stringMatching(/sandbox is unavailable.*bubblewrap/) });
  });

  it('runs kernels unsandboxed, and says so, when the policy is "unsandboxed"', async () => {
    const launcher = new LocalLauncher({ runtimeDir: join(dir, 'runtime'), sandbox: sandbox(dir, { bwrapPath: '/nonexistent/bwrap', onMissing: 'unsandboxed' }) });
    const status = (await launcher.sandboxStatus())!;
    expect(status).toMatchObject({ active: false, refuse: false });
    expect(status.summary).toMatch(/kernels run UNSANDBOXED/);
    const proc = await launcher.start(request());
    await expect(proc.wait()).resolves.toMatchObject({ code: 0 });
    await proc[Symbol.asyncDispose]();
  });
});

describe('a sandbox without cgroups', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-rlimit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('still holds the memory limit, with prlimit (address space): a big allocation fails with MemoryError', async () => {
    const launcher = new LocalLauncher({ runtimeDir: join(dir, 'runtime'), sandbox: sandbox(dir, { cgroups: false }), defaultResources: { memoryLimitBytes: 256 * 1024 ** 2 } });
    expect((await launcher.sandboxStatus())!.summary).toMatch(/no cgroups: memory via prlimit only/);
    const code = "import sys\ntry:\n    b = b'x' * (600 * 1024 * 1024)\nexcept MemoryError:\n    print('MemoryError', file=sys.stderr)\n    sys.exit(7)\n";
    const proc = await launcher.start({ kernelId: 'k1', argv: ['/usr/bin/python3', '-c', code, '{connection_file}'], env: { PATH: '/usr/bin:/bin' }, cwd: dir, key: 'k', signatureScheme: 'hmac-sha256', kernelName: 'probe' });
    await expect(proc.wait()).resolves.toMatchObject({ code: 7 });
    expect(proc.stderrTail()).toContain('MemoryError');
    await proc[Symbol.asyncDispose]();
  });
});
