/**
 * Python and TypeScript notebooks reach what SQL notebooks build in the
 * warehouse: Python reads a CSV export with the standard library (Debian
 * has no Python DuckDB or Arrow), TypeScript opens the warehouse read-only
 * with @duckdb/node-api.
 */
import { KernelManager, Kernel, KernelMessage } from '@jupyterlab/services';
import { startTestServer, TestServer } from './testing/harness';

async function run(k: Kernel.IKernelConnection, code: string): Promise<{ status: string; text: string; result: string; error: string }> {
  let text = '';
  let result = '';
  let error = '';
  const f = k.requestExecute({ code });
  f.onIOPub = (m) => {
    if (m.header.msg_type === 'stream') text += (m.content as { text: string }).text;
    if (m.header.msg_type === 'execute_result') result = String((m.content as { data: Record<string, unknown> }).data['text/plain']);
    if (m.header.msg_type === 'error') error = (m.content as { traceback: string[] }).traceback.join('\n');
  };
  const reply = (await f.done).content as KernelMessage.IExecuteReplyMsg['content'];
  return { status: reply.status, text, result, error };
}

describe('reaching the warehouse from Python and TypeScript', () => {
  let ts: TestServer;
  let manager: KernelManager;
  beforeAll(async () => {
    ts = await startTestServer();
    manager = new KernelManager({ serverSettings: ts.settings });
  });
  afterAll(async () => {
    manager?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('builds a table in SQL, reads its export in Python and the table itself in TypeScript', async () => {
    const sql = await manager.startNew({ name: 'sql' });
    expect((await run(sql, "CREATE OR REPLACE TABLE gl AS SELECT range AS id, range % 3 AS account, range * 1.5 AS amount FROM range(1000)")).status).toBe('ok');
    expect((await run(sql, "COPY gl TO 'gl.csv' (HEADER)")).status).toBe('ok');
    await sql.shutdown();

    const py = await manager.startNew({ name: 'python3' });
    const p = await run(py, "import csv, os\nrows = list(csv.DictReader(open('gl.csv')))\nprint(len(rows), sum(float(r['amount']) for r in rows), os.environ['WORKBENCH_WAREHOUSE'].endswith('warehouse.duckdb'))");
    expect(p.text).toBe('1000 749250.0 True\n');
    await py.shutdown();

    const tsk = await manager.startNew({ name: 'tslab' });
    const t = await run(
      tsk,
      [
        "const { DuckDBInstance } = require('@duckdb/node-api');",
        "const db = await DuckDBInstance.create(':memory:');",
        'const c = await db.connect();',
        "await c.run(`ATTACH '${process.env.WORKBENCH_WAREHOUSE}' AS w (READ_ONLY)`);",
        "const r = await c.runAndReadAll('SELECT account::INTEGER AS account, count(*)::INTEGER AS n FROM w.gl GROUP BY 1 ORDER BY 1');",
        "await c.run('DETACH w');",
        'console.log(JSON.stringify(r.getRowObjects()));',
      ].join('\n'),
    );
    expect(t.error).toBe('');
    expect(t.text).toBe('[{"account":0,"n":334},{"account":1,"n":333},{"account":2,"n":333}]\n');
    await tsk.shutdown();
  });
});
