/**
 * The kernel sandbox: bubblewrap namespaces for what a kernel can see, and
 * cgroups (see cgroups.ts) for what it can use.
 *
 * Filesystem view: system directories read-only (/usr and the merged-/usr
 * links, a short list of /etc files programs need), a fresh /tmp, /proc and
 * /dev, an empty writable home, the workspace read-write at its own path
 * (so paths in notebooks are the same inside and out), the kernel's
 * connection file read-only, and what the kernelspec or config adds
 * read-only. Nothing else: not the server's config, runtime or data
 * directories, tokens, nor other users' files.
 *
 * Identity: inside, the kernel is `uid`/`gid` (non-root) in its own user
 * namespace, unable to make further user namespaces. On the host, a server
 * that is not root runs kernels as itself; a root server runs them as
 * `hostUid`/`hostGid` when set (the workspace must then be writable by that
 * uid), else as root without any capability (the user namespace maps the
 * kernel's uid to root: confined by the view above, but files it writes are
 * root's, as the server's are).
 *
 * Network: off by default (own network namespace with only loopback; the
 * gateway reaches the kernel over ZeroMQ ipc sockets in a bind-mounted
 * directory), or the host's network per kernelspec or config.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { promisify } from 'node:util';
import { CgroupSupport, detectCgroups } from './cgroups';

const run = promisify(execFile);

export interface SandboxConfig {
  mode: 'bubblewrap' | 'none';
  /** Without bubblewrap: refuse kernels, or run them unsandboxed (said at start). */
  onMissing: 'refuse' | 'unsandboxed';
  /** Default network for kernels; a kernelspec may ask otherwise. */
  network: boolean;
  uid: number;
  gid: number;
  hostUid?: number;
  hostGid?: number;
  /** Extra host paths visible read-only in every sandbox. */
  readOnlyPaths: readonly string[];
  /** The workspace, bound read-write. */
  workspace: string;
  /** Where bwrap is looked for (tests point elsewhere to simulate its absence). */
  bwrapPath?: string;
  /** false: do not use cgroups even where they work (rlimits only; tests the fallback). */
  cgroups?: boolean;
}

export interface SandboxStatus {
  /** Kernels run in bubblewrap. */
  active: boolean;
  /** Kernels must not start (sandbox wanted, tools missing, policy "refuse"). */
  refuse: boolean;
  bwrap: string | undefined;
  cgroups: CgroupSupport;
  /** What is missing or degraded, in words for the start-up log and error messages. */
  problems: string[];
  /** One line for the start-up log. */
  summary: string;
}

/** /etc entries programs commonly need; the rest of /etc stays out of sight. */
const ETC = [
  'alternatives',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'passwd',
  'group',
  'nsswitch.conf',
  'hosts',
  'host.conf',
  'resolv.conf',
  'localtime',
  'timezone',
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'mime.types',
  'python3',
  'python3.11',
  'python3.12',
  'fonts',
  'matplotlibrc',
  'gai.conf',
];

export async function detectSandbox(config: SandboxConfig): Promise<SandboxStatus> {
  const problems: string[] = [];
  const cgroups: CgroupSupport = config.cgroups === false ? { version: undefined, controllers: [], missing: ['cgroups: not used (sandbox cgroups off)'], bases: {} } : await detectCgroups();
  problems.push(...cgroups.missing);
  if (config.mode === 'none') {
    return { active: false, refuse: false, bwrap: undefined, cgroups, problems: [], summary: 'kernel sandbox: off (sandbox.mode "none"): kernels run as plain processes with the server\'s rights' };
  }
  const bwrap = config.bwrapPath ?? '/usr/bin/bwrap';
  let bwrapOk = existsSync(bwrap);
  if (!bwrapOk) problems.unshift(`bubblewrap: ${bwrap} not found (Debian package "bubblewrap")`);
  else {
    // A real trial: user namespaces can be disabled by the kernel or a container runtime.
    try {
      await run(bwrap, ['--unshare-all', '--unshare-user', '--ro-bind', '/', '/', '--uid', String(config.uid), '--', '/bin/true'], { timeout: 10_000 });
    } catch (err) {
      bwrapOk = false;
      problems.unshift(`bubblewrap: cannot create a sandbox here (${((err as { stderr?: string }).stderr ?? String(err)).trim()})`);
    }
  }
  if (bwrapOk && config.hostUid !== undefined && process.getuid?.() === 0) {
    const st = statSync(config.workspace);
    const writable = (st.uid === config.hostUid && st.mode & 0o200) || st.mode & 0o002;
    if (!writable) problems.push(`sandbox.host_uid ${config.hostUid} cannot write the workspace ${config.workspace} (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): kernels could not save files there`);
  }
  const limits = cgroups.controllers.length > 0 ? `cgroup v${cgroups.version} (${cgroups.controllers.join(', ')})` : 'no cgroups: memory via prlimit only';
  if (!bwrapOk) {
    const refuse = config.onMissing === 'refuse';
    return {
      active: false,
      refuse,
      bwrap: undefined,
      cgroups,
      problems,
      summary: refuse
        ? `kernel sandbox: UNAVAILABLE, kernels will not start (sandbox.on_missing "refuse"): ${problems[0]}`
        : `kernel sandbox: UNAVAILABLE, kernels run UNSANDBOXED (sandbox.on_missing "unsandboxed"): ${problems[0]}`,
    };
  }
  const who = process.getuid?.() === 0 ? (config.hostUid !== undefined ? `host uid ${config.hostUid}` : 'host uid 0 without capabilities') : `host uid ${process.getuid?.()}`;
  return {
    active: true,
    refuse: false,
    bwrap,
    cgroups,
    problems,
    summary: `kernel sandbox: bubblewrap, ${limits}, network ${config.network ? 'on' : 'off'} by default, uid ${config.uid} inside (${who})`,
  };
}

export interface BwrapRequest {
  config: SandboxConfig;
  cwd: string;
  network: boolean;
  /** Read-only extras for this kernel (kernelspec metadata). */
  readOnly: readonly string[];
  /** Read-write binds for this kernel, [host path, path inside] (its own directory). */
  writable: readonly (readonly [string, string])[];
  /** Files shown read-only at their own path (the connection file). */
  files: readonly string[];
  home: string | undefined;
  /** The fd bwrap writes its JSON info (the sandbox's host pid) to. */
  infoFd: number;
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** bwrap arguments up to (not including) `--` and the kernel's argv. */
export function bwrapArgs(r: BwrapRequest): string[] {
  const a: string[] = ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--uid', String(r.config.uid), '--gid', String(r.config.gid)];
  if (r.network) a.push('--share-net');
  a.push('--hostname', 'workbench-kernel');
  a.push('--ro-bind', '/usr', '/usr');
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(top);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(top), top);
    else a.push('--ro-bind', top, top);
  }
  for (const e of ETC) a.push('--ro-bind-try', `/etc/${e}`, `/etc/${e}`);
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--ro-bind-try', '/sys', '/sys');
  if (r.home && isAbsolute(r.home) && !inside(r.home, r.config.workspace) && r.home !== '/') a.push('--tmpfs', r.home);
  for (const p of [...r.config.readOnlyPaths, ...r.readOnly]) if (isAbsolute(p)) a.push('--ro-bind-try', p, p);
  a.push('--bind', r.config.workspace, r.config.workspace);
  for (const [host, seen] of r.writable) a.push('--bind', host, seen);
  for (const f of r.files) a.push('--ro-bind', f, f);
  a.push('--chdir', r.cwd, '--info-fd', String(r.infoFd));
  return a;
}

/** The host paths a kernel's program needs to be visible: its interpreter's install (for /usr/local, /opt...). */
export function programPaths(argv0: string): string[] {
  if (!isAbsolute(argv0) || argv0.startsWith('/usr/') || argv0.startsWith('/bin/')) return [];
  return [dirname(argv0)];
}
