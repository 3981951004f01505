/**
 * JupyterLab at /lab, end to end in a real browser: the `workbench` CLI is
 * started as a user starts it, the URL it prints is opened in Debian's
 * Chromium (playwright-core), and everything is done through the UI:
 * launcher, notebooks on each kernel, save and reload, terminal, dark theme,
 * the version-history panel. Assertions are on the DOM; screenshots of each
 * step go to test-artifacts/lab/ for people to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'lab');
mkdirSync(ARTIFACTS, { recursive: true });

jest.setTimeout(120_000);

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const timings: Record<string, number> = {};
/** Failed requests and console errors, written next to the screenshots. */
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function putSetting(plugin: string, raw: object): Promise<void> {
  const res = await fetch(`${wb.baseUrl}lab/api/settings/${plugin}`, {
    method: 'PUT',
    headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ raw: JSON.stringify(raw) }),
  });
  expect(res.status).toBe(204);
}

/** The notebook panel currently in front. */
const current = () => page.locator('.jp-NotebookPanel:visible');

async function newNotebookFromLauncher(kernelDisplayName: string): Promise<Locator> {
  await page.locator('#jp-main-dock-panel .lm-TabBar-addButton:not(.lm-mod-hidden)').first().click(); // "+" opens a launcher
  const card = page.locator(`.jp-LauncherCard[data-category="Notebook"][title="${kernelDisplayName}"]:visible`);
  await card.click();
  const nb = current();
  // Until the session has its kernel, JupyterLab skips a run without a word (as with jupyter_server).
  await page.waitForFunction(() => {
    const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext?: { session?: { kernel?: { connectionStatus: string; status: string } } } } | null } } }).jupyterapp.shell.currentWidget;
    const k = w?.sessionContext?.session?.kernel;
    return k?.connectionStatus === 'connected' && k.status === 'idle';
  }, undefined, { timeout: 60_000 });
  // A new notebook opens with one empty code cell (with RTC the server's shared document provides it).
  await nb.locator('.jp-Cell').first().waitFor();
  return nb;
}

async function typeInCell(nb: Locator, code: string, index = 0): Promise<Locator> {
  const cell = nb.locator('.jp-Cell').nth(index);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(code);
  await cell.locator('.cm-content', { hasText: code.split('\n')[0]! }).waitFor();
  return cell;
}

/** Type the code into the cell and press the toolbar's Run button. */
async function runCell(nb: Locator, code: string, index = 0): Promise<Locator> {
  const cell = await typeInCell(nb, code, index);
  await nb.locator('jp-button[data-command="notebook:run-cell-and-select-next"]').click();
  return cell.locator('.jp-OutputArea-output');
}

/**
 * The toolbar's Save button ("save and create checkpoint"); the first save of
 * an "Untitled" file asks for a name (JupyterLab's default): keep the proposed
 * one. Done when the checkpoint request has been answered and the tab is no
 * longer marked dirty, so the next edit cannot race this save.
 */
async function save(nb: Locator, firstSave = false): Promise<void> {
  const checkpointed = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/contents\/.+\/checkpoints/.test(r.url()));
  await nb.locator('jp-button[data-command="docmanager:save"]').click();
  if (firstSave) await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
  expect((await checkpointed).status()).toBe(201);
  await page.locator('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty').waitFor({ state: 'detached' });
}

beforeAll(async () => {
  // A home of its own: the machine's shell rc files (pyenv and the like) stay out of the terminal test.
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORT });
  // Terminal rows in the DOM (xterm's screen-reader mode) so the test reads what the terminal shows.
  await putSetting('@jupyterlab/terminal-extension:plugin', { screenReaderMode: true });
  page = await context.newPage();
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  const cold = await openLab(context, wb.url, page);
  timings.coldMs = cold.ttiMs;
  timings.coldLauncherMs = cold.firstWidgetMs;
});

let step = 0;
afterEach(async () => {
  // What the page looked like when each test ended (passed or not), for people reading a failure.
  await page?.screenshot({ path: join(ARTIFACTS, `end-${++step}.png`) });
});

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'timings.json'), JSON.stringify(timings, null, 2));
  writeFileSync(join(ARTIFACTS, 'problems.txt'), problems.join('\n'));
  writeFileSync(join(ARTIFACTS, 'server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('JupyterLab served at /lab', () => {
  it('opens the printed URL: the launcher offers the Python, TypeScript and SQL kernels, 1024 px wide without horizontal scrolling', async () => {
    const launcher = page.locator('.jp-Launcher');
    await launcher.waitFor();
    for (const name of ['Python 3 (ipykernel)', 'TypeScript', 'SQL (DuckDB, PostgreSQL)']) {
      await expect(launcher.locator(`.jp-LauncherCard[data-category="Notebook"][title="${name}"]`).count()).resolves.toBe(1);
    }
    await expect(launcher.locator('.jp-LauncherCard[data-category="Other"][title="Start a new terminal session"]').count()).resolves.toBe(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // File browser, running sessions, table of contents and the history panel sit in the side bars.
    for (const id of ['filebrowser', 'jp-running-sessions', 'table-of-contents', 'wb-history-panel']) {
      await expect(page.locator(`.lm-TabBar-tab[data-id="${id}"]`).count()).resolves.toBe(1);
    }
    await shot('01-launcher');
  });

  it('runs a cell on each kernel and shows its output', async () => {
    const py = await newNotebookFromLauncher('Python 3 (ipykernel)');
    await expect((await runCell(py, 'print("py", 6*7)')).textContent()).resolves.toContain('py 42');
    await shot('02-python');

    const ts = await newNotebookFromLauncher('TypeScript');
    const tsOut = await runCell(ts, 'const answer: number = 6 * 7;\nanswer');
    await expect(tsOut.textContent()).resolves.toContain('42');
    await shot('03-typescript');

    const sql = await newNotebookFromLauncher('SQL (DuckDB, PostgreSQL)');
    const sqlOut = await runCell(sql, 'SELECT 42 AS answer, \'ok\' AS status');
    const table = sqlOut.locator('table').first();
    await table.waitFor().catch(async (e) => { await shot('debug-sql'); throw e; });
    await expect(table.locator('th').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('answer'), expect.stringContaining('status')]));
    await expect(table.locator('td').allTextContents()).resolves.toEqual(expect.arrayContaining(['42', 'ok']));
    await shot('04-sql');
  });

  it('saves a notebook; after a reload it is still open with its output', async () => {
    const nb = await newNotebookFromLauncher('Python 3 (ipykernel)');
    await runCell(nb, 'print("kept-" + str(40 + 2))');
    await expect(nb.locator('.jp-OutputArea-output').first().textContent()).resolves.toContain('kept-42');
    await save(nb, true);
    const title = (await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent())!;
    expect(title).toMatch(/\.ipynb$/);
    const warm = await openLab(context, wb.url, page);
    timings.warmMs = warm.ttiMs;
    timings.warmLauncherMs = warm.firstWidgetMs;
    await page.locator(`#jp-main-dock-panel .lm-TabBar-tab .lm-TabBar-tabLabel:text-is("${title}")`).click();
    await expect(current().locator('.jp-OutputArea-output').first().textContent()).resolves.toContain('kept-42');
    await shot('05-reloaded');
  });

  it('opens a terminal and runs echo', async () => {
    await page.locator('#jp-main-dock-panel .lm-TabBar-addButton:not(.lm-mod-hidden)').first().click();
    await page.locator('.jp-LauncherCard[data-category="Other"][title="Start a new terminal session"]:visible').click();
    const term = page.locator('.jp-Terminal:visible');
    await term.locator('.xterm-helper-textarea').waitFor({ state: 'attached' });
    await term.click();
    await page.keyboard.type('echo wb-$((6*7))');
    await page.keyboard.press('Enter');
    // The shell's output line is "wb-42" alone; the typed command shows "$((6*7))".
    await term.locator('.xterm-accessibility-tree div', { hasText: /^\s*wb-42\s*$/ }).first().waitFor();
    await shot('06-terminal');
  });

  it('switches to the dark theme from the Settings menu and remembers it after a reload', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: 'JupyterLab Dark' }).click();
    await page.waitForFunction(() => document.body.dataset.jpThemeName === 'JupyterLab Dark' && document.body.dataset.jpThemeLight === 'false');
    const bg = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim());
    expect(bg).not.toBe('');
    await shot('07-dark');
    await openLab(context, wb.url, page);
    await page.waitForFunction(() => document.body.dataset.jpThemeName === 'JupyterLab Dark');
  });

  it('shows a notebook’s versions, the diff between two saves, and restores the older one', async () => {
    const nb = await newNotebookFromLauncher('Python 3 (ipykernel)');
    const cell = await typeInCell(nb, 'x = "first version"');
    await save(nb, true);
    await typeInCell(nb, 'x = "second version"');
    await save(nb);

    await page.locator('.lm-TabBar-tab[data-id="wb-history-panel"]').click();
    const panel = page.locator('#wb-history-panel');
    await panel.locator('.wb-history-version').nth(1).waitFor();
    const versions = panel.locator('.wb-history-version');
    expect(await versions.count()).toBeGreaterThanOrEqual(2);
    await shot('08-history');

    // Newest first: the second entry is the first save. Its diff against the working copy shows the edit.
    await versions.nth(1).click();
    const diff = page.locator('.wb-history-diff[data-wb-history-diff-state="ready"]');
    await diff.waitFor();
    await expect(diff.textContent()).resolves.toMatch(/first version[\s\S]*second version/);
    await shot('09-diff');

    await page.locator('.wb-history-restore').first().click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await page.waitForFunction(() => [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell .cm-content')].some((e) => (e as HTMLElement).offsetParent !== null && e.textContent?.includes('first version')));
    await expect(cell.locator('.cm-content').textContent()).resolves.toContain('first version');
    await shot('10-restored');
  });
});
