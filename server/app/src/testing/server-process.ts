/**
 * A Workbench server as a child process (bin/workbench.js), for tests that
 * kill it: started on port 0, its URL read from what it prints, killed
 * with SIGKILL, and the kernels it left behind (their connection files
 * live under the test's folder) killed afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'workbench.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

export async function startServerProcess(opts: { dir: string; root: string; config: string; token: string; runtime: string }): Promise<ServerProcess> {
  const env = { ...process.env, JUPYTER_CONFIG_DIR: join(opts.dir, 'cfg'), JUPYTER_RUNTIME_DIR: opts.runtime, WORKBENCH_DATA_DIR: join(opts.dir, 'data') };
  const child = spawn(process.execPath, [BIN, '--port', '0', '--no-browser', '--token', opts.token, '--root-dir', opts.root, '--config', opts.config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)lab/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${err}`)));
  });
  return {
    url,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kills every process whose command line names `dir` (kernels orphaned by a killed server). */
export function killLeftovers(dir: string): void {
  try {
    execFileSync('pkill', ['-KILL', '-f', dir]);
  } catch {
    // pkill exits 1 when nothing matched.
  }
}
