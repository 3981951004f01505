/**
 * jupyter_server_config.json is read as traitlets reads it: a section for
 * a base class applies to its subclasses, and the subclass's own section
 * wins. One test per inheritance pair, and the end-to-end case JupyterLab's
 * own test harness needs (MultiKernelManager.default_kernel_name).
 */
import { fromJupyterConfig, TRAITLETS_CHAINS } from './jupyter-config';
import { api, startTestServer } from './testing/harness';

/** Every (base, subclass) pair of a chain, base first. */
function pairs(chain: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < chain.length; i++) for (let j = i + 1; j < chain.length; j++) out.push([chain[i]!, chain[j]!]);
  return out;
}

describe('jupyter_server_config.json with traitlets inheritance', () => {
  describe.each(pairs(TRAITLETS_CHAINS.multiKernel))('kernel managers: %s -> %s', (base, sub) => {
    it('the base section alone applies', () => {
      expect(fromJupyterConfig({ [base]: { default_kernel_name: 'sql', cull_idle_timeout: 60 } })).toMatchObject({ default_kernel: 'sql', kernels: { cull_idle_timeout: 60 } });
    });
    it('the subclass wins key by key, the base keeps the rest', () => {
      const cfg = fromJupyterConfig({ [sub]: { default_kernel_name: 'python3' }, [base]: { default_kernel_name: 'sql', cull_busy: true } });
      expect(cfg.default_kernel).toBe('python3');
      expect(cfg.kernels?.cull_busy).toBe(true);
    });
  });

  describe.each(pairs(TRAITLETS_CHAINS.kernel))('one kernel\'s manager: %s -> %s', (base, sub) => {
    it('shutdown_wait_time comes from the most derived section', () => {
      expect(fromJupyterConfig({ [base]: { shutdown_wait_time: 7 } }).kernels?.shutdown_wait_s).toBe(7);
      expect(fromJupyterConfig({ [base]: { shutdown_wait_time: 7 }, [sub]: { shutdown_wait_time: 2 } }).kernels?.shutdown_wait_s).toBe(2);
    });
  });

  describe.each(pairs(TRAITLETS_CHAINS.server))('the server app: %s -> %s', (base, sub) => {
    it('ip, port, base_url and log_level come from the most derived section', () => {
      expect(fromJupyterConfig({ [base]: { ip: '0.0.0.0', port: 9999, log_level: 'DEBUG' } })).toMatchObject({ ip: '0.0.0.0', port: 9999, log_level: 'debug' });
      const cfg = fromJupyterConfig({ [base]: { ip: '0.0.0.0', port: 9999, log_level: 10 }, [sub]: { ip: '127.0.0.2', log_level: 'WARN' } });
      expect(cfg).toMatchObject({ ip: '127.0.0.2', port: 9999, log_level: 'warn' });
    });
  });

  describe.each(pairs(TRAITLETS_CHAINS.identity))('the identity provider: %s -> %s', (base, sub) => {
    it('the token comes from the most derived section and beats ServerApp.token', () => {
      expect(fromJupyterConfig({ [base]: { token: 'a' }, ServerApp: { token: 'old' } }).token).toBe('a');
      expect(fromJupyterConfig({ [base]: { token: 'a' }, [sub]: { token: 'b' } }).token).toBe('b');
    });
  });

  describe.each(pairs(TRAITLETS_CHAINS.contents))('contents managers: %s -> %s', (base, sub) => {
    it('allow_hidden and root_dir come from the most derived section', () => {
      expect(fromJupyterConfig({ [base]: { allow_hidden: true, root_dir: '/srv/a' } })).toMatchObject({ contents: { allow_hidden: true }, root_dir: '/srv/a' });
      expect(fromJupyterConfig({ [base]: { allow_hidden: true, root_dir: '/srv/a' }, [sub]: { allow_hidden: false, root_dir: '/srv/b' } })).toMatchObject({ contents: { allow_hidden: false }, root_dir: '/srv/b' });
    });
  });

  it('KernelSpecManager has no configurable base of its own: allowed_kernelspecs, and its deprecated name whitelist', () => {
    expect(TRAITLETS_CHAINS.kernelSpecs).toEqual(['KernelSpecManager']);
    expect(fromJupyterConfig({ KernelSpecManager: { allowed_kernelspecs: ['python3'] } }).kernels?.allowed_kernelspecs).toEqual(['python3']);
    expect(fromJupyterConfig({ KernelSpecManager: { whitelist: ['sql'] } }).kernels?.allowed_kernelspecs).toEqual(['sql']);
    expect(fromJupyterConfig({ KernelSpecManager: { allowed_kernelspecs: [] } }).kernels).toBeUndefined();
  });

  it('ServerApp.root_dir wins over the contents manager\'s root_dir', () => {
    expect(fromJupyterConfig({ ServerApp: { root_dir: '/srv/app' }, FileContentsManager: { root_dir: '/srv/cm' } }).root_dir).toBe('/srv/app');
  });

  it('ignores values of the wrong type rather than guessing', () => {
    expect(fromJupyterConfig({ MultiKernelManager: { default_kernel_name: 3, cull_idle_timeout: 'soon' }, ServerApp: 'not a section' })).toEqual({});
  });

  it('MultiKernelManager.default_kernel_name (as JupyterLab\'s test harness writes it) changes GET /api/kernelspecs default', async () => {
    const ts = await startTestServer([], process.env, undefined, { jupyterConfig: { MultiKernelManager: { default_kernel_name: 'sql' } } });
    try {
      const specs = (await (await api(ts, '/api/kernelspecs')).json()) as { default: string; kernelspecs: Record<string, unknown> };
      expect(specs.kernelspecs).toHaveProperty('sql');
      expect(specs.default).toBe('sql');
    } finally {
      await ts[Symbol.asyncDispose]();
    }
  });

  it('KernelSpecManager.allowed_kernelspecs limits what is listed and what can start', async () => {
    const ts = await startTestServer([], process.env, undefined, { jupyterConfig: { KernelSpecManager: { allowed_kernelspecs: ['sql'] } } });
    try {
      const specs = (await (await api(ts, '/api/kernelspecs')).json()) as { default: string; kernelspecs: Record<string, unknown> };
      expect(Object.keys(specs.kernelspecs)).toEqual(['sql']);
      expect(specs.default).toBe('sql');
      const res = await api(ts, '/api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3' }) });
      expect(res.status).toBe(404);
    } finally {
      await ts[Symbol.asyncDispose]();
    }
  });
});
