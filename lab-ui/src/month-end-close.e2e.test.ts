/**
 * The month-end close from the template, in Chromium against the real
 * `workbench` CLI, real kernels, a generated Odoo database (5,000 journal
 * lines, seed 3, no faults) in PostgreSQL and a real SMTP server. The
 * operator installs the month-end-close template into `close` from "New
 * pipeline from template…" (the launcher; installing again from the list's
 * button is refused inline, nothing written), sees its page (the DAG
 * extract -> checks -> gold -> publish); "Run with parameters…" runs the
 * close of the demo's last month on the `odoo` connection with the finance
 * list (the template's email) set to a mailbox; the run page reaches
 * succeeded with every fail-severity check passed; Roll back asks for a
 * reason and shows the server's refusal inline (there is no earlier run to
 * restore); the gold task's output notebook shows the trial balance as a
 * table; the success email arrived, naming the checks. The period is
 * closed again; a link to that run at a check (the close email's links)
 * opens its page with the check highlighted; Roll back of it, with a
 * reason, opens the rollback run, which restores the first close.
 * Screenshots at
 * 1024 px, light and dark, go to test-artifacts/lab/month-end-close-*.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { generateOdooDemo, type DemoSummary } from '@workbench/odoo';
import { startTestSmtpServer, type TestSmtpServer } from '@workbench/pipelines/notify/test-harness';
import { PG_TEST_SERVER, testDatabases } from '@workbench/store/testing';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(150_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };
const MAILBOX = 'finance-close@example.com';

const databases = testDatabases('postgres');
let demo: DemoSummary;
let smtp: TestSmtpServer;
let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log = new ProblemLog([/^console warning: The kernel manager does not support the kernelInfoTimeout property\. /]);
const { expected } = log;
const screens = screenshots('month-end-close');
const shot = (name: string) => screens.shot(page, name);
const shotBoth = (name: string) => screens.shotBoth(page, name);

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
}

async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(path, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The visible main-area screen `selector` once its state is `state`. */
async function screenIn(selector: string, state = 'ready'): Promise<Locator> {
  await page.waitForFunction(([s, st]) => [...document.querySelectorAll<HTMLElement>(s)].some((n) => n.dataset.wbPipelinesState === st && n.offsetParent !== null), [selector, state] as const);
  return page.locator(`${selector}:visible`);
}

async function expectNoOverflow(selector: string): Promise<void> {
  expect(await horizontalOverflow(page, { screen: `${selector}:not(.lm-mod-hidden)` })).toEqual({ page: 0, screen: 0 });
}

let pipelineId: string;
let runId: string;

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  const db = await databases.create();
  demo = await generateOdooDemo({ connection: db.url!, lines: 5_000, seed: 3 });
  smtp = await startTestSmtpServer({ starttls: false });
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true }, pipelines: { poll_ms: 200, smtp: { host: smtp.host, port: smtp.port, from: 'workbench@example.com' } } }, undefined, { tempHome: true });
  await apiJson('api/connections', {
    method: 'POST',
    body: JSON.stringify({ name: 'odoo', kind: 'postgres', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: demo.database, user: PG_TEST_SERVER.user }, credential: { password: 'unused-with-trust' } }),
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
}, 120_000);

afterAll(async () => {
  log.write('month-end-close-problems.txt');
  writeFileSync(join(ARTIFACTS, 'month-end-close-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await smtp?.[Symbol.asyncDispose]();
  await databases[Symbol.asyncDispose]();
});

describe('the month-end close from its template', () => {
  it('New pipeline from template: the templates with their files; Install into close opens the pipeline’s page with its DAG', async () => {
    await openLab(context, wb.url, page);
    await page.locator('.jp-LauncherCard[data-category="Workbench"]:visible', { hasText: 'New Pipeline from Template…' }).click();
    // The templates library's install dialog, offering the templates that hold a pipeline: the month-end close.
    const form = page.locator('.jp-Dialog .wb-templates-install-form[data-template="month-end-close"]');
    await expect(form.locator('.wb-templates-title').textContent()).resolves.toBe('Month-end close (Odoo)');
    await expect(form.locator('.wb-templates-source').textContent()).resolves.toBe('Shipped with Workbench');
    await expect(form.locator('input.wb-templates-folder').inputValue()).resolves.toBe('close');
    await form.locator('details.wb-templates-files-details summary').click();
    await expect(form.locator('ul.wb-templates-files li').allTextContents()).resolves.toEqual(expect.arrayContaining(['01_extract.ipynb', '03_gold.ipynb', 'month-end-close.pipeline.yaml']));
    // Its parameters: the Odoo connection chosen among the server's postgres connections, the optional ones empty.
    await expect(form.locator('.wb-templates-field').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.parameter))).resolves.toEqual(['connection', 'serving_connection', 'superset_connection', 'finance_list', 'completeness_threshold']);
    await expect(form.locator('.wb-templates-field[data-parameter="connection"] select.wb-templates-value').inputValue()).resolves.toBe('odoo');
    await expect(form.locator('.wb-templates-field[data-parameter="serving_connection"] select.wb-templates-value').inputValue()).resolves.toBe('');
    await form.locator('input.wb-templates-folder').fill('close');
    await shotBoth('template-dialog');
    const installed = page.waitForResponse((r) => r.url().endsWith('/api/templates/month-end-close/install') && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    const answer = await installed;
    expect(answer.status()).toBe(201);
    const body = (await answer.json()) as { folder: string; pipelines: { id: string; path: string }[] };
    expect(body.folder).toBe('close');
    expect(body.pipelines.map((p) => p.path)).toEqual(['close/month-end-close.pipeline.yaml']);
    pipelineId = body.pipelines[0]!.id;

    const p = await screenIn(`.wb-pipelines-page[data-pipeline-id="${pipelineId}"]`);
    await expect(p.locator('.wb-pipelines-page-title').textContent()).resolves.toBe('Month-end close');
    await p.locator('.wb-pipelines-dag[data-state="ready"]').waitFor();
    const svg = p.locator('svg.wb-pipelines-dag-svg');
    await expect(svg.locator('g.wb-pipelines-dag-node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-task-id')))).resolves.toEqual(['extract', 'checks', 'gold', 'publish']);
    await expect(svg.locator('path.wb-pipelines-dag-edge').evaluateAll((ps) => ps.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`))).resolves.toEqual(['extract->checks', 'checks->gold', 'gold->publish']);
    await expect(p.locator('table.wb-pipelines-params tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).resolves.toEqual(['connection', 'completeness_threshold', 'serving_connection', 'superset_connection', 'finance_list']);
    await expectNoOverflow('.wb-pipelines-page');
    await shotBoth('pipeline');
  });

  it('installing again into the same folder is refused in the dialog (nothing written)', async () => {
    await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('workbench-pipelines:list'));
    const list = await screenIn('.wb-pipelines-list');
    await list.locator('button.wb-pipelines-from-template').click();
    const form = page.locator('.jp-Dialog .wb-templates-install-form');
    await form.locator('input.wb-templates-folder').fill('close');
    expected.push(/^HTTP 409 POST .*\/api\/templates\/month-end-close\/install$/, /^console error: Failed to load resource: the server responded with a status of 409 \(Conflict\) \(.*\/api\/templates\/month-end-close\/install\)$/);
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/templates/month-end-close/install'));
    await page.locator('.jp-Dialog button.wb-templates-install').click();
    expect((await refused).status()).toBe(409);
    await form.locator('.wb-templates-form-error:visible').waitFor();
    await expect(form.locator('.wb-templates-form-error').textContent()).resolves.toMatch(/^Cannot install template month-end-close into close: close\/.+ exists \(nothing was written\)$/);
    await expect(form.locator('input.wb-templates-folder').inputValue()).resolves.toBe('close');
    await shot('template-conflict');
    await page.locator('.jp-Dialog .jp-mod-reject').click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    await expect(list.locator('section.wb-pipelines-card').count()).resolves.toBe(1);
  });

  it('runs the close of the demo’s last month, emailing the finance list: succeeded, every fail-severity check passed', async () => {
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Month-end close' }).click();
    const p = await screenIn(`.wb-pipelines-page[data-pipeline-id="${pipelineId}"]`);
    await p.locator('button.wb-pipelines-run-with-parameters').click();
    const dialog = page.locator('.jp-Dialog .wb-pipelines-run-form');
    await expect(dialog.locator('.wb-pipelines-param-input[data-name="connection"]').inputValue()).resolves.toBe('odoo');
    // The template emails the close to the addresses in its finance_list parameter (empty by default: nobody).
    await dialog.locator('.wb-pipelines-param-input[data-name="finance_list"]').fill(MAILBOX);
    // The close of the demo's last month: the logical date is the day after it ends.
    const logical = new Date(Date.parse(`${demo.period.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await dialog.locator('input.wb-pipelines-logical-date').fill(logical);
    const started = page.waitForResponse((r) => r.url().endsWith(`/api/pipelines/${pipelineId}/runs`) && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-pipelines-run-submit').click();
    const answer = await started;
    expect(answer.status()).toBe(201);
    const run = (await answer.json()) as { id: string; period: { label: string } };
    runId = run.id;
    expect(run.period.label).toBe(demo.period.to.slice(0, 7));

    const page_ = await screenIn(`.wb-pipelines-run-page[data-run-id="${runId}"]`);
    await page.locator(`.wb-pipelines-run-page[data-run-id="${runId}"][data-status="succeeded"]`).waitFor({ timeout: 120_000 });
    await expect(page_.locator('tr.wb-pipelines-task').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-task-id'), r.getAttribute('data-status')]))).resolves.toEqual([
      ['extract', 'succeeded'],
      ['checks', 'succeeded'],
      ['gold', 'succeeded'],
      ['publish', 'succeeded'],
    ]);
    const checks = page_.locator('.wb-pipelines-checks');
    await checks.waitFor();
    const total = Number(await checks.getAttribute('data-total'));
    expect(total).toBeGreaterThan(5);
    expect(await checks.getAttribute('data-failed')).toBe('0');
    expect(await checks.getAttribute('data-errors')).toBe('0');
    const failSeverity = await page_.locator('tr.wb-pipelines-check[data-severity="fail"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(failSeverity.length).toBeGreaterThan(0);
    expect(new Set(failSeverity)).toEqual(new Set(['passed']));
    await expect(page_.locator('.wb-pipelines-run-facts').textContent()).resolves.toContain('Manual by');
    await expectNoOverflow('.wb-pipelines-run-page');
    await page_.locator('section.wb-pipelines-section-checks').scrollIntoViewIfNeeded();
    await shotBoth('run-checks');
  });

  it('Roll back asks for a reason; the server’s refusal (no earlier run to restore) stays in the dialog', async () => {
    const run = page.locator(`.wb-pipelines-run-page[data-run-id="${runId}"]:visible`);
    await run.evaluate((el) => el.scrollTo({ top: 0 }));
    await run.locator('button.wb-pipelines-rollback').click();
    const form = page.locator('.jp-Dialog .wb-pipelines-rollback-form');
    await page.locator('.jp-Dialog button.wb-pipelines-rollback-confirm').click();
    await form.locator('textarea.wb-pipelines-rollback-reason[aria-invalid="true"]').waitFor();
    await expect(form.locator('.wb-pipelines-field-error[data-field="reason"]').textContent()).resolves.toBe('Say why the run is rolled back.');
    await form.locator('textarea.wb-pipelines-rollback-reason').fill('Late supplier invoice posted after the close');
    expected.push(new RegExp(`^HTTP 409 POST .*/api/runs/${runId}/rollback$`), new RegExp(`^console error: Failed to load resource: the server responded with a status of 409 \\(Conflict\\) \\(.*/api/runs/${runId}/rollback\\)$`));
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${runId}/rollback`));
    await page.locator('.jp-Dialog button.wb-pipelines-rollback-confirm').click();
    expect((await refused).status()).toBe(409);
    await form.locator('.wb-pipelines-form-error:visible').waitFor();
    await expect(form.locator('.wb-pipelines-form-error').textContent()).resolves.toMatch(/^Cannot /);
    await expect(form.locator('textarea.wb-pipelines-rollback-reason').inputValue()).resolves.toBe('Late supplier invoice posted after the close');
    await shot('rollback-refused');
    await page.locator('.jp-Dialog .jp-mod-reject').click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
  });

  it('the gold task’s output notebook shows the trial balance; the success email names the checks', async () => {
    const run = page.locator(`.wb-pipelines-run-page[data-run-id="${runId}"]:visible`);
    const output = run.locator('tr.wb-pipelines-task[data-task-id="gold"] button.wb-pipelines-output');
    const path = await output.getAttribute('data-path');
    expect(path).toMatch(/^pipeline-runs\/close\/month-end-close\/.+\/gold\.ipynb$/);
    await output.click();
    const nb = page.locator('.jp-NotebookPanel:visible');
    const table = nb.locator('table.wb-dataresource-table', { has: page.locator('th', { hasText: 'closing_balance' }) }).first();
    await table.waitFor();
    await expect(table.locator('th').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('account_code'), expect.stringContaining('opening_balance'), expect.stringContaining('closing_balance')]));
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(3);
    await table.scrollIntoViewIfNeeded();
    expect(await horizontalOverflow(page, {})).toEqual({ page: 0 });
    await shotBoth('gold-output');

    // The run's event stream ends after its notifications went out (as the server's own tests rely on).
    const events = await api(`api/runs/${runId}/events`, { headers: { Accept: 'text/event-stream' } });
    expect(await events.text()).toMatch(/event: end\n/);
    // The finance list got the close's summary and, every fail check having passed, data_ready for the trial balance.
    const mails = smtp.messages.filter((m) => m.envelopeTo.includes(MAILBOX));
    expect(mails.map((m) => m.subject.replace(/ \(run [0-9a-f]+\)$/, '')).sort()).toEqual([
      `[Workbench] Month-end close succeeded — ${demo.period.to.slice(0, 7)}`,
      `[Workbench] gold.trial_balance is ready — ${demo.period.to.slice(0, 7)}`,
    ]);
    const summary = mails.find((m) => m.subject.includes('Month-end close'))!;
    expect(summary.text).toMatch(/Checks: \d+ passed, 0 failed/);
    expect(smtp.errors).toEqual([]);

  });

  it('a link to a run at a check (as the close email has) opens the run page at that check; Roll back of a later close restores the earlier one', async () => {
    // The period closed again (by hand, through the API, nobody emailed): its first close is the one a rollback restores.
    const logical = new Date(Date.parse(`${demo.period.to}T00:00:00Z`) + 86_400_000).toISOString();
    const again = await apiJson<{ id: string }>(`api/pipelines/${pipelineId}/runs`, { method: 'POST', body: JSON.stringify({ logical_date: logical }) });
    await openLab(context, `${wb.url}${wb.url.includes('?') ? '&' : '?'}pipeline-run=${encodeURIComponent(again.id)}&check=trial_balance_zero`, page);
    const second = page.locator(`.wb-pipelines-run-page[data-run-id="${again.id}"]:visible`);
    await page.locator(`.wb-pipelines-run-page[data-run-id="${again.id}"][data-status="succeeded"]`).waitFor({ timeout: 120_000 });
    const focused = second.locator('tr.wb-pipelines-check.wb-pipelines-check-focused');
    await focused.waitFor();
    await expect(focused.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-name'), r.getAttribute('data-task-id')]))).resolves.toEqual([['trial_balance_zero', 'checks']]);
    await expect(page.evaluate(() => new URLSearchParams(window.location.search).has('pipeline-run'))).resolves.toBe(false);
    await shotBoth('run-check-link');

    await second.evaluate((el) => el.scrollTo({ top: 0 }));
    await second.locator('button.wb-pipelines-rollback').click();
    const form = page.locator('.jp-Dialog .wb-pipelines-rollback-form');
    await form.locator('textarea.wb-pipelines-rollback-reason').fill('Late supplier invoice posted after the close');
    const accepted = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${again.id}/rollback`));
    await page.locator('.jp-Dialog button.wb-pipelines-rollback-confirm').click();
    const answer = await accepted;
    expect(answer.status()).toBe(201);
    const rollback = (await answer.json()) as { id: string };
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    // The rollback run's page opens and ends succeeded: the period's gold is the first close's again.
    const rb = page.locator(`.wb-pipelines-run-page[data-run-id="${rollback.id}"]:visible`);
    await page.locator(`.wb-pipelines-run-page[data-run-id="${rollback.id}"][data-status="succeeded"]`).waitFor({ timeout: 120_000 });
    await expect(rb.locator('tr.wb-pipelines-task').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-task-id'), r.getAttribute('data-status')]))).resolves.toEqual([['rollback', 'succeeded']]);
    await expect(rb.locator('.wb-pipelines-run-facts').textContent()).resolves.toMatch(/Rollback/i);
    const detail = await apiJson<{ tasks: { values: Record<string, unknown> }[] }>(`api/runs/${rollback.id}`);
    expect(detail.tasks[0]!.values).toMatchObject({ restored: runId, rolled_back: again.id, reason: 'Late supplier invoice posted after the close' });
    await expectNoOverflow('.wb-pipelines-run-page');
    await shotBoth('rollback-done');

    const unexpected = log.unexpected();
    expect(unexpected).toEqual([]);
    expect(expected).toEqual([]);
  });
});
