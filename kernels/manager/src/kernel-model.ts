/** The shapes around a Kernel: its REST model, its options, its server-side status events. */
import type { KernelProcess, Launcher, LaunchRequest } from '@workbench/launcher';
import type { Clock, Logger } from '@workbench/core';
import type { KernelSpec } from './kernelspecs';

export type ExecutionState = 'starting' | 'idle' | 'busy' | 'restarting' | 'dead' | 'unknown';

export interface KernelModel {
  id: string;
  name: string;
  last_activity: string;
  execution_state: ExecutionState;
  connections: number;
}

export interface KernelOptions {
  id?: string;
  spec: KernelSpec;
  launcher: Launcher;
  env: Record<string, string>;
  cwd: string;
  owner: string;
  logger: Logger;
  clock?: Clock;
  /** Give up on a launch after this long (KERNEL_LAUNCH_TIMEOUT). */
  launchTimeoutMs: number;
  /** Auto-restarts allowed within `restartWindowMs` before the kernel is declared dead. */
  restartLimit: number;
  restartWindowMs?: number;
  /** How long shutdown waits for the kernel to exit after shutdown_request before killing it. */
  shutdownWaitMs: number;
  resources?: LaunchRequest['resources'];
  sandbox?: LaunchRequest['sandbox'];
  /** An adopted kernel's signing key (else a new one). */
  key?: string;
  /** A process already running (reattached by its launcher): the first start connects to it. */
  adopt?: KernelProcess;
  /** Heartbeat watch: ping every intervalMs; `misses` missed pings while not busy mean the kernel hangs. 0 disables. */
  heartbeat?: { intervalMs: number; timeoutMs: number; misses: number };
}

/** A status the server itself announces (restarting, dead), as iopub messages to clients. */
export interface ServerStatusEvent {
  state: 'restarting' | 'dead' | 'starting';
  reason?: string;
}
