/**
 * A kernel's resource requests and limits: from the start request's
 * Enterprise Gateway variables (KERNEL_CPUS, KERNEL_MEMORY,
 * KERNEL_CPUS_LIMIT, KERNEL_MEMORY_LIMIT), else the kernelspec's
 * `metadata.workbench.resources`, else the server's defaults; always capped
 * by the server's policy. Quantities are written as Kubernetes writes them
 * ("512Mi", "2Gi", "1G", "500m" CPUs) or as plain numbers.
 */
import { AppError } from '@workbench/core';
import type { KernelResources } from '@workbench/launcher';

export interface ResourcePolicy {
  defaults: KernelResources;
  /** Caps: nothing may ask for more. */
  max: { memoryLimitBytes?: number; cpusLimit?: number; pidsLimit?: number };
}

export interface SpecResources {
  memory_limit?: string | number;
  cpus_limit?: string | number;
  pids_limit?: number;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes from "512Mi", "2Gi", "1G", "1e9", 1073741824. */
export function parseMemory(value: string | number, what = 'memory'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKMGT]i?|)\s*$/.exec(String(value));
  const n = m ? Number(m[1]) * MEMORY_UNITS[m[2]!]! : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new AppError('bad_request', `Cannot use ${what} ${JSON.stringify(value)}: write a quantity like 512Mi, 2Gi or 1G`);
  return Math.floor(n);
}

/** Cores from "500m", "1.5", 2. */
export function parseCpus(value: string | number, what = 'cpus'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  const m = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(String(value));
  const n = m ? Number(m[1]) / (m[2] ? 1000 : 1) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new AppError('bad_request', `Cannot use ${what} ${JSON.stringify(value)}: write cores like 0.5, 2 or 500m`);
  return n;
}

function cap(value: number | undefined, max: number | undefined): number | undefined {
  if (value === undefined) return max;
  return max === undefined ? value : Math.min(value, max);
}

/** Resolve; `capped` names what policy lowered (for the log). */
export function resolveResources(policy: ResourcePolicy, spec: SpecResources | undefined, env: Readonly<Record<string, unknown>> | undefined): { resources: KernelResources; capped: string[] } {
  const e = (k: string): string | undefined => (typeof env?.[k] === 'string' && (env[k] as string).trim() !== '' ? (env[k] as string) : undefined);
  const r: KernelResources = { ...policy.defaults };
  if (spec?.memory_limit !== undefined) r.memoryLimitBytes = parseMemory(spec.memory_limit, 'kernelspec memory_limit');
  if (spec?.cpus_limit !== undefined) r.cpusLimit = parseCpus(spec.cpus_limit, 'kernelspec cpus_limit');
  if (spec?.pids_limit !== undefined) r.pidsLimit = spec.pids_limit;
  if (e('KERNEL_MEMORY')) r.memoryBytes = parseMemory(e('KERNEL_MEMORY')!, 'KERNEL_MEMORY');
  if (e('KERNEL_MEMORY_LIMIT')) r.memoryLimitBytes = parseMemory(e('KERNEL_MEMORY_LIMIT')!, 'KERNEL_MEMORY_LIMIT');
  if (e('KERNEL_CPUS')) r.cpus = parseCpus(e('KERNEL_CPUS')!, 'KERNEL_CPUS');
  if (e('KERNEL_CPUS_LIMIT')) r.cpusLimit = parseCpus(e('KERNEL_CPUS_LIMIT')!, 'KERNEL_CPUS_LIMIT');
  const capped: string[] = [];
  const before = { ...r };
  r.memoryLimitBytes = cap(r.memoryLimitBytes, policy.max.memoryLimitBytes);
  r.memoryBytes = r.memoryBytes === undefined ? undefined : cap(r.memoryBytes, r.memoryLimitBytes);
  r.cpusLimit = cap(r.cpusLimit, policy.max.cpusLimit);
  r.cpus = r.cpus === undefined ? undefined : cap(r.cpus, r.cpusLimit);
  r.pidsLimit = cap(r.pidsLimit, policy.max.pidsLimit);
  for (const k of Object.keys(r) as (keyof KernelResources)[]) {
    if (before[k] !== undefined && r[k] !== before[k]) capped.push(`${k} ${before[k]} -> ${r[k]}`);
    if (r[k] === undefined) delete r[k];
  }
  return { resources: r, capped };
}
