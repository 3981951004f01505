/**
 * The Connections side panel (@workbench/connections-extension) in a real
 * browser against the real `workbench` CLI and the machine's PostgreSQL
 * (127.0.0.1:5432, which trusts local logins, so any password passes). The
 * operator (the printed URL, whose token is the admin's) sees the empty
 * panel; adds a connection through the form after a first attempt the form
 * itself refuses (bad name, port 70000), tests it before saving, saves it,
 * tests the saved row; adds a second one after the server refused a taken
 * name (409, its message beside the form), pointing at a host that does not
 * exist, whose test stops at DNS; rotates the first one's password (staged,
 * tested, activated: version 2); sees an activation refused (409) when the
 * staged password fails its test (the failed test shown), cancels it,
 * fixes the settings with Edit;
 * deletes the second after confirming.
 * Screenshots, light and dark at 1024 px, go to
 * test-artifacts/lab/connections-*.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = { width: 1024, height: 768 };
const PASSWORD = 'first-password-5d1c';
const NEXT_PASSWORD = 'rotated-password-9e2a';

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console errors and warnings, and HTTP answers >= 400. */
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
]);
const { expected } = log;
const screens = screenshots('connections');
const shot = (name: string) => screens.shot(page, name);
const shotBoth = (name: string) => screens.shotBoth(page, name);

const panel = () => page.locator('#wb-connections.wb-connections-panel');
const row = (name: string) => panel().locator(`li.wb-connections-item[data-connection="${name}"]`);
const form = () => panel().locator('form.wb-connections-form');
const input = (field: string) => form().locator(`.wb-connections-input-${field}`);
const fieldError = (field: string) => form().locator(`.wb-connections-field-error[data-field="${field}"]`);

async function panelIn(states: string[]): Promise<void> {
  await page.waitForFunction((wanted) => wanted.includes(document.querySelector<HTMLElement>('#wb-connections')?.dataset.wbConnectionsState ?? ''), states);
}

/** Nothing wider than the window or the panel: no horizontal scrolling. */
async function expectNoOverflow(): Promise<void> {
  const widths = await horizontalOverflow(page, { panel: '#wb-connections' });
  expect(widths).toEqual({ page: 0, panel: 0 });
}

/** Fills the form's fields (the select by value). */
async function fill(values: Record<string, string>): Promise<void> {
  for (const [field, value] of Object.entries(values)) {
    if (field === 'ssl') await input(field).selectOption(value);
    else await input(field).fill(value);
  }
}

/** No input on the page holds `secret`, and it is nowhere in the DOM's text or attributes. */
async function expectNowhere(secret: string): Promise<void> {
  await expect(page.evaluate((s) => document.body.innerHTML.includes(s) || [...document.querySelectorAll('input, textarea')].some((i) => (i as HTMLInputElement).value === s), secret)).resolves.toBe(false);
}

beforeAll(async () => {
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
});

afterAll(async () => {
  log.write('connections-problems.txt');
  writeFileSync(join(ARTIFACTS, 'connections-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('connections panel', () => {
  it('opens from the left side bar, empty, with Add for the operator', async () => {
    expect(VIEWPORT.width).toBe(1024);
    await openLab(context, wb.url, page);
    // The palette offers it under Workbench.
    await page.keyboard.press('ControlOrMeta+Shift+c');
    const palette = page.locator('#command-palette');
    await palette.locator('.lm-CommandPalette-input').fill('Connections');
    await palette.locator('.lm-CommandPalette-item[data-command="workbench-connections:open"]').waitFor();
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden' });

    await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="wb-connections"]').click();
    await panelIn(['empty']);
    await expect(panel().getAttribute('data-can-write')).resolves.toBe('true');
    await expect(panel().getAttribute('data-can-test')).resolves.toBe('true');
    await expect(panel().locator('.wb-connections-status').textContent()).resolves.toBe('No connections yet. Add one to query a database from notebooks.');
    await expect(panel().locator('button.wb-connections-add').isVisible()).resolves.toBe(true);
    await expectNoOverflow();
    await shotBoth('empty');
  });

  it('adds a connection: the form refuses a bad name and port, tests before saving, saves', async () => {
    await panel().locator('button.wb-connections-add').click();
    await form().waitFor();
    await expect(panel().getAttribute('data-wb-connections-view')).resolves.toBe('form');
    await expect(form().getAttribute('data-mode')).resolves.toBe('create');
    // The server's defaults, and an empty password field that hides what is typed.
    await expect(input('port').inputValue()).resolves.toBe('5432');
    await expect(input('ssl').inputValue()).resolves.toBe('disable');
    await expect(input('schemas').inputValue()).resolves.toBe('public');
    await expect(input('password').inputValue()).resolves.toBe('');
    await expect(input('password').getAttribute('type')).resolves.toBe('password');

    await fill({ name: 'Warehouse DB', description: 'The machine’s PostgreSQL', host: '127.0.0.1', port: '70000', database: 'postgres', user: 'postgres', password: PASSWORD });
    await form().locator('button.wb-connections-form-save').click();
    await fieldError('port').waitFor();
    await expect(fieldError('name').textContent()).resolves.toMatch(/^The name must be 1-63 lowercase letters, digits, _ or -, starting with a letter/);
    await expect(fieldError('port').textContent()).resolves.toBe('Port must be a whole number from 1 to 65535.');
    await expect(input('name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(input('port').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(row('warehouse').count()).resolves.toBe(0);
    await expectNoOverflow();
    await shotBoth('form-error');

    await fill({ name: 'warehouse', port: '5432' });
    await expect(fieldError('name').isHidden()).resolves.toBe(true);
    await form().locator('button.wb-connections-form-test').click();
    const draft = form().locator('.wb-connections-form-result[data-state="ok"]');
    await draft.waitFor();
    await expect(draft.locator('.wb-connections-stage').getAttribute('data-stage')).resolves.toBe('ok');
    await expect(draft.locator('.wb-connections-result-message').textContent()).resolves.toBe('Connected to 127.0.0.1:5432/postgres as postgres');
    await expect(draft.locator('.wb-connections-result-server').textContent()).resolves.toMatch(/^PostgreSQL \d+/);
    await shot('form-tested');

    await form().locator('button.wb-connections-form-save').click();
    await row('warehouse').waitFor();
    await panelIn(['ready']);
    await expect(form().count()).resolves.toBe(0);
    await expect(panel().getAttribute('data-wb-connections-view')).resolves.toBe('list');
    const r = row('warehouse');
    await expect(r.locator('.wb-connections-address').textContent()).resolves.toBe('127.0.0.1:5432/postgres');
    await expect(r.locator('.wb-connections-user').textContent()).resolves.toBe('as postgres');
    await expect(r.locator('.wb-connections-ssl').textContent()).resolves.toBe('no TLS');
    await expect(r.locator('.wb-connections-credential').textContent()).resolves.toBe('Password v1');
    await expect(r.getAttribute('data-credential-version')).resolves.toBe('1');
    await expectNowhere(PASSWORD);
  });

  it('tests the saved connection: ok, with the server version and the schema check', async () => {
    const r = row('warehouse');
    await r.locator('button.wb-connections-test').click();
    await r.locator('.wb-connections-row-result[data-state="ok"]').waitFor();
    await expect(r.getAttribute('data-test-state')).resolves.toBe('ok');
    await expect(r.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Connected');
    await expect(r.locator('.wb-connections-result-server').textContent()).resolves.toMatch(/^PostgreSQL \d+/);
    await expect(r.locator('.wb-connections-result-server').getAttribute('title')).resolves.toMatch(/^PostgreSQL \d+.* on /);
    await expect(r.locator('li.wb-connections-schema[data-schema="public"]').getAttribute('data-usage')).resolves.toBe('true');
  });

  it("adds a second connection after the server refused a taken name; its test stops at DNS", async () => {
    await panel().locator('button.wb-connections-add').click();
    await form().waitFor();
    expected.push(/^HTTP 409 POST .*\/api\/connections$/, /^console error: Failed to load resource: the server responded with a status of 409 \(Conflict\) \(.*\/api\/connections\)$/);
    await fill({ name: 'warehouse', host: 'no-such-host.invalid', database: 'finance', user: 'reporter' });
    await form().locator('button.wb-connections-form-save').click();
    const refused = form().locator('.wb-connections-form-error');
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toBe('Cannot create connection warehouse: the name is taken');
    await expect(input('name').inputValue()).resolves.toBe('warehouse'); // the values are kept
    await shot('form-conflict');
    await fill({ name: 'offsite', description: 'Reporting database at the old office' });
    await form().locator('button.wb-connections-form-save').click();
    const r = row('offsite');
    await r.waitFor();
    await expect(r.locator('.wb-connections-credential').textContent()).resolves.toBe('No password');
    await r.locator('button.wb-connections-test').click();
    const result = r.locator('.wb-connections-row-result[data-state="failed"]');
    await result.waitFor();
    await expect(result.getAttribute('data-stage')).resolves.toBe('dns');
    await expect(result.locator('.wb-connections-stage').textContent()).resolves.toBe('DNS');
    await expect(result.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Failed at DNS');
    await expect(result.locator('.wb-connections-result-message').textContent()).resolves.toBe('Cannot resolve host no-such-host.invalid: no such host name (DNS)');
    // Both rows keep their answers, in name order.
    await expect(panel().locator('li.wb-connections-item').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.connection))).resolves.toEqual(['offsite', 'warehouse']);
    await expect(row('warehouse').getAttribute('data-test-state')).resolves.toBe('ok');
    await expectNoOverflow();
    await shotBoth('list-tested');
  });

  it('rotates the password: staged and tested while v1 serves, then activated as v2', async () => {
    await row('warehouse').locator('button.wb-connections-rotate').click();
    const dialog = page.locator('.jp-Dialog');
    const body = dialog.locator('.wb-connections-rotate');
    await body.waitFor();
    await expect(body.getAttribute('data-state')).resolves.toBe('idle');
    await expect(body.locator('.wb-connections-rotate-versions').textContent()).resolves.toBe('In use: Password v1');
    const password = body.locator('input.wb-connections-rotate-password');
    await expect(password.getAttribute('type')).resolves.toBe('password');
    await password.fill(NEXT_PASSWORD);
    // Enter stages it (the dialog stays open).
    await password.press('Enter');
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="staged"]').waitFor();
    await expect(password.inputValue()).resolves.toBe('');
    await expect(body.locator('.wb-connections-rotate-result').getAttribute('data-state')).resolves.toBe('ok');
    await expect(body.locator('.wb-connections-rotate-versions').textContent()).resolves.toBe('In use: Password v1 · staged: v2');
    await expect(body.locator('button.wb-connections-rotate-activate').textContent()).resolves.toBe('Activate v2');
    // The list follows: v1 in use, v2 staged.
    await expect(row('warehouse').getAttribute('data-rotation')).resolves.toBe('staged');
    await expect(row('warehouse').locator('.wb-connections-rotation-staged').textContent()).resolves.toBe('Rotation staged (v2)');
    await expect(row('warehouse').getAttribute('data-credential-version')).resolves.toBe('1');
    await expectNowhere(NEXT_PASSWORD);
    await shotBoth('rotate');

    await body.locator('button.wb-connections-rotate-activate').click();
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="activated"]').waitFor();
    await expect(body.locator('.wb-connections-rotate-done').textContent()).resolves.toBe('Version 2 is in use; version 1 was deleted.');
    await shot('rotate-activated');
    await dialog.locator('button.wb-connections-rotate-close').click();
    await dialog.waitFor({ state: 'detached' });
    const r = row('warehouse');
    await expect(r.getAttribute('data-credential-version')).resolves.toBe('2');
    await expect(r.getAttribute('data-rotation')).resolves.toBe('none');
    await expect(r.locator('.wb-connections-credential').textContent()).resolves.toBe('Password v2');
    // The server agrees.
    const listed = (await (await fetch(`${wb.baseUrl}api/connections`, { headers: { Authorization: `token ${wb.token}` } })).json()) as { name: string; credential: object }[];
    expect(listed.find((c) => c.name === 'warehouse')!.credential).toEqual({ stored: true, version: 2, pending_version: null });
  });

  it('refuses to activate a staged password that fails its test (409 shown, v2 stays); cancel; edit fixes the settings', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
    await row('warehouse').locator('button.wb-connections-rotate').click();
    const dialog = page.locator('.jp-Dialog');
    const body = dialog.locator('.wb-connections-rotate');
    await body.locator('input.wb-connections-rotate-password').fill('third-password-77');
    await body.locator('button.wb-connections-rotate-stage').click();
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="staged"]').waitFor();
    await expect(body.locator('.wb-connections-rotate-versions').textContent()).resolves.toBe('In use: Password v2 · staged: v3');
    // Meanwhile someone points the connection at a port nothing listens on: the staged password can no longer pass.
    const moved = await api('api/connections/warehouse', { method: 'PATCH', body: JSON.stringify({ settings: { host: '127.0.0.1', port: 1, database: 'postgres', user: 'postgres' } }) });
    expect(moved.status).toBe(200);
    expected.push(/^HTTP 409 POST .*\/api\/connections\/warehouse\/rotate\/activate$/, /^console error: Failed to load resource: the server responded with a status of 409 \(Conflict\) \(.*\/rotate\/activate\)$/);
    await body.locator('button.wb-connections-rotate-activate').click();
    const refused = body.locator('.wb-connections-rotate-error');
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toMatch(/^Cannot activate the new credential of connection warehouse: it fails its test, so the credential in use stays: Cannot connect to 127\.0\.0\.1:1: connection refused/);
    await expect(body.getAttribute('data-state')).resolves.toBe('staged');
    // The failed test the 409 carries is shown as a test is.
    const failed = body.locator('.wb-connections-rotate-result');
    await expect(failed.getAttribute('data-state')).resolves.toBe('failed');
    await expect(failed.getAttribute('data-stage')).resolves.toBe('network');
    await expect(failed.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Failed at Network');
    await shot('rotate-refused');
    await body.locator('button.wb-connections-rotate-cancel').click();
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="cancelled"]').waitFor();
    await dialog.locator('button.wb-connections-rotate-close').click();
    await dialog.waitFor({ state: 'detached' });
    const r = row('warehouse');
    await expect(r.getAttribute('data-rotation')).resolves.toBe('none');
    await expect(r.getAttribute('data-credential-version')).resolves.toBe('2');

    // Reload shows the moved port; Edit puts it back (and the description), sending only what changed.
    await panel().locator('button.wb-connections-refresh').click();
    await page.waitForFunction(() => document.querySelector('#wb-connections li[data-connection="warehouse"] .wb-connections-address')?.textContent === '127.0.0.1:1/postgres');
    await r.locator('button.wb-connections-edit').click();
    await form().waitFor();
    await expect(form().getAttribute('data-mode')).resolves.toBe('edit');
    await expect(input('name').getAttribute('readonly')).resolves.toBe('');
    await expect(input('port').inputValue()).resolves.toBe('1');
    await expect(input('password').inputValue()).resolves.toBe('');
    await fill({ port: '5432', description: 'The machine’s PostgreSQL, port fixed' });
    await form().locator('button.wb-connections-form-save').click();
    await form().waitFor({ state: 'detached' });
    await expect(r.locator('.wb-connections-address').textContent()).resolves.toBe('127.0.0.1:5432/postgres');
    await expect(r.locator('.wb-connections-description').textContent()).resolves.toBe('The machine’s PostgreSQL, port fixed');
    await r.locator('button.wb-connections-test').click();
    await r.locator('.wb-connections-row-result[data-state="ok"]').waitFor();
    await expect(r.getAttribute('data-credential-version')).resolves.toBe('2');
  });

  it('deletes the second connection after confirming', async () => {
    await row('offsite').locator('button.wb-connections-delete').click();
    const confirm = page.locator('.jp-Dialog button.wb-connections-delete-confirm');
    await confirm.waitFor();
    await expect(page.locator('.jp-Dialog').textContent()).resolves.toContain('Notebooks and pipelines using @offsite will fail.');
    await confirm.click();
    await row('offsite').waitFor({ state: 'detached' });
    await expect(panel().locator('li.wb-connections-item').count()).resolves.toBe(1);
    const listed = (await (await fetch(`${wb.baseUrl}api/connections`, { headers: { Authorization: `token ${wb.token}` } })).json()) as { name: string }[];
    expect(listed.map((c) => c.name)).toEqual(['warehouse']);
    await shot('after-delete');
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    const unexpected = log.unexpected();
    expect(unexpected).toEqual([]);
    expect(expected).toEqual([]);
  });
});
