/**
 * The headless executor (@workbench/executor) on the server's own
 * KernelManager with real kernels: papermill-style parameters and output
 * notebooks for Python, TypeScript (tslab) and a .sql file on the SQL
 * kernel; task values; a failing cell; a cell timeout, a run timeout and a
 * cancel (each interrupts, then shuts the kernel down); a kernel killed
 * mid-cell. After every run no kernel is left.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@workbench/core';
import { runNotebook, sqlFileNotebook, type CodeCell, type ExecutorEvent, type NotebookCell, type NotebookDocument, type RunNotebookOptions } from '@workbench/executor';
import { nbformatValidate } from './testing/nbvalidate';
import { startTestServer, TestServer } from './testing/harness';

const code = (source: string, tags?: string[]): CodeCell => ({ cell_type: 'code', execution_count: null, metadata: tags ? { tags } : {}, outputs: [], source });
const markdown = (source: string): NotebookCell => ({ cell_type: 'markdown', metadata: {}, source });
const notebook = (kernel: string, language: string, cells: NotebookCell[]): NotebookDocument => ({
  nbformat: 4,
  nbformat_minor: 4,
  metadata: { kernelspec: { name: kernel, display_name: kernel, language } },
  cells,
});
const python = (cells: NotebookCell[]) => notebook('python3', 'python', cells);
const codeCell = (nb: NotebookDocument, i: number) => nb.cells[i] as CodeCell;
const text = (cell: CodeCell, stream: 'stdout' | 'stderr' = 'stdout') =>
  cell.outputs.map((o) => (o.output_type === 'stream' && o.name === stream ? (typeof o.text === 'string' ? o.text : o.text.join('')) : '')).join('');

describe('headless notebook runs (runNotebook) on real kernels', () => {
  let ts: TestServer;
  let validated = 0;

  beforeAll(async () => {
    // No env_allow for WORKBENCH_RUN_ID: the executor's env is the server's own (the manager's trustedEnv).
    ts = await startTestServer();
    await mkdir(join(ts.rootDir, 'jobs'));
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });
  afterEach(() => {
    expect(ts.wb.kernels.list()).toEqual([]);
  });

  const run = (o: Omit<RunNotebookOptions, 'kernels' | 'user' | 'path'> & { path?: string }, events: ExecutorEvent[] = []) =>
    runNotebook({ kernels: ts.wb.kernels, user: 'scheduler', path: 'jobs/report.ipynb', onEvent: (e) => events.push(e), ...o });

  /** The output notebook is valid nbformat (Debian's reference validator). */
  async function expectValid(nb: NotebookDocument): Promise<void> {
    const file = join(ts.rootDir, 'jobs', `out-${validated++}.ipynb`);
    await writeFile(file, JSON.stringify(nb));
    expect(nbformatValidate(file)).toBe('');
  }

  it('runs a Python notebook with parameters: injected cell, papermill metadata, task values, stdout, events', async () => {
    const events: ExecutorEvent[] = [];
    const input = python([
      markdown('# Month-end report'),
      code('month = "2026-01"\nlimit = 10\nitems = []', ['parameters']),
      code('print(f"month={month} limit={limit} items={items!r}")\nimport os\nprint(os.getcwd(), os.environ.get("WORKBENCH_RUN_ID"))'),
      code('import workbench\nworkbench.task_value("total", limit * 2)\nworkbench.task_value("period", {"month": month})\nworkbench.task_value("total", limit * 3)'),
      code('raise RuntimeError("skipped cells do not run")', ['skip-execution']),
      code('   \n'),
      code('6 * 7'),
    ]);
    const result = await run({ notebook: input, parameters: { month: '2026-10', limit: 5, items: ["a'b", 'c"d'] }, env: { WORKBENCH_RUN_ID: 'run-42' } }, events);

    expect(result.status).toBe('succeeded');
    expect(result.error).toBeUndefined();
    const nb = result.notebook;
    // The defaults stay; the injected cell follows them.
    expect(nb.cells[1]!.source).toBe('month = "2026-01"\nlimit = 10\nitems = []');
    expect(nb.cells[2]).toMatchObject({ cell_type: 'code', metadata: { tags: ['injected-parameters'] }, source: '# Parameters\nmonth = "2026-10"\nlimit = 5\nitems = ["a\'b", "c\\"d"]\n' });
    expect(text(codeCell(nb, 3))).toBe(`month=2026-10 limit=5 items=["a'b", 'c"d']\n${join(ts.rootDir, 'jobs')} run-42\n`);
    expect(result.values).toEqual({ total: 15, period: { month: '2026-10' } });
    expect(codeCell(nb, 4).outputs.filter((o) => o.output_type === 'display_data')).toHaveLength(3);
    expect(codeCell(nb, 4).outputs[0]).toMatchObject({ data: { 'text/plain': 'task value total = 10' } });
    expect(codeCell(nb, 7).outputs).toEqual([{ output_type: 'execute_result', execution_count: 5, data: { 'text/plain': '42' }, metadata: {} }]);
    expect(nb.cells.map((c) => (c.cell_type === 'code' ? c.execution_count : '-'))).toEqual(['-', 1, 2, 3, 4, null, null, 5]);
    expect(codeCell(nb, 5).outputs).toEqual([]);

    expect(nb.metadata.papermill).toMatchObject({ parameters: { month: '2026-10', limit: 5, items: ["a'b", 'c"d'] }, input_path: 'jobs/report.ipynb', exception: null });
    const pm = nb.metadata.papermill as { start_time: string; end_time: string; duration: number };
    expect(Date.parse(pm.end_time)).toBeGreaterThanOrEqual(Date.parse(pm.start_time));
    expect(pm.duration).toBeGreaterThan(0);
    for (const c of nb.cells) expect(c.metadata.papermill).toMatchObject({ status: 'completed', exception: false });
    expect(input.cells).toHaveLength(7); // the input notebook is left alone
    expect(codeCell(input, 2).outputs).toEqual([]);

    const runnable = [1, 2, 3, 4, 7];
    expect(events[0]).toMatchObject({ type: 'kernel_started', kernelId: result.kernelId });
    expect(events.filter((e) => e.type === 'progress')).toEqual([0, 1, 2, 3, 4, 5].map((done) => expect.objectContaining({ done, total: runnable.length })));
    expect(events.filter((e) => e.type === 'cell_started').map((e) => (e as { index: number }).index)).toEqual(runnable);
    expect(events.filter((e) => e.type === 'cell_finished').map((e) => [(e as { index: number }).index, (e as { status: string }).status])).toEqual(runnable.map((i) => [i, 'ok']));
    expect(events.filter((e) => e.type === 'output' && e.stream === 'stdout').map((e) => (e as { text: string }).text).join('')).toBe(text(codeCell(nb, 3)));
    expect(events).toContainEqual(expect.objectContaining({ type: 'output', index: 7, stream: 'result', text: '42' }));
    const t = result.timings;
    expect(t.startedAt).toBeLessThanOrEqual(t.kernelReadyAt!);
    expect(t.kernelReadyAt!).toBeLessThanOrEqual(t.firstCellAt!);
    expect(t.firstCellAt!).toBeLessThanOrEqual(t.finishedAt);
    await expectValid(nb);
  });

  it('runs a TypeScript (tslab) notebook with parameters and task values from display.raw; a thrown error fails it', async () => {
    const input = notebook('tslab', 'typescript', [
      code('const n: number = 1;\nconst label: string = "default";', ['parameters']),
      code('console.log(`n=${n} label=${label}`);'),
      // (tslab does not rewrite shorthand properties of earlier cells' variables: write `label: label`.)
      code('import * as tslab from "tslab";\ntslab.display.raw("application/vnd.workbench.task-values+json", JSON.stringify({ doubled: n * 2, label: label }));'),
      code('if (n > 20) throw new RangeError(`n is ${n}`);'),
    ]);
    const result = await run({ notebook: input, parameters: { n: 21, label: 'it\'s "quoted"' } });
    // (result.notebook starts with the error marker: the run's cell i is at i + 1 up to the failed one.)
    expect(result.notebook.cells[2]!.source).toBe('// Parameters\nconst n = 21;\nconst label = "it\'s \\"quoted\\"";\n');
    expect(text(codeCell(result.notebook, 3))).toBe('n=21 label=it\'s "quoted"\n');
    // Values set before the failure are kept; tslab reports errors on stderr only.
    expect(result.values).toEqual({ doubled: 42, label: 'it\'s "quoted"' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ cellIndex: 4, ename: 'RangeError', evalue: 'n is 21' });
    await expectValid(result.notebook);
  });

  it('runs a .sql file on the SQL kernel with a parameter and reports the row count', async () => {
    const nb = sqlFileNotebook('-- Small numbers\n%params {"below": 2}\nSELECT range AS i FROM range(10) WHERE range < $below ORDER BY i;\n');
    const result = await run({ notebook: nb, path: 'jobs/small.sql', parameters: { below: 4 } });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.notebook.cells.map((c) => c.metadata.tags ?? [])).toEqual([['parameters'], ['injected-parameters'], []]);
    expect(result.notebook.cells[1]!.source).toBe('%params {"below":4}\n');
    const out = codeCell(result.notebook, 2).outputs[0];
    expect(out).toMatchObject({ output_type: 'execute_result', metadata: { workbench: { rows: 4 } } });
    expect((out as { data: Record<string, { data: unknown[] }> }).data['application/vnd.dataresource+json']!.data).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
    expect(result.values).toEqual({ row_count: 4 });
    await expectValid(result.notebook);
  });

  it('stops at a failing cell: error recorded, the cell marked, later cells not run', async () => {
    const events: ExecutorEvent[] = [];
    const result = await run({ notebook: python([code('print("before")'), code('x = 1\n1 / 0'), code('print("after")')]) }, events);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ cellIndex: 1, ename: 'ZeroDivisionError', evalue: 'division by zero' });
    expect(result.error!.message).toMatch(/^Cannot run notebook jobs\/report\.ipynb \(cell 1\): ZeroDivisionError: division by zero$/);
    const cells = result.notebook.cells;
    // The markers: one first, linking to one right before the failed cell.
    expect(cells.map((c) => [c.cell_type, c.metadata.tags?.[0]])).toEqual([
      ['markdown', 'papermill-error-cell-tag'],
      ['code', undefined],
      ['markdown', 'papermill-error-cell-tag'],
      ['code', undefined],
      ['code', undefined],
    ]);
    expect(cells[0]!.source).toMatch(/href="#papermill-error-cell">In \[2\]<\/a>: ZeroDivisionError: division by zero/);
    const failed = codeCell(result.notebook, 3);
    expect(failed.metadata.papermill).toMatchObject({ status: 'failed', exception: true });
    expect(failed.outputs).toEqual([expect.objectContaining({ output_type: 'error', ename: 'ZeroDivisionError' })]);
    expect(codeCell(result.notebook, 4)).toMatchObject({ execution_count: null, outputs: [], metadata: { papermill: { status: 'pending' } } });
    expect(result.notebook.metadata.papermill).toMatchObject({ exception: true });
    expect(events.filter((e) => e.type === 'cell_finished').map((e) => (e as { status: string }).status)).toEqual(['ok', 'error']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'output', index: 1, stream: 'error', text: 'ZeroDivisionError: division by zero' }));
    await expectValid(result.notebook);
  });

  it('times out a cell: the kernel is interrupted, the cell marked, the run timed_out', async () => {
    const events: ExecutorEvent[] = [];
    const result = await run({ notebook: python([code('x = 1'), code('import time\ntime.sleep(60)'), code('print("never")')]), cellTimeoutMs: 1500 }, events);
    expect(result.status).toBe('timed_out');
    expect(result.error).toMatchObject({ cellIndex: 1, ename: 'CellTimeoutError', evalue: 'cell 1 ran longer than 1500 ms' });
    expect(codeCell(result.notebook, 3).metadata.papermill).toMatchObject({ status: 'failed', exception: true });
    expect(codeCell(result.notebook, 4).outputs).toEqual([]);
    expect(events.filter((e) => e.type === 'cell_finished').map((e) => (e as { status: string }).status)).toEqual(['ok', 'timed_out']);
  });

  it('times out the whole run (kernel start included)', async () => {
    const result = await run({ notebook: python([code('import time\ntime.sleep(60)')]), timeoutMs: 3000 });
    expect(result.status).toBe('timed_out');
    expect(result.error).toMatchObject({ ename: 'RunTimeoutError', evalue: 'the run took longer than 3000 ms' });
  });

  it('cancels through the signal after a long cell started: interrupted, status cancelled', async () => {
    const ac = new AbortController();
    const events: ExecutorEvent[] = [];
    let startedLong = false;
    const result = await run(
      {
        // No flush=True: ipykernel's IO thread sends "sleeping" while the cell is already in time.sleep, so the
        // interrupt lands in the cell's own code, not in print's wait for that thread (where it takes up to 1.2 s).
        notebook: python([code('x = 1'), code('print("sleeping")\nimport time\ntime.sleep(60)'), code('print("never")')]),
        signal: ac.signal,
        // Cancel once the long cell has started and is past its first line (so the interrupt lands in its code).
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'cell_started' && e.index === 1) startedLong = true;
          if (e.type === 'output' && e.index === 1 && startedLong) ac.abort();
        },
      },
    );
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatchObject({ cellIndex: 1, ename: 'RunCancelled' });
    const cell = codeCell(result.notebook, 3);
    expect(cell.outputs).toEqual([expect.objectContaining({ output_type: 'stream', text: 'sleeping\n' }), expect.objectContaining({ output_type: 'error', ename: 'KeyboardInterrupt' })]);
    expect(cell.metadata.papermill).toMatchObject({ status: 'failed' });
    expect(events.filter((e) => e.type === 'cell_finished').map((e) => (e as { status: string }).status)).toEqual(['ok', 'cancelled']);
  });

  it('does not start a kernel for a run cancelled before it began', async () => {
    const result = await run({ notebook: python([code('print(1)')]), signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'cancelled', kernelId: undefined, error: { ename: 'RunCancelled' } });
    expect(result.error!.cellIndex).toBeUndefined();
  });

  it('reports a kernel killed mid-cell as kernel_died with the reason', async () => {
    const result = await run({ notebook: python([code('print("alive")'), code('import os, signal\nos.kill(os.getpid(), signal.SIGKILL)'), code('print("never")')]) });
    expect(result.status).toBe('kernel_died');
    expect(result.error).toMatchObject({ cellIndex: 1, ename: 'DeadKernelError' });
    expect(result.error!.evalue).toMatch(/SIGKILL/);
    expect(codeCell(result.notebook, 3).metadata.papermill).toMatchObject({ status: 'failed', exception: true });
    expect(codeCell(result.notebook, 4).outputs).toEqual([]);
  });

  it('refuses an unknown kernelspec and a bad notebook with clear errors, starting nothing', async () => {
    const unknown = run({ notebook: notebook('cobol', 'cobol', [code('DISPLAY 1')]) });
    await expect(unknown).rejects.toThrow(AppError);
    await expect(unknown).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/^Cannot run notebook jobs\/report\.ipynb: no kernelspec named "cobol" \(have .*python3.*\)$/) });
    const bad = run({ notebook: { nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', source: 'x' }] } as unknown as NotebookDocument });
    await expect(bad).rejects.toMatchObject({ code: 'bad_request', message: 'Cannot run notebook jobs/report.ipynb: cell 0 has no metadata object' });
    const badParams = run({ notebook: python([code('x')]), parameters: { 'not a name': 1 } });
    await expect(badParams).rejects.toMatchObject({ code: 'bad_request' });
  });
});
