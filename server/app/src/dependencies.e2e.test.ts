/**
 * `POST /api/dependencies/analyze` on the server: a SQL cell's table read
 * from Python, a TypeScript cell, stale cells after an edit, the reads-later
 * warning; viewers may analyse (it runs nothing); malformed bodies are 400;
 * a `%build_models` folder read through the Contents API, relative to the
 * notebook the request names.
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startTestServer, TOKEN, type TestServer } from './testing/harness';

const VERA = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VERA] });
});
afterAll(async () => {
  await ts?.[Symbol.asyncDispose]();
});

async function analyze(body: unknown, token = TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ts.baseUrl}api/dependencies/analyze`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('cell dependencies over HTTP', () => {
  it('links a SQL-created table to the Python cell reading it, and marks what an edit made stale', async () => {
    const cells = [
      { id: 'sql', language: 'sql', source: 'CREATE TABLE sales AS SELECT 1 AS amount' },
      { id: 'py', language: 'python', source: 'import duckdb\ndf = duckdb.sql("SELECT sum(amount) FROM sales").df()' },
      { id: 'ts', language: 'typescript', source: 'const total: number = 3;\nconsole.log(total);' },
    ];
    const first = await analyze({ cells });
    expect(first.status).toBe(200);
    const byId = Object.fromEntries(first.body.cells.map((c: { id: string }) => [c.id, c]));
    expect(byId.sql.defines).toContain('table:sales');
    expect(byId.py.reads).toContain('table:sales');
    expect(byId.py.defines).toEqual(expect.arrayContaining(['df', 'duckdb']));
    expect(byId.ts.defines).toContain('total');
    expect(first.body.graph.edges).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'sql', to: 'py' })]));

    // Both ran; then the SQL cell was edited: it and the Python cell downstream are stale.
    const ran = (id: string, n: number) => ({ executionCount: n, sourceHash: byId[id].sourceHash, ranAt: `2026-12-07T10:00:0${n}Z` });
    const edited = await analyze({ cells: [{ ...cells[0], source: 'CREATE TABLE sales AS SELECT 2 AS amount', execution: ran('sql', 1) }, { ...cells[1], execution: ran('py', 2) }, cells[2]] });
    expect(edited.body.graph.stale).toEqual(['sql', 'py']);
  });

  it('warns when a cell reads a name only a later cell defines; viewers may ask; bad bodies are 400', async () => {
    const r = await analyze({ cells: [{ id: 'a', language: 'python', source: 'print(rate)' }, { id: 'b', language: 'python', source: 'rate = 0.2' }] }, VERA.token);
    expect(r.status).toBe(200);
    expect(r.body.graph.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'reads_later', cell: 'a' })]));
    expect((await analyze({ cells: 'nope' })).status).toBe(400);
    expect((await analyze({ cells: [{ id: 'x', language: 'cobol', source: '' }] })).status).toBe(400);
  });

  it('reads a %build_models folder relative to the notebook through the Contents API: the models\' tables reach a Python reader', async () => {
    const put = async (path: string, body: object) => {
      const res = await api(ts, `api/contents/${path}`, { method: 'PUT', body: JSON.stringify(body) });
      expect(res.status).toBeLessThan(300);
    };
    await put('proj/models', { type: 'directory' });
    await put('proj/models/stg_orders.sql', { type: 'file', format: 'text', content: "{{ config(materialized='view') }}\nSELECT id, amount, CAST(ordered_at AS DATE) AS day FROM raw_orders WHERE NOT cancelled" });
    await put('proj/models/orders_by_day.sql', { type: 'file', format: 'text', content: "SELECT day, count(*) AS orders, sum(amount) AS amount FROM {{ ref('stg_orders') }} GROUP BY day" });
    await put('proj/models/schema.yml', { type: 'file', format: 'text', content: 'models:\n  - name: orders_by_day\n    columns:\n      - name: day\n        tests: [unique, not_null]\n' });
    const build = { id: 'build', language: 'sql', source: '%build_models models schema=analytics' };
    const py = { id: 'py', language: 'python', source: 'import duckdb\ndf = duckdb.sql("SELECT * FROM analytics.orders_by_day").df()' };

    const r = await analyze({ cells: [build, py], path: 'proj/analysis.ipynb' });
    expect(r.status).toBe(200);
    const [b, p] = r.body.cells;
    expect(b).toMatchObject({ id: 'build', defines: ['table:analytics.orders_by_day', 'table:analytics.stg_orders'], reads: ['table:raw_orders'] });
    expect(b.errors).toBeUndefined();
    expect(p.reads).toContain('table:analytics.orders_by_day');
    expect(r.body.graph.edges).toEqual([{ from: 'build', to: 'py', names: ['table:analytics.orders_by_day'] }]);

    // The same cell in a notebook elsewhere reads that notebook's folder, here one that does not exist.
    const elsewhere = await analyze({ cells: [build, py], path: 'other/analysis.ipynb' });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.cells[0]).toMatchObject({ defines: [], reads: [], errors: 'Cannot analyse %build_models models: Cannot find other/models: no such file or directory' });
    expect(elsewhere.body.graph.edges).toEqual([]);
  });

  it('never reads a model folder outside the workspace; a notebook path with ".." is 400', async () => {
    const cell = (source: string) => [{ id: 'build', language: 'sql', source }];
    const up = await analyze({ cells: cell('%build_models ../../models'), path: 'proj/analysis.ipynb' });
    expect(up.status).toBe(200);
    expect(up.body.cells[0]).toMatchObject({ defines: [], errors: 'Cannot analyse %build_models ../../models: the folder is outside the workspace' });

    // A link inside the workspace to a folder outside it: the Contents API's path checks refuse it.
    const outside = await mkdtemp(join(tmpdir(), 'wb-models-outside-'));
    try {
      await writeFile(join(outside, 'secret.sql'), 'SELECT * FROM payroll');
      await symlink(outside, join(ts.rootDir, 'linked'));
      const linked = await analyze({ cells: cell('%build_models linked'), path: 'analysis.ipynb' });
      expect(linked.status).toBe(200);
      expect(linked.body.cells[0].defines).toEqual([]);
      expect(linked.body.cells[0].reads).toEqual([]);
      expect(linked.body.cells[0].errors).toBe('Cannot analyse %build_models linked: Cannot use path "linked": it leads outside the root directory');
    } finally {
      await rm(join(ts.rootDir, 'linked'), { force: true });
      await rm(outside, { recursive: true, force: true });
    }

    const bad = await analyze({ cells: cell('%build_models models'), path: 'proj/../../etc/analysis.ipynb' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Cannot analyse dependencies: path must not hold ".." segments');
  });
});
