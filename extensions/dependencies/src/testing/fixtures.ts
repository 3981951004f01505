/** Hand-made notebooks for the tests: cells with their analysis and runs in metadata, as the extension writes them. */
import { hashSource } from '@workbench/dependencies/metadata';
import type { AnalyzedCell, CellLanguage, ExecutionRecord, TrackedCell } from '../types';

let clock = 0;

/** A run of `sourceHash` later than every run made before it, by kernel process `session`. */
export function ran(sourceHash: string, session = 'kernel-1', extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  clock += 1000;
  return { executionCount: clock / 1000, sourceHash, ranAt: new Date(Date.UTC(2026, 9, 31, 9) + clock).toISOString(), kernelSession: session, ...extra };
}

/** A tracked cell whose metadata holds the analysis of its current source (and `execution` when given). */
export async function tracked(id: string, source: string, names: { defines: string[]; reads: string[] }, execution?: ExecutionRecord | 'current', language: CellLanguage = 'python'): Promise<TrackedCell> {
  const sourceHash = await hashSource(source);
  const run = execution === 'current' ? ran(sourceHash) : execution;
  return { id, language, source, sourceHash, metadata: { workbench: { deps: { version: 1, analysis: { sourceHash, ...names }, ...(run ? { execution: run } : {}) } } } };
}

/** The server's answer for `cells`, with the names given per id. */
export async function answerFor(cells: { id: string; source: string }[], names: Record<string, { defines: string[]; reads: string[]; errors?: string }>): Promise<AnalyzedCell[]> {
  return Promise.all(cells.map(async (c) => ({ id: c.id, sourceHash: await hashSource(c.source), ...names[c.id]! })));
}
