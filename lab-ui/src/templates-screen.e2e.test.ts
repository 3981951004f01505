/**
 * The templates library (@workbench/templates-extension, issue 17) in
 * Chromium against the real `workbench` CLI.
 *
 * `aging/ap-aging.ipynb` has a parameters cell (`entity = "FR01"`,
 * `as_of = "2026-11-30"`, `threshold = 1000`), a markdown title naming
 * `{{ template.entity }}` and a cell with last month's output. "Save as
 * Template…" from its context menu in the file browser suggests the three
 * parameters from that cell (text, date, integer); entity becomes a choice
 * of FR01 and PH01 and the template is saved. Its card appears in the
 * launcher under Templates; the card's dialog offers a field per
 * parameter; installing it for PH01 into `ph-aging` opens the notebook
 * with PH01 and the new date in its parameters cell, the title filled in
 * and no output. Installing into the same folder again, or into a folder
 * outside the workspace, is refused inside the dialog with the server's
 * message and what was typed kept. Saved again with a higher default and
 * one more cell, its dialog's History lists both versions, shows what the
 * second changed (the parameter, the notebook's cells), offers an older
 * version for install, restores the first as version 3, and installs
 * version 2 as it was. Deleting the template from its dialog takes its card
 * off the launcher.
 *
 * Screenshots, light and dark at 1024 px, go to
 * test-artifacts/lab/templates-*.png.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess, waitCurrentKernelIdle } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };
const NOTEBOOK = 'aging/ap-aging.ipynb';

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log = new ProblemLog([/^console warning: The kernel manager does not support the kernelInfoTimeout property\. /]);
const screens = screenshots('templates');
const shotBoth = (name: string) => screens.shotBoth(page, name);

async function command(id: string, args: object = {}): Promise<void> {
  // What the command answers stays in the page (a launcher is a widget, not something to send back).
  return page.evaluate(async ([c, a]) => {
    await (window as unknown as { jupyterapp: { commands: { execute(id: string, a: object): Promise<unknown> } } }).jupyterapp.commands.execute(c, a);
  }, [id, args] as const);
}

/** A new launcher in front (the templates' cards are in it). */
async function launcher() {
  await command('launcher:create');
  const l = page.locator('.jp-Launcher:visible');
  await l.waitFor();
  return l;
}

const templateCard = (l: ReturnType<Page['locator']>, title: string) => l.locator('.jp-LauncherCard[data-category="Templates"]', { hasText: title });

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  await mkdir(join(wb.rootDir, 'aging'), { recursive: true });
  await writeFile(
    join(wb.rootDir, NOTEBOOK),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, language_info: { name: 'python' } },
      cells: [
        { id: 'title', cell_type: 'markdown', metadata: {}, source: '# AP aging for {{ template.entity }}' },
        { id: 'params', cell_type: 'code', execution_count: 1, metadata: { tags: ['parameters'] }, outputs: [], source: 'entity = "FR01"\nas_of = "2026-11-30"\nthreshold = 1000\n' },
        { id: 'report', cell_type: 'code', execution_count: 2, metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: 'FR01 open payables: 1,234,567.89\n' }], source: 'print(entity, "open payables over", threshold, "as of", as_of)' },
      ],
    }),
  );
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
  await openLab(context, wb.url, page);
});

afterAll(async () => {
  log.write('templates-problems.txt');
  writeFileSync(join(ARTIFACTS, 'templates-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('the templates library', () => {
  it('Save as Template… from the file browser suggests the notebook’s parameters; the template is saved with one made a choice', async () => {
    await command('filebrowser:go-to-path', { path: 'aging' });
    const item = page.locator('.jp-DirListing-item[data-isdir="false"]', { hasText: 'ap-aging.ipynb' });
    await item.click({ button: 'right' });
    const menuItem = page.locator('.lm-Menu .lm-Menu-item[data-command="workbench-templates:save"]');
    await expect(menuItem.locator('.lm-Menu-itemLabel').textContent()).resolves.toBe('Save as Template…');
    await menuItem.click();

    const form = page.locator('.jp-Dialog .wb-templates-save-form');
    await form.waitFor();
    await expect(form.locator('input.wb-templates-save-name').inputValue()).resolves.toBe('ap-aging');
    const rows = form.locator('tr.wb-templates-param');
    await expect(rows.locator('.wb-templates-param-name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).resolves.toEqual(['entity', 'as_of', 'threshold']);
    await expect(rows.locator('.wb-templates-param-type').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value))).resolves.toEqual(['string', 'date', 'integer']);
    await expect(rows.locator('.wb-templates-param-default').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).resolves.toEqual(['FR01', '2026-11-30', '1000']);

    await form.locator('input.wb-templates-save-title').fill('AP aging');
    await form.locator('textarea.wb-templates-save-description').fill('Open payables by age bucket for one entity');
    const entity = rows.nth(0);
    await entity.locator('.wb-templates-param-type').selectOption('choice');
    await entity.locator('.wb-templates-param-choices').fill('FR01, PH01');
    await entity.locator('.wb-templates-param-label').fill('Entity');
    expect(await horizontalOverflow(page, { body: '.jp-Dialog .jp-Dialog-body' })).toEqual({ page: 0, body: 0 });
    await shotBoth('save-dialog');

    const saved = page.waitForResponse((r) => r.url().endsWith('/api/templates') && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-templates-save-submit').click();
    const answer = await saved;
    expect(answer.status()).toBe(201);
    expect(await answer.json()).toMatchObject({
      name: 'ap-aging',
      title: 'AP aging',
      source: 'user',
      files: ['ap-aging.ipynb'],
      parameters: [
        { name: 'entity', type: 'choice', choices: ['FR01', 'PH01'], default: 'FR01', label: 'Entity' },
        { name: 'as_of', type: 'date', default: '2026-11-30' },
        { name: 'threshold', type: 'integer', default: 1000 },
      ],
    });
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
  });

  it('the template’s launcher card installs it with values: the notebook opens with them, its outputs gone, and neither its kernel nor the dependency analysis changes it', async () => {
    // A Python kernel has run on this server before (as on any server in use): the install writes the metadata it gives a notebook.
    await page.evaluate(async () => {
      const kernels = (window as unknown as { jupyterapp: { serviceManager: { kernels: { startNew(o: object): Promise<{ info: Promise<unknown>; shutdown(): Promise<void> }> } } } }).jupyterapp.serviceManager.kernels;
      const k = await kernels.startNew({ name: 'python3' });
      await k.info;
      await k.shutdown();
    });
    const l = await launcher();
    const card = templateCard(l, 'AP aging');
    await card.waitFor();
    await expect(templateCard(l, 'Month-end close (Odoo)').count()).resolves.toBe(1);
    await card.scrollIntoViewIfNeeded();
    await screens.shot(page, 'launcher');
    await card.click();

    const form = page.locator('.jp-Dialog .wb-templates-install-form[data-template="ap-aging"]');
    await expect(form.locator('.wb-templates-source').textContent()).resolves.toMatch(/^Saved by /);
    await expect(form.locator('.wb-templates-field').evaluateAll((fs) => fs.map((f) => `${(f as HTMLElement).dataset.parameter}:${(f as HTMLElement).dataset.type}`))).resolves.toEqual(['entity:choice', 'as_of:date', 'threshold:integer']);
    await expect(form.locator('.wb-templates-field[data-parameter="entity"] option').allTextContents()).resolves.toEqual(['FR01', 'PH01']);
    await form.locator('.wb-templates-field[data-parameter="entity"] select').selectOption('PH01');
    await form.locator('.wb-templates-field[data-parameter="as_of"] input').fill('2026-12-31');
    await form.locator('input.wb-templates-folder').fill('ph-aging');
    expect(await horizontalOverflow(page, { body: '.jp-Dialog .jp-Dialog-body' })).toEqual({ page: 0, body: 0 });
    await shotBoth('install-dialog');

    const installed = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging/install'));
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    expect((await installed).status()).toBe(201);
    // As installed (read at once: a kernel starts, and the notebook is autosaved, only after it opens).
    const written = JSON.parse(await readFile(join(wb.rootDir, 'ph-aging/ap-aging.ipynb'), 'utf8')) as { metadata: unknown };
    // The installed notebook opens in front.
    const nb = page.locator('.jp-NotebookPanel:visible');
    await page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'ap-aging.ipynb' }).waitFor();
    await nb.locator('.jp-Cell').nth(1).locator('.cm-content', { hasText: 'entity = "PH01"' }).waitFor();
    // (CodeMirror shows the source's final newline as an empty last line.)
    await expect(nb.locator('.jp-Cell').nth(1).locator('.cm-content').innerText()).resolves.toMatch(/^entity = "PH01"\nas_of = "2026-12-31"\nthreshold = 1000\n+$/);
    await expect(nb.locator('.jp-OutputArea-output').count()).resolves.toBe(0);
    await nb.locator('.jp-MarkdownCell h1', { hasText: 'AP aging for PH01' }).waitFor();
    // The file browser went to the install folder.
    await page.locator('.jp-FileBrowser .jp-BreadCrumbs', { hasText: 'ph-aging' }).waitFor();
    // Its kernel connected and gave the notebook the metadata it already had.
    await waitCurrentKernelIdle(page);
    const metadata = await page.evaluate(async () => {
      const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext: { ready: Promise<void>; session: { kernel: { info: Promise<unknown> } } }; context: { model: { toJSON(): { metadata: unknown } } } } } } }).jupyterapp.shell.currentWidget;
      await w.sessionContext.ready;
      // JupyterLab writes language_info in a callback on this same promise, registered before this one: it has run when this resolves.
      await w.sessionContext.session.kernel.info;
      return w.context.model.toJSON().metadata;
    });
    expect(metadata).toEqual(written.metadata);
    expect(written.metadata).toMatchObject({ kernelspec: { name: 'python3' }, language_info: { name: 'python', version: expect.any(String) } });
    // The cells' dependency analysis came installed: once the extension has looked (the command resolves when it has), it had
    // nothing to write, and the notebook is still unmodified (a write would mark it unsaved until the room's autosave).
    await command('workbench-dependencies:analyze', { path: 'ph-aging/ap-aging.ipynb' });
    await expect(page.evaluate(() => (window as unknown as { jupyterapp: { shell: { currentWidget: { context: { model: { dirty: boolean } } } } } }).jupyterapp.shell.currentWidget.context.model.dirty)).resolves.toBe(false);
    await expect(page.locator('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty').count()).resolves.toBe(0);
    await shotBoth('installed');

    const onDisk = JSON.parse(await readFile(join(wb.rootDir, 'ph-aging/ap-aging.ipynb'), 'utf8')) as { cells: { source: string | string[] }[] };
    expect(onDisk.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))).toEqual([
      '# AP aging for PH01',
      'entity = "PH01"\nas_of = "2026-12-31"\nthreshold = 1000\n',
      'print(entity, "open payables over", threshold, "as of", as_of)',
    ]);
  });

  it('a folder that holds the files already, or one outside the workspace: refused in the dialog, what was typed kept', async () => {
    const l = await launcher();
    await templateCard(l, 'AP aging').click();
    const form = page.locator('.jp-Dialog .wb-templates-install-form[data-template="ap-aging"]');
    await form.locator('input.wb-templates-folder').fill('ph-aging');
    log.expected.push(/^HTTP 409 POST .*\/api\/templates\/ap-aging\/install$/, /^console error: Failed to load resource: the server responded with a status of 409 \(Conflict\)/);
    const conflict = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging/install'));
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    expect((await conflict).status()).toBe(409);
    const error = form.locator('.wb-templates-form-error:visible');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe('Cannot install template ap-aging into ph-aging: ph-aging/ap-aging.ipynb exists (nothing was written)');
    await expect(form.locator('input.wb-templates-folder').inputValue()).resolves.toBe('ph-aging');
    await shotBoth('conflict');

    await form.locator('input.wb-templates-folder').fill('../outside');
    log.expected.push(/^HTTP 400 POST .*\/api\/templates\/ap-aging\/install$/, /^console error: Failed to load resource: the server responded with a status of 400 \(Bad Request\)/);
    const outside = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging/install'));
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    expect((await outside).status()).toBe(400);
    await form.locator('.wb-templates-form-error', { hasText: 'folder must be a relative workspace path' }).waitFor();
    await page.locator('.jp-Dialog .jp-mod-reject', { hasText: 'Cancel' }).click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
  });

  it('History in its dialog: the versions, what the second changed (a parameter’s default, a notebook cell added), restoring the first as a new version, installing the second as it was', async () => {
    // The author saves the template again over version 1, as "Save as Template…" with Replace does: a higher default, one more cell.
    const path = join(wb.rootDir, NOTEBOOK);
    const nbOnDisk = JSON.parse(await readFile(path, 'utf8')) as { cells: object[] };
    nbOnDisk.cells.push({ id: 'buckets', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: 'buckets = [30, 60, 90]' });
    await writeFile(path, JSON.stringify(nbOnDisk));
    const replaced = await fetch(`${wb.baseUrl}api/templates`, {
      method: 'POST',
      headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'ap-aging',
        title: 'AP aging',
        description: 'Open payables by age bucket for one entity',
        paths: [NOTEBOOK],
        replace: 1,
        parameters: [
          { name: 'entity', type: 'choice', choices: ['FR01', 'PH01'], default: 'FR01', label: 'Entity' },
          { name: 'as_of', type: 'date', default: '2026-11-30', label: 'As of' },
          { name: 'threshold', type: 'integer', default: 5000, label: 'Threshold' },
        ],
      }),
    });
    expect(replaced.status).toBe(201);

    const l = await launcher();
    await templateCard(l, 'AP aging').click();
    const form = page.locator('.jp-Dialog .wb-templates-install-form[data-template="ap-aging"]');
    const history = form.locator('details.wb-templates-history');
    await expect(history.locator('summary').textContent()).resolves.toBe('History: version 2');
    await history.locator('summary').click();
    await form.locator('details.wb-templates-history[data-state="ready"]').waitFor();
    const versions = history.locator('li.wb-templates-version');
    await expect(versions.evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.version}:${(e as HTMLElement).dataset.current}`))).resolves.toEqual(['2:true', '1:false']);
    await expect(versions.nth(0).locator('.wb-templates-version-restore').count()).resolves.toBe(0);

    // Version 1 offered for install: the dialog shows it as it was (threshold 1000), then back to the current one.
    const threshold = form.locator('.wb-templates-field[data-parameter="threshold"] input');
    await expect(threshold.inputValue()).resolves.toBe('5000');
    await versions.nth(1).locator('button.wb-templates-version-use').click();
    await form.locator('.wb-templates-version-note[data-version="1"]').waitFor();
    await expect(threshold.inputValue()).resolves.toBe('1000');
    await form.locator('button.wb-templates-version-back').click();
    await form.locator('.wb-templates-version-note').waitFor({ state: 'detached' });
    await expect(threshold.inputValue()).resolves.toBe('5000');

    await versions.nth(0).locator('button.wb-templates-version-changes').click();
    const diff = versions.nth(0).locator('.wb-templates-diff[data-from="1"][data-to="2"]');
    await diff.waitFor();
    await expect(diff.locator('li.wb-templates-manifest-change').allTextContents()).resolves.toEqual(['Parameter threshold: default 1000 → 5000']);
    const file = diff.locator('section.wb-templates-file-change[data-path="ap-aging.ipynb"][data-status="modified"]');
    await expect(file.locator('.wb-history-cell[data-status="added"] .wb-history-line-insert').allInnerTexts()).resolves.toEqual([expect.stringContaining('buckets = [30, 60, 90]')]);
    await expect(file.locator('.wb-history-cell').count()).resolves.toBe(1);
    expect(await horizontalOverflow(page, { body: '.jp-Dialog .jp-Dialog-body' })).toEqual({ page: 0, body: 0 });
    await file.scrollIntoViewIfNeeded();
    await shotBoth('history-changes');

    await versions.nth(1).locator('button.wb-templates-version-restore').click();
    const ask = versions.nth(1).locator('.wb-templates-restore-ask');
    await expect(ask.textContent()).resolves.toContain('Restore version 1? It is saved as version 3 and installs take it from then on; every version stays in the history.');
    const restored = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging/restore'));
    await ask.locator('button.wb-templates-restore-confirm').click();
    expect((await restored).status()).toBe(201);
    await history.locator('.wb-templates-history-status', { hasText: 'Version 1 restored as version 3.' }).waitFor();
    await expect(history.locator('summary').textContent()).resolves.toBe('History: version 3');
    await expect(versions.evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.version}:${(e as HTMLElement).dataset.current}`))).resolves.toEqual(['3:true', '2:false', '1:false']);
    await expect(versions.nth(0).locator('.wb-templates-version-meta').textContent()).resolves.toContain('restored from version 1');
    // The dialog now offers version 3 (= version 1): the threshold field's default is 1000 again.
    await expect(form.locator('.wb-templates-field[data-parameter="threshold"] input').inputValue()).resolves.toBe('1000');
    await shotBoth('history-restored');
    const now = await (await fetch(`${wb.baseUrl}api/templates/ap-aging`, { headers: { Authorization: `token ${wb.token}` } })).json();
    expect(now).toMatchObject({ version: 3, parameters: expect.arrayContaining([expect.objectContaining({ name: 'threshold', default: 1000 })]) });

    // Version 2 is no longer current, and can still be installed as it was: its default, its extra cell.
    await versions.nth(1).locator('button.wb-templates-version-use').click();
    await form.locator('.wb-templates-version-note[data-version="2"]').waitFor();
    await expect(threshold.inputValue()).resolves.toBe('5000');
    await form.locator('input.wb-templates-folder').fill('aging-v2');
    await shotBoth('history-install-version');
    const installed = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging/install'));
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    const answer = await installed;
    expect(answer.status()).toBe(201);
    expect(await answer.json()).toMatchObject({ version: 2, files: ['aging-v2/ap-aging.ipynb'] });
    expect(answer.request().postDataJSON()).toMatchObject({ folder: 'aging-v2', version: 2 });
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const v2 = JSON.parse(await readFile(join(wb.rootDir, 'aging-v2/ap-aging.ipynb'), 'utf8')) as { cells: { id: string }[] };
    expect(v2.cells.map((c) => c.id)).toContain('buckets');
    await page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'ap-aging.ipynb' }).waitFor();
  });

  it('Delete template in its dialog takes the card off the launcher; the installed files stay', async () => {
    const l = await launcher();
    await templateCard(l, 'AP aging').click();
    const form = page.locator('.jp-Dialog .wb-templates-install-form[data-template="ap-aging"]');
    await form.locator('button.wb-templates-delete').click();
    await expect(form.locator('.wb-templates-delete-ask').textContent()).resolves.toContain('Delete AP aging from the library for everyone? Files already installed from it stay.');
    await shotBoth('delete-ask');
    const deleted = page.waitForResponse((r) => r.url().endsWith('/api/templates/ap-aging') && r.request().method() === 'DELETE');
    await page.locator('.jp-Dialog button.wb-templates-delete-confirm').click();
    expect((await deleted).status()).toBe(204);
    await form.locator('.wb-templates-deleted', { hasText: 'Template AP aging was deleted.' }).waitFor();
    await page.locator('.jp-Dialog .jp-mod-reject', { hasText: 'Cancel' }).click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const fresh = await launcher();
    await templateCard(fresh, 'Month-end close (Odoo)').waitFor();
    await expect(templateCard(fresh, 'AP aging').count()).resolves.toBe(0);
    await expect(readFile(join(wb.rootDir, 'ph-aging/ap-aging.ipynb'), 'utf8')).resolves.toContain('PH01');
    expect(log.unexpected()).toEqual([]);
  });
});
