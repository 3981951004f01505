/**
 * Cell dependencies (@workbench/dependencies-extension, issue 17) in
 * Chromium against the real `workbench` CLI, its analyse route and a real
 * Python kernel.
 *
 * `deps/chain.ipynb` holds `a = 1` / `b = a + 1` / `print(b)`. Run All
 * leaves the three cells fresh; editing cell 1 to `a = 10` marks all three
 * stale (cell 1 edited, cells 2 and 3 for what they read; their outputs
 * dimmed), with the reasons in the badges' tooltips and in the
 * Dependencies panel; "Run Cell and Everything Downstream" from cell 1's
 * context menu runs the three in order and cell 3 prints 11, the marks
 * gone. The analyses and runs are in the cells' metadata on disk after a
 * save, and after a reload of the page the stale marks of a new edit are
 * still there.
 *
 * `deps/later.ipynb` holds `print(y)` / `z = 5`; typing `print(z)` into
 * cell 1 and pressing Shift+Enter at once asks first (the run waits for
 * the analysis of what was typed; Cancel runs nothing, and the cell shows
 * the reads-later warning); Run anyway runs it into a NameError; "Run what
 * this cell needs" from the toolbar runs cell 2 then cell 1, which prints 5.
 *
 * Screenshots, light and dark at 1024 px, go to
 * test-artifacts/lab/dependencies-*.png.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };

interface NotebookFile {
  cells: { id: string; source: string | string[]; metadata: { workbench?: { deps?: { version: number; analysis?: { defines: string[]; reads: string[]; sourceHash: string }; execution?: { executionCount: number; sourceHash: string; kernelSession?: string } } } } }[];
}

function notebook(sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, language_info: { name: 'python' } },
    cells: sources.map((source, i) => ({ id: `c${i + 1}`, cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
  });
}

const CHAIN = 'deps/chain.ipynb';
const LATER = 'deps/later.ipynb';

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
]);
const screens = screenshots('dependencies');
const shotBoth = (name: string) => screens.shotBoth(page, name);

/** Runs a JupyterLab command in the page and waits for it. */
async function command(id: string, args: object = {}): Promise<unknown> {
  return page.evaluate(async ([c, a]) => (window as unknown as { jupyterapp: { commands: { execute(id: string, a: object): Promise<unknown> } } }).jupyterapp.commands.execute(c, a), [id, args] as const);
}

/** The notebook panel in front. */
const current = () => page.locator('.jp-NotebookPanel:visible');

/** Opens `path`, waits for its document and for its kernel to be connected and idle (before that JupyterLab skips a run silently). */
async function openNotebook(path: string): Promise<Locator> {
  await command('docmanager:open', { path });
  await page.waitForFunction(
    (p) => {
      const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { context?: { path: string; isReady: boolean }; sessionContext?: { session?: { kernel?: { connectionStatus: string; status: string } } } } | null } } }).jupyterapp.shell.currentWidget;
      const k = w?.sessionContext?.session?.kernel;
      return w?.context?.path === p && w.context.isReady && k?.connectionStatus === 'connected' && k.status === 'idle';
    },
    path,
    { timeout: 60_000 },
  );
  return current();
}

/** Resolves once the cells of the notebook in front have these `data-wb-deps-state`s. */
async function statesAre(expected: (string | null)[]): Promise<void> {
  await page.waitForFunction(
    (exp) => {
      const cells = [...document.querySelectorAll<HTMLElement>('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')];
      return JSON.stringify(cells.map((c) => c.dataset.wbDepsState ?? null)) === JSON.stringify(exp);
    },
    expected,
    { timeout: 30_000 },
  );
}

/** Replaces the source of cell `index` of `nb` by typing `code` (select all, then type). */
async function typeInto(nb: Locator, index: number, code: string): Promise<void> {
  const cell = nb.locator('.jp-Cell').nth(index);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(code);
  await cell.locator('.cm-content', { hasText: code }).waitFor();
}

const badge = (nb: Locator, index: number, kind: string) => nb.locator('.jp-Cell').nth(index).locator(`.wb-deps-marks .wb-deps-badge[data-kind="${kind}"]`);

/** Folds the left side bar: the notebook and the Dependencies panel share the 1024 px. */
async function collapseLeft(): Promise<void> {
  await page.evaluate(() => (window as unknown as { jupyterapp: { shell: { collapseLeft(): void } } }).jupyterapp.shell.collapseLeft());
  await page.locator('#jp-left-stack').waitFor({ state: 'hidden' });
}

/** Saves the notebook in front and waits for the checkpoint and the tab to be clean. */
async function save(nb: Locator): Promise<void> {
  const checkpointed = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/contents\/.+\/checkpoints/.test(r.url()));
  await nb.locator('jp-button[data-command="docmanager:save"]').click();
  expect((await checkpointed).status()).toBe(201);
  await page.locator('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty').waitFor({ state: 'detached' });
}

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  await mkdir(join(wb.rootDir, 'deps'), { recursive: true });
  await writeFile(join(wb.rootDir, CHAIN), notebook(['a = 1', 'b = a + 1', 'print(b)']));
  await writeFile(join(wb.rootDir, LATER), notebook(['print(y)', 'z = 5']));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
  await openLab(context, wb.url, page);
  await collapseLeft();
});

afterAll(async () => {
  log.write('dependencies-problems.txt');
  writeFileSync(join(ARTIFACTS, 'dependencies-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('cell dependencies', () => {
  it('an edit marks the cell and the cells reading it stale; Run Cell and Everything Downstream runs them and clears the marks', async () => {
    const nb = await openNotebook(CHAIN);
    await statesAre(['never_run', 'never_run', 'never_run']);
    // The analysis of the opened notebook is in (the graph has its edges) before anything runs.
    await command('workbench-dependencies:analyze', { path: CHAIN });
    await expect(command('notebook:run-all-cells')).resolves.toBe(true);
    await nb.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output', { hasText: '2' }).waitFor();
    await statesAre(['fresh', 'fresh', 'fresh']);
    await expect(nb.locator('.wb-deps-marks').count()).resolves.toBe(0);

    await typeInto(nb, 0, 'a = 10');
    await statesAre(['stale', 'stale', 'stale']);
    // Their outputs are of the old a: dimmed.
    await expect(nb.locator('.jp-Cell[data-wb-deps-outdated="true"]').count()).resolves.toBe(3);
    await expect(badge(nb, 0, 'stale').getAttribute('title')).resolves.toBe('Stale\n• Edited since it last ran');
    await expect(badge(nb, 1, 'stale').getAttribute('title')).resolves.toBe('Stale\n• Reads a from cell 1, which is stale');
    await expect(badge(nb, 2, 'stale').getAttribute('title')).resolves.toBe('Stale\n• Reads b from cell 2, which is stale');
    // A badge opens the Dependencies panel on its cell.
    await badge(nb, 2, 'stale').click();
    const panel = page.locator('#wb-dependencies');
    await panel.locator('.wb-deps-panel-cell[data-state="stale"]').waitFor();
    await expect(panel.locator('.wb-deps-panel-cell-label').textContent()).resolves.toBe('Cell 3');
    await expect(panel.locator('.wb-deps-reasons li').allTextContents()).resolves.toEqual(['Reads b from cell 2, which is stale']);
    await expect(panel.locator('.wb-deps-reads .wb-deps-name').allTextContents()).resolves.toEqual(['b']);
    await expect(panel.locator('li.wb-deps-link[data-direction="upstream"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.cellId))).resolves.toEqual(['c1', 'c2']);
    expect(await horizontalOverflow(page, { panel: '#wb-dependencies' })).toEqual({ page: 0, panel: 0 });
    await shotBoth('stale');

    // Cell 1's context menu: Run Cell and Everything Downstream.
    await nb.locator('.jp-Cell').nth(0).locator('.jp-InputPrompt').click({ button: 'right' });
    const item = page.locator('.lm-Menu .lm-Menu-item[data-command="workbench-dependencies:run-downstream"]');
    await expect(item.locator('.lm-Menu-itemLabel').textContent()).resolves.toBe('Run Cell and Everything Downstream');
    await screens.shot(page, 'context-menu');
    await item.click();
    await nb.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output', { hasText: '11' }).waitFor();
    await statesAre(['fresh', 'fresh', 'fresh']);
    await expect(nb.locator('.wb-deps-marks').count()).resolves.toBe(0);
    await expect(nb.locator('.jp-Cell .jp-InputPrompt').allTextContents()).resolves.toEqual(['[4]:', '[5]:', '[6]:']);
    await expect(nb.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output').innerText()).resolves.toMatch(/^11\s*$/);
    await panel.locator('.wb-deps-panel-cell[data-state="fresh"]').waitFor();
    await shotBoth('ran-downstream');
  });

  it('keeps the analyses and runs in the cells’ metadata: on disk after a save, and the stale marks after a reload', async () => {
    const nb = current();
    await typeInto(nb, 1, 'b = a + 2');
    await statesAre(['fresh', 'stale', 'stale']);
    await command('workbench-dependencies:analyze', { path: CHAIN });
    await save(nb);
    const onDisk = JSON.parse(await readFile(join(wb.rootDir, CHAIN), 'utf8')) as NotebookFile;
    const deps = onDisk.cells.map((c) => c.metadata.workbench?.deps);
    expect(deps.map((d) => [d?.version, d?.analysis?.defines, d?.analysis?.reads])).toEqual([
      [1, ['a'], []],
      [1, ['b'], ['a']],
      [1, [], ['b']],
    ]);
    expect(deps.map((d) => d?.execution?.executionCount)).toEqual([4, 5, 6]);
    expect(new Set(deps.map((d) => d?.execution?.kernelSession)).size).toBe(1);
    // Cell 2's run is of its source before the edit; its analysis of the source now.
    expect(deps[1]!.execution!.sourceHash).not.toBe(deps[1]!.analysis!.sourceHash);

    await openLab(context, wb.url, page);
    await collapseLeft();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab .lm-TabBar-tabLabel:text-is("chain.ipynb")').click();
    await statesAre(['fresh', 'stale', 'stale']);
    await expect(badge(current(), 1, 'stale').getAttribute('title')).resolves.toBe('Stale\n• Edited since it last ran');
    await expect(badge(current(), 0, 'stale').count()).resolves.toBe(0);
    await shotBoth('reloaded');
  });

  it('warns about a cell reading a name only a later cell defines, and asks before running it', async () => {
    const nb = await openNotebook(LATER);
    await command('workbench-dependencies:analyze', { path: LATER });
    await statesAre(['never_run', 'never_run']);
    await expect(nb.locator('.wb-deps-marks').count()).resolves.toBe(0);

    // Typed and run at once (Shift+Enter within the analysis' 500 ms): the run waits for the analysis of the new source, which asks.
    await typeInto(nb, 0, 'print(z)');
    await page.keyboard.press('Shift+Enter');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('.wb-deps-confirm').waitFor();
    await expect(dialog.locator('.wb-deps-confirm-list li').allTextContents()).resolves.toEqual(['Cell 1 reads z, which only cell 2 below defines (it has not run in this kernel).']);
    await shotBoth('reads-later-dialog');
    await dialog.locator('button.wb-deps-run-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(badge(nb, 0, 'reads_later').getAttribute('title')).resolves.toBe('Reads a name defined below\n• Reads z, which only cell 2 below defines');
    await expect(nb.locator('.jp-Cell').nth(0).getAttribute('data-wb-deps-warnings')).resolves.toBe('reads_later');
    await expect(nb.locator('.jp-Cell').nth(0).locator('.jp-InputPrompt').textContent()).resolves.toBe('[ ]:');
    await expect(nb.locator('.jp-Cell').nth(0).locator('.jp-OutputArea-output').count()).resolves.toBe(0);

    // Run anyway: Python's NameError, and the cell counts as stale (its run failed).
    await nb.locator('.jp-Cell').nth(0).locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await dialog.locator('.wb-deps-confirm').waitFor();
    await dialog.locator('button.wb-deps-run-anyway').click();
    await nb.locator('.jp-Cell').nth(0).locator('.jp-OutputArea-output', { hasText: "NameError: name 'z' is not defined" }).waitFor();
    await statesAre(['stale', 'never_run']);
    // The error is what the last run gave: not dimmed.
    await expect(nb.locator('.jp-Cell').nth(0).getAttribute('data-wb-deps-outdated')).resolves.toBeNull();
    await expect(badge(nb, 0, 'stale').getAttribute('title')).resolves.toBe('Stale\n• Its last run failed\n• Reads z from cell 2, which has not run');
    await expect(badge(nb, 1, 'not_run').getAttribute('title')).resolves.toBe('Not run\n• Not run in this kernel, while cell 1 reads its names and ran');
    await shotBoth('reads-later');

    // The toolbar's Run what this cell needs: z = 5 first, then cell 1, without asking.
    await nb.locator('.wb-deps-toolbar-upstream').click();
    await nb.locator('.jp-Cell').nth(0).locator('.jp-OutputArea-output', { hasText: /^5\s*$/ }).waitFor();
    await statesAre(['fresh', 'fresh']);
    await expect(nb.locator('.jp-Cell .jp-InputPrompt').allTextContents()).resolves.toEqual(['[3]:', '[2]:']);
    await expect(page.locator('.jp-Dialog').count()).resolves.toBe(0);
    // The warning stays: the notebook still reads z before it defines it.
    await expect(badge(nb, 0, 'reads_later').count()).resolves.toBe(1);
    expect(log.unexpected()).toEqual([]);
  });
});
