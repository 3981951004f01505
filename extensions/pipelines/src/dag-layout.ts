/**
 * Lays out a pipeline's DAG with elkjs (the layered algorithm, left to
 * right). elkjs is large (about 1.6 MB), so by default it is loaded on
 * first use, as a chunk of its own, and one instance serves every
 * pipeline page. Its bundled build runs the layout in this thread (its
 * "fake worker"): pipeline graphs are small.
 */
import type { ELK } from 'elkjs/lib/elk-api';
import { placeDag, toDagGraph, type MeasureText, type PlacedDag } from './dag-graph';
import type { TaskSpec, TaskStatus } from './types';

let shared: Promise<ELK> | null = null;

/** The page's ELK instance, loaded on first use. */
export function loadElk(): Promise<ELK> {
  shared ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const Elk = (m as unknown as { default?: new () => ELK }).default ?? (m as unknown as new () => ELK);
    return new Elk();
  });
  return shared;
}

export interface DagLayoutOptions {
  /** The ELK to use; default loadElk(). */
  elk?: () => Promise<ELK>;
}

/** `tasks` laid out, each node marked with its status in `statuses`. */
export async function layoutDag(tasks: readonly TaskSpec[], statuses: Readonly<Record<string, TaskStatus>>, measure: MeasureText, options: DagLayoutOptions = {}): Promise<PlacedDag> {
  const model = toDagGraph(tasks, statuses, measure);
  const elk = await (options.elk ?? loadElk)();
  return placeDag(model, await elk.layout(model.elk));
}
