/**
 * Per-kernel cgroups for memory, CPU and process-count limits, on cgroup v1
 * (one hierarchy per controller: memory, cpu, pids) or v2 (one unified
 * hierarchy with memory.max, cpu.max, pids.max). Kernel groups are made
 * under the server's own group (`<its path>/workbench/<kernel>`), so an
 * outer limit on the server still holds for its kernels.
 *
 * Detection is by trying: a controller counts only if a child group can be
 * created in it here and now; `detectCgroups` says which and why not.
 */
import { mkdir, readFile, rmdir, writeFile, readdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Controller = 'memory' | 'cpu' | 'pids';

export interface CgroupSupport {
  version: 1 | 2 | undefined;
  /** Controllers a kernel group can be limited by. */
  controllers: Controller[];
  /** Why a controller (or cgroups altogether) is not available. */
  missing: string[];
  /** Per controller, the directory under which kernel groups are made. */
  bases: Partial<Record<Controller, string>>;
}

export interface Limits {
  memoryBytes?: number;
  /** CPUs as a fraction (0.5 = half a core). */
  cpus?: number;
  pids?: number;
}

const ROOT = '/sys/fs/cgroup';
const CPU_PERIOD_US = 100_000;

/** The server's own group path per v1 controller, or the v2 path under key ''. */
function ownGroups(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.split(',')) map.set(c, m[2]!);
  }
  return map;
}

async function canMakeChild(base: string): Promise<string | undefined> {
  const probe = join(base, `probe-${process.pid}`);
  try {
    await mkdir(base, { recursive: true });
    await mkdir(probe);
    await rmdir(probe);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

export async function detectCgroups(): Promise<CgroupSupport> {
  const support: CgroupSupport = { version: undefined, controllers: [], missing: [], bases: {} };
  let own: Map<string, string>;
  try {
    own = ownGroups();
  } catch {
    support.missing.push('cgroups: /proc/self/cgroup is not readable');
    return support;
  }
  if (existsSync(join(ROOT, 'cgroup.controllers'))) {
    // Pure v2. Limits need the controllers enabled for our children; a group that holds
    // processes cannot enable them (no internal processes), so kernels go under a sibling.
    support.version = 2;
    const self = own.get('') ?? '/';
    const parent = join(ROOT, self, '..');
    const base = join(parent, 'workbench-kernels');
    const available = (await readFile(join(ROOT, self, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/);
    const why = await canMakeChild(base);
    for (const c of ['memory', 'cpu', 'pids'] as Controller[]) {
      if (why) support.missing.push(`${c}: cannot create ${base} (${why})`);
      else if (!available.includes(c)) support.missing.push(`${c}: not available to this server's cgroup`);
      else {
        try {
          await writeFile(join(base, 'cgroup.subtree_control'), `+${c}`);
          support.controllers.push(c);
          support.bases[c] = base;
        } catch (err) {
          support.missing.push(`${c}: cannot enable it below ${base} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
      }
    }
    return support;
  }
  for (const c of ['memory', 'cpu', 'pids'] as Controller[]) {
    const mount = join(ROOT, c);
    if (!existsSync(join(mount, 'cgroup.procs'))) {
      support.missing.push(`${c}: no cgroup v1 hierarchy at ${mount}`);
      continue;
    }
    support.version = 1;
    const base = join(mount, own.get(c) ?? '/', 'workbench');
    const why = await canMakeChild(base);
    if (why) support.missing.push(`${c}: cannot create groups in ${base} (${why})`);
    else {
      support.controllers.push(c);
      support.bases[c] = base;
    }
  }
  return support;
}

/** One kernel's groups: made before the kernel runs, removed after it ended. */
export class KernelCgroup {
  private readonly dirs: Partial<Record<Controller, string>> = {};

  private constructor(
    private readonly support: CgroupSupport,
    readonly limits: Limits,
  ) {}

  static async create(support: CgroupSupport, name: string, limits: Limits): Promise<KernelCgroup> {
    const g = new KernelCgroup(support, limits);
    const wanted: [Controller, boolean][] = [
      ['memory', limits.memoryBytes !== undefined],
      ['cpu', limits.cpus !== undefined],
      ['pids', limits.pids !== undefined],
    ];
    try {
      for (const [c, want] of wanted) {
        const base = support.bases[c];
        if (!want || !base) continue;
        const dir = join(base, name);
        await mkdir(dir, { recursive: true });
        g.dirs[c] = dir;
        await g.apply(c, dir);
      }
    } catch (err) {
      await g.remove();
      throw err;
    }
    return g;
  }

  private async apply(c: Controller, dir: string): Promise<void> {
    const l = this.limits;
    if (this.support.version === 2) {
      if (c === 'memory') {
        await writeFile(join(dir, 'memory.max'), String(l.memoryBytes));
        await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined);
      } else if (c === 'cpu') await writeFile(join(dir, 'cpu.max'), `${Math.max(1000, Math.round(l.cpus! * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
      else await writeFile(join(dir, 'pids.max'), String(l.pids));
      return;
    }
    if (c === 'memory') {
      await writeFile(join(dir, 'memory.limit_in_bytes'), String(l.memoryBytes));
      // With swap accounting, memory+swap gets the same limit: no escaping into swap.
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) await writeFile(join(dir, 'memory.memsw.limit_in_bytes'), String(l.memoryBytes));
    } else if (c === 'cpu') {
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      await writeFile(join(dir, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(l.cpus! * CPU_PERIOD_US))));
    } else await writeFile(join(dir, 'pids.max'), String(l.pids));
  }

  /** Move a process (before it starts the kernel) into every group. */
  async add(pid: number): Promise<void> {
    const seen = new Set<string>();
    for (const dir of Object.values(this.dirs)) {
      if (seen.has(dir)) continue;
      seen.add(dir);
      await writeFile(join(dir, 'cgroup.procs'), String(pid));
    }
  }

  /** How many times the kernel was OOM-killed in this group. */
  async oomKills(): Promise<number> {
    const dir = this.dirs.memory;
    if (!dir) return 0;
    const file = this.support.version === 2 ? 'memory.events' : 'memory.oom_control';
    const text = await readFile(join(dir, file), 'utf8').catch(() => '');
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  /** Times the CPU limit held the kernel back (cpu.stat nr_throttled). */
  async throttled(): Promise<number> {
    const dir = this.dirs.cpu;
    if (!dir) return 0;
    const text = await readFile(join(dir, 'cpu.stat'), 'utf8').catch(() => '');
    const m = /^nr_throttled (\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  /** Kill whatever is left in the groups, then remove them. */
  async remove(): Promise<void> {
    for (const dir of new Set(Object.values(this.dirs))) {
      const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map(Number);
      for (const pid of procs) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      // rmdir fails while tasks are still exiting; the kernel's exit was awaited, so this is short.
      for (let i = 0; i < 50; i++) {
        try {
          await rmdir(dir);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY') throw err;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}

/** Names of kernel groups left by an earlier server that died without cleaning up. */
export async function staleGroups(support: CgroupSupport): Promise<string[]> {
  const base = support.bases.memory ?? support.bases.pids ?? support.bases.cpu;
  if (!base) return [];
  return (await readdir(base, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
}

/** "512 MiB", "2 GiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}
