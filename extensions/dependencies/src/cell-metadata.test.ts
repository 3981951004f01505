import { readDepsMetadata } from '@workbench/dependencies/metadata';
import { executionRecordOf, workbenchWithAnalysis, workbenchWithExecution } from './cell-metadata';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

describe('workbench.deps in cell metadata', () => {
  it('the analysis and the run are written at different times, each keeping the other and other workbench keys', () => {
    const start = { tags: ['x'], workbench: { owner: 'ana' } };
    const withAnalysis = { ...start, workbench: workbenchWithAnalysis(start, { sourceHash: HASH_A, defines: ['a'], reads: [] }) };
    expect(withAnalysis.workbench).toEqual({ owner: 'ana', deps: { version: 1, analysis: { sourceHash: HASH_A, defines: ['a'], reads: [] } } });
    const run = { executionCount: 3, sourceHash: HASH_A, ranAt: '2026-10-31T09:00:00.000Z', kernelSession: 'k1' };
    const withRun = { ...withAnalysis, workbench: workbenchWithExecution(withAnalysis, run) };
    expect(readDepsMetadata(withRun)).toEqual({ version: 1, analysis: { sourceHash: HASH_A, defines: ['a'], reads: [] }, execution: run });
    const reanalysed = { ...withRun, workbench: workbenchWithAnalysis(withRun, { sourceHash: HASH_B, defines: ['a'], reads: ['b'], errors: 'note' }) };
    expect(readDepsMetadata(reanalysed)).toEqual({ version: 1, analysis: { sourceHash: HASH_B, defines: ['a'], reads: ['b'], errors: 'note' }, execution: run });
    expect((reanalysed.workbench as { owner: string }).owner).toBe('ana');
  });

  it('starts from nothing, and drops a malformed part another client wrote', () => {
    expect(workbenchWithExecution(undefined, { executionCount: null, sourceHash: HASH_A, ranAt: '2026-10-31T09:00:00.000Z' })).toEqual({
      deps: { version: 1, execution: { executionCount: null, sourceHash: HASH_A, ranAt: '2026-10-31T09:00:00.000Z' } },
    });
    const broken = { workbench: { deps: { version: 1, analysis: { sourceHash: 'nope', defines: 'a' } } } };
    expect(workbenchWithExecution(broken, { executionCount: 1, sourceHash: HASH_A, ranAt: '2026-10-31T09:00:00.000Z' })).toEqual({ deps: { version: 1, execution: { executionCount: 1, sourceHash: HASH_A, ranAt: '2026-10-31T09:00:00.000Z' } } });
  });
});

describe('executionRecordOf', () => {
  const now = new Date('2026-11-02T10:00:00.000Z');

  it('records the count, the kernel’s time and process, and failed for an error', () => {
    expect(executionRecordOf({ header: { session: 'k1', date: '2026-10-31T09:12:03.120456Z' }, content: { status: 'ok', execution_count: 7 } }, HASH_A, now)).toEqual({
      executionCount: 7,
      sourceHash: HASH_A,
      ranAt: '2026-10-31T09:12:03.120Z',
      kernelSession: 'k1',
    });
    expect(executionRecordOf({ header: { session: 'k1' }, content: { status: 'error', execution_count: 8 } }, HASH_A, now)).toEqual({
      executionCount: 8,
      sourceHash: HASH_A,
      ranAt: now.toISOString(),
      failed: true,
      kernelSession: 'k1',
    });
  });

  it('an aborted reply (skipped after an earlier error) or a bad hash records nothing', () => {
    expect(executionRecordOf({ header: { session: 'k1' }, content: { status: 'aborted', execution_count: null } }, HASH_A, now)).toBeNull();
    expect(executionRecordOf({ header: { session: 'k1' }, content: { status: 'ok', execution_count: 1 } }, 'short', now)).toBeNull();
    expect(executionRecordOf({ header: {}, content: { status: 'ok', execution_count: -1 } }, HASH_A, now)).toEqual({ executionCount: null, sourceHash: HASH_A, ranAt: now.toISOString() });
  });
});
