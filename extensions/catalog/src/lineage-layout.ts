/**
 * Lays out a lineage graph with elkjs (the layered algorithm, the graph's
 * ports at fixed positions). elkjs is large (about 1.6 MB), so by default
 * it is loaded on first use, as a chunk of its own, and one instance
 * serves every table page. Its bundled build runs the layout in this
 * thread (its "fake worker"): lineage graphs are small.
 */
import type { ELK } from 'elkjs/lib/elk-api';
import { placeGraph, toElkGraph, type MeasureText, type PlacedGraph } from './lineage-graph';
import type { LineageGraph } from './types';

let shared: Promise<ELK> | null = null;

/** The page's ELK instance, loaded on first use. */
export function loadElk(): Promise<ELK> {
  shared ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const Elk = (m as unknown as { default?: new () => ELK }).default ?? (m as unknown as new () => ELK);
    return new Elk();
  });
  return shared;
}

export interface LayoutOptions {
  /** The ELK to use; default loadElk(). */
  elk?: () => Promise<ELK>;
}

/** `graph` laid out, `current` (a table key) marked. */
export async function layoutLineage(graph: LineageGraph, current: string, measure: MeasureText, options: LayoutOptions = {}): Promise<PlacedGraph> {
  const model = toElkGraph(graph, current, measure);
  const elk = await (options.elk ?? loadElk)();
  return placeGraph(model, await elk.layout(model.elk));
}
