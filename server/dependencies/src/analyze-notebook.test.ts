/**
 * A whole notebook through the three analyzers and the graph: the issue's
 * cross-language case (a SQL cell creates a table a Python cell reads
 * through DuckDB), staleness after an edit, and bad input that must stay
 * an error of its own cell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAppError } from '@workbench/core';
import { analyzeNotebook, DependencyAnalyzer, type DependencyAnalyzerOptions } from './analyze-notebook';
import { buildGraph, downstream, upstream } from './graph';
import { hashSource } from './metadata';
import { parseAnalyzeRequest } from './request';
import type { NotebookCellSource } from './types';

const analyzers: DependencyAnalyzer[] = [];
const pids: number[] = [];
function make(options: DependencyAnalyzerOptions = {}): DependencyAnalyzer {
  const a = new DependencyAnalyzer({
    ...options,
    python: {
      spawn: (cmd, args) => {
        const p = spawn(cmd, args, { stdio: 'pipe' });
        if (p.pid) pids.push(p.pid);
        return p;
      },
      ...options.python,
    },
  });
  analyzers.push(a);
  return a;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
afterEach(async () => {
  await Promise.all(analyzers.splice(0).map((a) => a[Symbol.asyncDispose]()));
  expect(pids.splice(0).filter(alive)).toEqual([]);
});

const NOTEBOOK: NotebookCellSource[] = [
  { id: 'params', language: 'sql', source: '%params {"month": "2026-10"}' },
  { id: 'sales', language: 'sql', source: "CREATE TABLE sales AS\nSELECT id, region, amount, booked_at FROM read_parquet('bronze/orders.parquet')\nWHERE strftime(booked_at, '%Y-%m') = $month" },
  { id: 'df', language: 'python', source: 'import duckdb\ndf = duckdb.sql("SELECT * FROM sales").df()\nby_region = df.groupby("region").amount.sum()' },
  { id: 'top', language: 'python', source: 'top = by_region.nlargest(n_top)\nduckdb.sql("CREATE OR REPLACE TABLE top_regions AS SELECT * FROM top")' },
  { id: 'check', language: 'sql', source: '%%expect no_negative_sales\nSELECT * FROM sales WHERE amount < 0' },
  { id: 'rate', language: 'typescript', source: 'const vatRate = 0.2;\nfunction gross(net: number): number { return net * (1 + vatRate) }' },
  { id: 'invoice', language: 'typescript', source: 'const lines = [100, 250];\nconst total = lines.map(gross).reduce((a, b) => a + b, 0);\nconsole.log(total.toFixed(2));' },
  { id: 'n', language: 'python', source: 'n_top = 3' },
];

describe('analyzeNotebook', () => {
  it('the cross-language case: SQL creates a table, Python reads it through DuckDB, TypeScript reads another cell\'s names', async () => {
    const cells = await make().analyzeNotebook(NOTEBOOK);
    const byId = Object.fromEntries(cells.map(({ id, sourceHash: _h, ...r }) => [id, r]));
    expect(byId).toEqual({
      params: { defines: ['param:month'], reads: [] },
      sales: { defines: ['table:sales'], reads: ['param:month'] },
      // The unqualified `sales` is also a possible DataFrame of that name (DuckDB's replacement scan).
      df: { defines: ['by_region', 'df', 'duckdb'], reads: ['sales', 'table:sales'] },
      // `FROM top` is the cell's own DataFrame top (a replacement scan), not a table.
      top: { defines: ['table:top_regions', 'top'], reads: ['by_region', 'duckdb', 'n_top'] },
      check: { defines: ['check:no_negative_sales'], reads: ['table:sales'] },
      rate: { defines: ['gross', 'vatRate'], reads: [] },
      invoice: { defines: ['lines', 'total'], reads: ['gross'] },
      n: { defines: ['n_top'], reads: [] },
    });
    expect(cells[1]!.sourceHash).toBe(await hashSource(NOTEBOOK[1]!.source));

    const graph = buildGraph(NOTEBOOK.map((c, i) => ({ id: c.id, language: c.language, sourceHash: cells[i]!.sourceHash, analysis: cells[i]! })));
    expect(graph.edges).toEqual([
      { from: 'params', to: 'sales', names: ['param:month'] },
      { from: 'sales', to: 'df', names: ['table:sales'] },
      { from: 'df', to: 'top', names: ['by_region', 'duckdb'] },
      { from: 'n', to: 'top', names: ['n_top'], later: true },
      { from: 'sales', to: 'check', names: ['table:sales'] },
      { from: 'rate', to: 'invoice', names: ['gross'] },
    ]);
    expect(graph.warnings).toEqual([{ kind: 'reads_later', cell: 'top', name: 'n_top', definedBy: 'n' }]);
    expect(graph.order).toEqual(['params', 'sales', 'df', 'check', 'rate', 'invoice', 'n', 'top']);
    expect(downstream(graph, 'sales')).toEqual(['sales', 'df', 'check', 'top']);
    expect(upstream(graph, 'top')).toEqual(['params', 'sales', 'df', 'n', 'top']);
  });

  it('stale after an edit of the SQL cell: the Python reader and the check downstream of it', async () => {
    const a = make();
    const request = parseAnalyzeRequest({ cells: NOTEBOOK });
    const first = await a.analyze(request);
    // Every cell ran once, in order (n before top, as the plan says).
    const order = first.graph.order;
    const runs = new Map(order.map((id, k) => [id, { executionCount: k + 1, sourceHash: first.cells.find((c) => c.id === id)!.sourceHash, ranAt: new Date(Date.UTC(2026, 9, 31, 9, 0, k)).toISOString() }]));
    const edited = NOTEBOOK.map((c) => (c.id === 'sales' ? { ...c, source: c.source.replace('amount,', 'amount, currency,') } : c));
    const second = await a.analyze(parseAnalyzeRequest({ cells: edited.map((c) => ({ ...c, execution: runs.get(c.id) })) }));
    expect(second.graph.stale).toEqual(['sales', 'df', 'top', 'check']);
    expect(second.graph.status.sales!.reasons).toEqual([{ kind: 'edited' }]);
    expect(second.graph.status.invoice!.state).toBe('fresh');
  });

  it('a builtin name is a read only when a cell of the notebook rebinds it', async () => {
    const cells = await make().analyzeNotebook([
      { id: 'a', language: 'python', source: 'id = 42\nrows = list(range(3))' },
      { id: 'b', language: 'python', source: 'print(id, len(rows))' },
    ]);
    expect(cells.map((c) => c.reads)).toEqual([[], ['id', 'rows']]);
  });

  it('a cell over the size limit is an error of that cell; the others are analysed', async () => {
    const huge = `x = 1\n${'# filler\n'.repeat(130_000)}`;
    const cells = await make({ maxSourceBytes: 1024 * 1024 }).analyzeNotebook([
      { id: 'big', language: 'python', source: huge },
      { id: 'bigsql', language: 'sql', source: `SELECT 1 ${' '.repeat(1_100_000)}` },
      { id: 'ok', language: 'python', source: 'y = x' },
    ]);
    expect(cells.map((c) => [c.id, c.errors])).toEqual([
      ['big', 'Cannot analyse the cell: its source is 1.1 MB, over the 1 MB limit'],
      ['bigsql', 'Cannot analyse the cell: its source is 1 MB, over the 1 MB limit'],
      ['ok', undefined],
    ]);
    expect(cells[2]).toMatchObject({ defines: ['y'], reads: ['x'] });
  });

  it('syntax errors stay in their cells', async () => {
    const cells = await make().analyzeNotebook([
      { id: 'py', language: 'python', source: 'def f(:\n  pass' },
      { id: 'sql', language: 'sql', source: 'SELEC 1 FROM t' },
      { id: 'ts', language: 'typescript', source: 'const = 1' },
      { id: 'fine', language: 'python', source: 'ok = True' },
    ]);
    expect(cells.map((c) => c.errors?.split(':')[0])).toEqual(['Cannot parse the Python cell', 'Cannot analyse statement 1 (line 1)', 'Cannot parse the TypeScript cell', undefined]);
    expect(cells[3]).toMatchObject({ defines: ['ok'], reads: [] });
  });

  it('python3 killed mid-request: that cell says so, the next call gets a fresh child', async () => {
    let spawned = 0;
    const a = make({
      python: {
        spawn: (cmd, args) => {
          const p: ChildProcess = spawn(cmd, args, { stdio: 'pipe' });
          if (p.pid) pids.push(p.pid);
          if (spawned++ === 0) {
            const write = p.stdin!.write.bind(p.stdin!) as (chunk: string) => boolean;
            p.stdin!.write = ((chunk: string) => {
              const ok = write(chunk);
              p.kill('SIGKILL');
              return ok;
            }) as NonNullable<typeof p.stdin>['write'];
          }
          return p;
        },
      },
    });
    const first = await a.analyzeNotebook([
      { id: 'a', language: 'python', source: 'x = 1' },
      { id: 'b', language: 'python', source: 'y = x' },
      { id: 's', language: 'sql', source: 'SELECT * FROM t' },
    ]);
    expect(first[0]!.errors).toBe('Cannot analyse the Python cell: the python3 parser was killed (SIGKILL)');
    // The next cell of the same call already has a fresh child.
    expect(first[1]).toMatchObject({ defines: ['y'], reads: ['x'] });
    expect(first[2]).toMatchObject({ reads: ['table:t'] });
    expect(spawned).toBe(2);
  });

  it('without python3, Python cells carry the error and the rest is analysed', async () => {
    const cells = await analyzeNotebook(
      [
        { id: 'p', language: 'python', source: 'x = 1' },
        { id: 's', language: 'sql', source: 'CREATE TABLE t AS SELECT 1' },
      ],
      { python: { python: '/nonexistent/python3' } },
    );
    expect(cells[0]).toMatchObject({ defines: [], reads: [], errors: "Cannot analyse the Python cell: /nonexistent/python3 is missing (install Debian's python3)" });
    expect(cells[1]).toMatchObject({ defines: ['table:t'] });
  });

  it('the request\'s notebook path: %build_models folders are read relative to it, and the models meet a Python reader', async () => {
    const asked: string[] = [];
    const a = make({
      readModels: async (folder) => {
        asked.push(folder);
        return [{ name: 'orders_by_day', sql: 'SELECT day, count(*) FROM raw_orders GROUP BY day' }];
      },
    });
    const cells = [
      { id: 'build', language: 'sql', source: '%build_models models schema=analytics' },
      { id: 'py', language: 'python', source: 'import duckdb\ndf = duckdb.sql("SELECT * FROM analytics.orders_by_day").df()' },
    ];
    const r = await a.analyze(parseAnalyzeRequest({ cells, path: 'proj/analysis.ipynb' }));
    expect(asked).toEqual(['proj/models']);
    expect(r.cells[0]).toMatchObject({ defines: ['table:analytics.orders_by_day'], reads: ['table:raw_orders'] });
    expect(r.graph.edges).toEqual([{ from: 'build', to: 'py', names: ['table:analytics.orders_by_day'] }]);
    // Without the path the folder is not read: the cell says why.
    const unknown = await a.analyze(parseAnalyzeRequest({ cells }));
    expect(unknown.cells[0]).toMatchObject({ defines: [], errors: "Cannot analyse %build_models models: the notebook's path is not known, and the folder is relative to it" });
    expect(asked).toHaveLength(1);
  });

  it('an aborted call rejects; a closed analyzer refuses', async () => {
    const a = make();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(a.analyzeNotebook([{ id: 'p', language: 'python', source: 'x = 1' }], { signal: ac.signal })).rejects.toThrow('stop');
    await a[Symbol.asyncDispose]();
    const err = await a.analyzeNotebook([]).catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
  });
});
