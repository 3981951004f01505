/**
 * The templates library on the server: a folder saved as a template by an
 * analyst (outputs cleared), installed by another with parameter values
 * into files the contents API serves (versioned and audited as any save);
 * the month-end close installed by an engineer with its connection checked
 * against the real connections; who may install, replace and delete; a
 * template's history (versions, compare, restore); bad bodies. Every change here is also counted by the harness's audit
 * coverage check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelManager } from '@jupyterlab/services';
import { api, startTestServer, TOKEN, type TestServer } from './testing/harness';

const VERA = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const ANNA = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const BERT = { username: 'bert', token: 'analyst2-token-0123456789', roles: ['analyst'] };
const EMIL = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VERA, ANNA, BERT, EMIL] });
});
afterAll(async () => {
  await ts?.[Symbol.asyncDispose]();
});

async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await api(ts, path, { method, token, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text answers (a template file)
  }
  return { status: res.status, body: parsed };
}

const notebook = (parameters: string, more: object[] = []) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [{ id: 'p', cell_type: 'code', execution_count: 1, metadata: { tags: ['parameters'] }, outputs: [], source: parameters }, ...more],
});

describe('the templates library over HTTP', () => {
  it('an analyst saves a folder as a template; another installs it with values; the files are ordinary workspace files', async () => {
    await call('PUT', 'api/contents/aging', ANNA.token, { type: 'directory' });
    const nb = notebook('entity = "FR01"\nas_of = "2026-11-30"\n', [
      { id: 'md', cell_type: 'markdown', metadata: {}, source: '# AP aging for {{ template.entity }}' },
      { id: 'run', cell_type: 'code', execution_count: 2, metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: 'last month: 1,234,567.89' }], source: 'print(entity, as_of)' },
    ]);
    expect((await call('PUT', 'api/contents/aging/ap-aging.ipynb', ANNA.token, { type: 'notebook', content: nb })).status).toBe(201);
    expect((await call('PUT', 'api/contents/aging/buckets.sql', ANNA.token, { type: 'file', format: 'text', content: '-- buckets for {{ template.entity }}\nSELECT 1' })).status).toBe(201);

    const parameters = [
      { name: 'entity', type: 'choice', choices: ['FR01', 'PH01'], label: 'Entity', required: true },
      { name: 'as_of', type: 'date', label: 'As of', default: '2026-11-30' },
    ];
    const saved = await call('POST', 'api/templates', ANNA.token, { name: 'ap-aging', title: 'AP aging', description: 'Payables by age bucket', paths: ['aging'], parameters });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'ap-aging', source: 'user', created_by: 'anna', folder: 'aging', open: 'ap-aging.ipynb', files: ['ap-aging.ipynb', 'buckets.sql'], version: 1 });
    const stored = await call('GET', 'api/templates/ap-aging?file=ap-aging.ipynb', VERA.token);
    expect(stored.status).toBe(200);
    expect(JSON.stringify(stored.body)).not.toContain('1,234,567.89');

    const list = await call('GET', 'api/templates', VERA.token);
    expect(list.body.map((t: { name: string; source: string }) => `${t.source}:${t.name}`)).toEqual(['user:ap-aging', 'shipped:month-end-close']);

    expect((await call('POST', 'api/templates/ap-aging/install', VERA.token, { folder: 'v' })).status).toBe(403);
    const missing = await call('POST', 'api/templates/ap-aging/install', BERT.token, { folder: 'ph-aging' });
    expect(missing).toMatchObject({ status: 400, body: { message: 'Cannot install template ap-aging: parameter entity needs a value' } });
    const installed = await call('POST', 'api/templates/ap-aging/install', BERT.token, { folder: 'ph-aging', values: { entity: 'PH01', as_of: '2026-12-31' } });
    expect(installed).toMatchObject({ status: 201, body: { folder: 'ph-aging', files: ['ph-aging/ap-aging.ipynb', 'ph-aging/buckets.sql'], open: 'ph-aging/ap-aging.ipynb', values: { entity: 'PH01', as_of: '2026-12-31' } } });

    const got = await call('GET', 'api/contents/ph-aging/ap-aging.ipynb', BERT.token);
    expect(got.body.last_modified).toBeDefined();
    const cells = got.body.content.cells as Array<{ id: string; source: string; outputs?: unknown[] }>;
    expect(cells.find((c) => c.id === 'p')!.source).toBe('entity = "PH01"\nas_of = "2026-12-31"\n');
    expect(cells.find((c) => c.id === 'md')!.source).toBe('# AP aging for PH01');
    expect(cells.find((c) => c.id === 'run')!.outputs).toEqual([]);
    // Each code cell's dependency analysis is written in, as JupyterLab's extension would on opening it.
    const deps = (id: string) => (cells.find((c) => c.id === id) as unknown as { metadata: { workbench?: { deps?: { analysis?: { defines: string[]; reads: string[]; sourceHash: string } } } } }).metadata.workbench?.deps;
    expect(deps('p')).toEqual({ version: 1, analysis: { sourceHash: expect.stringMatching(/^[0-9a-f]{64}$/), defines: ['as_of', 'entity'], reads: [] } });
    expect(deps('run')).toMatchObject({ version: 1, analysis: { defines: [], reads: ['as_of', 'entity'] } });
    expect((await call('GET', 'api/contents/ph-aging/buckets.sql', BERT.token)).body.content).toBe('-- buckets for PH01\nSELECT 1');

    const again = await call('POST', 'api/templates/ap-aging/install', BERT.token, { folder: 'ph-aging', values: { entity: 'PH01' } });
    expect(again).toMatchObject({ status: 409, body: { message: 'Cannot install template ap-aging into ph-aging: ph-aging/ap-aging.ipynb exists (nothing was written)' } });

    const audit = await call('GET', 'api/audit?resource=templates', TOKEN);
    const actions = (audit.body.records as Array<{ actor: string; action: string; outcome: string; detail: { template?: string } }>).map((r) => `${r.actor}:${r.action}:${r.outcome}:${r.detail.template}`);
    expect(actions).toEqual(expect.arrayContaining(['anna:write:ok:ap-aging', 'bert:execute:ok:ap-aging']));
  });

  it('replacing and deleting: the author or an engineer; shipped templates stay', async () => {
    await call('PUT', 'api/contents/solo.ipynb', BERT.token, { type: 'notebook', content: notebook('x = 1\n') });
    expect((await call('POST', 'api/templates', BERT.token, { name: 'solo', paths: ['solo.ipynb'] })).status).toBe(201);
    expect((await call('POST', 'api/templates', ANNA.token, { name: 'solo', paths: ['solo.ipynb'], replace: 1 })).status).toBe(403);
    expect((await call('DELETE', 'api/templates/solo', ANNA.token)).status).toBe(403);
    expect((await call('POST', 'api/templates', VERA.token, { name: 'v', paths: ['solo.ipynb'] })).status).toBe(403);
    const replaced = await call('POST', 'api/templates', EMIL.token, { name: 'solo', title: 'Solo (curated)', paths: ['solo.ipynb'], replace: 1 });
    expect(replaced).toMatchObject({ status: 201, body: { title: 'Solo (curated)', version: 2, created_by: 'bert', updated_by: 'emil' } });
    expect((await call('DELETE', 'api/templates/solo', EMIL.token)).status).toBe(204);
    expect((await call('GET', 'api/templates/solo', VERA.token)).status).toBe(404);
    expect((await call('DELETE', 'api/templates/month-end-close', TOKEN)).status).toBe(403);
  });

  it('the month-end close: its pipeline needs an engineer; the connection parameter is checked against the connections', async () => {
    const refused = await call('POST', 'api/templates/month-end-close/install', ANNA.token, { folder: 'close-a' });
    expect(refused).toMatchObject({ status: 403, body: { message: expect.stringContaining('it holds a pipeline') } });
    const noSuch = await call('POST', 'api/templates/month-end-close/install', EMIL.token, { folder: 'close-e', values: { connection: 'odoo-typo' } });
    expect(noSuch).toMatchObject({ status: 400, body: { message: 'Cannot install template month-end-close: parameter connection names connection "odoo-typo", which does not exist' } });
    const superset = await call('POST', 'api/templates/month-end-close/install', EMIL.token, { folder: 'close-e', values: { serving_connection: 'bi-typo' } });
    expect(superset.status).toBe(400);
    // Its default (odoo) need not exist yet: install first, make the connection later.
    const later = await call('POST', 'api/templates/month-end-close/install', EMIL.token, { folder: 'close-later' });
    expect(later).toMatchObject({ status: 201, body: { values: { connection: 'odoo' } } });
    expect((await call('POST', 'api/connections', TOKEN, { name: 'odoo-fr', kind: 'postgres', settings: { host: '127.0.0.1', port: 5432, database: 'odoo', user: 'reader' } })).status).toBe(201);
    const ok = await call('POST', 'api/templates/month-end-close/install', EMIL.token, { folder: 'close-e', values: { connection: 'odoo-fr', finance_list: 'close@example.com' } });
    expect(ok.status).toBe(201);
    expect(ok.body.pipelines).toEqual([expect.objectContaining({ path: 'close-e/month-end-close.pipeline.yaml', runAs: 'emil' })]);
    const pipeline = await call('GET', `api/pipelines/${ok.body.pipelines[0].id}`, EMIL.token);
    expect(pipeline.body.spec.parameters.connection.default).toBe('odoo-fr');
    expect(pipeline.body.spec.parameters.finance_list.default).toBe('close@example.com');
  });

  it('once a Python kernel has run here, an installed notebook carries its kernelspec and language_info, as JupyterLab writes them when the kernel connects', async () => {
    const manager = new KernelManager({ serverSettings: ts.settings });
    const kernel = await manager.startNew({ name: 'python3' });
    const info = await kernel.info;
    await kernel.shutdown();
    manager.dispose();
    const spec = (await call('GET', 'api/kernelspecs', ANNA.token)).body.kernelspecs.python3.spec;
    const done = await call('POST', 'api/templates/month-end-close/install', EMIL.token, { folder: 'close-meta' });
    expect(done.status).toBe(201);
    const extract = await call('GET', 'api/contents/close-meta/01_extract.ipynb', EMIL.token);
    expect(extract.body.content.metadata).toEqual({ kernelspec: { name: 'python3', display_name: spec.display_name, language: spec.language }, language_info: JSON.parse(JSON.stringify(info.language_info)) });
  });

  it('after a restart, before any kernel runs again, an install still writes the language_info the last Python kernel gave (kept in the metadata store)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-templates-data-'));
    try {
      let info: unknown;
      {
        await using first = await startTestServer([], process.env, { data_dir: dataDir, sandbox: { mode: 'none' } });
        const manager = new KernelManager({ serverSettings: first.settings });
        const kernel = await manager.startNew({ name: 'python3' });
        info = JSON.parse(JSON.stringify((await kernel.info).language_info));
        await kernel.shutdown();
        manager.dispose();
      }
      await using second = await startTestServer([], process.env, { data_dir: dataDir, sandbox: { mode: 'none' } });
      const res = await api(second, 'api/templates/month-end-close/install', { method: 'POST', token: TOKEN, body: JSON.stringify({ folder: 'close' }) });
      expect(res.status).toBe(201);
      const extract = (await (await api(second, 'api/contents/close/01_extract.ipynb', { token: TOKEN })).json()) as { content: { metadata: { language_info?: unknown } } };
      expect(extract.content.metadata.language_info).toEqual(info);
      expect(second.wb.kernels.list()).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('history: a replaced template keeps its versions; a viewer reads and compares them; the author restores one as a new version, audited', async () => {
    await call('PUT', 'api/contents/hist', BERT.token, { type: 'directory' });
    await call('PUT', 'api/contents/hist/a.sql', BERT.token, { type: 'file', format: 'text', content: 'SELECT 1\n' });
    expect((await call('POST', 'api/templates', BERT.token, { name: 'hist', title: 'First', paths: ['hist'] })).status).toBe(201);
    await call('PUT', 'api/contents/hist/a.sql', BERT.token, { type: 'file', format: 'text', content: 'SELECT 2\n' });
    expect((await call('POST', 'api/templates', BERT.token, { name: 'hist', title: 'Second', paths: ['hist'], replace: 1 })).status).toBe(201);

    const versions = await call('GET', 'api/templates/hist/versions', VERA.token);
    expect(versions.status).toBe(200);
    expect(versions.body.map((v: { version: number; title: string; saved_by: string; current: boolean }) => [v.version, v.title, v.saved_by, v.current])).toEqual([
      [2, 'Second', 'bert', true],
      [1, 'First', 'bert', false],
    ]);
    expect((await call('GET', 'api/templates/hist?version=1', VERA.token)).body).toMatchObject({ title: 'First', version: 1 });
    expect((await call('GET', 'api/templates/hist?version=1&file=a.sql', VERA.token)).body).toBe('SELECT 1\n');
    const diff = await call('GET', 'api/templates/hist/diff?from=1', VERA.token);
    expect(diff).toMatchObject({ status: 200, body: { from: 1, to: 2, manifest: [{ field: 'title', old: 'First', new: 'Second' }], files: [{ path: 'a.sql', status: 'modified', type: 'file' }] } });
    expect((await call('GET', 'api/templates/month-end-close/versions', VERA.token)).body).toEqual([]);

    expect((await call('POST', 'api/templates/hist/restore', VERA.token, { version: 1, replace: 2 })).status).toBe(403);
    expect((await call('POST', 'api/templates/hist/restore', ANNA.token, { version: 1, replace: 2 })).status).toBe(403);
    const restored = await call('POST', 'api/templates/hist/restore', BERT.token, { version: 1, replace: 2 });
    expect(restored).toMatchObject({ status: 201, body: { title: 'First', version: 3, updated_by: 'bert' } });
    expect((await call('GET', 'api/templates/hist?file=a.sql', VERA.token)).body).toBe('SELECT 1\n');
    const installed = await call('POST', 'api/templates/hist/install', ANNA.token, { folder: 'hist-v2', version: 2 });
    expect(installed).toMatchObject({ status: 201, body: { version: 2 } });
    expect((await call('GET', 'api/contents/hist-v2/a.sql', ANNA.token)).body.content).toBe('SELECT 2\n');

    const audit = await call('GET', 'api/audit?resource=templates', TOKEN);
    const restore = (audit.body.records as Array<{ actor: string; target: string; outcome: string; detail: Record<string, unknown> }>).filter((r) => r.detail.route === '/api/templates/:name/restore');
    expect(restore.map((r) => [r.actor, r.outcome, r.detail.version, r.detail.replace])).toEqual(expect.arrayContaining([['bert', 'ok', 1, 2], ['anna', 'denied', 1, 2]]));

    const bad: Array<[string, string, unknown, number, RegExp]> = [
      ['GET', 'api/templates/hist?version=0', undefined, 400, /version must be a version number/],
      ['GET', 'api/templates/hist?version=x', undefined, 400, /version must be a version number/],
      ['GET', 'api/templates/hist?version=9', undefined, 404, /its versions are 1 to 3/],
      ['GET', 'api/templates/hist/diff', undefined, 400, /from is required/],
      ['GET', 'api/templates/hist/diff?from=1&to=-2', undefined, 400, /to must be a version number/],
      ['GET', 'api/templates/month-end-close/diff?from=1', undefined, 404, /shipped with Workbench/],
      ['GET', 'api/templates/nope/versions', undefined, 404, /no such template/],
      ['POST', 'api/templates/hist/restore', { version: 1 }, 400, /replace must be the current version/],
      ['POST', 'api/templates/hist/restore', { version: 'one', replace: 3 }, 400, /version must be the number/],
      ['POST', 'api/templates/hist/restore', { version: 1, replace: 2 }, 409, /it changed since version 2/],
      ['POST', 'api/templates/hist/restore', { version: 1, replace: 3, also: 1 }, 400, /unknown key "also"/],
      ['POST', 'api/templates/hist/install', { folder: 'h9', version: '2' }, 400, /version must be a version number/],
    ];
    for (const [method, path, body, status, message] of bad) {
      const r = await call(method, path, EMIL.token, body);
      expect({ path, status: r.status, message: r.body.message }).toEqual({ path, status, message: expect.stringMatching(message) });
    }
    expect((await call('GET', 'api/templates/hist/versions', VERA.token)).body).toHaveLength(3);
  });

  it('bad bodies are 400 and write nothing', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', 'api/templates/month-end-close/install', { folder: 3 }, /folder must be a string/],
      ['POST', 'api/templates/month-end-close/install', { values: [1] }, /values must be an object/],
      ['POST', 'api/templates/month-end-close/install', { other: 1 }, /unknown key "other"/],
      ['POST', 'api/templates', { name: 'x', paths: ['solo.ipynb'], replace: 'one' }, /replace must be the version/],
      ['POST', 'api/templates', { name: 'x', paths: ['solo.ipynb'], evil: 1 }, /unknown key "evil"/],
      ['POST', 'api/templates', { name: 'x', paths: ['../../etc/passwd'] }, /is not a workspace path/],
      ['POST', 'api/templates', [], /the body must be a JSON object/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await call(method, path, EMIL.token, body);
      expect({ path, status: r.status, message: r.body.message }).toEqual({ path, status: 400, message: expect.stringMatching(message) });
    }
    expect((await call('GET', 'api/templates', VERA.token)).body.map((t: { name: string }) => t.name)).not.toContain('x');
  });
});
