/**
 * The body of `POST /api/dependencies/analyze` (README.md), checked at the
 * trust boundary: a route calls `parseAnalyzeRequest(req.body)`, then
 * `analyzer.analyzeNotebook(cells)` and, with execution records,
 * `buildGraph`. A cell's size is not refused here: an oversized cell gets
 * its own `errors` (the body's limit is the HTTP layer's).
 */
import { AppError } from '@workbench/core';
import { readExecution } from './metadata';
import { CELL_LANGUAGES, type CellLanguage, type ExecutionRecord, type NotebookCellSource } from './types';

export const MAX_CELLS = 5000;
const MAX_ID = 200;

export interface AnalyzeRequestCell extends NotebookCellSource {
  execution?: ExecutionRecord;
}

export interface AnalyzeRequest {
  cells: AnalyzeRequestCell[];
  /** The running kernel's session: runs of other kernel processes count as never run (graph.ts). */
  kernelSession?: string;
}

const ACTION = 'Cannot analyse dependencies';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseAnalyzeRequest(body: unknown): AnalyzeRequest {
  if (!isObj(body)) throw new AppError('bad_request', `${ACTION}: the body must be a JSON object`);
  const extra = Object.keys(body).find((k) => k !== 'cells' && k !== 'kernelSession');
  if (extra !== undefined) throw new AppError('bad_request', `${ACTION}: unknown key ${JSON.stringify(extra.slice(0, 40))} (allowed: cells, kernelSession)`);
  if (!Array.isArray(body.cells)) throw new AppError('bad_request', `${ACTION}: cells must be a list`);
  if (body.cells.length > MAX_CELLS) throw new AppError('payload_too_large', `${ACTION}: ${body.cells.length} cells, more than ${MAX_CELLS}`);
  if (body.kernelSession !== undefined && typeof body.kernelSession !== 'string') throw new AppError('bad_request', `${ACTION}: kernelSession must be a string`);
  const seen = new Set<string>();
  const cells = body.cells.map((c: unknown, i): AnalyzeRequestCell => {
    const at = `cells[${i}]`;
    if (!isObj(c)) throw new AppError('bad_request', `${ACTION}: ${at} must be an object`);
    const bad = Object.keys(c).find((k) => !['id', 'language', 'source', 'execution'].includes(k));
    if (bad !== undefined) throw new AppError('bad_request', `${ACTION}: ${at} has an unknown key ${JSON.stringify(bad.slice(0, 40))} (allowed: id, language, source, execution)`);
    if (typeof c.id !== 'string' || c.id === '' || c.id.length > MAX_ID) throw new AppError('bad_request', `${ACTION}: ${at}.id must be a string of 1 to ${MAX_ID} characters`);
    if (seen.has(c.id)) throw new AppError('bad_request', `${ACTION}: ${at}.id ${JSON.stringify(c.id)} is not unique`);
    seen.add(c.id);
    if (!CELL_LANGUAGES.includes(c.language as CellLanguage)) throw new AppError('bad_request', `${ACTION}: ${at}.language must be one of ${CELL_LANGUAGES.join(', ')}`);
    if (typeof c.source !== 'string') throw new AppError('bad_request', `${ACTION}: ${at}.source must be a string`);
    let execution: ExecutionRecord | undefined;
    if (c.execution !== undefined) {
      execution = readExecution(c.execution);
      if (!execution) throw new AppError('bad_request', `${ACTION}: ${at}.execution must be {executionCount, sourceHash (SHA-256 hex), ranAt (ISO 8601)}`);
    }
    return { id: c.id, language: c.language as CellLanguage, source: c.source, ...(execution ? { execution } : {}) };
  });
  return { cells, ...(typeof body.kernelSession === 'string' ? { kernelSession: body.kernelSession } : {}) };
}
