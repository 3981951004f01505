/**
 * `POST /api/dependencies/analyze` on the server: a SQL cell's table read
 * from Python, a TypeScript cell, stale cells after an edit, the reads-later
 * warning; viewers may analyse (it runs nothing); malformed bodies are 400.
 */
import { startTestServer, TOKEN, type TestServer } from './testing/harness';

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
});
