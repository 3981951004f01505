/**
 * A new user's first notebook, in a real browser with real-time
 * collaboration on (the default): the launcher's Python 3 card opens a
 * notebook with one empty code cell (the collaboration room gives a notebook
 * without cells one, as jupyter_ydoc does); typing print(6*7) there and
 * pressing Shift+Enter shows 42. Also when the name was used before by a
 * notebook removed outside JupyterLab (`rm` in a terminal) while its shared
 * document was still loaded: the room then merges the new, empty file into
 * the old document. Screenshots go to test-artifacts/lab/new-notebook-*.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'lab');
mkdirSync(ARTIFACTS, { recursive: true });

jest.setTimeout(120_000);

let wb: WorkbenchProcess;
let browser: Browser;
let page: Page;
/** Failed requests and console errors, written next to the screenshots. */
const problems: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `new-notebook-${name}.png`) });

beforeAll(async () => {
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  await openLab(context, wb.url, page);
});

let step = 0;
afterEach(async () => {
  // What the page looked like when each test ended (passed or not), for people reading a failure.
  await page?.screenshot({ path: join(ARTIFACTS, `new-notebook-end-${++step}.png`) });
});

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'new-notebook-problems.txt'), problems.join('\n'));
  writeFileSync(join(ARTIFACTS, 'new-notebook-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

/**
 * New -> Notebook -> Python 3 from the launcher, as a user does it. Resolves
 * with the panel once its document is loaded: JupyterLab's context is ready
 * only after the shared document synced with the server's room, so the cells
 * shown then are the room's.
 */
async function newNotebookFromLauncher(): Promise<Locator> {
  const launcher = page.locator('.jp-Launcher:visible');
  if ((await launcher.count()) === 0) await page.locator('#jp-main-dock-panel .lm-TabBar-addButton:not(.lm-mod-hidden)').first().click();
  await page.locator('.jp-LauncherCard[data-category="Notebook"][title="Python 3 (ipykernel)"]:visible').click();
  const nb = page.locator('.jp-NotebookPanel:visible');
  await nb.waitFor();
  await page.evaluate(async () => {
    const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { context?: { ready: Promise<void> } } | null } } }).jupyterapp.shell.currentWidget;
    if (!w?.context) throw new Error('Cannot wait for the notebook: the widget in front is not a document');
    await w.context.ready;
  });
  return nb;
}

/** Type print(6*7) into the first cell and press Shift+Enter once the kernel shows idle (before that JupyterLab skips a run silently). */
async function runSixTimesSeven(nb: Locator): Promise<Locator> {
  await page.locator('.jp-StatusBar-Widget', { hasText: 'Python 3 (ipykernel) | Idle' }).waitFor({ timeout: 60_000 });
  const cell = nb.locator('.jp-Cell').first();
  await cell.locator('.cm-content').click();
  await page.keyboard.type('print(6*7)');
  await page.keyboard.press('Shift+Enter');
  const output = cell.locator('.jp-OutputArea-output', { hasText: '42' });
  await output.waitFor();
  return output;
}

describe('a new notebook', () => {
  it('opens from the launcher with one empty code cell; print(6*7) and Shift+Enter there show 42', async () => {
    const nb = await newNotebookFromLauncher();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent()).resolves.toBe('Untitled.ipynb');
    await expect(nb.locator('.jp-Cell').count()).resolves.toBe(1);
    await expect(nb.locator('.jp-Cell.jp-CodeCell .cm-content').first().innerText()).resolves.toMatch(/^\s*$/);
    await page.locator('.jp-StatusBar-Widget', { hasText: 'Cell 1/1' }).waitFor();
    // Nothing typed yet: the tab shows no unsaved mark (the room's state arrived with the first sync, before ready).
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current.jp-mod-dirty').count()).resolves.toBe(0);
    await shot('01-empty-cell');

    const output = await runSixTimesSeven(nb);
    await expect(output.innerText()).resolves.toMatch(/^42\s*$/);
    await expect(nb.locator('.jp-Cell').count()).resolves.toBe(2); // Shift+Enter on the last cell adds the next one
    await shot('02-printed-42');
  });

  it('opens with one empty code cell also where a notebook of that name was removed outside JupyterLab', async () => {
    // Save (the first save of an "Untitled" notebook offers a name: keep it), close the tab, remove the file as `rm` in a terminal does.
    const checkpointed = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/contents\/Untitled\.ipynb\/checkpoints/.test(r.url()));
    await page.keyboard.press('ControlOrMeta+s');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    expect((await checkpointed).status()).toBe(201);
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
    await page.locator('.jp-NotebookPanel').waitFor({ state: 'detached' });
    await rm(join(wb.rootDir, 'Untitled.ipynb'));

    const nb = await newNotebookFromLauncher();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent()).resolves.toBe('Untitled.ipynb');
    await expect(nb.locator('.jp-Cell').count()).resolves.toBe(1);
    await page.locator('.jp-StatusBar-Widget', { hasText: 'Cell 1/1' }).waitFor();
    await shot('03-again-empty-cell');
    const output = await runSixTimesSeven(nb);
    await expect(output.innerText()).resolves.toMatch(/^42\s*$/);

    // The same in the dark theme, for people to look at.
    await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }).jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }));
    await page.waitForFunction(() => document.body.dataset.jpThemeName === 'JupyterLab Dark');
    // The splash shown while the theme loads (appended before the theme's CSS loads) goes once it is drawn.
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await shot('04-dark');
  });
});
