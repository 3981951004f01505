/**
 * The body of `POST /api/dependencies/analyze` (README.md), checked at the
 * trust boundary: a route calls `parseAnalyzeRequest(req.body)`, then
 * `analyzer.analyze(request)`. A cell's size is not refused here: an
 * oversized cell gets its own `errors` (the body's limit is the HTTP
 * layer's). The notebook's `path` is refused when it holds `..`: the
 * `%build_models` folders resolved against it must stay in the workspace.
 */
import { AppError } from '@workbench/core';
import { readExecution } from './metadata';
import { CELL_LANGUAGES, type CellLanguage, type ExecutionRecord, type NotebookCellSource } from './types';

export const MAX_CELLS = 5000;
const MAX_ID = 200;
/** Longest notebook path taken (the Contents API's paths are far shorter in practice). */
export const MAX_PATH = 1024;

export interface AnalyzeRequestCell extends NotebookCellSource {
  execution?: ExecutionRecord;
}

export interface AnalyzeRequest {
  cells: AnalyzeRequestCell[];
  /** The running kernel's session: runs of other kernel processes count as never run (graph.ts). */
  kernelSession?: string;
  /**
   * The notebook's workspace path (`proj/analysis.ipynb`, normalised: no
   * leading `/`, no `.` segments): `%build_models` folders are relative to
   * its directory. Without it such a cell says so in `errors`.
   */
  path?: string;
}

const ACTION = 'Cannot analyse dependencies';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseAnalyzeRequest(body: unknown): AnalyzeRequest {
  if (!isObj(body)) throw new AppError('bad_request', `${ACTION}: the body must be a JSON object`);
  const extra = Object.keys(body).find((k) => k !== 'cells' && k !== 'kernelSession' && k !== 'path');
  if (extra !== undefined) throw new AppError('bad_request', `${ACTION}: unknown key ${JSON.stringify(extra.slice(0, 40))} (allowed: cells, kernelSession, path)`);
  if (!Array.isArray(body.cells)) throw new AppError('bad_request', `${ACTION}: cells must be a list`);
  if (body.cells.length > MAX_CELLS) throw new AppError('payload_too_large', `${ACTION}: ${body.cells.length} cells, more than ${MAX_CELLS}`);
  if (body.kernelSession !== undefined && typeof body.kernelSession !== 'string') throw new AppError('bad_request', `${ACTION}: kernelSession must be a string`);
  const path = body.path === undefined ? undefined : parsePath(body.path);
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
  return { cells, ...(typeof body.kernelSession === 'string' ? { kernelSession: body.kernelSession } : {}), ...(path !== undefined ? { path } : {}) };
}

/** The notebook's workspace path, normalised; refused when it could name something outside the workspace. */
function parsePath(path: unknown): string {
  if (typeof path !== 'string' || path.length > MAX_PATH) throw new AppError('bad_request', `${ACTION}: path must be a string of at most ${MAX_PATH} characters`);
  if (path.includes('\0') || path.includes('\\')) throw new AppError('bad_request', `${ACTION}: path must not hold NUL bytes or backslashes`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new AppError('bad_request', `${ACTION}: path must not hold ".." segments`);
  if (parts.length === 0) throw new AppError('bad_request', `${ACTION}: path must name the notebook`);
  return parts.join('/');
}
