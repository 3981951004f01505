/**
 * The audit-coverage check every end-to-end suite runs at dispose
 * (testing/audit-coverage.ts) counts what it should and fails when a data
 * action has no record: shown here on a server whose record of one action
 * is then removed from the store.
 */
import { KernelManager } from '@jupyterlab/services';
import { sql } from '@workbench/store';
import { AuditCoverage } from './testing/audit-coverage';
import { api, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const NOTEBOOK = { type: 'notebook', content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] } };

describe('audit coverage check', () => {
  let ts: TestServer;
  let coverage: AuditCoverage;
  beforeAll(async () => {
    // This suite checks the checker with its own instance (and then removes a record on purpose).
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { auditCoverage: false });
    coverage = new AuditCoverage(ts.wb);
  });
  afterAll(async () => {
    coverage?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  it('counts changes, content reads and executes as data actions, and interface state, listings and metadata checks not', async () => {
    const statuses: number[] = [];
    const call = async (path: string, init: RequestInit = {}) => statuses.push((await api(ts, path, init)).status);
    await call('api/contents/reports', { method: 'PUT', body: JSON.stringify({ type: 'directory' }) }); // change 1
    await call('api/contents/reports/close.ipynb', { method: 'PUT', body: JSON.stringify(NOTEBOOK) }); // change 2
    await call('api/contents/reports/close.ipynb'); // read 3
    await call('api/contents/reports'); // a listing: not data
    await call('api/contents/reports/close.ipynb?content=0'); // metadata only: not data
    await call('files/reports/close.ipynb'); // read 4
    await call('lab/api/settings/@jupyterlab/apputils-extension:themes', { method: 'PUT', body: JSON.stringify({ raw: '{}' }) }); // interface state: not data
    await call('api/contents/reports/close.ipynb', { method: 'PATCH', body: JSON.stringify({ path: 'reports/q4.ipynb' }) }); // change 5
    await call('api/contents/reports/missing.ipynb'); // 404: nothing happened
    expect(statuses).toEqual([201, 201, 200, 200, 200, 200, 204, 200, 404]);

    const kernels = new KernelManager({ serverSettings: ts.settings });
    try {
      const k = await kernels.startNew({ name: 'python3' }); // change 6
      expect((await runCell(k, 'print(1)')).stdout).toBe('1');
      expect((await runCell(k, 'print(2)')).stdout).toBe('2');
      await k.shutdown(); // change 7
    } finally {
      kernels.dispose();
    }
    // JupyterLab's services also took kernel infos on the socket (kernel_info_request is not an execute).
    expect(await coverage.report()).toEqual({ requests: 7, executes: 2, missing: [] });
  });

  it('names a data action whose record is gone', async () => {
    const saved = await api(ts, 'api/contents/unrecorded.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: 'x' }) });
    expect(saved.status).toBe(201);
    const requestId = saved.headers.get('x-request-id')!;
    await ts.wb.audit.settled(); // copied from the journal into audit_log, where the test removes it
    await sql`delete from audit_log where detail like ${`%${requestId}%`}`.execute(ts.wb.metadata.db);
    const report = await coverage.report();
    expect(report.missing).toEqual(['PUT /api/contents/unrecorded.txt -> 201']);
  });
});
