/**
 * How a cell's dependency information lives in the notebook: cell metadata
 * `workbench.deps` (so it survives reloads and travels with collaboration,
 * as any cell metadata does). Pure and free of Node APIs: the JupyterLab
 * extension imports it (`@workbench/dependencies/metadata`).
 *
 *   "metadata": { "workbench": { "deps": {
 *     "version": 1,
 *     "analysis": { "sourceHash": "…", "defines": ["df"], "reads": ["table:sales"] },
 *     "execution": { "executionCount": 7, "sourceHash": "…", "ranAt": "2026-10-31T09:12:03.120Z", "kernelSession": "…" }
 *   } } }
 */
import type { CellLanguage, ExecutionRecord, NameAnalysis } from './types';

export const DEPS_METADATA_VERSION = 1;

export interface StoredAnalysis extends NameAnalysis {
  /** The source the names are of: when it differs from the cell's, analyse again. */
  sourceHash: string;
}

export interface DepsMetadata {
  version: typeof DEPS_METADATA_VERSION;
  analysis?: StoredAnalysis;
  execution?: ExecutionRecord;
}

/** SHA-256 (hex) of the source as UTF-8, with WebCrypto: the same value in Node and in the browser. */
export async function hashSource(source: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(source));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

function readAnalysis(v: unknown): StoredAnalysis | undefined {
  if (!isObj(v) || !isHash(v.sourceHash) || !isStrings(v.defines) || !isStrings(v.reads)) return undefined;
  return { sourceHash: v.sourceHash, defines: [...v.defines], reads: [...v.reads], ...(typeof v.errors === 'string' ? { errors: v.errors } : {}) };
}

/** An execution record, checked (it comes from a shared document). */
export function readExecution(v: unknown): ExecutionRecord | undefined {
  if (!isObj(v) || !isHash(v.sourceHash) || typeof v.ranAt !== 'string' || Number.isNaN(Date.parse(v.ranAt))) return undefined;
  const count = v.executionCount;
  if (count !== null && !(typeof count === 'number' && Number.isInteger(count) && count >= 0)) return undefined;
  return {
    executionCount: count,
    sourceHash: v.sourceHash,
    ranAt: v.ranAt,
    ...(v.failed === true ? { failed: true as const } : {}),
    ...(typeof v.kernelSession === 'string' ? { kernelSession: v.kernelSession } : {}),
  };
}

/** `metadata.workbench.deps` of a cell, checked; what is malformed is left out (never thrown: another client wrote it). */
export function readDepsMetadata(cellMetadata: unknown): DepsMetadata | undefined {
  const wb = isObj(cellMetadata) ? cellMetadata.workbench : undefined;
  const deps = isObj(wb) ? wb.deps : undefined;
  if (!isObj(deps) || deps.version !== DEPS_METADATA_VERSION) return undefined;
  const analysis = readAnalysis(deps.analysis);
  const execution = readExecution(deps.execution);
  return { version: DEPS_METADATA_VERSION, ...(analysis ? { analysis } : {}), ...(execution ? { execution } : {}) };
}

/** The cell's metadata with `workbench.deps` replaced (other keys, and other `workbench` keys, kept). */
export function withDepsMetadata(cellMetadata: Readonly<Record<string, unknown>> | undefined, deps: DepsMetadata): Record<string, unknown> {
  const wb = isObj(cellMetadata?.workbench) ? cellMetadata!.workbench : {};
  return { ...(cellMetadata ?? {}), workbench: { ...wb, deps } };
}

/** The graph's view of a cell (graph.ts), from its current source hash and its metadata. */
export function graphCellOf(cell: { id: string; language: CellLanguage; sourceHash: string }, cellMetadata: unknown): { id: string; language: CellLanguage; sourceHash: string; analysis?: NameAnalysis; execution?: ExecutionRecord } {
  const deps = readDepsMetadata(cellMetadata);
  return {
    ...cell,
    ...(deps?.analysis ? { analysis: { defines: deps.analysis.defines, reads: deps.analysis.reads, ...(deps.analysis.errors ? { errors: deps.analysis.errors } : {}) } } : {}),
    ...(deps?.execution ? { execution: deps.execution } : {}),
  };
}
