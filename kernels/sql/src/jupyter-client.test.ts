/**
 * Proof that the sql kernel is a real Jupyter kernel: Debian's stock
 * jupyter_client (Python) starts it from an installed kernelspec and runs
 * a query. Needs the built lib (npm test builds first).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installKernelSpec } from './install';

const SCRIPT = `
import jupyter_client
km, kc = jupyter_client.manager.start_new_kernel(kernel_name='sql', startup_timeout=60)
out = []
def hook(msg):
    if msg['msg_type'] == 'execute_result':
        out.append(msg['content']['data']['text/plain'])
try:
    reply = kc.execute_interactive("SELECT 40 + 2 AS answer", timeout=60, output_hook=hook)
    print('STATUS', reply['content']['status'])
    print(out[0])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
`;

describe('stock jupyter_client', () => {
  it('starts the sql kernelspec and runs a query', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wb-jc-'));
    try {
      await installKernelSpec(join(dir, 'kernels'));
      const out = await new Promise<string>((resolve, reject) => {
        execFile('/usr/bin/python3', ['-c', SCRIPT], { env: { ...process.env, JUPYTER_PATH: dir, JUPYTER_RUNTIME_DIR: join(dir, 'rt') }, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      expect(out).toMatch(/STATUS ok/);
      expect(out).toMatch(/answer[\s\S]*42/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
