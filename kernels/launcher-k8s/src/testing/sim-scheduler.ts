/**
 * The simulator's scheduler predicates for its one node, with the default
 * scheduler's messages: nodeSelector, PVCs that exist, and requests (the
 * larger of the containers' sum and any init container's) against the
 * node's allocatable minus what bound pods request.
 */
import { parseQuantity } from '../quantity';
import type { Container } from './sim-container';
import type { SimNode } from './sim-kubelet';
import type { KObject } from './sim-store';

export function podRequests(pod: KObject): Map<string, number> {
  const sum = new Map<string, number>();
  const add = (m: Map<string, number>, c: Container) => {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) m.set(k, (m.get(k) ?? 0) + parseQuantity(v));
  };
  for (const c of pod.spec.containers as Container[]) add(sum, c);
  for (const c of (pod.spec.initContainers ?? []) as Container[]) {
    const one = new Map<string, number>();
    add(one, c);
    for (const [k, v] of one) sum.set(k, Math.max(sum.get(k) ?? 0, v));
  }
  return sum;
}

/** Why `pod` does not fit on `node` next to the `bound` pods, or undefined when it does. */
export function unschedulableReason(pod: KObject, bound: readonly KObject[], node: SimNode, volumes: ReadonlyMap<string, string>): string | undefined {
  const tail = (victims: boolean) => `preemption: 0/1 nodes are available: 1 ${victims ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling'}.`;
  for (const [k, v] of Object.entries((pod.spec.nodeSelector ?? {}) as Record<string, string>)) {
    if (node.labels[k] !== v) return `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. ${tail(false)}`;
  }
  for (const v of (pod.spec.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim && !volumes.has(claim)) return `0/1 nodes are available: persistentvolumeclaim "${claim}" not found. ${tail(false)}`;
  }
  const used = new Map<string, number>();
  for (const other of bound) for (const [k, v] of podRequests(other)) used.set(k, (used.get(k) ?? 0) + v);
  const capacity: Record<string, number> = { cpu: parseQuantity(node.cpu), memory: parseQuantity(node.memory), ...node.extended };
  const short = [...podRequests(pod)].filter(([k, v]) => v > 0 && (used.get(k) ?? 0) + v > (capacity[k] ?? 0)).map(([k]) => `1 Insufficient ${k}`);
  return short.length > 0 ? `0/1 nodes are available: ${short.sort().join(', ')}. ${tail(true)}` : undefined;
}
