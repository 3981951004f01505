/**
 * Writing `metadata.workbench.deps` (server/dependencies/README.md, "In the
 * notebook"): the analysis and the execution record are written at
 * different times by different events, each keeping the other; other
 * `workbench` keys are kept. Pure: the controller hands the value of the
 * cell's `workbench` key to `setMetadata`.
 */
import { DEPS_METADATA_VERSION, readDepsMetadata, readExecution, withDepsMetadata, type DepsMetadata, type StoredAnalysis } from '@workbench/dependencies/metadata';
import type { ExecutionRecord } from './types';

/** The new value of the cell's `workbench` metadata key with `analysis` in `deps` (its execution record kept). */
export function workbenchWithAnalysis(cellMetadata: unknown, analysis: StoredAnalysis): Record<string, unknown> {
  const current = readDepsMetadata(cellMetadata);
  const deps: DepsMetadata = { version: DEPS_METADATA_VERSION, analysis, ...(current?.execution ? { execution: current.execution } : {}) };
  return withDepsMetadata(asRecord(cellMetadata), deps).workbench as Record<string, unknown>;
}

/** The new value of the cell's `workbench` metadata key with `execution` in `deps` (its analysis kept). */
export function workbenchWithExecution(cellMetadata: unknown, execution: ExecutionRecord): Record<string, unknown> {
  const current = readDepsMetadata(cellMetadata);
  const deps: DepsMetadata = { version: DEPS_METADATA_VERSION, ...(current?.analysis ? { analysis: current.analysis } : {}), execution };
  return withDepsMetadata(asRecord(cellMetadata), deps).workbench as Record<string, unknown>;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The parts of an `execute_reply` the record needs. */
export interface ExecuteReplyLike {
  header: { session?: string; date?: string };
  content: { status?: string; execution_count?: number | null };
}

/**
 * The execution record of a reply to running the source whose hash is
 * `sourceHash`: the count, the kernel's own time of the reply (so the runs
 * of every collaborator order by one clock; `now` when it has none), the
 * kernel process (`header.session`), `failed` for an error. An `aborted`
 * reply (the kernel skipped the cell after an earlier error) ran nothing:
 * null.
 */
export function executionRecordOf(reply: ExecuteReplyLike, sourceHash: string, now: Date): ExecutionRecord | null {
  const status = reply.content.status;
  if (status !== 'ok' && status !== 'error') return null;
  const kernelTime = typeof reply.header.date === 'string' ? Date.parse(reply.header.date) : Number.NaN;
  const count = reply.content.execution_count;
  const record = {
    executionCount: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null,
    sourceHash,
    ranAt: new Date(Number.isNaN(kernelTime) ? now.getTime() : kernelTime).toISOString(),
    ...(status === 'error' ? { failed: true as const } : {}),
    ...(typeof reply.header.session === 'string' && reply.header.session !== '' ? { kernelSession: reply.header.session } : {}),
  };
  // The same check other readers apply (a malformed hash would be dropped by them).
  return readExecution(record) ?? null;
}
