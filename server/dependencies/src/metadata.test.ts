/** Cell metadata `workbench.deps` and the route's request body. */
import { createHash } from 'node:crypto';
import { isAppError } from '@workbench/core';
import { graphCellOf, hashSource, readDepsMetadata, withDepsMetadata, type DepsMetadata } from './metadata';
import { MAX_PATH, parseAnalyzeRequest } from './request';

const HASH = 'a'.repeat(64);

describe('metadata', () => {
  it('hashSource is SHA-256 hex of the UTF-8 source (what the browser computes with WebCrypto)', async () => {
    const src = 'df = load("café") # ✓';
    expect(await hashSource(src)).toBe(createHash('sha256').update(src, 'utf8').digest('hex'));
  });

  it('writes workbench.deps beside other metadata and reads it back', () => {
    const deps: DepsMetadata = {
      version: 1,
      analysis: { sourceHash: HASH, defines: ['df'], reads: ['table:sales'] },
      execution: { executionCount: 3, sourceHash: HASH, ranAt: '2026-10-31T09:00:00.000Z', kernelSession: 'k1' },
    };
    const md = withDepsMetadata({ tags: ['parameters'], workbench: { review: true } }, deps);
    expect(md).toEqual({ tags: ['parameters'], workbench: { review: true, deps } });
    expect(readDepsMetadata(JSON.parse(JSON.stringify(md)))).toEqual(deps);
    expect(graphCellOf({ id: 'c1', language: 'python', sourceHash: HASH }, md)).toEqual({ id: 'c1', language: 'python', sourceHash: HASH, analysis: { defines: ['df'], reads: ['table:sales'] }, execution: deps.execution });
  });

  it('leaves out what another client wrote malformed, never throws', () => {
    expect(readDepsMetadata(undefined)).toBeUndefined();
    expect(readDepsMetadata({ workbench: { deps: { version: 2 } } })).toBeUndefined();
    expect(readDepsMetadata({ workbench: { deps: { version: 1, analysis: { sourceHash: 'short', defines: [], reads: [] }, execution: { executionCount: 1, sourceHash: HASH, ranAt: 'yesterday' } } } })).toEqual({ version: 1 });
    expect(readDepsMetadata({ workbench: { deps: { version: 1, analysis: { sourceHash: HASH, defines: [1], reads: [] } } } })).toEqual({ version: 1 });
  });
});

describe('parseAnalyzeRequest', () => {
  it('accepts cells with optional execution records', () => {
    const r = parseAnalyzeRequest({
      cells: [
        { id: 'a', language: 'sql', source: 'SELECT 1' },
        { id: 'b', language: 'python', source: 'x = 1', execution: { executionCount: null, sourceHash: HASH, ranAt: '2026-10-31T09:00:00Z' } },
      ],
      kernelSession: 'k',
    });
    expect(r.cells[1]!.execution).toEqual({ executionCount: null, sourceHash: HASH, ranAt: '2026-10-31T09:00:00Z' });
    expect(r.kernelSession).toBe('k');
  });

  it.each([
    [null, 'Cannot analyse dependencies: the body must be a JSON object'],
    [{ cells: [], extra: 1 }, 'Cannot analyse dependencies: unknown key "extra" (allowed: cells, kernelSession, path)'],
    [{ cells: {} }, 'Cannot analyse dependencies: cells must be a list'],
    [{ cells: [{ id: '', language: 'python', source: '' }] }, 'Cannot analyse dependencies: cells[0].id must be a string of 1 to 200 characters'],
    [{ cells: [{ id: 'a', language: 'r', source: '' }] }, 'Cannot analyse dependencies: cells[0].language must be one of python, sql, typescript'],
    [{ cells: [{ id: 'a', language: 'sql', source: 1 }] }, 'Cannot analyse dependencies: cells[0].source must be a string'],
    [
      {
        cells: [
          { id: 'a', language: 'sql', source: '' },
          { id: 'a', language: 'sql', source: '' },
        ],
      },
      'Cannot analyse dependencies: cells[1].id "a" is not unique',
    ],
    [{ cells: [{ id: 'a', language: 'sql', source: '', execution: { ranAt: 'x' } }] }, 'Cannot analyse dependencies: cells[0].execution must be {executionCount, sourceHash (SHA-256 hex), ranAt (ISO 8601)}'],
    [{ cells: [], path: 3 }, `Cannot analyse dependencies: path must be a string of at most ${MAX_PATH} characters`],
    [{ cells: [], path: '../secret/analysis.ipynb' }, 'Cannot analyse dependencies: path must not hold ".." segments'],
    [{ cells: [], path: 'proj/../../analysis.ipynb' }, 'Cannot analyse dependencies: path must not hold ".." segments'],
    [{ cells: [], path: 'proj\\..\\analysis.ipynb' }, 'Cannot analyse dependencies: path must not hold NUL bytes or backslashes'],
    [{ cells: [], path: '/' }, 'Cannot analyse dependencies: path must name the notebook'],
  ])('refuses %j', (body, message) => {
    let err: unknown;
    try {
      parseAnalyzeRequest(body);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'bad_request')).toBe(true);
    expect((err as Error).message).toBe(message);
  });

  it('takes the notebook\'s workspace path, normalised', () => {
    const cells = [{ id: 'a', language: 'sql', source: '%build_models models' }];
    expect(parseAnalyzeRequest({ cells, path: 'proj/analysis.ipynb' })).toEqual({ cells, path: 'proj/analysis.ipynb' });
    expect(parseAnalyzeRequest({ cells, path: '/proj/./analysis.ipynb' }).path).toBe('proj/analysis.ipynb');
    expect(parseAnalyzeRequest({ cells })).toEqual({ cells });
    expect(parseAnalyzeRequest({ cells, path: `${'a'.repeat(MAX_PATH - 6)}.ipynb` }).path).toHaveLength(MAX_PATH);
    expect(() => parseAnalyzeRequest({ cells, path: `${'a'.repeat(MAX_PATH - 5)}.ipynb` })).toThrow(`Cannot analyse dependencies: path must be a string of at most ${MAX_PATH} characters`);
  });

  it('refuses too many cells as payload_too_large', () => {
    const cells = Array.from({ length: 5001 }, (_, i) => ({ id: `c${i}`, language: 'sql', source: '' }));
    expect(() => parseAnalyzeRequest({ cells })).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
  });
});
