/**
 * The pipelines screens (@workbench/pipelines-extension) in a real
 * browser against the real `workbench` CLI and real Python kernels. The
 * workspace holds four small notebooks and `sales.pipeline.yaml` (extract
 * -> [online, stores] -> report, a cron schedule, report running when
 * both are done), and `slow.pipeline.yaml` (one task sleeping 600 s, an
 * SLA of one second). The operator (the printed URL, an admin) runs Sales
 * from the list, a second run fails a task (through the API), and the
 * list shows the run-history matrix in two colours; the pipeline page
 * draws the DAG with elkjs (4 nodes, 4 edges), the schedule's next 12
 * fire times, parameters, runs and YAML; Run with parameters shows the
 * server's refusal of a bad value in the dialog, then overrides two
 * parameters: the run page shows them old -> new, streams the logs and
 * reaches succeeded; the slow pipeline's run shows on the dashboard
 * (running, an SLA alert) and is cancelled from its page; the failed run
 * is repaired (the dialog names the tasks that run again); Create job in
 * a notebook's toolbar writes its pipeline next to it, after the server's
 * issues were shown inline; a SQL-kernel notebook's data-quality checks
 * (`%%expect`: one failing with 2 offending rows, a warn-severity one
 * that passes, one with a long name and a wide sample that warns;
 * `%expect_summary` failing the task) show on their run's page with the
 * failed checks' sample rows. Screenshots, light and dark at
 * 1024 px, go to test-artifacts/lab/pipelines-*.png.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };

const SALES = `name: Sales report
description: Extracts the day's sales, splits them by channel and reports.
schedule:
  - cron: "0 6 * * 1-5"
    timezone: Europe/Paris
parameters:
  region: { type: string, default: EU, description: Sales region }
  rows: { type: integer, default: 3 }
  fail: { type: boolean, default: false }
tasks:
  extract:
    notebook: sales/extract.ipynb
    parameters: { region: "{{ params.region }}", rows: "{{ params.rows }}" }
  online:
    notebook: sales/online.ipynb
    depends_on: [extract]
    parameters: { fail: "{{ params.fail }}" }
  stores:
    notebook: sales/stores.ipynb
    depends_on: [extract]
  report:
    notebook: sales/report.ipynb
    depends_on: [online, stores]
    trigger_rule: all_done
`;

const SLOW = `name: Slow import
sla: 1s
tasks:
  wait:
    notebook: slow/wait.ipynb
`;

function notebook(cells: { source: string; tags?: string[] }[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    cells: cells.map((c, i) => ({ id: `c${i}`, cell_type: 'code', execution_count: null, metadata: c.tags ? { tags: c.tags } : {}, outputs: [], source: c.source })),
  });
}

const FILES: Record<string, string> = {
  'sales/extract.ipynb': notebook([
    { source: 'region = "EU"\nrows = 3', tags: ['parameters'] },
    { source: 'import time\nfor i in range(rows):\n    print(f"extract {region} row {i + 1}", flush=True)\n    time.sleep(0.2)' },
  ]),
  'sales/online.ipynb': notebook([{ source: 'fail = False', tags: ['parameters'] }, { source: 'if fail:\n    raise ValueError("the online sales feed refused the request")\nprint("online ok")' }]),
  'sales/stores.ipynb': notebook([{ source: 'import sys\nprint("stores ok")\nprint("2 stores did not report", file=sys.stderr)' }]),
  'sales/report.ipynb': notebook([{ source: 'print("report done")' }]),
  'slow/wait.ipynb': notebook([{ source: 'import time; time.sleep(600)' }]),
  'reports/revenue.ipynb': notebook([{ source: '# Parameters\nmonth = "2026-01-31"\nlimit = 10\nitems = [1, 2]', tags: ['parameters'] }, { source: 'print(month, limit)' }]),
};

const QUALITY = `name: Data quality
tasks:
  checks:
    notebook: quality/checks.ipynb
`;

/** A notebook of the SQL kernel (kernels/sql), one code cell per source. */
function sqlNotebook(sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'sql', display_name: 'SQL', language: 'sql' }, language_info: { name: 'sql' } },
    cells: sources.map((source, i) => ({ id: `q${i}`, cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
  });
}

const LONG_CHECK = 'Vendor bills posted without a purchase order reference, grouped by vendor and journal, for the period under review';

const CHECKS_NOTEBOOK = sqlNotebook([
  '%%expect no_negative_amounts severity=fail amount=x materiality=1 continue\nSELECT * FROM (VALUES (1), (-2), (-3)) t(x) WHERE x < 0',
  '%%expect small_warning severity=warn\nSELECT 1 AS one WHERE false',
  // A long name and a sample wider than the page: the name wraps, the sample scrolls in its own box, long values are cut (whole in their title).
  `%%expect "${LONG_CHECK}" severity=warn\nSELECT 'INV/2026/000123' AS reference, 'Acme Industrial Supplies and Logistics International GmbH & Co. KG' AS vendor, repeat('memo text ', 20) AS memo, 1234.50::DECIMAL(18,2) AS amount, DATE '2026-10-31' AS posted, NULL AS purchase_order`,
  '%expect_summary',
]);

let wb: WorkbenchProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
]);
const { expected } = log;
const screens = screenshots('pipelines');
const shot = (name: string) => screens.shot(page, name);
const shotBoth = (name: string) => screens.shotBoth(page, name);

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
}

async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(path, init);
  expect(res.ok).toBe(true);
  return (await res.json()) as T;
}

/** Resolves once the run ended: its event stream closes after `end` (server/http routes/pipelines.ts). */
async function runEnded(runId: string): Promise<{ status: string; tasks: { taskId: string; status: string }[] }> {
  const res = await api(`api/runs/${runId}/events`, { headers: { Accept: 'text/event-stream' } });
  const text = await res.text();
  expect(text).toMatch(/event: end\n/);
  return apiJson(`api/runs/${runId}`);
}

/** Runs a JupyterLab command in the page and waits for it (its result stays there: widgets do not serialise). */
async function command(id: string, args: object = {}): Promise<void> {
  await page.evaluate(async ([c, a]) => void (await (window as unknown as { jupyterapp: { commands: { execute(id: string, a: object): Promise<unknown> } } }).jupyterapp.commands.execute(c, a)), [id, args] as const);
}

/** The visible main-area screen `selector` once its state is `state`. */
async function screenIn(selector: string, state = 'ready'): Promise<Locator> {
  await page.waitForFunction(([s, st]) => [...document.querySelectorAll<HTMLElement>(s)].some((n) => n.dataset.wbPipelinesState === st && n.offsetParent !== null), [selector, state] as const);
  return page.locator(`${selector}:visible`);
}

/** Nothing scrolls sideways but inside the boxes made for it (tables, the matrix, the DAG, the YAML, the log). */
async function expectNoOverflow(selector: string): Promise<void> {
  expect(await horizontalOverflow(page, { screen: `${selector}:not(.lm-mod-hidden)` })).toEqual({ page: 0, screen: 0 });
}

let salesId: string;
let slowId: string;
let failedRunId: string;

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true }, pipelines: { poll_ms: 200 } }, undefined, { tempHome: true });
  for (const [path, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(wb.rootDir, path)), { recursive: true });
    await writeFile(join(wb.rootDir, path), text);
  }
  // The pipeline files go through the API, which checks, writes and registers them.
  salesId = (await apiJson<{ id: string }>('api/pipelines', { method: 'POST', body: JSON.stringify({ path: 'sales.pipeline.yaml', content: SALES }) })).id;
  slowId = (await apiJson<{ id: string }>('api/pipelines', { method: 'POST', body: JSON.stringify({ path: 'slow.pipeline.yaml', content: SLOW }) })).id;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
});

afterAll(async () => {
  log.write('pipelines-problems.txt');
  writeFileSync(join(ARTIFACTS, 'pipelines-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
});

describe('pipelines', () => {
  it('the side panel lists the pipelines; the launcher opens the dashboard', async () => {
    await openLab(context, wb.url, page);
    const card = page.locator('.jp-LauncherCard[data-category="Workbench"][title^="Runs going on"]:visible');
    await expect(card.locator('.jp-LauncherCard-label').textContent()).resolves.toBe('Pipelines Dashboard');
    await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="wb-pipelines"]').click();
    const panel = page.locator('#wb-pipelines');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#wb-pipelines')?.dataset.wbPipelinesState === 'ready');
    await expect(panel.locator('.wb-pipelines-side-name').allTextContents()).resolves.toEqual(['Sales report', 'Slow import']);
    await expect(panel.locator(`li.wb-pipelines-side-item[data-pipeline-id="${salesId}"]`).getAttribute('data-status')).resolves.toBe('none');
    await card.click();
    const dash = await screenIn('.wb-pipelines-dashboard');
    await expect(dash.locator('.wb-pipelines-dashboard-summary').textContent()).resolves.toBe('0 running · 0 failures in the last 7 days · 0 alerts');
    await expect(dash.locator('section[data-section="alerts"] .wb-pipelines-none').textContent()).resolves.toMatch(/^Nothing needs attention/);
  });

  it('the list: Run starts a run; with a failed run beside it the matrix shows both, by task, in colours', async () => {
    await page.locator('#wb-pipelines button.wb-pipelines-side-list').click();
    const list = await screenIn('.wb-pipelines-list');
    const sales = list.locator(`section.wb-pipelines-card[data-pipeline-id="${salesId}"]`);
    await expect(sales.locator('.wb-pipelines-card-path').textContent()).resolves.toBe('sales.pipeline.yaml');
    await expect(sales.locator('.wb-pipelines-last-run').textContent()).resolves.toBe('Last runnever run');
    await expect(sales.locator('.wb-pipelines-next-run time').getAttribute('datetime')).resolves.toMatch(/T0[45]:00:00\.000Z$/);
    const started = page.waitForResponse((r) => r.url().endsWith(`/api/pipelines/${salesId}/runs`) && r.request().method() === 'POST');
    await sales.locator('button.wb-pipelines-run-now').click();
    const first = (await (await started).json()) as { id: string };
    await sales.locator('.wb-pipelines-card-message[data-state="ok"]').waitFor();
    await expect(sales.locator('.wb-pipelines-card-message').textContent()).resolves.toBe('Started a run of Sales report. Open the run');
    // The second run fails its online task (through the API, as a script would).
    failedRunId = (await apiJson<{ id: string }>(`api/pipelines/${salesId}/runs`, { method: 'POST', body: JSON.stringify({ parameters: { fail: true } }) })).id;
    expect((await runEnded(first.id)).status).toBe('succeeded');
    const failed = await runEnded(failedRunId);
    expect(failed.status).toBe('failed');
    expect(Object.fromEntries(failed.tasks.map((t) => [t.taskId, t.status]))).toEqual({ extract: 'succeeded', online: 'failed', stores: 'succeeded', report: 'succeeded' });

    await page.locator('.jp-MainAreaWidget:visible .wb-pipelines-reload').click();
    const matrix = sales.locator('.wb-pipelines-matrix[data-runs="2"]');
    // The list may have drawn both runs while they were going: wait for the drawing with both ended (their last task done).
    for (const id of [first.id, failedRunId]) await matrix.locator(`tr[data-task-id="report"] button.wb-pipelines-cell[data-run-id="${id}"][data-status="succeeded"]`).waitFor();
    const cells = await matrix.locator('tr.wb-pipelines-matrix-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-task-id'), ...[...r.querySelectorAll('button.wb-pipelines-cell')].map((b) => b.getAttribute('data-status'))]));
    expect(cells).toEqual([
      ['extract', 'succeeded', 'succeeded'],
      ['online', 'succeeded', 'failed'],
      ['stores', 'succeeded', 'succeeded'],
      ['report', 'succeeded', 'succeeded'],
    ]);
    const colours = await matrix.locator('tr[data-task-id="online"] button.wb-pipelines-cell').evaluateAll((bs) => bs.map((b) => getComputedStyle(b).backgroundColor));
    expect(colours[0]).not.toBe(colours[1]);
    await expect(matrix.locator(`tr[data-task-id="online"] button.wb-pipelines-cell[data-run-id="${failedRunId}"]`).getAttribute('title')).resolves.toMatch(/^online, run of .+: Failed$/);
    await expect(matrix.locator('.wb-pipelines-legend li').allTextContents()).resolves.toEqual(['Pending', 'Queued', 'Running', 'Succeeded', 'Failed', 'Timed out', 'Cancelled', 'Skipped', 'Not in that run']);
    await expect(sales.locator('.wb-pipelines-last-run .wb-pipelines-status').getAttribute('data-status')).resolves.toBe('failed');
    await expect(list.locator(`section.wb-pipelines-card[data-pipeline-id="${slowId}"] .wb-pipelines-matrix`).count()).resolves.toBe(0);
    await expectNoOverflow('.wb-pipelines-list');
    await shotBoth('list');
  });

  it('the pipeline page: the DAG laid out by elkjs, the schedule’s next 12 fire times, parameters, runs, YAML', async () => {
    await page.locator(`section.wb-pipelines-card[data-pipeline-id="${salesId}"] button.wb-pipelines-card-title`).click();
    const p = await screenIn('.wb-pipelines-page');
    await expect(p.locator('.wb-pipelines-page-title').textContent()).resolves.toBe('Sales report');
    await p.locator('.wb-pipelines-dag[data-state="ready"]').waitFor();
    const svg = p.locator('svg.wb-pipelines-dag-svg');
    await expect(svg.locator('g.wb-pipelines-dag-node').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-task-id'), g.getAttribute('data-status')]))).resolves.toEqual([
      ['extract', 'succeeded'],
      ['online', 'failed'],
      ['stores', 'succeeded'],
      ['report', 'succeeded'],
    ]);
    await expect(svg.locator('path.wb-pipelines-dag-edge').evaluateAll((ps) => ps.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}:${e.getAttribute('data-rule')}`))).resolves.toEqual([
      'extract->online:all_succeeded',
      'extract->stores:all_succeeded',
      'online->report:all_done',
      'stores->report:all_done',
    ]);
    await expect(svg.locator('g.wb-pipelines-dag-label text').allTextContents()).resolves.toEqual(['all_done', 'all_done']);
    // Left to right: extract, then online and stores one above the other, then report.
    const boxes = await svg.locator('g.wb-pipelines-dag-node').evaluateAll((gs) => gs.map((g) => (g as SVGGElement).getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, right: r.right })));
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.right);
    expect(boxes[3]!.x).toBeGreaterThan(Math.max(boxes[1]!.right, boxes[2]!.right));
    expect(boxes[1]!.y).not.toBe(boxes[2]!.y);
    await expect(p.locator('ul.wb-pipelines-triggers li').allTextContents()).resolves.toEqual(['Cron "0 6 * * 1-5" (Europe/Paris)']);
    const upcoming = await p.locator('ol.wb-pipelines-upcoming time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!));
    expect(upcoming).toHaveLength(12);
    // 06:00 in Paris, on weekdays, in order.
    for (const t of upcoming) {
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(new Date(t))).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:00$/);
    }
    expect([...upcoming].sort()).toEqual(upcoming);
    await expect(p.locator('table.wb-pipelines-params tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).resolves.toEqual(['region', 'rows', 'fail']);
    await expect(p.locator('table.wb-pipelines-params tr[data-name="region"] .wb-pipelines-param-default').textContent()).resolves.toBe('EU');
    await expect(p.locator('tr.wb-pipelines-run').count()).resolves.toBe(2);
    await expect(p.locator('pre.wb-pipelines-source .wb-pipelines-source-line').count()).resolves.toBe(SALES.trimEnd().split('\n').length);
    await expectNoOverflow('.wb-pipelines-page');
    await shotBoth('pipeline');
    await p.locator('.wb-pipelines-section-runs').scrollIntoViewIfNeeded();
    await shot('pipeline-runs-yaml');
    await p.evaluate((el) => el.scrollTo({ top: 0 }));
    // Open file: the YAML in the editor.
    await p.locator('button.wb-pipelines-open-file').click();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel', { hasText: 'sales.pipeline.yaml' }).waitFor();
    await page.locator('.jp-FileEditor:visible .cm-content', { hasText: 'trigger_rule: all_done' }).waitFor();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Sales report' }).click();
  });

  it('Run with parameters: the server’s refusal stays in the dialog; overrides run, the run page streams the logs to succeeded', async () => {
    const p = await screenIn('.wb-pipelines-page');
    await p.locator('button.wb-pipelines-run-with-parameters').click();
    const dialog = page.locator('.jp-Dialog .wb-pipelines-run-form');
    await expect(dialog.locator('.wb-pipelines-param-input[data-name="region"]').inputValue()).resolves.toBe('EU');
    await expect(dialog.locator('.wb-pipelines-param-input[data-name="rows"]').inputValue()).resolves.toBe('3');
    await expect(dialog.locator('.wb-pipelines-param-input[data-name="fail"]').isChecked()).resolves.toBe(false);
    await dialog.locator('.wb-pipelines-param-input[data-name="rows"]').fill('three');
    expected.push(new RegExp(`^HTTP 400 POST .*/api/pipelines/${salesId}/runs$`), new RegExp(`^console error: Failed to load resource: the server responded with a status of 400 \\(Bad Request\\) \\(.*/api/pipelines/${salesId}/runs\\)$`));
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/pipelines/${salesId}/runs`) && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-pipelines-run-submit').click();
    expect((await refused).status()).toBe(400);
    await dialog.locator('.wb-pipelines-form-error:visible').waitFor();
    await expect(dialog.locator('.wb-pipelines-form-error').textContent()).resolves.toMatch(/parameter 'rows' must be an integer; the value is "three"/);
    await shotBoth('run-dialog-refused');
    await dialog.locator('.wb-pipelines-param-input[data-name="rows"]').fill('5');
    await dialog.locator('.wb-pipelines-param-input[data-name="region"]').fill('APAC');
    await page.keyboard.press('Enter');
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });

    const run = await screenIn('.wb-pipelines-run-page');
    const runId = (await run.getAttribute('data-run-id'))!;
    await expect(run.locator('tr.wb-pipelines-param-row[data-overridden="true"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-name')}: ${r.querySelector('td')!.textContent}`))).resolves.toEqual(['region: EU → APAC', 'rows: 3 → 5']);
    await expect(run.locator('tr.wb-pipelines-param-row[data-name="fail"]').getAttribute('data-overridden')).resolves.toBe('false');
    // The extract task's log streams in line by line.
    await run.locator('button.wb-pipelines-log-tab[data-task-id="extract"]').click();
    await run.locator('.wb-pipelines-log[data-task-id="extract"] .wb-pipelines-log-line[data-stream="stdout"]', { hasText: 'extract APAC row 5' }).waitFor({ timeout: 60_000 });
    const printed = await run.locator('.wb-pipelines-log .wb-pipelines-log-line[data-stream="stdout"] .wb-pipelines-log-text').allTextContents();
    expect(printed.join('\n')).toBe([1, 2, 3, 4, 5].map((i) => `extract APAC row ${i}`).join('\n'));
    await page.waitForFunction((id) => document.querySelector<HTMLElement>(`.wb-pipelines-run-page[data-run-id="${id}"]`)?.dataset.status === 'succeeded', runId, { timeout: 60_000 });
    await page.waitForFunction((id) => document.querySelector<HTMLElement>(`.wb-pipelines-run-page[data-run-id="${id}"]`)?.dataset.stream === 'ended', runId);
    await expect(run.locator('tr.wb-pipelines-task').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-task-id')}:${r.getAttribute('data-status')}`))).resolves.toEqual(['extract:succeeded', 'online:succeeded', 'stores:succeeded', 'report:succeeded']);
    await expect(run.locator('tr.wb-pipelines-task[data-task-id="extract"] [role="progressbar"]').getAttribute('aria-valuenow')).resolves.toBe('100');
    await expect(run.locator('tr.wb-pipelines-task[data-task-id="extract"] .wb-pipelines-task-attempt').textContent()).resolves.toBe('1/1');
    // stderr is its own style.
    await run.locator('button.wb-pipelines-log-tab[data-task-id="stores"]').click();
    await run.locator('.wb-pipelines-log[data-task-id="stores"] .wb-pipelines-log-line[data-stream="stderr"]', { hasText: '2 stores did not report' }).waitFor();
    await expect(run.locator('button.wb-pipelines-cancel').isDisabled()).resolves.toBe(true);
    await expect(run.locator('button.wb-pipelines-repair').isDisabled()).resolves.toBe(true);
    await run.locator('button.wb-pipelines-log-tab[data-task-id="extract"]').click();
    await expectNoOverflow('.wb-pipelines-run-page');
    await shotBoth('run');
    // The output notebook opens.
    await run.locator('tr.wb-pipelines-task[data-task-id="extract"] button.wb-pipelines-output').click();
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel', { hasText: 'extract.ipynb' }).waitFor();
    await page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output', { hasText: 'extract APAC row 5' }).waitFor();
  });

  it('a long task: running on the dashboard with an SLA alert; Cancel (confirmed) stops it', async () => {
    const slow = await apiJson<{ id: string }>(`api/pipelines/${slowId}/runs`, { method: 'POST', body: '{}' });
    await command('workbench-pipelines:open-run', { id: slow.id });
    const run = await screenIn('.wb-pipelines-run-page');
    await expect(run.getAttribute('data-run-id')).resolves.toBe(slow.id);
    await run.locator('tr.wb-pipelines-task[data-task-id="wait"][data-status="running"]').waitFor({ timeout: 60_000 });
    await run.locator('.wb-pipelines-log-line[data-stream="system"]', { hasText: 'cell 1 started' }).waitFor();
    await expect(run.locator('button.wb-pipelines-repair').isDisabled()).resolves.toBe(true);

    await command('workbench-pipelines:dashboard');
    const dash = await screenIn('.wb-pipelines-dashboard');
    await dash.locator(`section[data-section="running"] tr.wb-pipelines-run[data-run-id="${slow.id}"] [role="progressbar"]`).waitFor();
    await dash.locator(`li.wb-pipelines-alert[data-kind="sla"][data-run-id="${slow.id}"]`).waitFor();
    await expect(dash.locator(`li.wb-pipelines-alert[data-kind="failed"][data-run-id="${failedRunId}"]`).count()).resolves.toBe(1);
    await expect(dash.locator('section[data-section="failed"]').getAttribute('data-count')).resolves.toBe('1');
    await expect(dash.locator('section[data-section="recent"] tr.wb-pipelines-run').count()).resolves.toBe(4);
    await expect(dash.locator('.wb-pipelines-dashboard-summary').textContent()).resolves.toBe('1 running · 1 failure in the last 7 days · 2 alerts');
    await expectNoOverflow('.wb-pipelines-dashboard');
    await shotBoth('dashboard');

    await dash.locator(`section[data-section="running"] tr.wb-pipelines-run[data-run-id="${slow.id}"] button.wb-pipelines-run-open`).click();
    await screenIn('.wb-pipelines-run-page');
    await run.locator('button.wb-pipelines-cancel').click();
    await page.locator('.jp-Dialog button.wb-pipelines-cancel-confirm').click();
    await page.waitForFunction((id) => document.querySelector<HTMLElement>(`.wb-pipelines-run-page[data-run-id="${id}"]`)?.dataset.status === 'cancelled', slow.id, { timeout: 60_000 });
    await run.locator('tr.wb-pipelines-task[data-task-id="wait"][data-status="cancelled"]').waitFor();
    await expect(run.locator('button.wb-pipelines-repair').isEnabled()).resolves.toBe(true);
    await run.locator('.wb-pipelines-page-message[data-state="ok"]', { hasText: 'The run is cancelled.' }).waitFor();
    expect((await runEnded(slow.id)).status).toBe('cancelled');
    await shot('run-cancelled');
  });

  it('repairs the failed run: the dialog names the tasks that run again', async () => {
    await command('workbench-pipelines:open-run', { id: failedRunId });
    const run = page.locator(`.wb-pipelines-run-page[data-run-id="${failedRunId}"]`);
    await screenIn(`.wb-pipelines-run-page[data-run-id="${failedRunId}"]`);
    await expect(run.getAttribute('data-status')).resolves.toBe('failed');
    await expect(run.locator('tr.wb-pipelines-task[data-task-id="online"] .wb-pipelines-task-error').textContent()).resolves.toMatch(/ValueError: the online sales feed refused the request/);
    // The failed task's log is the one shown first.
    await expect(run.locator('button.wb-pipelines-log-tab[aria-selected="true"]').getAttribute('data-task-id')).resolves.toBe('online');
    await run.locator('.wb-pipelines-log .wb-pipelines-log-line', { hasText: 'ValueError' }).first().waitFor();
    await run.locator('button.wb-pipelines-repair').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.wb-pipelines-repair-tasks li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-task-id')))).resolves.toEqual(['online', 'report']);
    await expect(dialog.locator('.wb-dialog-text').last().textContent()).resolves.toBe('Kept as they are: extract, stores.');
    await shotBoth('repair-dialog');
    const repaired = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${failedRunId}/repair`));
    await dialog.locator('button.wb-pipelines-repair-confirm').click();
    expect(((await (await repaired).json()) as { tasks: string[] }).tasks).toEqual(['online', 'report']);
    await expect(run.locator('.wb-pipelines-page-message[data-state="ok"]').textContent()).resolves.toBe('Repair started: online, report run again.');
    // Its parameters still fail online: the repaired run fails again, extract and stores untouched.
    const again = await runEnded(failedRunId);
    expect(Object.fromEntries(again.tasks.map((t) => [t.taskId, t.status]))).toEqual({ extract: 'succeeded', online: 'failed', stores: 'succeeded', report: 'succeeded' });
    await run.locator('.wb-pipelines-repaired-badge').waitFor();
  });

  it('Create job in a notebook’s toolbar: parameters read from the notebook, the server’s issues inline, then the file and its page', async () => {
    await command('docmanager:open', { path: 'reports/revenue.ipynb' });
    const nb = page.locator('.jp-NotebookPanel:visible');
    await nb.locator('.jp-Cell').first().waitFor();
    await nb.locator('.jp-Toolbar .wb-pipelines-create-job').first().click();
    const form = page.locator('.jp-Dialog .wb-pipelines-job-form');
    await form.waitFor();
    await expect(form.locator('input.wb-pipelines-job-name').inputValue()).resolves.toBe('Revenue');
    await expect(form.locator('.wb-pipelines-job-path').textContent()).resolves.toBe('reports/revenue.pipeline.yaml');
    const params = await form.locator('tr.wb-pipelines-job-param').evaluateAll((rows) =>
      rows.map((r) => [r.querySelector<HTMLInputElement>('.wb-pipelines-job-param-name')!.value, r.querySelector<HTMLSelectElement>('.wb-pipelines-job-param-type')!.value, r.querySelector<HTMLInputElement>('.wb-pipelines-job-param-default')!.value]),
    );
    expect(params).toEqual([
      ['month', 'date', '2026-01-31'],
      ['limit', 'integer', '10'],
    ]);
    await expect(form.locator('.wb-pipelines-job-skipped').textContent()).resolves.toBe('Not read (not a simple name = value line): items = [1, 2]');
    await form.locator('select.wb-pipelines-job-schedule').selectOption('business_days_after_month_end');
    await form.locator('input.wb-pipelines-job-n').fill('3');
    await form.locator('input.wb-pipelines-job-at').fill('07:00');
    await form.locator('input.wb-pipelines-job-country').fill('FR');
    await form.locator('input.wb-pipelines-job-retries').fill('2');
    // A time zone the server does not know: its check answers with the issue at its line.
    await form.locator('input.wb-pipelines-job-timezone').fill('Europe/Atlantis');
    const checked = page.waitForResponse((r) => r.url().endsWith('/api/pipelines/validate'));
    await page.locator('.jp-Dialog button.wb-pipelines-job-submit').click();
    expect((await checked).status()).toBe(200);
    await form.locator('ul.wb-pipelines-job-issues li').first().waitFor();
    await expect(form.locator('ul.wb-pipelines-job-issues li').first().getAttribute('data-line')).resolves.toBe('8');
    await expect(form.locator('ul.wb-pipelines-job-issues li').first().textContent()).resolves.toMatch(/^Line 8 .*unknown time zone "Europe\/Atlantis"/);
    await expect((await api('api/contents/reports/revenue.pipeline.yaml')).status).toBe(404);
    await shotBoth('create-job-issues');
    await form.locator('input.wb-pipelines-job-timezone').fill('Europe/Paris');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/pipelines') && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-pipelines-job-submit').click();
    expect((await created).status()).toBe(201);
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const p = await screenIn('.wb-pipelines-page');
    await expect(p.locator('.wb-pipelines-page-title').textContent()).resolves.toBe('Revenue');
    await expect(p.locator('ul.wb-pipelines-triggers li').allTextContents()).resolves.toEqual(['Business day 3 after each month end at 07:00 (Europe/Paris, FR holidays)']);
    await expect(p.locator('ol.wb-pipelines-upcoming li').count()).resolves.toBe(12);
    await p.locator('.wb-pipelines-dag[data-state="ready"] g.wb-pipelines-dag-node[data-task-id="revenue"][data-status="none"]').waitFor();
    const file = (await apiJson<{ content: string }>('api/contents/reports/revenue.pipeline.yaml?type=file&format=text')).content;
    expect(file).toContain('business_days_after_month_end: 3');
    expect(file).toContain('    retries: 2\n');
    expect(file).toContain('      month: "{{ params.month }}"\n');
    // The file browser shows it next to the notebook.
    await command('filebrowser:go-to-path', { path: 'reports' });
    await page.locator('.jp-DirListing-item[title^="Name: revenue.pipeline.yaml"]').waitFor();
    await shotBoth('create-job-page');
  });

  it('a run’s data-quality checks: the summary, failures first with impact against materiality, the failed check’s sample rows', async () => {
    await mkdir(join(wb.rootDir, 'quality'), { recursive: true });
    await writeFile(join(wb.rootDir, 'quality/checks.ipynb'), CHECKS_NOTEBOOK);
    const qualityId = (await apiJson<{ id: string }>('api/pipelines', { method: 'POST', body: JSON.stringify({ path: 'quality.pipeline.yaml', content: QUALITY }) })).id;
    // Run from its page; the run page opens.
    await command('workbench-pipelines:open', { id: qualityId });
    const p = await screenIn(`.wb-pipelines-page[data-pipeline-id="${qualityId}"]`);
    await p.locator('button.wb-pipelines-run-with-parameters').click();
    await page.locator('.jp-Dialog .wb-pipelines-run-form').waitFor();
    const started = page.waitForResponse((r) => r.url().endsWith(`/api/pipelines/${qualityId}/runs`) && r.request().method() === 'POST');
    await page.locator('.jp-Dialog button.wb-pipelines-run-submit').click();
    const runId = ((await (await started).json()) as { id: string }).id;
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const run = page.locator(`.wb-pipelines-run-page[data-run-id="${runId}"]`);
    await screenIn(`.wb-pipelines-run-page[data-run-id="${runId}"]`);
    // %expect_summary fails the task: the run fails, and the page has every check once the stream ended.
    await page.waitForFunction(
      (id) => {
        const n = document.querySelector<HTMLElement>(`.wb-pipelines-run-page[data-run-id="${id}"]`);
        return n?.dataset.status === 'failed' && n.dataset.stream === 'ended';
      },
      runId,
      { timeout: 90_000 },
    );
    await expect(run.locator('tr.wb-pipelines-task[data-task-id="checks"] .wb-pipelines-task-error').textContent()).resolves.toMatch(/ExpectationFailed: 1 of 3 checks failed: no_negative_amounts \(2 offending rows\)$/);
    const section = run.locator('section.wb-pipelines-section-checks[data-count="3"]');
    await section.waitFor();
    await expect(section.locator('.wb-pipelines-section-title .wb-pipelines-count').textContent()).resolves.toBe('3');
    await expect(section.locator('.wb-pipelines-checks-summary').textContent()).resolves.toBe('1 passed · 1 failed · 1 warning · 0 errors');
    await expect(section.locator('table.wb-pipelines-checks-table > thead th').allTextContents()).resolves.toEqual(['Status', 'Check', 'Task', 'Severity', 'Offending rows', 'Impact / materiality']);
    // The failure first, then the warning, then what passed, each with its outcome in words.
    const rows = await section.locator('tr.wb-pipelines-check').evaluateAll((trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute('data-name'),
        status: tr.getAttribute('data-status'),
        severity: tr.getAttribute('data-severity'),
        outcome: tr.getAttribute('data-outcome'),
        // What the cells show (the screen-reader-only words left out).
        cells: [...tr.children].map((c) => {
          const shown = c.cloneNode(true) as HTMLElement;
          shown.querySelectorAll('.wb-sr-only').forEach((n) => n.remove());
          return shown.textContent!.replace(/\s+/g, ' ').trim();
        }),
      })),
    );
    expect(rows).toEqual([
      { name: 'no_negative_amounts', status: 'failed', severity: 'fail', outcome: 'failed', cells: ['✗ Failed', 'no_negative_amounts', 'checks', 'fail', '2', '5 > 1'] },
      { name: LONG_CHECK, status: 'failed', severity: 'warn', outcome: 'warning', cells: ['⚠ Warning', LONG_CHECK, 'checks', 'warn', '1', '—'] },
      { name: 'small_warning', status: 'passed', severity: 'warn', outcome: 'passed', cells: ['✓ Passed', 'small_warning', 'checks', 'warn', '0', '—'] },
    ]);
    const failed = section.locator('tr.wb-pipelines-check[data-name="no_negative_amounts"]');
    await expect(failed.locator('.wb-pipelines-check-impact').textContent()).resolves.toBe('5');
    await expect(failed.locator('.wb-pipelines-check-materiality').textContent()).resolves.toBe('1');
    await expect(failed.locator('.wb-pipelines-check-impact-cell').getAttribute('title')).resolves.toBe('Impact 5 exceeds materiality 1');
    // The mark is decoration: the word and the hidden comparison are what a screen reader reads.
    await expect(failed.locator('.wb-pipelines-check-mark').getAttribute('aria-hidden')).resolves.toBe('true');
    await expect(failed.locator('.wb-pipelines-check-impact-cell .wb-sr-only').textContent()).resolves.toBe(' exceeds materiality ');
    // Only the failed checks have a sample; it expands to its rows, the column with its type.
    await expect(section.locator('details.wb-pipelines-check-sample').evaluateAll((ds) => ds.map((d) => d.getAttribute('data-name')))).resolves.toEqual(['no_negative_amounts', LONG_CHECK]);
    const sample = section.locator('details.wb-pipelines-check-sample[data-name="no_negative_amounts"]');
    await expect(sample.locator('summary').textContent()).resolves.toBe('2 offending rows');
    await expect(sample.locator('table.wb-pipelines-sample').isVisible()).resolves.toBe(false);
    await sample.locator('summary').click();
    await sample.locator('table.wb-pipelines-sample').waitFor();
    await expect(sample.locator('thead th').evaluateAll((ths) => ths.map((th) => `${th.getAttribute('data-column')}:${th.getAttribute('data-type')}`))).resolves.toEqual(['x:INTEGER']);
    await expect(sample.locator('tr.wb-pipelines-sample-row td').allTextContents()).resolves.toEqual(['-2', '-3']);
    const wide = section.locator('details.wb-pipelines-check-sample[data-name^="Vendor bills"]');
    await expect(wide.locator('summary').textContent()).resolves.toBe('1 offending row');
    await wide.locator('summary').click();
    await wide.locator('table.wb-pipelines-sample').waitFor();
    await expect(wide.locator('thead th').evaluateAll((ths) => ths.map((th) => `${th.getAttribute('data-column')}:${th.getAttribute('data-type')}`))).resolves.toEqual([
      'reference:VARCHAR',
      'vendor:VARCHAR',
      'memo:VARCHAR',
      'amount:DECIMAL(18,2)',
      'posted:DATE',
      'purchase_order:INTEGER',
    ]);
    const memo = wide.locator('td.wb-pipelines-sample-cell').nth(2);
    await expect(memo.getAttribute('title')).resolves.toBe('memo text '.repeat(20));
    await expect(wide.locator('td.wb-pipelines-sample-cell').evaluateAll((tds) => tds.map((td) => `${td.textContent}|${td.getAttribute('data-null')}`).slice(3))).resolves.toEqual(['1234.50|false', '2026-10-31|false', 'NULL|true']);
    // Fits at 1024 px: the long name wraps, the long memo is cut, the checks table does not scroll sideways (the wide sample may, in its own box).
    const fit = await section.evaluate((s) => {
      const over = (el: Element | null) => (el ? el.scrollWidth - el.clientWidth : -1);
      const wideSample = s.querySelectorAll('details.wb-pipelines-check-sample')[1]!;
      return {
        checksTable: over(s.querySelector('.wb-pipelines-checks > .wb-pipelines-table-wrap')),
        sampleScrolls: over(wideSample.querySelector('.wb-pipelines-sample-wrap')) > 0,
        nameLines: Math.round(s.querySelectorAll<HTMLElement>('.wb-pipelines-check-name')[1]!.getBoundingClientRect().height / 16),
        memoCut: over(wideSample.querySelectorAll('td.wb-pipelines-sample-cell')[2]!) > 0,
      };
    });
    expect(fit.checksTable).toBe(0);
    expect(fit.sampleScrolls).toBe(true);
    expect(fit.nameLines).toBeGreaterThan(1);
    expect(fit.memoCut).toBe(true);
    await expectNoOverflow('.wb-pipelines-run-page');
    await section.evaluate((s) => s.scrollIntoView({ block: 'start' }));
    await shotBoth('run-checks');
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    const unexpected = log.unexpected();
    expect(unexpected).toEqual([]);
    expect(expected).toEqual([]);
  });
});
