/**
 * A notebook written by the server carries its cells' analysis as the
 * JupyterLab extension would write it (so it opens unmodified): the real
 * analyzer, the same cells (code cells of an analysed language, first of a
 * duplicated id), none for a blank cell, execution records of elsewhere
 * dropped; anything else comes back as it was.
 */
import { DependencyAnalyzer } from './analyze-notebook';
import { hashSource, readDepsMetadata } from './metadata';
import { withNotebookAnalysis } from './notebook-analysis';

const analyzer = new DependencyAnalyzer();
afterAll(() => analyzer[Symbol.asyncDispose]());
const analyze = (cells: Parameters<DependencyAnalyzer['analyzeNotebook']>[0]) => analyzer.analyzeNotebook(cells);

const ran = { executionCount: 3, sourceHash: 'a'.repeat(64), ranAt: '2026-11-30T10:00:00.000Z', kernelSession: 'theirs' };
const nb = (metadata: object, cells: object[]) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells });

describe('withNotebookAnalysis', () => {
  it('writes each code cell’s names and source hash, as the extension stores them', async () => {
    const text = nb({ kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } }, [
      { id: 'md', cell_type: 'markdown', metadata: {}, source: '# Title' },
      { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'], workbench: { deps: { version: 1, execution: ran }, other: 1 } }, outputs: [], execution_count: null, source: ['entity = "PH01"\n', 'limit = 10\n'] },
      { id: 'r', cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'print(entity, limit)' },
      { id: 'blank', cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: '  \n' },
      { id: 'r', cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'x = 1' },
    ]);
    const out = JSON.parse(await withNotebookAnalysis(text, analyze)) as { cells: Array<{ id: string; metadata: Record<string, unknown> }> };
    const deps = out.cells.map((c) => readDepsMetadata(c.metadata) ?? null);
    expect(deps[0]).toBeNull();
    expect(deps[1]).toEqual({ version: 1, analysis: { sourceHash: await hashSource('entity = "PH01"\nlimit = 10\n'), defines: ['entity', 'limit'], reads: [] } });
    expect(out.cells[1]!.metadata).toMatchObject({ tags: ['parameters'], workbench: { other: 1 } });
    expect(deps[2]).toEqual({ version: 1, analysis: { sourceHash: await hashSource('print(entity, limit)'), defines: [], reads: ['entity', 'limit'] } });
    expect(deps[3]).toBeNull();
    // The second cell with id "r" does not take part (the extension tracks the first of an id only).
    expect(deps[4]).toBeNull();
  });

  it('leaves text that is not a notebook, and notebooks of a language not analysed, as they were', async () => {
    for (const text of ['not json', '[1]', '{"cells": 3}', nb({ kernelspec: { name: 'ir', language: 'R' } }, [{ id: 'a', cell_type: 'code', metadata: {}, source: 'x <- 1' }])]) {
      expect(await withNotebookAnalysis(text, analyze)).toBe(text);
    }
  });
});
