/**
 * The Python analyzer against Debian's real /usr/bin/python3: realistic
 * notebook cells, SQL handed to DuckDB/pandas/workbench, IPython syntax,
 * and the child's failures (missing, killed mid-request, hung).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAppError } from '@workbench/core';
import { PythonAnalyzer } from './python-analyzer';

const analyzers: PythonAnalyzer[] = [];
const pids: number[] = [];
function make(options: ConstructorParameters<typeof PythonAnalyzer>[0] = {}): PythonAnalyzer {
  const a = new PythonAnalyzer({
    spawn: (cmd, args) => {
      const p = spawn(cmd, args, { stdio: 'pipe' });
      if (p.pid) pids.push(p.pid);
      return p;
    },
    ...options,
  });
  analyzers.push(a);
  return a;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  await Promise.all(analyzers.splice(0).map((a) => a[Symbol.asyncDispose]()));
  // No python3 child outlives its analyzer.
  expect(pids.splice(0).filter(alive)).toEqual([]);
});

describe('PythonAnalyzer: names', () => {
  it('reads a data-loading cell: imports, assignments, mutation through a subscript', async () => {
    const a = make();
    const r = await a.analyze(
      ['import pandas as pd', 'import numpy.linalg', 'from pathlib import Path as P', '', "orders = pd.read_csv(DATA / 'orders.csv', parse_dates=['date'])", "orders['net'] = orders.gross - orders.tax * vat_rate", 'first, *rest = sorted(orders.id)', 'count: int = len(orders)', 'pending: list', 'total += orders.net.sum()'].join('\n'),
    );
    expect(r.defines).toEqual(['P', 'count', 'first', 'numpy', 'orders', 'pd', 'rest', 'total']);
    // total is read (+=), DATA and vat_rate come from elsewhere; builtins (len, sorted) are not names of the notebook.
    expect(r.reads).toEqual(['DATA', 'total', 'vat_rate']);
    expect(r.builtins).toEqual(['int', 'len', 'list', 'sorted']);
    expect(r.notes).toEqual([]);
  });

  it('follows scopes: functions read free names late, comprehensions and classes as Python does', async () => {
    const a = make();
    const r = await a.analyze(
      [
        'def normalise(df, col=default_col):',
        '    global calls',
        '    calls += 1',
        '    return (df[col] - baseline) / helper(df)',
        '',
        'def helper(df):',
        '    return df[col].std()',
        '',
        'scaled = [normalise(f) for f in frames if f is not None and len(f) > min_rows]',
        'if (n := len(scaled)) > 0:',
        '    print(n)',
        'for i, (name, frame) in enumerate(named):',
        '    last = name',
        'with open(path) as fh:',
        '    text = fh.read()',
        'class Report(BaseReport):',
        '    title = "Sales"',
        '    subtitle = title + suffix',
        '    def render(self):',
        '        return title',
        'square = lambda v: v * factor',
      ].join('\n'),
    );
    expect(r.defines).toEqual(['Report', 'calls', 'fh', 'helper', 'i', 'last', 'n', 'name', 'frame', 'normalise', 'scaled', 'square', 'text'].sort());
    // helper is defined later in the cell but only used inside a function: not a read. `title` inside
    // render is the global title (a class body is not an enclosing scope), `col` in helper is free.
    expect(r.reads).toEqual(['BaseReport', 'baseline', 'col', 'default_col', 'factor', 'frames', 'min_rows', 'named', 'path', 'suffix', 'title']);
  });

  it('a name read before the cell assigns it is a read; after, it is the cell\'s own', async () => {
    const r = await make().analyze('print(x)\nx = 1\ny = x + 1\ndel z');
    expect(r.defines).toEqual(['x', 'y']);
    expect(r.reads).toEqual(['x', 'z']);
  });

  it('understands IPython magics, shell escapes and help', async () => {
    const a = make();
    const r = await a.analyze('%matplotlib inline\nfiles = !ls data\n!pip install tabulate\nsizes = [len(f) for f in files]\nsizes?\n%time total = sum(sizes) + offset');
    expect(r.defines).toEqual(['files', 'sizes']);
    expect(r.reads).toEqual([]);
    // %%time runs the rest of the cell as Python; %%capture binds its variable; %%bash is not Python.
    expect(await a.analyze('%%time\nw = v + 1')).toMatchObject({ defines: ['w'], reads: ['v'] });
    expect(await a.analyze('%%capture out\nresult = compute(x)')).toMatchObject({ defines: ['out', 'result'], reads: ['compute', 'x'] });
    expect(await a.analyze('%%bash\necho $HOME')).toMatchObject({ defines: [], reads: [] });
  });

  it('without IPython installed, line rules stand in for its transformer', async () => {
    // -S: no site-packages, so no IPython.
    const a = make({
      spawn: (cmd, args) => {
        const p = spawn(cmd, ['-S', ...args], { stdio: 'pipe' });
        if (p.pid) pids.push(p.pid);
        return p;
      },
    });
    const r = await a.analyze('%matplotlib inline\nfiles = !ls data\nif files:\n    !echo indented\nsizes = [len(f) for f in files]\nsizes?\n?len');
    expect(r).toMatchObject({ defines: ['files', 'sizes'], reads: [] });
  });

  it('collects SQL handed to DuckDB, pandas and Workbench connections, with connections carried from cell to cell', async () => {
    const a = make();
    const first = await a.analyze(
      [
        'import duckdb',
        'import workbench',
        "con = duckdb.connect('warehouse.duckdb')",
        "odoo = workbench.connect('odoo')",
        'QUERY = """',
        'SELECT region, sum(amount) AS total FROM sales GROUP BY region',
        '"""',
        'by_region = con.sql(QUERY).df()',
        "partners = odoo.query('select id, name from res_partner where active')",
        "odoo.load('exports/fx.parquet', 'fx_rates', schema='staging')",
        "ranked = pd.read_sql('SELECT * FROM ranked_customers', engine)",
        "hot = frame.query('amount > 100')",
        "duckdb.sql(f'SELECT * FROM {table_name}')",
      ].join('\n'),
    );
    expect(first.sql).toEqual([
      { sql: '\nSELECT region, sum(amount) AS total FROM sales GROUP BY region\n', connection: 'warehouse', line: 8, scan: true },
      { sql: 'select id, name from res_partner where active', connection: 'odoo', line: 9, scan: false },
      { sql: 'SELECT * FROM ranked_customers', connection: 'warehouse', line: 11, scan: false },
    ]);
    expect(first.tables).toEqual([{ name: 'fx_rates', schema: 'staging', connection: 'odoo', op: 'create', line: 10 }]);
    expect(first.notes).toEqual(['Cannot follow the SQL at line 13: it is an f-string']);
    expect(first.aliases).toEqual({ duckdb: 'duckdb', workbench: 'workbench', con: 'duckdb', odoo: 'conn:odoo' });

    // A later cell uses the connections made above.
    const second = await a.analyze("con.execute('INSERT INTO audit SELECT * FROM by_region')\nodoo.sql('select * from account_move')", { aliases: first.aliases });
    expect(second.sql.map((s) => [s.connection, s.sql])).toEqual([
      ['warehouse', 'INSERT INTO audit SELECT * FROM by_region'],
      ['odoo', 'select * from account_move'],
    ]);
    // Rebinding a name forgets what it was.
    const third = await a.analyze("odoo = 'not a connection'\nodoo.query('select 1')", { aliases: first.aliases });
    expect(third.aliases).toEqual({ odoo: null });
    expect(third.sql.map((s) => s.connection)).toEqual(['warehouse']);
  });
});

describe('PythonAnalyzer: bad input and a failing child', () => {
  it('a syntax error is a bad_request AppError naming the line', async () => {
    const a = make();
    const err = await a.analyze('def broken(:\n    pass').catch((e: unknown) => e);
    expect(isAppError(err, 'bad_request')).toBe(true);
    expect((err as Error).message).toBe('Cannot parse the Python cell: invalid syntax (line 1, column 12)');
    // The same child goes on answering.
    const pid = a.pid;
    expect(await a.analyze('x = 1')).toMatchObject({ defines: ['x'] });
    expect(a.pid).toBe(pid);
  });

  it('code nested too deeply for the parser is an error of that cell', async () => {
    const err = await make().analyze(`x = ${'('.repeat(5000)}1${')'.repeat(5000)}`).catch((e: unknown) => e);
    expect(isAppError(err, 'bad_request')).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot parse the Python cell: too many nested parentheses/);
  });

  it('a missing python3 is a clear unavailable error', async () => {
    const a = make({ python: '/nonexistent/python3' });
    const err = await a.analyze('x = 1').catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect((err as Error).message).toBe("Cannot analyse the Python cell: /nonexistent/python3 is missing (install Debian's python3)");
  });

  it('a child killed mid-request fails that request; the next call gets a fresh child', async () => {
    let spawned = 0;
    const a = make({
      spawn: (cmd, args) => {
        const p: ChildProcess = spawn(cmd, args, { stdio: 'pipe' });
        if (p.pid) pids.push(p.pid);
        if (spawned++ === 0) {
          // Kill the first child the moment its first request is written.
          const write = p.stdin!.write.bind(p.stdin!) as (chunk: string) => boolean;
          p.stdin!.write = ((chunk: string) => {
            const ok = write(chunk);
            p.kill('SIGKILL');
            return ok;
          }) as NonNullable<typeof p.stdin>['write'];
        }
        return p;
      },
    });
    const err = await a.analyze('x = 1').catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect((err as Error).message).toBe('Cannot analyse the Python cell: the python3 parser was killed (SIGKILL)');
    expect(await a.analyze('y = x')).toMatchObject({ defines: ['y'], reads: ['x'] });
    expect(spawned).toBe(2);
  });

  it('a child that does not answer in time is killed; the request times out and the next one works', async () => {
    let spawned = 0;
    const a = make({
      spawn: (cmd, args) => {
        // The first "parser" reads its requests and never answers.
        const p = spawned++ === 0 ? spawn('/usr/bin/python3', ['-c', 'import sys\nsys.stdin.read()'], { stdio: 'pipe' }) : spawn(cmd, args, { stdio: 'pipe' });
        if (p.pid) pids.push(p.pid);
        return p;
      },
    });
    const err = await a.analyze('x = 1', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isAppError(err, 'timeout')).toBe(true);
    expect((err as Error).message).toBe('Cannot analyse the Python cell: the parser took longer than 300 ms');
    expect(await a.analyze('z = 2')).toMatchObject({ defines: ['z'] });
  });

  it('after dispose it refuses work and leaves no child', async () => {
    const a = make();
    await a.analyze('x = 1');
    const pid = a.pid!;
    await a[Symbol.asyncDispose]();
    await a[Symbol.asyncDispose]();
    expect(alive(pid)).toBe(false);
    await expect(a.analyze('x = 1')).rejects.toThrow('Cannot analyse the Python cell: the analyzer is closed');
  });

  it('an aborted request rejects at once with the abort reason', async () => {
    const a = make();
    const ac = new AbortController();
    ac.abort();
    const err = await a.analyze('x = 1', { signal: ac.signal }).catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
  });
});
