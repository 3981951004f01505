/**
 * The task DAG of a pipeline: an order to run it in, what lies downstream
 * of some tasks (what a repair reruns), what lies upstream of one (what its
 * templates may read) and the cycles that make a file invalid.
 */
import { AppError } from '@workbench/core';
import type { PipelineSpec } from './pipeline-spec';

/** The part of a task the graph needs; dependencies on unknown ids are ignored. */
export interface GraphTask {
  id: string;
  dependsOn: readonly string[];
  priority?: number;
}

/**
 * A topological order of the tasks: among tasks whose dependencies are
 * done, the highest priority first, then the file's order.
 * @throws AppError('internal') on a cycle (a parsed spec has none).
 */
export function taskOrder(spec: Pick<PipelineSpec, 'tasks'>): string[] {
  const tasks = spec.tasks;
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const waiting = tasks.map((t) => new Set(t.dependsOn.filter((d) => index.has(d) && d !== t.id)).size);
  const dependents = dependentsOf(tasks);
  const ready = tasks.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (tasks[b]!.priority ?? 0) - (tasks[a]!.priority ?? 0) || a - b);
    const next = tasks[ready.shift()!]!;
    order.push(next.id);
    for (const d of dependents.get(next.id) ?? []) {
      const i = index.get(d)!;
      if (--waiting[i]! === 0) ready.push(i);
    }
  }
  if (order.length !== tasks.length) throw new AppError('internal', 'Cannot order the tasks: they form a cycle');
  return order;
}

/**
 * `taskIds` and every task that depends on one of them, directly or not.
 * @throws AppError('bad_request') naming an id the pipeline does not have.
 */
export function downstreamOf(spec: Pick<PipelineSpec, 'tasks'>, taskIds: readonly string[]): Set<string> {
  const known = new Set(spec.tasks.map((t) => t.id));
  const unknown = taskIds.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new AppError('bad_request', `Cannot find the tasks downstream: no task ${unknown.map((id) => `'${id}'`).join(', ')}`);
  return reach(taskIds, dependentsOf(spec.tasks));
}

/** Every task `id` depends on, directly or not (not `id` itself unless on a cycle). */
export function upstreamOf(tasks: readonly GraphTask[], id: string): Set<string> {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  return reach(deps.get(id) ?? [], deps);
}

/**
 * The dependency cycles (self-dependencies excluded), one per strongly
 * connected group, each as task ids in run order starting with the group's
 * first task in the file, e.g. `['a', 'b', 'c']` for a -> b -> c -> a
 * (b depends on a, c on b, a on c).
 */
export function findCycles(tasks: readonly GraphTask[]): string[][] {
  const ids = new Set(tasks.map((t) => t.id));
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn.filter((d) => ids.has(d) && d !== t.id)]));
  const dependents = dependentsOf(tasks);
  const cycles: string[][] = [];
  const done = new Set<string>();
  for (const t of tasks) {
    if (done.has(t.id)) continue;
    const up = reach(deps.get(t.id)!, deps);
    if (!up.has(t.id)) continue;
    // t's group: the tasks both upstream and downstream of it.
    const down = reach([t.id], dependents);
    const group = new Set([...up].filter((id) => down.has(id)));
    for (const id of group) done.add(id);
    cycles.push(shortestCycle(t.id, deps.get(t.id)!, dependents, group));
  }
  return cycles;
}

/** The shortest run-order chain from `start` inside `group` to a task `start` depends on. */
function shortestCycle(start: string, startDeps: readonly string[], dependents: Map<string, string[]>, group: Set<string>): string[] {
  const closers = new Set(startDeps);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const here = queue.shift()!;
    if (here !== start && closers.has(here)) {
      const chain = [here];
      for (let at = here; at !== start; ) chain.push((at = previous.get(at)!));
      return chain.reverse();
    }
    for (const next of dependents.get(here) ?? []) {
      if (!group.has(next) || next === start || previous.has(next)) continue;
      previous.set(next, here);
      queue.push(next);
    }
  }
  return [start];
}

function dependentsOf(tasks: readonly GraphTask[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of tasks) {
    for (const d of new Set(t.dependsOn)) {
      if (d === t.id) continue;
      const list = out.get(d) ?? [];
      list.push(t.id);
      out.set(d, list);
    }
  }
  return out;
}

/** `from` and everything reachable from it along `edges`. */
function reach(from: Iterable<string>, edges: Map<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  return seen;
}
