/**
 * The Python Environments screen (@workbench/environments-extension,
 * issue 17) in Chromium against the real `workbench` CLI and real Python
 * kernels.
 *
 * `proj/` is a project (its requirements.txt names nothing yet, so no
 * package index is needed). A kernel of `proj/a.ipynb` builds its
 * environment; the requirements change and a second kernel builds a new
 * one; the first kernel ends. The screen (from the launcher) lists both:
 * the new one Current and In use (its Delete disabled), the old one
 * Superseded. "Delete unused" deletes the old one; once the second kernel
 * ends, Delete deletes the current one too, and the screen says so.
 *
 * Screenshots, light and dark at 1024 px: test-artifacts/lab/environments-*.png.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
]);
const screens = screenshots('environments');

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
}

/** Starts a Python kernel for `path` (its project's environment is built first); answers its id. */
async function startKernel(path: string): Promise<string> {
  const res = await api('api/kernels', { method: 'POST', body: JSON.stringify({ name: 'python3', path }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function stopKernel(id: string): Promise<void> {
  expect((await api(`api/kernels/${id}`, { method: 'DELETE' })).status).toBe(204);
}

let first: string;
let second: string;

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  await mkdir(join(wb.rootDir, 'proj'), { recursive: true });
  await writeFile(join(wb.rootDir, 'proj', 'requirements.txt'), '# nothing yet\n');
  first = await startKernel('proj/a.ipynb');
  await writeFile(join(wb.rootDir, 'proj', 'requirements.txt'), '# nothing yet, but changed\n');
  second = await startKernel('proj/a.ipynb');
  await stopKernel(first);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
  await openLab(context, wb.url, page);
});

afterAll(async () => {
  log.write('environments-problems.txt');
  writeFileSync(join(ARTIFACTS, 'environments-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('the Python Environments screen', () => {
  it('lists the current environment in use and the superseded one; Delete unused deletes the superseded one', async () => {
    await page.locator('.jp-LauncherCard[data-category="Workbench"]:visible', { hasText: 'Python Environments' }).click();
    const screen = page.locator('.wb-envs-screen[data-wb-envs-state="ready"]');
    await screen.waitFor();
    const rows = screen.locator('tr.wb-envs-row');
    await expect(rows.evaluateAll((rs) => rs.map((r) => `${(r as HTMLElement).dataset.current}:${(r as HTMLElement).dataset.inUse}`))).resolves.toEqual(['true:true', 'false:false']);
    await expect(rows.nth(0).locator('.wb-badge').allTextContents()).resolves.toEqual(['Current', 'In use']);
    await expect(rows.nth(1).locator('.wb-badge').allTextContents()).resolves.toEqual(['Superseded']);
    await expect(rows.nth(0).locator('.wb-envs-file').textContent()).resolves.toBe('proj/requirements.txt');
    await expect(rows.nth(0).locator('button.wb-envs-delete').isDisabled()).resolves.toBe(true);
    expect(await horizontalOverflow(page, { screen: '.wb-envs-screen' })).toEqual({ page: 0, screen: 0 });
    await screens.shotBoth(page, 'list');

    const pruned = page.waitForResponse((r) => r.url().endsWith('/api/environments/prune'));
    await screen.locator('button.wb-envs-prune').click();
    expect((await pruned).status()).toBe(200);
    await page.locator('.wb-envs-status', { hasText: 'Deleted 1 environment.' }).waitFor();
    await page.locator('.wb-envs-screen[data-wb-envs-state="ready"] tr.wb-envs-row[data-current="true"]').waitFor();
    await expect(page.locator('tr.wb-envs-row').count()).resolves.toBe(1);
    await expect(page.locator('button.wb-envs-prune').isDisabled()).resolves.toBe(true);
  });

  it('once its kernel ended, Delete deletes the current one too; the screen says the next kernel builds it again', async () => {
    await stopKernel(second);
    await page.locator('button.wb-envs-reload').click();
    const row = page.locator('.wb-envs-screen[data-wb-envs-state="ready"] tr.wb-envs-row[data-in-use="false"]');
    await row.waitFor();
    const id = await row.getAttribute('data-id');
    const deleted = page.waitForResponse((r) => r.url().endsWith(`/api/environments/${id}`) && r.request().method() === 'DELETE');
    await row.locator('button.wb-envs-delete').click();
    expect((await deleted).status()).toBe(204);
    await page.locator('.wb-envs-status', { hasText: `Deleted ${id}; its project’s next kernel builds it again.` }).waitFor();
    await page.locator('.wb-envs-screen[data-wb-envs-state="empty"] .wb-envs-empty').waitFor();
    await screens.shotBoth(page, 'empty');
    expect(log.unexpected()).toEqual([]);
  });
});
