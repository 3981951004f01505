/**
 * The Launcher interface: small and Popen-shaped (start, wait, signal,
 * kill, snapshot/restore, dispose), so local processes and Kubernetes pods
 * are interchangeable behind the kernel manager. Every implementation must
 * pass the shared contract suite in `contract.ts`.
 */
import type { Event } from '@workbench/core';
import type { ConnectionInfo } from '@workbench/zmq';

/** Where a kernel listens; the launcher decides (local ports, pod IP, ...). */
export type KernelEndpoints = Omit<ConnectionInfo, 'key' | 'signature_scheme' | 'kernel_name'>;

export interface LaunchRequest {
  kernelId: string;
  /** Kernelspec argv; `{connection_file}` is substituted by the launcher. */
  argv: readonly string[];
  /** The complete environment of the kernel (nothing is inherited). */
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** Signing key and scheme to put in the connection file. */
  key: string;
  signatureScheme: string;
  kernelName: string;
  /** The authenticated user the kernel belongs to (set by the manager; clients cannot choose it). */
  owner?: string;
  /** Resource requests and limits, already resolved and capped by policy (manager's resources.ts). */
  resources?: KernelResources;
  /** Sandbox wishes of the kernelspec (`metadata.workbench.sandbox`); the launcher's policy decides. */
  sandbox?: { network?: boolean; readOnlyPaths?: readonly string[]; writablePaths?: readonly string[] };
}

export interface KernelResources {
  /** Requested CPUs (KERNEL_CPUS) and the hard limit (KERNEL_CPUS_LIMIT), in cores. */
  cpus?: number;
  cpusLimit?: number;
  /** Requested memory (KERNEL_MEMORY) and the hard limit (KERNEL_MEMORY_LIMIT), in bytes. */
  memoryBytes?: number;
  memoryLimitBytes?: number;
  /** Most processes/threads at once. */
  pidsLimit?: number;
}

/**
 * What a kernel is told of its enforced limits, in the environment names
 * jupyter-resource-usage and JupyterHub use: MEM_LIMIT (bytes), CPU_LIMIT
 * (cores). Kernels size themselves by them (the SQL kernel's DuckDB memory
 * limit, so it spills instead of being killed). Only limits that are enforced.
 */
export function limitEnv(limits: { memoryBytes?: number; cpus?: number }): Record<string, string> {
  const env: Record<string, string> = {};
  if (limits.memoryBytes !== undefined) env.MEM_LIMIT = String(Math.floor(limits.memoryBytes));
  if (limits.cpus !== undefined) env.CPU_LIMIT = String(limits.cpus);
  return env;
}

export interface ExitInfo {
  /** Exit code, or null when ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why, in words a user understands (e.g. "out of memory (limit 512 MiB)"). */
  reason?: string;
}

/** Opaque, JSON-serialisable facts needed to reattach after a gateway restart. */
export type LauncherSnapshot = Readonly<Record<string, unknown>>;

export interface KernelProcess extends AsyncDisposable {
  readonly endpoints: KernelEndpoints;
  /** A short id for logs: a pid, a pod name. */
  readonly label: string;
  /** Resolves once, when the kernel process has ended (Popen.wait). */
  wait(): Promise<ExitInfo>;
  readonly onExit: Event<ExitInfo>;
  isAlive(): boolean;
  /** Send a signal to the kernel's whole process group (SIGINT for interrupts). */
  signal(sig: NodeJS.Signals): Promise<void>;
  /** Force the kernel down (SIGKILL or equivalent) and wait for it to end. */
  kill(): Promise<ExitInfo>;
  /** The last lines the kernel wrote to stderr, for error messages. */
  stderrTail(): string;
  snapshot(): LauncherSnapshot;
}

export interface Launcher {
  readonly name: string;
  /**
   * Whether `KernelProcess.signal` delivers any signal (SIGINT for
   * interrupts) to the kernel's process group. `false` where the platform has
   * no signal API (Kubernetes): only SIGTERM and SIGKILL are emulated (by
   * ending the kernel), other signals reject with an AppError, and such
   * kernels must be interrupted with interrupt_mode "message". Absent: true.
   */
  readonly deliversSignals?: boolean;
  /**
   * Kernels keep running when the gateway stops, for the next gateway to
   * adopt (`restore`): Kubernetes pods across a rollout. Local kernels end
   * with the server. Absent: false.
   */
  readonly kernelsOutliveGateway?: boolean;
  /**
   * Kernels run on this machine and see its files at the server's paths
   * (local processes). What the server prepares on its own disk for a
   * kernel (a project's Python environment) is for these only; a pod sees
   * its image and its volumes. Absent: false.
   */
  readonly seesServerFiles?: boolean;
  start(request: LaunchRequest, options?: { signal?: AbortSignal }): Promise<KernelProcess>;
  /** Reattach to a kernel started by an earlier gateway process, if it still runs. */
  restore(snapshot: LauncherSnapshot): Promise<KernelProcess | undefined>;
}

/** A typed registry: launchers by name, chosen per kernelspec. */
export class LauncherRegistry {
  private readonly launchers = new Map<string, Launcher>();

  constructor(private readonly defaultName: string) {}

  register(launcher: Launcher): void {
    this.launchers.set(launcher.name, launcher);
  }

  /** The launcher named by kernelspec metadata `workbench.launcher`, else the default. */
  get(name?: string): Launcher {
    const key = name ?? this.defaultName;
    const l = this.launchers.get(key);
    if (!l) throw new Error(`Cannot choose launcher: ${JSON.stringify(key)} is not registered (have ${[...this.launchers.keys()].join(', ') || 'none'})`);
    return l;
  }

  names(): string[] {
    return [...this.launchers.keys()];
  }
}
