/**
 * Real-browser sessions against a real Workbench process: the `workbench`
 * CLI started as a user would, its printed URL opened in Debian's Chromium
 * through playwright-core (no browser download). Used by the end-to-end
 * tests and by bench/lab.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WORKBENCH_CHROMIUM ?? '/usr/bin/chromium';
const REPO = resolve(__dirname, '..', '..', '..');

export interface WorkbenchProcess extends AsyncDisposable {
  /** The URL the server printed, token included. */
  url: string;
  baseUrl: string;
  token: string;
  rootDir: string;
  dataDir: string;
  /** Everything the process printed so far. */
  output(): string;
}

/**
 * Start `bin/workbench.js` on port 0 with a fresh workspace and wait for the
 * line with the URL it prints. `config` is written to a config file.
 */
export async function startWorkbenchProcess(config: object = {}, token = 'e2e-token-0123456789abcdef', options: { tempHome?: boolean } = {}): Promise<WorkbenchProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-lab-'));
  const home = options.tempHome ? join(dir, 'home') : process.env.HOME;
  if (options.tempHome) await mkdir(home!, { recursive: true });
  const rootDir = join(dir, 'root');
  const dataDir = join(dir, 'data');
  await mkdir(rootDir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    WORKBENCH_DATA_DIR: dataDir,
    JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
    JUPYTER_CONFIG_DIR: join(dir, 'jupyter-config'),
    JUPYTER_TOKEN: undefined,
  };
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'bin', 'workbench.js'), '--port', '0', '--no-browser', '--token', token, '--root-dir', rootDir, '--config', join(dir, 'config.json')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/lab\?token=\S+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => rej(new Error(`workbench exited (${code}) before printing its URL:\n${out}`)));
  });
  return {
    url,
    baseUrl: url.replace(/lab\?token=.*$/, ''),
    token,
    rootDir,
    dataDir,
    output: () => out,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export const VIEWPORT = { width: 1024, height: 768 };

export interface OpenedLab {
  page: Page;
  /**
   * Time to interactive: navigation start until `jupyterapp.restored`
   * resolved (JupyterLab's own "ready": every plugin active, the saved layout
   * restored, menus, file browser and documents usable), on the page's clock.
   */
  ttiMs: number;
  /**
   * Navigation start until the main area first shows a widget. With an empty
   * layout that is the launcher, which JupyterLab opens after its debounced
   * layout-modified signal (500 ms), so it comes later than `restored`.
   */
  firstWidgetMs: number;
}

const instrumented = new WeakSet<Page>();

/** Runs in the page before any of its scripts: notes when the app is restored and when the dock area first shows a widget. */
function watchFirstWidget(): void {
  const w = window as unknown as { __wbFirstWidgetAt?: number; __wbRestoredAt?: number; jupyterapp?: { restored: Promise<void> } };
  let app: { restored: Promise<void> } | undefined;
  Object.defineProperty(window, 'jupyterapp', {
    configurable: true,
    get: () => app,
    set: (v: { restored: Promise<void> }) => {
      app = v;
      void v.restored.then(() => (w.__wbRestoredAt = performance.now()));
    },
  });
  const visible = () => document.querySelector('#jp-main-dock-panel .lm-Widget.lm-DockPanel-widget:not(.lm-mod-hidden)') !== null;
  const obs = new MutationObserver(() => {
    if (w.__wbFirstWidgetAt === undefined && visible()) {
      w.__wbFirstWidgetAt = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document, { subtree: true, childList: true, attributes: true });
}

/**
 * Open JupyterLab at `url` in a page of `context` and wait until it is
 * interactive: `window.jupyterapp` restored (needs expose_app_in_browser)
 * and the main dock area showing a widget (launcher or restored documents).
 */
export async function openLab(context: BrowserContext, url: string, page?: Page): Promise<OpenedLab> {
  page ??= await context.newPage();
  if (!instrumented.has(page)) {
    instrumented.add(page);
    await page.addInitScript(watchFirstWidget);
  }
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as unknown as { jupyterapp?: unknown }).jupyterapp !== undefined, undefined, { timeout: 30_000 });
  await page.evaluate(async () => {
    const app = (window as unknown as { jupyterapp: { restored: Promise<void> } }).jupyterapp;
    await app.restored;
    await new Promise<void>((res) => {
      const visible = () => document.querySelector('#jp-main-dock-panel .lm-Widget.lm-DockPanel-widget:not(.lm-mod-hidden)') !== null;
      if (visible()) return res();
      const obs = new MutationObserver(() => visible() && (obs.disconnect(), res()));
      obs.observe(document.body, { subtree: true, childList: true, attributes: true });
    });
  });
  const [ttiMs, firstWidgetMs] = await page.evaluate(() => {
    const w = window as unknown as { __wbFirstWidgetAt?: number; __wbRestoredAt?: number };
    return [w.__wbRestoredAt ?? Number.NaN, w.__wbFirstWidgetAt ?? Number.NaN];
  });
  return { page, ttiMs, firstWidgetMs };
}

/** Resolves once the current widget's kernel is connected and idle (needs `lab.expose_app_in_browser`). */
export async function waitCurrentKernelIdle(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext?: { session?: { kernel?: { connectionStatus: string; status: string } } } } | null } } }).jupyterapp.shell.currentWidget;
      const k = w?.sessionContext?.session?.kernel;
      return k?.connectionStatus === 'connected' && k.status === 'idle';
    },
    undefined,
    { timeout },
  );
}
