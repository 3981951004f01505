#!/usr/bin/env node
/**
 * Boots the built JupyterLab (lab-ui/build) in Debian's chromium against a
 * small in-memory stand-in for the REST API the app calls while starting
 * (settings from build/schemas, themes, translations, workspaces, empty
 * kernels/sessions/terminals/contents), and reports console errors, failed
 * requests, time to `app.restored` and whether the dark theme applies.
 *
 * It checks the bundle, not the server: the real end-to-end test runs the
 * Workbench server. The stand-in has no /api/collaboration, so the page is
 * served as with `collaboration.enabled: false` (the collaboration packages
 * disabled); src/collab.e2e.test.ts covers them against the real server. Usage:
 *   node lab-ui/scripts/smoke.js [--base /prefix/] [--chromium /usr/bin/chromium] [--serve]
 * --serve only starts the stand-in server and prints the /lab URL (for a browser or a profiler).
 * Exits 1 when the page logged errors or did not restore.
 */
'use strict';
const { createReadStream, existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { createServer } = require('node:http');
const { extname, join, normalize, sep } = require('node:path');
const { WebSocketServer } = require('ws');

const buildDir = join(__dirname, '..', 'build');

function parseArgs(argv) {
  const get = (flag, fallback) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const base = get('--base', '/prefix/');
  return { base: base.endsWith('/') ? base : `${base}/`, chromium: get('--chromium', '/usr/bin/chromium'), serveOnly: argv.includes('--serve') };
}

const types = {
  '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.eot': 'application/vnd.ms-fontobject',
  '.png': 'image/png', '.gif': 'image/gif', '.txt': 'text/plain', '.html': 'text/html',
};

/** Every bundled setting schema, as jupyterlab_server lists them. */
function readSettings() {
  const root = join(buildDir, 'schemas');
  const out = new Map();
  const walk = (dir, pkgParts) => {
    const entries = readdirSync(dir);
    if (entries.includes('package.json.orig')) {
      const version = JSON.parse(readFileSync(join(dir, 'package.json.orig'), 'utf8')).version;
      for (const f of entries.filter((e) => e.endsWith('.json'))) {
        const id = `${pkgParts.join('/')}:${f.slice(0, -5)}`;
        out.set(id, { id, schema: JSON.parse(readFileSync(join(dir, f), 'utf8')), version, raw: '{}', settings: {}, last_modified: null, created: null });
      }
      return;
    }
    for (const e of entries) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e), [...pkgParts, e]);
  };
  walk(root, []);
  return out;
}

function startStubServer({ base, renderLabPage, assets }) {
  const settings = readSettings();
  const workspaces = new Map();
  const unknown = [];
  const now = new Date().toISOString();
  const pageConfig = {
    appName: 'Workbench', appNamespace: 'workbench', appUrl: '/lab', appVersion: assets.version,
    baseUrl: base, wsUrl: '', token: '', cacheFiles: false, devMode: false,
    disabledExtensions: ['@jupyter/collaboration-extension', '@jupyter/docprovider-extension'], deferredExtensions: [], federated_extensions: [],
    exposeAppInBrowser: true, browserTest: false, mode: 'multiple-document', notebookStartsKernel: true,
    fullAppUrl: `${base}lab`, fullStaticUrl: `${base}static/lab`, staticUrl: '/static/lab',
    settingsUrl: '/lab/api/settings', fullSettingsUrl: `${base}lab/api/settings`,
    themesUrl: '/lab/api/themes', fullThemesUrl: `${base}lab/api/themes`,
    translationsApiUrl: '/lab/api/translations', fullTranslationsApiUrl: `${base}lab/api/translations`,
    workspacesApiUrl: '/lab/api/workspaces', fullWorkspacesApiUrl: `${base}lab/api/workspaces`,
    treeUrl: '/lab/tree', fullTreeUrl: `${base}lab/tree`, licensesUrl: '/lab/api/licenses',
    terminalsAvailable: true, treePath: '', workspace: 'default', quitButton: false,
  };
  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const file = (res, root, rel) => {
    const path = normalize(join(root, decodeURIComponent(rel)));
    if (!path.startsWith(root + sep) || !existsSync(path) || !statSync(path).isFile()) return json(res, 404, { message: 'not found' });
    // Hashed bundle files never change under one name.
    const cache = root === assets.staticDir ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': cache });
    createReadStream(path).pipe(res);
  };
  const model = (name, type, mimetype, content) => ({
    name, path: name, type, format: type === 'directory' ? 'json' : 'text', mimetype, content, writable: true,
    created: now, last_modified: now, size: typeof content === 'string' ? content.length : null, hash: null, hash_algorithm: null,
  });
  // Files that pull in lazy chunks: marked and MathJax; CodeMirror's Python mode.
  const files = new Map([
    ['smoke.md', model('smoke.md', 'file', 'text/markdown', '# Smoke\n\nEuler: $e^{i\\pi} + 1 = 0$\n')],
    ['smoke.py', model('smoke.py', 'file', 'text/x-python', 'def f(x):\n    return x * 2\n')],
  ]);
  const listing = (withContent) => model('', 'directory', null, withContent ? [...files.values()].map((f) => ({ ...f, content: null })) : null);

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(base)) return json(res, 404, {});
    const path = url.pathname.slice(base.length);
    let m;
    if (path === 'lab' || path.startsWith('lab/tree') || path.startsWith('lab/workspaces')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(renderLabPage({ assets, pageConfig }));
    }
    if ((m = /^static\/lab\/(.+)$/.exec(path))) return file(res, assets.staticDir, m[1]);
    if ((m = /^lab\/api\/themes\/(.+)$/.exec(path))) return file(res, assets.themesDir, m[1]);
    if (/^lab\/api\/settings\/?$/.test(path)) {
      const all = [...settings.values()];
      return json(res, 200, { settings: url.searchParams.get('ids_only') ? all.map(({ id }) => ({ id })) : all });
    }
    if ((m = /^lab\/api\/settings\/(.+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]);
      const s = settings.get(id);
      if (!s) return json(res, 404, { message: `No such plugin ${id}` });
      if (req.method === 'PUT') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          s.raw = JSON.parse(body).raw;
          json(res, 204);
        });
        return;
      }
      return json(res, 200, s);
    }
    if (/^lab\/api\/translations\/?$/.test(path)) return json(res, 200, { data: { en: { displayName: 'English', nativeName: 'English' } }, message: '' });
    if (/^lab\/api\/translations\/[\w-]+$/.test(path)) return json(res, 200, { data: {}, message: '' });
    if ((m = /^lab\/api\/workspaces\/(.+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]);
      if (req.method === 'PUT') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          workspaces.set(id, JSON.parse(body));
          json(res, 204);
        });
        return;
      }
      return json(res, 200, workspaces.get(id) ?? { data: {}, metadata: { id } });
    }
    if (path === 'api/kernelspecs') return json(res, 200, { default: 'python3', kernelspecs: { python3: { name: 'python3', spec: { argv: ['python3'], display_name: 'Python 3', language: 'python', metadata: {}, env: {} }, resources: {} } } });
    if (/^api\/(sessions|kernels|terminals)\/?$/.test(path)) return json(res, 200, []);
    if (path === 'api/me') return json(res, 200, { identity: { username: 'smoke', name: 'Smoke', display_name: 'Smoke', initials: 'S', avatar_url: null, color: null }, permissions: {} });
    if (/^api\/contents\/?$/.test(path)) return json(res, 200, listing(url.searchParams.get('content') !== '0'));
    if ((m = /^api\/contents\/(.+)\/checkpoints$/.exec(path)) && files.has(decodeURIComponent(m[1]))) {
      return req.method === 'POST' ? json(res, 201, { id: 'checkpoint', last_modified: now }) : json(res, 200, []);
    }
    if ((m = /^api\/contents\/(.+)$/.exec(path)) && files.has(decodeURIComponent(m[1]))) {
      const f = files.get(decodeURIComponent(m[1]));
      return json(res, 200, url.searchParams.get('content') === '0' ? { ...f, content: null } : f);
    }
    if (path === 'api/nbconvert') return json(res, 200, {});
    if (path.startsWith('api/config/')) return json(res, 200, {});
    // jupyter-lsp's answer when no language server is configured.
    if (path === 'lsp/status') return json(res, 200, { version: 2, sessions: {}, specs: {} });
    unknown.push(`${req.method} ${url.pathname}`);
    return json(res, 404, { message: 'not found' });
  });
  // The event bus socket is accepted and stays quiet; other sockets are refused.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url, 'http://x').pathname === `${base}api/events/subscribe`) {
      wss.handleUpgrade(req, socket, head, () => undefined);
      return;
    }
    unknown.push(`WS ${req.url}`);
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  });
  server.on('close', () => wss.close());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, unknown })));
}

async function main() {
  const { base, chromium, serveOnly } = parseArgs(process.argv.slice(2));
  const { loadLabAssets, renderLabPage } = require('../lib/index.js');
  const assets = loadLabAssets();
  if (!assets) throw new Error('Cannot run the smoke test: lab-ui/build has no manifest.json (run node lab-ui/scripts/build.js)');
  const { server, port, unknown } = await startStubServer({ base, renderLabPage, assets });
  if (serveOnly) {
    console.log(`http://127.0.0.1:${port}${base}lab`);
    return;
  }
  const { chromium: playwright } = require('playwright-core');
  const browser = await playwright.launch({ executablePath: chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const report = { url: `http://127.0.0.1:${port}${base}lab`, errors: [], warnings: [], failedRequests: [], unknownRequests: unknown };
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      const where = msg.location()?.url ? ` (${msg.location().url})` : '';
      if (msg.type() === 'error') report.errors.push(msg.text() + where);
      if (msg.type() === 'warning') report.warnings.push(msg.text());
    });
    page.on('pageerror', (e) => report.errors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => report.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) report.failedRequests.push(`${r.status()} ${r.url()}`);
    });
    /** Navigation start to `app.restored`, as the page measures it. */
    const load = async () => {
      await page.goto(report.url);
      await page.waitForFunction(() => window.jupyterapp !== undefined, null, { timeout: 30000 });
      const ms = await page.evaluate(() => window.jupyterapp.restored.then(() => Math.round(performance.now())));
      await page.evaluate(() => window.jupyterapp.allPluginsActivated);
      await page.waitForLoadState('networkidle');
      return ms;
    };
    report.restoredMsCold = await load();
    // Warm: bundle from the HTTP cache, as on any visit after the first.
    report.restoredMsWarm = await load();
    report.domContentLoadedMsWarm = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));
    report.plugins = await page.evaluate(() => ({
      registered: window.jupyterapp.listPlugins().length,
      activated: window.jupyterapp.listPlugins().filter((id) => window.jupyterapp.isPluginActivated(id)).length,
      workbench: window.jupyterapp.listPlugins().filter((id) => id.startsWith('@workbench/')),
    }));
    report.lightTheme = await page.evaluate(() => ({ name: document.body.dataset.jpThemeName, color: getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() }));
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' });
    });
    await page.waitForFunction(() => document.body.dataset.jpThemeName === 'JupyterLab Dark', null, { timeout: 10000 });
    report.darkTheme = await page.evaluate(() => ({ name: document.body.dataset.jpThemeName, color: getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() }));
    // Lazy chunks, loaded from fullStaticUrl: marked + MathJax, CodeMirror's Python mode.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('docmanager:open', { path: 'smoke.md', factory: 'Markdown Preview' });
    });
    await page.waitForSelector('.jp-RenderedMarkdown mjx-container', { timeout: 20000 });
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('docmanager:open', { path: 'smoke.py' });
    });
    // Highlighted tokens are spans inside the lines once the Python mode has loaded.
    await page.waitForSelector('.jp-FileEditor .cm-line span', { timeout: 20000 });
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('settingeditor:open', { query: 'Theme' });
    });
    await page.waitForSelector('.jp-SettingsPanel, .jp-SettingsEditor', { timeout: 10000 });
    await page.waitForLoadState('networkidle');
    report.lazyChunks = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => /static\/lab\/\d+\./.test(r.name)).length);
    report.ok = report.errors.length === 0 && typeof report.restoredMsWarm === 'number';
  } catch (error) {
    report.ok = false;
    report.failure = error instanceof Error ? error.message.split('\n')[0] : String(error);
    report.dom = await browser.contexts()[0]?.pages()[0]?.evaluate(() => document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden)')?.outerHTML.slice(0, 2000)).catch(() => undefined);
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(report, null, 2));
  if (!report.ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`[lab-ui smoke] ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
