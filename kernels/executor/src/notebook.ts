/**
 * The nbformat v4 document the executor reads and writes
 * (https://github.com/jupyter/nbformat/blob/main/nbformat/v4/nbformat.v4.schema.json),
 * typed for what the executor touches, and its validation at the trust
 * boundary (a notebook from disk or from a pipeline request).
 */
import { AppError } from '@workbench/core';

/** nbformat's multiline string: one string, or lines each keeping its "\n". */
export type MultilineString = string | string[];

export interface CellMetadata {
  tags?: string[];
  papermill?: CellPapermillMetadata;
  [key: string]: unknown;
}

/** Per code cell, as papermill writes it. */
export interface CellPapermillMetadata {
  status: 'pending' | 'running' | 'completed' | 'failed';
  start_time: string | null;
  end_time: string | null;
  /** Seconds. */
  duration: number | null;
  exception: boolean | null;
}

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type NotebookOutput = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

interface CellBase {
  /** Required from nbformat 4.5 on. */
  id?: string;
  source: MultilineString;
  metadata: CellMetadata;
}

export interface CodeCell extends CellBase {
  cell_type: 'code';
  execution_count: number | null;
  outputs: NotebookOutput[];
}

export interface MarkdownCell extends CellBase {
  cell_type: 'markdown';
  attachments?: Record<string, unknown>;
}

export interface RawCell extends CellBase {
  cell_type: 'raw';
  attachments?: Record<string, unknown>;
}

export type NotebookCell = CodeCell | MarkdownCell | RawCell;

export interface NotebookDocument {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMultiline = (v: unknown): v is MultilineString => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));

/**
 * Throws AppError('bad_request', 'Cannot run notebook <path>: ...') unless
 * `value` is an nbformat 4 notebook as far as the executor relies on it:
 * cells of a known type with a source and metadata, tags as strings, code
 * cells with an outputs array and an execution count.
 */
export function assertNotebook(value: unknown, path: string): asserts value is NotebookDocument {
  const bad = (why: string) => new AppError('bad_request', `Cannot run notebook ${path}: ${why}`);
  if (!isObject(value)) throw bad('it is not a JSON object');
  if (value.nbformat !== 4) throw bad(`nbformat ${JSON.stringify(value.nbformat)} is not supported (only 4)`);
  if (!Number.isInteger(value.nbformat_minor) || (value.nbformat_minor as number) < 0) throw bad('nbformat_minor must be a non-negative integer');
  if (!isObject(value.metadata)) throw bad('metadata must be an object');
  const ks = value.metadata.kernelspec;
  if (ks !== undefined && (!isObject(ks) || (ks.name !== undefined && typeof ks.name !== 'string'))) throw bad('metadata.kernelspec.name must be a string');
  if (!Array.isArray(value.cells)) throw bad('cells must be an array');
  value.cells.forEach((cell: unknown, i) => {
    if (!isObject(cell)) throw bad(`cell ${i} is not an object`);
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown' && cell.cell_type !== 'raw') throw bad(`cell ${i} has an unknown cell_type ${JSON.stringify(cell.cell_type)}`);
    if (!isMultiline(cell.source)) throw bad(`cell ${i} has no source (a string or an array of strings)`);
    if (!isObject(cell.metadata)) throw bad(`cell ${i} has no metadata object`);
    if (cell.id !== undefined && (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id))) throw bad(`cell ${i} has an invalid id`);
    const tags = cell.metadata.tags;
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) throw bad(`cell ${i} has tags that are not an array of strings`);
    if (cell.cell_type === 'code') {
      if (!Array.isArray(cell.outputs)) throw bad(`cell ${i} (code) has no outputs array`);
      if (cell.execution_count !== null && !Number.isInteger(cell.execution_count)) throw bad(`cell ${i} (code) has no execution_count (an integer or null)`);
    }
  });
}

export function sourceText(s: MultilineString): string {
  return typeof s === 'string' ? s : s.join('');
}

export function hasTag(cell: NotebookCell, tag: string): boolean {
  return cell.metadata.tags?.includes(tag) ?? false;
}

/** The kernelspec name the notebook asks for, if any. */
export function notebookKernelName(nb: NotebookDocument): string | undefined {
  const ks = nb.metadata.kernelspec as { name?: string } | undefined;
  return ks?.name || undefined;
}

/** A cell id not used in `nb` (cell ids exist from nbformat 4.5 on; undefined before). */
export function freshCellId(nb: NotebookDocument, wanted: string): string | undefined {
  if (nb.nbformat_minor < 5) return undefined;
  const used = new Set(nb.cells.map((c) => c.id));
  let id = wanted;
  for (let n = 2; used.has(id); n++) id = `${wanted}-${n}`;
  return id;
}
