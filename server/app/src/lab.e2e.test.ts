/**
 * What JupyterLab 4 needs from the server to boot, against a small build
 * in lab-ui's layout: the page and its PageConfig, the static bundle with
 * its caching, themes, settings (verbatim JSON5, validated, per user,
 * persistent), workspaces, translations, listings; and the page that says
 * the UI is not built.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';
import { FIXTURE_HASHED, MAIN_JS, makeLabBuild, THEMES_PLUGIN } from './testing/lab-fixture';

const pageConfigOf = (html: string) => JSON.parse(/<script id="jupyter-config-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
const settingsFile = (dataDir: string) => join(dataDir, 'users', 'workbench', 'settings', '@jupyterlab', 'apputils-extension', 'themes.jupyterlab-settings');

describe('JupyterLab application', () => {
  let dir: string;
  let dataDir: string;
  let config: object;
  let ts: TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-lab-'));
    dataDir = join(dir, 'data');
    await makeLabBuild(join(dir, 'build'));
    config = { data_dir: dataDir, lab: { build_dir: join(dir, 'build'), expose_app_in_browser: true, disabled_extensions: ['@jupyterlab/help-extension:about'] } };
    ts = await startTestServer([], process.env, config);
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /lab with a PageConfig JupyterLab can boot from, the token only when the URL carried it', async () => {
    const res = await api(ts, `lab?token=${TOKEN}`, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const cookies = res.headers.getSetCookie();
    const login = cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('workbench-'))!;
    expect(login).toBeDefined();
    expect(cookies.filter((c) => c.startsWith('_xsrf='))).toHaveLength(1);
    const html = await res.text();
    expect(html).toContain(`<script defer src="/static/lab/${FIXTURE_HASHED}"></script>`);
    const pc = pageConfigOf(html);
    expect(pc).toMatchObject({
      baseUrl: '/',
      wsUrl: '',
      token: TOKEN,
      appName: 'JupyterLab',
      appVersion: '4.6.4',
      appUrl: '/lab',
      fullAppUrl: '/lab',
      fullStaticUrl: '/static/lab',
      settingsUrl: '/lab/api/settings',
      fullSettingsUrl: '/lab/api/settings',
      themesUrl: '/lab/api/themes',
      fullThemesUrl: '/lab/api/themes',
      translationsApiUrl: '/lab/api/translations',
      fullTranslationsApiUrl: '/lab/api/translations',
      listingsUrl: '/lab/api/listings',
      fullListingsUrl: '/lab/api/listings',
      workspacesApiUrl: '/lab/api/workspaces',
      fullWorkspacesApiUrl: '/lab/api/workspaces',
      treeUrl: '/lab/tree',
      workspacesUrl: '/lab/workspaces',
      fullLabextensionsUrl: '/lab/extensions',
      treePath: '',
      workspace: 'default',
      defaultWorkspace: 'default',
      mode: 'multiple-document',
      exposeAppInBrowser: true,
      terminalsAvailable: true,
      notebookStartsKernel: true,
      cacheFiles: true,
      devMode: false,
      buildAvailable: false,
      buildCheck: false,
      notebookVersion: '[2,14,2]',
      federated_extensions: [],
      disabledExtensions: ['@jupyterlab/help-extension:about'],
      hubHost: '',
      hubPrefix: '',
    });
    // With the login cookie instead of the token, the page carries no token: the app lives on the cookie and _xsrf.
    const again = await api(ts, 'lab', { token: null, headers: { Cookie: login } });
    expect(again.status).toBe(200);
    expect(pageConfigOf(await again.text()).token).toBe('');
    const viaHeader = await api(ts, 'lab');
    expect(pageConfigOf(await viaHeader.text()).token).toBe('');
  });

  it('opens on a file, in a workspace, and redirects the classic /tree URL', async () => {
    expect(pageConfigOf(await (await api(ts, 'lab/tree/dir/my%20nb.ipynb')).text())).toMatchObject({ treePath: 'dir/my nb.ipynb', workspace: 'default' });
    expect(pageConfigOf(await (await api(ts, 'lab/workspaces/team')).text())).toMatchObject({ workspace: 'team', treePath: '' });
    expect(pageConfigOf(await (await api(ts, 'lab/workspaces/team/tree/a.ipynb')).text())).toMatchObject({ workspace: 'team', treePath: 'a.ipynb' });
    const tree = await api(ts, 'tree/dir/my%20nb.ipynb');
    expect(tree.status).toBe(302);
    expect(tree.headers.get('location')).toBe('/lab/tree/dir/my%20nb.ipynb');
  });

  it('sends an anonymous browser to the login page', async () => {
    const res = await api(ts, 'lab/tree/x.ipynb', { token: null });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Flab%2Ftree%2Fx.ipynb');
  });

  it('serves the bundle: hashed files cached for a year, others revalidated, compressed, behind auth', async () => {
    const hashed = await api(ts, `static/lab/${FIXTURE_HASHED}`);
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(hashed.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const main = await api(ts, 'static/lab/main.js', { headers: { 'Accept-Encoding': 'br' } });
    expect(main.headers.get('cache-control')).toBe('no-cache');
    expect(main.headers.get('content-encoding')).toBe('br');
    expect(Number(main.headers.get('content-length'))).toBeLessThan(MAIN_JS.length / 2);
    expect(await main.text()).toBe(MAIN_JS); // fetch decompresses
    const etag = main.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect(main.headers.get('last-modified')).toBeTruthy();
    const gz = await api(ts, 'static/lab/main.js', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(MAIN_JS);
    const plain = await api(ts, 'static/lab/main.js', { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(MAIN_JS);
    const cached = await api(ts, 'static/lab/main.js', { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
    expect((await api(ts, 'static/lab/main.js', { token: null })).status).toBe(403);
    expect((await api(ts, 'static/lab/nope.js')).status).toBe(404);
  });

  it('refuses every way out of the static folder', async () => {
    await writeFile(join(dir, 'secret.txt'), 'top secret');
    await symlink(join(dir, 'secret.txt'), join(dir, 'build', 'static', 'link.txt'));
    await mkdir(join(dir, 'build', 'static', 'sub'), { recursive: true });
    for (const path of ['static/lab/..%2F..%2Fsecret.txt', 'static/lab/%2e%2e/%2e%2e/secret.txt', 'static/lab/sub/..%2F..%2F..%2Fsecret.txt', 'static/lab/link.txt', 'static/lab/..%5C..%5Csecret.txt', 'lab/api/themes/..%2F..%2Fsecret.txt', 'static/lab/main.js%00.txt']) {
      const res = await api(ts, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.text()).not.toContain('top secret');
    }
  });

  it('serves themes', async () => {
    const res = await api(ts, 'lab/api/themes/@jupyterlab/theme-dark-extension/index.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await res.text()).toContain('--jp-layout-color0');
  });

  it('keeps settings as the raw JSON5 the user wrote, validated, and refuses bad ones without touching the file', async () => {
    const list = (await (await api(ts, 'lab/api/settings')).json()) as { settings: Record<string, unknown>[] };
    expect(list.settings).toHaveLength(1);
    expect(list.settings[0]).toMatchObject({ id: THEMES_PLUGIN, raw: '{}', settings: {}, version: '4.6.4', last_modified: null, created: null });
    expect((list.settings[0]!.schema as { properties: object }).properties).toHaveProperty('theme');
    expect(await (await api(ts, 'lab/api/settings?ids_only=true')).json()).toEqual({ settings: [{ id: THEMES_PLUGIN }] });

    const fixed = '{\n  // my theme\n  "theme": "JupyterLab Dark",\n  "theme-scrollbars": true, /* trailing comma */\n}';
    const notJson5 = fixed.replace('"theme-scrollbars"', 'theme-scrollbars'); // an unquoted key cannot contain "-"
    const put = await api(ts, `lab/api/settings/${THEMES_PLUGIN}`, { method: 'PUT', body: JSON.stringify({ raw: notJson5 }) });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { message: string }).message).toMatch(/Failed parsing JSON5/);
    expect((await api(ts, `lab/api/settings/${THEMES_PLUGIN}`, { method: 'PUT', body: JSON.stringify({ raw: fixed }) })).status).toBe(204);
    const one = (await (await api(ts, `lab/api/settings/${THEMES_PLUGIN}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ id: THEMES_PLUGIN, raw: fixed, settings: { theme: 'JupyterLab Dark', 'theme-scrollbars': true }, version: '4.6.4' });
    expect(typeof one.last_modified).toBe('string');
    const onDisk = await readFile(settingsFile(dataDir), 'utf8');
    expect(onDisk).toBe(fixed);

    for (const bad of ['{"theme": 42}', '{ "theme": ', '[1, 2]']) {
      const res = await api(ts, `lab/api/settings/${THEMES_PLUGIN}`, { method: 'PUT', body: JSON.stringify({ raw: bad }) });
      expect([bad, res.status]).toEqual([bad, 400]);
    }
    const invalid = await api(ts, `lab/api/settings/${THEMES_PLUGIN}`, { method: 'PUT', body: JSON.stringify({ raw: '{"theme": 42}' }) });
    expect(((await invalid.json()) as { message: string }).message).toMatch(/Failed validating input: \/theme must be string/);
    expect(await readFile(settingsFile(dataDir), 'utf8')).toBe(fixed);
    expect((await api(ts, `lab/api/settings/${THEMES_PLUGIN}`, { method: 'PUT', body: JSON.stringify({ nope: 1 }) })).status).toBe(400);
    expect((await api(ts, 'lab/api/settings/@jupyterlab/nothing-extension:plugin')).status).toBe(404);
    expect((await api(ts, 'lab/api/settings/..%2F..%2Fetc:passwd')).status).toBe(404);
  });

  it('keeps settings across a restart', async () => {
    const fixed = (await (await api(ts, `lab/api/settings/${THEMES_PLUGIN}`)).json()) as { raw: string };
    // Stopped, then started again on the same data directory (one server per data directory: its audit journal's lock).
    await ts[Symbol.asyncDispose]();
    ts = await startTestServer([], process.env, config);
    expect(await (await api(ts, `lab/api/settings/${THEMES_PLUGIN}`)).json()).toMatchObject({ raw: fixed.raw, settings: { theme: 'JupyterLab Dark' } });
  });

  it('saves, lists, loads and deletes workspaces', async () => {
    const ws = { data: { 'layout-restorer:data': { main: { current: 'notebook:a.ipynb' } } }, metadata: { id: 'team' } };
    expect((await api(ts, 'lab/api/workspaces/team', { method: 'PUT', body: JSON.stringify(ws) })).status).toBe(204);
    const list = (await (await api(ts, 'lab/api/workspaces')).json()) as { workspaces: { ids: string[]; values: { data: object; metadata: Record<string, unknown> }[] } };
    expect(list.workspaces.ids).toEqual(['team']);
    expect(list.workspaces.values[0]!.data).toEqual(ws.data);
    expect(typeof list.workspaces.values[0]!.metadata.last_modified).toBe('string');
    expect(await (await api(ts, 'lab/api/workspaces/team')).json()).toMatchObject(ws);
    expect(await (await api(ts, 'lab/api/workspaces/never-saved')).json()).toEqual({ data: {}, metadata: { id: '/never-saved' } });
    const mismatch = await api(ts, 'lab/api/workspaces/other', { method: 'PUT', body: JSON.stringify(ws) });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { message: string }).message).toMatch(/metadata ID mismatch/);
    expect((await api(ts, 'lab/api/workspaces/team', { method: 'DELETE' })).status).toBe(204);
    expect((await api(ts, 'lab/api/workspaces/team', { method: 'DELETE' })).status).toBe(404);
    expect(await (await api(ts, 'lab/api/workspaces')).json()).toEqual({ workspaces: { ids: [], values: [] } });
  });

  it('answers translations and listings as jupyterlab_server does', async () => {
    expect(await (await api(ts, 'lab/api/translations')).json()).toEqual({ data: { en: { displayName: 'English', nativeName: 'English' } }, message: '' });
    expect(await (await api(ts, 'lab/api/translations/en')).json()).toEqual({ data: {}, message: '' });
    expect(await (await api(ts, 'lab/api/translations/fr_FR')).json()).toEqual({ data: {}, message: "Language pack 'fr_FR' not installed!" });
    expect(await (await api(ts, 'lab/api/listings/@jupyterlab/extensionmanager-extension/listings.json')).json()).toEqual({ blocked_extensions_uris: [], allowed_extensions_uris: [], blocked_extensions: [], allowed_extensions: [] });
  });
});

describe('JupyterLab not built', () => {
  it('answers /lab with a 503 page that says how to build it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'wb-nolab-'));
    const ts = await startTestServer([], process.env, { lab: { build_dir: empty } });
    try {
      const res = await api(ts, `lab?token=${TOKEN}`, { token: null });
      expect(res.status).toBe(503);
      const html = await res.text();
      expect(html).toMatch(/JupyterLab interface is not built/);
      expect(html).toContain('npm run build --workspace lab-ui');
      expect((await api(ts, 'static/lab/main.js')).status).toBe(404);
      expect(await (await api(ts, 'lab/api/settings')).json()).toEqual({ settings: [] });
      // Built while the server runs: served at once.
      await makeLabBuild(empty);
      expect((await api(ts, 'lab')).status).toBe(200);
    } finally {
      await ts[Symbol.asyncDispose]();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
