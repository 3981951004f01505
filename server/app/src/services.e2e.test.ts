/**
 * The smaller jupyter_server services JupyterLab 4 calls: frontend config
 * sections, notebook export (nbconvert), the event bus (POST and the
 * subscribe WebSocket, fed by the contents service), and shutdown.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';
import { JsonSocket, upgradeStatus } from './testing/json-socket';

const VIEWER = { username: 'viewer', token: 'viewer-token-0123456789', roles: ['viewer'] };
const CONTENTS_SCHEMA = 'https://events.jupyter.org/jupyter_server/contents_service/v1';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const notebook = (language: { name: string; file_extension: string }, cells: object[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: language.name, display_name: language.name, language: language.name }, language_info: language },
  cells,
});

const PY_NOTEBOOK = notebook({ name: 'python', file_extension: '.py' }, [
  { id: 'm1', cell_type: 'markdown', metadata: {}, source: ['# Sales report\n', '\n', 'Revenue for **Q3** & <growth>'] },
  {
    id: 'c1',
    cell_type: 'code',
    metadata: {},
    execution_count: 1,
    source: ['total = 40 + 2\n', 'print("total:", total)\n', 'total < 100'],
    outputs: [
      { output_type: 'stream', name: 'stdout', text: ['total: 42\n'] },
      { output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': ['True'], 'text/html': ['<table><tr><td>rich 42</td></tr></table>'] } },
      { output_type: 'display_data', metadata: {}, data: { 'image/png': PNG, 'text/plain': ['<Figure>'] } },
    ],
  },
  {
    id: 'c2',
    cell_type: 'code',
    metadata: {},
    execution_count: 2,
    source: '1 / 0',
    outputs: [{ output_type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: ['\u001b[0;31mZeroDivisionError\u001b[0m: division by zero'] }],
  },
]);

const SQL_NOTEBOOK = notebook({ name: 'sql', file_extension: '.sql' }, [
  { id: 's0', cell_type: 'markdown', metadata: {}, source: 'Monthly totals' },
  { id: 's1', cell_type: 'code', metadata: {}, execution_count: 1, source: '%connect odoo\nselect count(*) from account_move', outputs: [] },
]);

describe('jupyter_server services', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, undefined, { users: [VIEWER] });
    await writeFile(join(ts.rootDir, 'report.ipynb'), JSON.stringify(PY_NOTEBOOK, null, 1));
    await writeFile(join(ts.rootDir, 'totals.ipynb'), JSON.stringify(SQL_NOTEBOOK, null, 1));
    await writeFile(join(ts.rootDir, 'notes.txt'), 'plain text');
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  describe('/api/config', () => {
    it('merges PATCHes as jupyter_server does (null deletes, emptied objects go), per user', async () => {
      expect(await (await api(ts, 'api/config/notebook')).json()).toEqual({});
      const patch = (body: object, token?: string) => api(ts, 'api/config/notebook', { method: 'PATCH', body: JSON.stringify(body), token });
      expect(await (await patch({ load_extensions: { a: true, b: true }, theme: 'dark' })).json()).toEqual({ load_extensions: { a: true, b: true }, theme: 'dark' });
      expect(await (await patch({ load_extensions: { a: null }, theme: null, size: 3 })).json()).toEqual({ load_extensions: { b: true }, size: 3 });
      expect(await (await patch({ load_extensions: { b: null } })).json()).toEqual({ size: 3 });
      expect(await (await api(ts, 'api/config/notebook')).json()).toEqual({ size: 3 });
      expect(await (await api(ts, 'api/config/notebook', { token: VIEWER.token })).json()).toEqual({});
      expect((await api(ts, 'api/config/notebook', { method: 'PUT', body: JSON.stringify({ replaced: true }) })).status).toBe(204);
      expect(await (await api(ts, 'api/config/notebook')).json()).toEqual({ replaced: true });
      expect((await patch([1, 2] as unknown as object)).status).toBe(400);
      expect((await api(ts, 'api/config/not-a-section')).status).toBe(404);
    });
  });

  describe('nbconvert', () => {
    it('lists the export formats', async () => {
      expect(await (await api(ts, 'api/nbconvert')).json()).toEqual({
        html: { output_mimetype: 'text/html' },
        markdown: { output_mimetype: 'text/markdown' },
        notebook: { output_mimetype: 'application/json' },
        script: { output_mimetype: 'text/plain' },
      });
    });

    it('exports HTML: markdown rendered, code escaped, outputs shown, colours stripped, sandboxed', async () => {
      const res = await api(ts, 'nbconvert/html/report.ipynb');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toMatch(/sandbox allow-scripts/);
      expect(res.headers.get('content-disposition')).toBeNull();
      const html = await res.text();
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('<title>report</title>');
      expect(html).toContain('<h1>Sales report</h1>');
      expect(html).toContain('<strong>Q3</strong>');
      expect(html).toContain('print(&#34;total:&#34;, total)\ntotal &#60; 100');
      expect(html).toContain('total: 42');
      expect(html).toContain('<table><tr><td>rich 42</td></tr></table>');
      expect(html).toContain(`<img src="data:image/png;base64,${PNG}"`);
      expect(html).toContain('ZeroDivisionError: division by zero');
      expect(html).not.toContain('\u001b');
    });

    it('downloads with ?download=true under the notebook\'s name', async () => {
      const res = await api(ts, 'nbconvert/html/report.ipynb?download=true');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?report\.html"?$/);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('exports a script in the notebook\'s language', async () => {
      const py = await api(ts, 'nbconvert/script/report.ipynb?download=true');
      expect(py.headers.get('content-disposition')).toMatch(/^attachment; filename="?report\.py"?$/);
      const text = await py.text();
      expect(text).toContain('# # Sales report');
      expect(text).toContain('# In[1]:');
      expect(text).toContain('total = 40 + 2\nprint("total:", total)\ntotal < 100');
      const sql = await api(ts, 'nbconvert/script/totals.ipynb?download=true');
      expect(sql.headers.get('content-disposition')).toMatch(/^attachment; filename="?totals\.sql"?$/);
      expect(await sql.text()).toContain('-- Monthly totals\n\n-- In[1]:\n\n\n-- %connect odoo\nselect count(*) from account_move;\n');
    });

    it('exports Markdown, and the notebook as stored', async () => {
      const md = await (await api(ts, 'nbconvert/markdown/report.ipynb')).text();
      expect(md).toContain('# Sales report');
      expect(md).toContain('```python\ntotal = 40 + 2');
      expect(md).toContain('    total: 42');
      expect(md).toContain(`![png](data:image/png;base64,${PNG})`);
      const nb = await api(ts, 'nbconvert/notebook/report.ipynb?download=true');
      expect(nb.headers.get('content-disposition')).toMatch(/^attachment; filename="?report\.ipynb"?$/);
      expect(await nb.text()).toBe(await readFile(join(ts.rootDir, 'report.ipynb'), 'utf8'));
    });

    it('says what is wrong: unknown format 404, not a notebook 400, missing file 404', async () => {
      const pdf = await api(ts, 'nbconvert/pdf/report.ipynb');
      expect(pdf.status).toBe(404);
      expect(((await pdf.json()) as { message: string }).message).toMatch(/No exporter for format: pdf/);
      const txt = await api(ts, 'nbconvert/html/notes.txt');
      expect(txt.status).toBe(400);
      expect(((await txt.json()) as { message: string }).message).toMatch(/not a notebook/);
      expect((await api(ts, 'nbconvert/html/missing.ipynb')).status).toBe(404);
    });
  });

  describe('events', () => {
    const subscribeUrl = () => `${ts.baseUrl.replace(/^http/, 'ws')}api/events/subscribe`;

    it('streams contents saves, renames and deletes to subscribers', async () => {
      const s = new JsonSocket<Record<string, unknown>>(subscribeUrl());
      await s.opened;
      const put = (path: string, content: string) => api(ts, `api/contents/${path}`, { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content }) });
      expect((await put('events.txt', 'one')).status).toBe(201);
      expect((await put('events.txt', 'two')).status).toBe(200);
      expect((await api(ts, 'api/contents/events.txt', { method: 'PATCH', body: JSON.stringify({ path: 'renamed.txt' }) })).status).toBe(200);
      expect((await api(ts, 'api/contents/renamed.txt', { method: 'DELETE' })).status).toBe(204);
      await s.waitFor((m) => m.action === 'delete');
      expect(s.received).toEqual([
        { schema_id: CONTENTS_SCHEMA, action: 'create', path: 'events.txt' },
        { schema_id: CONTENTS_SCHEMA, action: 'save', path: 'events.txt' },
        { schema_id: CONTENTS_SCHEMA, action: 'rename', path: 'renamed.txt', source_path: 'events.txt' },
        { schema_id: CONTENTS_SCHEMA, action: 'delete', path: 'renamed.txt' },
      ]);
      await s.close();
    });

    it('emits a posted event after validating it against its schema', async () => {
      const s = new JsonSocket<Record<string, unknown>>(subscribeUrl());
      await s.opened;
      const post = (body: object) => api(ts, 'api/events', { method: 'POST', body: JSON.stringify(body) });
      expect((await post({ schema_id: CONTENTS_SCHEMA, version: '1', data: { action: 'get', path: 'a.ipynb' }, timestamp: '2022-05-26T12:50:00+06:00Z' })).status).toBe(204);
      expect(await s.waitFor((m) => m.path === 'a.ipynb')).toEqual({ schema_id: CONTENTS_SCHEMA, action: 'get', path: 'a.ipynb' });
      const bad: [object, RegExp][] = [
        [{ version: '1', data: {} }, /Missing `schema_id`/],
        [{ schema_id: CONTENTS_SCHEMA, version: '1' }, /Missing `data`/],
        [{ schema_id: 'https://example.org/unknown/v1', version: '1', data: {} }, /not registered/],
        [{ schema_id: CONTENTS_SCHEMA, version: '2', data: { action: 'get', path: 'x' } }, /Unregistered version/],
        [{ schema_id: CONTENTS_SCHEMA, version: '1', data: { action: 'explode', path: 'x' } }, /does not match/],
        [{ schema_id: CONTENTS_SCHEMA, version: '1', data: { action: 'get', path: 'x' }, timestamp: 'yesterday' }, /timestamp/],
      ];
      for (const [body, message] of bad) {
        const res = await post(body);
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
        expect(((await res.json()) as { message: string }).message).toMatch(message);
      }
      await s.close();
      expect(s.received).toHaveLength(1);
    });

    it('authenticates subscribers like kernel sockets: token or cookie from our own origin', async () => {
      expect(await upgradeStatus(subscribeUrl())).toBe(403);
      expect(await upgradeStatus(subscribeUrl(), { Authorization: 'token wrong' })).toBe(403);
      const login = (await api(ts, `lab?token=${TOKEN}`, { token: null })).headers.getSetCookie().find((c) => c.startsWith('workbench-'))!.split(';')[0]!;
      expect(await upgradeStatus(subscribeUrl(), { Cookie: login, Origin: 'https://evil.example' })).toBe(403);
      expect(await upgradeStatus(subscribeUrl(), { Cookie: login, Origin: ts.baseUrl.replace(/\/$/, '') })).toBe(101);
    });
  });

  describe('/api/shutdown', () => {
    it('is refused to a user without the admin role, and accepted from the admin', async () => {
      const refused = await api(ts, 'api/shutdown', { method: 'POST', token: VIEWER.token });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { message: string }).message).toMatch(/admin role/);
      let requested = false;
      void ts.wb.shutdownRequested.then(() => (requested = true));
      await Promise.resolve();
      expect(requested).toBe(false);
      const ok = await api(ts, 'api/shutdown', { method: 'POST' });
      expect(ok.status).toBe(200);
      await ts.wb.shutdownRequested;
    });
  });
});
