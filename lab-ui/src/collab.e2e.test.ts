/**
 * Real-time collaboration in a real browser: one Workbench process, two
 * Chromium contexts (two windows with their own cookies and storage, same
 * token) opening the same notebook through JupyterLab's collaborative drive
 * (@jupyter/docprovider-extension -> /api/collaboration). What one window
 * types shows up in the other's cell, and the server saves the merged
 * document to disk by itself, each cell once. With `collaboration.enabled`
 * false the same page opens the notebook without RTC. Assertions are on the
 * DOM and on the file; screenshots go to test-artifacts/lab/collab-*.png.
 */
import { mkdirSync, watch as watchFolder, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'lab');
mkdirSync(ARTIFACTS, { recursive: true });

jest.setTimeout(120_000);

const NOTEBOOK = 'shared.ipynb';

interface NotebookFile {
  cells: { id?: string; cell_type: string; source: string | string[] }[];
}

const sourceOf = (cell: NotebookFile['cells'][number]) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/**
 * Resolves with the parsed file once `done` holds for it, re-reading it on
 * every change in its folder (the server writes through a temporary file and
 * a rename); rejects when the signal aborts, with the file's content then.
 * Uses fs.watch's callback: every event is seen (fs/promises' watch iterator
 * drops events that arrive while the loop body awaits), and an event during a
 * read triggers one more read after it.
 */
function waitForFile(path: string, done: (nb: NotebookFile) => boolean, { signal }: { signal: AbortSignal }): Promise<NotebookFile> {
  const check = async (): Promise<NotebookFile | undefined> => {
    const text = await readFile(path, 'utf8').catch(() => '');
    try {
      const nb = JSON.parse(text) as NotebookFile;
      return done(nb) ? nb : undefined;
    } catch {
      return undefined; // not written completely yet
    }
  };
  return new Promise<NotebookFile>((resolveFile, rejectFile) => {
    let finished = false;
    let reading = false;
    let again = false;
    const finish = (settle: () => void) => {
      if (finished) return;
      finished = true;
      watcher.close();
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => {
      void readFile(path, 'utf8')
        .catch(() => '')
        .then((text) => finish(() => rejectFile(new Error(`Cannot see the expected content in ${path}: the file reads\n${text}`))));
    };
    const read = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const nb = await check();
          if (nb) return finish(() => resolveFile(nb));
        } while (again && !finished);
      } finally {
        reading = false;
      }
    };
    const watcher = watchFolder(resolve(path, '..'), () => void read());
    signal.addEventListener('abort', onAbort, { once: true });
    // The first read comes after the watcher is set up, so no write falls between them.
    void read();
  });
}

const NOTEBOOK_JSON = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
  cells: [
    { id: 'first', cell_type: 'code', source: '', metadata: {}, outputs: [], execution_count: null },
    { id: 'second', cell_type: 'markdown', source: '# Shared notes', metadata: {} },
  ],
};

let browser: Browser;
const problems: string[] = [];
const servers: WorkbenchProcess[] = [];

/** A Workbench process with the notebook in its root folder; disposed after the suite. */
async function startServer(config: object = {}): Promise<WorkbenchProcess> {
  const wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true }, ...config });
  servers.push(wb);
  await writeFile(join(wb.rootDir, NOTEBOOK), JSON.stringify(NOTEBOOK_JSON));
  return wb;
}

/** A browser window of its own (cookies, storage), its problems noted under `name`. */
async function newWindow(name: string): Promise<{ name: string; context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`${name} console ${m.type()}: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${name} HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  return { name, context, page };
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'collab-problems.txt'), problems.join('\n'));
  writeFileSync(join(ARTIFACTS, 'collab-server.log'), servers.map((s) => s.output()).join('\n----\n'));
  await browser?.close();
  for (const s of servers) await s[Symbol.asyncDispose]();
});

/** Opens the notebook the way a shared link does: /lab/tree/<path>. */
async function openNotebook(wb: WorkbenchProcess, page: Page, context: BrowserContext) {
  await openLab(context, wb.url.replace('/lab?', `/lab/tree/${NOTEBOOK}?`), page);
  const nb = page.locator('.jp-NotebookPanel:visible');
  // The document's content arrived: the markdown cell is rendered.
  await nb.locator('.jp-Cell').nth(1).locator('.jp-RenderedMarkdown', { hasText: 'Shared notes' }).waitFor();
  return nb;
}

/** Whether the notebook in front sits on the collaborative drive (a shared Yjs document). */
const isCollaborative = (page: Page) =>
  page.evaluate(() => {
    const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { context?: { model: { collaborative: boolean } } } | null } } }).jupyterapp.shell.currentWidget;
    return w?.context?.model.collaborative;
  });

/** Whether a plugin is registered in the page's JupyterLab (left out or disabled: false). */
const hasPlugin = (page: Page, id: string) => page.evaluate((id) => (window as unknown as { jupyterapp: { hasPlugin(id: string): boolean } }).jupyterapp.hasPlugin(id), id);

/** The first cell's editor text, as CodeMirror shows it. */
const firstCellText = (page: Page) => page.locator('.jp-NotebookPanel:visible .jp-Cell').first().locator('.cm-content');

/** Whether the notebook in front has its kernel connected and idle. */
const kernelIdle = () => {
  const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext?: { session?: { kernel?: { connectionStatus: string; status: string } } } } | null } } }).jupyterapp.shell.currentWidget;
  const k = w?.sessionContext?.session?.kernel;
  return k?.connectionStatus === 'connected' && k.status === 'idle';
};

/** The id of the kernel behind the notebook in front. */
const kernelId = () =>
  (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext?: { session?: { kernel?: { id: string } } } } | null } } }).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.id;

describe('real-time collaboration', () => {
  it('two windows co-edit one notebook; the server saves the merged cells to disk once each', async () => {
    const wb = await startServer();
    const a = await newWindow('A');
    const b = await newWindow('B');
    const nbA = await openNotebook(wb, a.page, a.context);
    const nbB = await openNotebook(wb, b.page, b.context);
    // The document really is shared: both panels sit on the collaborative drive,
    // and the collaborative cell executor replaces the stock one (the package's jupyterlab.disabledExtensions).
    for (const { page } of [a, b]) {
      await expect(isCollaborative(page)).resolves.toBe(true);
      await expect(hasPlugin(page, '@jupyter/docprovider-extension:notebook-cell-executor')).resolves.toBe(true);
      await expect(hasPlugin(page, '@jupyterlab/notebook-extension:cell-executor')).resolves.toBe(false);
    }

    // A types into the first cell; B sees it in the same cell.
    await nbA.locator('.jp-Cell').first().locator('.cm-content').click();
    await a.page.keyboard.type('total = 40 + 2');
    await firstCellText(b.page).filter({ hasText: 'total = 40 + 2' }).waitFor();
    await a.page.screenshot({ path: join(ARTIFACTS, 'collab-01-window-a.png') });
    await b.page.screenshot({ path: join(ARTIFACTS, 'collab-02-window-b.png') });

    // B continues the same cell on a new line; A sees both lines.
    await nbB.locator('.jp-Cell').first().locator('.cm-content').click();
    await b.page.keyboard.press('ControlOrMeta+End');
    await b.page.keyboard.press('Enter');
    await b.page.keyboard.type('print(total)');
    await firstCellText(a.page).filter({ hasText: 'print(total)' }).waitFor();
    await expect(firstCellText(a.page).innerText()).resolves.toMatch(/total = 40 \+ 2\s*\nprint\(total\)/);
    await b.page.screenshot({ path: join(ARTIFACTS, 'collab-03-window-b-typed.png') });
    await a.page.screenshot({ path: join(ARTIFACTS, 'collab-04-window-a-merged.png') });

    // Nobody pressed Save: the server writes the shared document itself (debounced).
    const onDisk = await waitForFile(join(wb.rootDir, NOTEBOOK), (nb) => nb.cells.some((c) => sourceOf(c).includes('print(total)')), { signal: AbortSignal.timeout(30_000) });
    expect(onDisk.cells.map((c) => [c.id, c.cell_type, sourceOf(c)])).toEqual([
      ['first', 'code', 'total = 40 + 2\nprint(total)'],
      ['second', 'markdown', '# Shared notes'],
    ]);
    // Neither window shows a cell twice.
    for (const { page } of [a, b]) await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell').count()).resolves.toBe(2);
  });

  it('a cell run in one window shows its output once in both windows and is saved to disk once', async () => {
    const wb = await startServer();
    // The same notebook (kernelspec python3), its code cell already holding the code to run.
    const withCode = { ...NOTEBOOK_JSON, cells: [{ ...NOTEBOOK_JSON.cells[0], source: "print('hello from A')" }, NOTEBOOK_JSON.cells[1]] };
    await writeFile(join(wb.rootDir, NOTEBOOK), JSON.stringify(withCode));
    const a = await newWindow('A');
    const b = await newWindow('B');
    // A's session has its kernel before B opens, so the run below finds both windows connected (two windows
    // opening at once also share one session and kernel: see lifecycle.e2e.test.ts).
    const nbA = await openNotebook(wb, a.page, a.context);
    await a.page.waitForFunction(kernelIdle, undefined, { timeout: 60_000 });
    const nbB = await openNotebook(wb, b.page, b.context);
    // Until a window's session reaches the kernel, a run there is skipped silently.
    await b.page.waitForFunction(kernelIdle, undefined, { timeout: 60_000 });
    await expect(a.page.evaluate(kernelId)).resolves.toBeTruthy();
    await expect(b.page.evaluate(kernelId)).resolves.toBe(await a.page.evaluate(kernelId));

    // A runs the first cell with Shift+Enter.
    const cellA = nbA.locator('.jp-Cell').first();
    await cellA.locator('.cm-content', { hasText: "print('hello from A')" }).click();
    await a.page.keyboard.press('Shift+Enter');
    await cellA.locator('.jp-OutputArea-output', { hasText: 'hello from A' }).waitFor();
    // B gets the output through the shared document, in the same cell.
    const cellB = nbB.locator('.jp-Cell').first();
    await cellB.locator('.jp-OutputArea-output', { hasText: 'hello from A' }).waitFor();
    await a.page.screenshot({ path: join(ARTIFACTS, 'collab-06-run-window-a.png') });
    await b.page.screenshot({ path: join(ARTIFACTS, 'collab-07-run-window-b.png') });

    // The server saves the shared document: the cell holds one output, not one per window.
    type SavedCell = NotebookFile['cells'][number] & { execution_count?: number | null; outputs?: { output_type: string; name?: string; text?: string | string[] }[] };
    const outputsOf = (nb: NotebookFile) => ((nb.cells[0] as SavedCell).outputs ?? []);
    const textOf = (o: { text?: string | string[] }) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''));
    // Wait for the output and the execution count (set from the kernel's reply, after the output) to be on disk.
    const onDisk = await waitForFile(
      join(wb.rootDir, NOTEBOOK),
      (nb) => outputsOf(nb).some((o) => textOf(o).includes('hello from A')) && (nb.cells[0] as SavedCell).execution_count != null,
      { signal: AbortSignal.timeout(30_000) },
    );
    expect(onDisk.cells.map((c) => [c.id, c.cell_type, sourceOf(c)])).toEqual([
      ['first', 'code', "print('hello from A')"],
      ['second', 'markdown', '# Shared notes'],
    ]);
    expect(outputsOf(onDisk).map((o) => [o.output_type, o.name, textOf(o)])).toEqual([['stream', 'stdout', 'hello from A\n']]);
    // The fresh kernel ran the cell once: had each window executed it, the count would be 2.
    expect((onDisk.cells[0] as SavedCell).execution_count).toBe(1);
    // Each window shows that one output, once.
    for (const cell of [cellA, cellB]) {
      await expect(cell.locator('.jp-OutputArea-output').count()).resolves.toBe(1);
      await expect(cell.locator('.jp-OutputArea-output').innerText()).resolves.toMatch(/^hello from A\s*$/);
    }
  });

  it('with collaboration.enabled false the page leaves RTC out: plain contents API, the stock cell executor, Save writes the file', async () => {
    const wb = await startServer({ collaboration: { enabled: false } });
    const c = await newWindow('C');
    const collabRequests: string[] = [];
    c.page.on('request', (r) => r.url().includes('/api/collaboration') && collabRequests.push(r.url()));
    const nb = await openNotebook(wb, c.page, c.context);
    await expect(isCollaborative(c.page)).resolves.toBe(false);
    await expect(hasPlugin(c.page, '@jupyterlab/notebook-extension:cell-executor')).resolves.toBe(true);
    await expect(hasPlugin(c.page, '@jupyter/docprovider-extension:content-provider')).resolves.toBe(false);

    await nb.locator('.jp-Cell').first().locator('.cm-content').click();
    await c.page.keyboard.type('solo = 1');
    const saved = c.page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/api/contents/${NOTEBOOK}`));
    await nb.locator('jp-button[data-command="docmanager:save"]').click();
    expect((await saved).status()).toBe(200);
    const onDisk = JSON.parse(await readFile(join(wb.rootDir, NOTEBOOK), 'utf8')) as NotebookFile;
    expect(onDisk.cells.map(sourceOf)).toEqual(['solo = 1', '# Shared notes']);
    expect(collabRequests).toEqual([]);
    await c.page.screenshot({ path: join(ARTIFACTS, 'collab-05-rtc-off.png') });
  });
});
