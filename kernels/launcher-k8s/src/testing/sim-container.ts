/**
 * One container of a simulated pod as a local process: its command and
 * args (paths under a mount point rewritten to the host directory behind
 * it), its workingDir the same way, exactly its env, its own process group.
 * When PID 1 ends, the whole group is killed (a container's pid namespace
 * dies with its init), and the result is reported once its output pipes
 * have closed, so the log is complete when the termination is recorded.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { constants } from 'node:os';

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}

export interface ContainerResult {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
}

export interface ContainerHooks {
  /** The pod is going away: do not start. */
  cancelled(): boolean;
  spawned(child: ChildProcess): void;
  started(): void;
  output(text: string): void;
  ended(): void;
  oomKilled(): boolean;
}

export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}

/** Run `c` with its volumes (volume name -> host directory) until it ends. */
export async function runContainerProcess(c: Container, volumes: ReadonlyMap<string, string>, podDir: string, hooks: ContainerHooks): Promise<ContainerResult> {
  const mounts = (c.volumeMounts ?? []).map((m) => ({ mountPath: m.mountPath.replace(/\/+$/, ''), host: m.subPath ? join(volumes.get(m.name)!, m.subPath) : volumes.get(m.name)! }));
  for (const m of mounts) await mkdir(m.host, { recursive: true });
  mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mapPath = (p: string) => {
    const m = mounts.find((x) => p === x.mountPath || p.startsWith(`${x.mountPath}/`));
    return m ? m.host + p.slice(m.mountPath.length) : p;
  };
  const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => (a.startsWith('/') ? mapPath(a) : a));
  const cwd = c.workingDir ? mapPath(c.workingDir) : join(podDir, 'root');
  await mkdir(cwd, { recursive: true });
  const startedAt = now();
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  return new Promise<ContainerResult>((resolve) => {
    if (hooks.cancelled()) return resolve({ exitCode: 137, reason: 'Error', startedAt });
    const child = spawn(argv[0] ?? '', argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    hooks.spawned(child);
    let finished = false;
    const finish = (r: ContainerResult) => {
      if (finished) return;
      finished = true;
      hooks.ended();
      resolve(r);
    };
    child.stdout!.on('data', (d: Buffer) => hooks.output(d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => hooks.output(d.toString('utf8')));
    child.once('spawn', () => hooks.started());
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      const what = err.code === 'ENOENT' ? `stat ${argv[0]}: no such file or directory` : err.message;
      finish({ exitCode: 128, reason: 'StartError', message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${argv[0]}": ${what}: unknown`, startedAt });
    });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let fallback: NodeJS.Timeout | undefined;
    const done = () => {
      if (!exit) return;
      clearTimeout(fallback);
      const exitCode = exit.code ?? 128 + (constants.signals[exit.signal!] ?? 9);
      finish({ exitCode, reason: hooks.oomKilled() ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error', startedAt });
    };
    child.once('exit', (code, signal) => {
      killGroup(child.pid, 'SIGKILL');
      exit = { code, signal };
      // A process that left the group may hold the pipes: do not wait for them for ever.
      fallback = setTimeout(done, 2000);
    });
    child.once('close', done);
  });
}
