/**
 * Reading a kernel pod's status: validation at the trust boundary (objects
 * from the API server), and the words for why a pod is not running or why
 * it ended (kubelet's container states, the scheduler's PodScheduled
 * condition). Pure functions, so every wording is unit-tested.
 */
import { constants } from 'node:os';
import type { ExitInfo } from '@workbench/launcher';
import type { K8s } from './k8s-client';
import { INIT_CONTAINER, KERNEL_CONTAINER } from './pod-builder';

/** A pod as the launcher relies on it: named and versioned. */
export type Pod = K8s.V1Pod & { metadata: K8s.V1ObjectMeta & { name: string; resourceVersion: string } };

/** Waiting reasons that will not resolve by themselves while a user waits: fail the launch at once. */
export const FATAL_WAITING_REASONS: ReadonlySet<string> = new Set(['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

export function assertPod(value: unknown, where: string): asserts value is Pod {
  const bad = (why: string) => new Error(`Cannot read pod from ${where}: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const v = value as { metadata?: unknown; status?: unknown };
  const meta = v.metadata as { name?: unknown; resourceVersion?: unknown } | undefined;
  if (typeof meta !== 'object' || meta === null) throw bad('no metadata');
  if (typeof meta.name !== 'string' || meta.name === '') throw bad('metadata.name is not a string');
  if (typeof meta.resourceVersion !== 'string') throw bad('metadata.resourceVersion is not a string');
  if (v.status !== undefined) {
    const s = v.status as { phase?: unknown; containerStatuses?: unknown; initContainerStatuses?: unknown; podIP?: unknown };
    if (typeof s !== 'object' || s === null) throw bad('status is not an object');
    if (s.phase !== undefined && typeof s.phase !== 'string') throw bad('status.phase is not a string');
    if (s.podIP !== undefined && s.podIP !== null && typeof s.podIP !== 'string') throw bad('status.podIP is not a string');
    for (const k of ['containerStatuses', 'initContainerStatuses'] as const) {
      if (s[k] !== undefined && s[k] !== null && !Array.isArray(s[k])) throw bad(`status.${k} is not a list`);
    }
  }
}

export function podPhase(pod: Pod): string {
  return pod.status?.phase ?? 'Pending';
}

export function isRunning(pod: Pod): boolean {
  return podPhase(pod) === 'Running' && !!pod.status?.podIP;
}

export function isFinished(pod: Pod): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

function statusOf(pod: Pod, name: string): K8s.V1ContainerStatus | undefined {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.find((s) => s.name === name);
}

/** The first waiting reason that means "give up now", with kubelet's message. */
export function fatalWaiting(pod: Pod): { container: string; reason: string; message: string } | undefined {
  for (const name of [INIT_CONTAINER, KERNEL_CONTAINER]) {
    const w = statusOf(pod, name)?.state?.waiting;
    if (w?.reason && FATAL_WAITING_REASONS.has(w.reason)) return { container: name, reason: w.reason, message: w.message ?? '' };
  }
  return undefined;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([k, v]) => [v, k as NodeJS.Signals]));

function describeTermination(t: K8s.V1ContainerStateTerminated): string {
  const why = t.reason && t.reason !== 'Error' && t.reason !== 'Completed' ? ` (${t.reason})` : '';
  const msg = t.message?.trim() ? `: ${t.message.trim().slice(0, 1000)}` : '';
  return `exit code ${t.exitCode}${why}${msg}`;
}

/** How the kernel ended, for ExitInfo: code or signal, and the reason in a user's words. */
export function exitInfoOf(pod: Pod): ExitInfo {
  const t = statusOf(pod, KERNEL_CONTAINER)?.state?.terminated;
  if (!t) {
    const init = statusOf(pod, INIT_CONTAINER)?.state?.terminated;
    if (init && init.exitCode !== 0) return { code: null, signal: null, reason: `the container could not be prepared: init container ${INIT_CONTAINER} failed with ${describeTermination(init)}` };
    const s = pod.status;
    return { code: null, signal: null, reason: s?.reason ? `${s.reason}${s.message ? `: ${s.message}` : ''}` : `the pod ended (${podPhase(pod)}) before its container ran` };
  }
  const code = t.exitCode;
  const signal = t.signal ? (SIGNAL_NAMES.get(t.signal) ?? null) : code > 128 && code <= 128 + 64 ? (SIGNAL_NAMES.get(code - 128) ?? null) : null;
  let reason: string | undefined;
  if (t.reason === 'OOMKilled') {
    const limit = pod.spec?.containers.find((c) => c.name === KERNEL_CONTAINER)?.resources?.limits?.memory;
    reason = `out of memory (limit ${limit ?? 'of the node'})`;
  } else if (t.reason === 'StartError' || t.reason === 'ContainerCannotRun') {
    reason = `the container could not start: ${t.message?.trim() || t.reason}`;
  } else if (pod.status?.reason === 'Evicted' || pod.status?.reason === 'DeadlineExceeded') {
    reason = `${pod.status.reason}: ${pod.status.message ?? ''}`.trim();
  }
  return signal ? { code: null, signal, ...(reason ? { reason } : {}) } : { code, signal: null, ...(reason ? { reason } : {}) };
}

/** Why a finished pod never became a running kernel. */
export function describeFinished(pod: Pod): string {
  const init = statusOf(pod, INIT_CONTAINER)?.state?.terminated;
  if (init && init.exitCode !== 0) return `init container ${INIT_CONTAINER} (copies the connection file; the image needs \`install\`) failed with ${describeTermination(init)}`;
  const t = statusOf(pod, KERNEL_CONTAINER)?.state?.terminated;
  if (t) return `container ${KERNEL_CONTAINER} ended with ${describeTermination(t)}`;
  return exitInfoOf(pod).reason ?? `the pod ended (${podPhase(pod)})`;
}

/**
 * Why a pod is not running yet, from the scheduler's condition and kubelet's
 * container states. `seen` holds earlier waiting messages (an ErrImagePull's
 * registry error is more useful than the ImagePullBackOff that replaces it).
 */
export function describePending(pod: Pod, seen: ReadonlyMap<string, string> = new Map()): string {
  if (pod.metadata.deletionTimestamp) return 'the pod is being deleted';
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return `the pod cannot be scheduled (${scheduled.reason ?? 'Unschedulable'}): ${scheduled.message ?? 'no reason given'}`;
  if (!pod.spec?.nodeName && scheduled?.status !== 'True') return 'the pod has not been scheduled to a node yet';
  const parts: string[] = [];
  for (const name of [INIT_CONTAINER, KERNEL_CONTAINER]) {
    const state = statusOf(pod, name)?.state;
    const w = state?.waiting;
    if (w?.reason && w.reason !== 'PodInitializing') {
      let text = `container ${name} is waiting (${w.reason})${w.message ? `: ${w.message}` : ''}`;
      const pull = seen.get('ErrImagePull');
      if (w.reason === 'ImagePullBackOff' && pull && !text.includes(pull)) text += `; the pull failed with: ${pull}`;
      parts.push(text);
      break;
    }
    if (state?.running && name === INIT_CONTAINER) {
      parts.push(`init container ${INIT_CONTAINER} is still running`);
      break;
    }
  }
  return parts[0] ?? `the pod is ${podPhase(pod)}`;
}

/** Remember each container's waiting messages by reason, for describePending. */
export function recordWaiting(pod: Pod, seen: Map<string, string>): void {
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const w = s.state?.waiting;
    if (w?.reason && w.message) seen.set(w.reason, w.message);
  }
}
