/**
 * The Data Catalog (@workbench/catalog-extension) in a real browser
 * against the real `workbench` CLI and the machine's PostgreSQL: a
 * database of the test's own with Odoo's accounting tables
 * (server/catalog's createOdooSchema), registered as connection `odoo`
 * through the API and discovered. The operator (the printed URL, whose
 * token is the admin's) sees the sources in the side panel; writes
 * `partner_balance` from two Odoo tables in a SQL notebook (a CTAS on the
 * `odoo` connection, which records column-level lineage), refreshes the
 * source from the panel; searches "journal" as they type and opens
 * account_move_line with the arrow keys and Enter; reads its columns,
 * describes it in place, previews its rows, follows its lineage graph to
 * partner_balance and on to res_partner; classifies res_partner and
 * confirms the suggested e-mail tag; reads the usage; inserts a SELECT of
 * account_move_line into the SQL notebook's empty cell and runs it.
 * Victor (finance-viewers: a viewer, signed in through a real OpenID
 * Provider) sees no edit controls and the confirmed e-mail column masked.
 * Screenshots, light and dark at 1024 px, go to
 * test-artifacts/lab/catalog-*.png.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestOidcProvider, type TestOidcProvider } from '@workbench/auth/testing/oidc-provider';
import { createOdooSchema, odooColumns } from '@workbench/catalog/testing/odoo-schema';
import { connectPgAdmin, PG_TEST_SERVER } from '@workbench/store/testing';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess, waitCurrentKernelIdle } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(240_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };
const DB = `wb_catalog_e2e_${process.pid}`;
const CLIENT_SECRET = 'catalog-oidc-secret-0123456789';
const key = (schema: string, name: string) => JSON.stringify(['odoo', schema, name]);
const AML = key('public', 'account_move_line');
const PB = key('public', 'partner_balance');
const PARTNER = key('public', 'res_partner');

let op: TestOidcProvider;
let wb: WorkbenchProcess;
let dir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console errors and warnings, and HTTP answers >= 400, of every page. */
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^(\w+ )?console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
  // Viewers may not use terminals, so the page says there are none.
  /^victor console warning: Disabling terminals plugin because they are not available on the server /,
  // JupyterLab's collaborative notebook model, when a cell of a new notebook runs (any cell, any kernel; not the catalog's doing).
  /^console warning: (Invalid access: Add Yjs type to a document before reading data\.|\[yjs#509\] Not same Y\.Doc) /,
]);
const { expected } = log;
const screens = screenshots('catalog');
const shot = (name: string, p: Page = page) => screens.shot(p, name);
const shotBoth = (name: string, p: Page = page) => screens.shotBoth(p, name);

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
}

const sidebar = (p: Page = page) => p.locator('#wb-catalog.wb-catalog-sidebar');
const hit = (tableKey: string, p: Page = page) => sidebar(p).locator(`li.wb-catalog-hit[data-kind="table"][data-table-key='${tableKey}']`);
/** The visible page of a table (its MainAreaWidget's content). */
const tablePage = (tableKey: string, p: Page = page) => p.locator(`.wb-catalog-page[data-wb-catalog-page='${tableKey}']:visible`);

async function sidebarIn(states: string[], p: Page = page): Promise<void> {
  await p.waitForFunction((wanted) => wanted.includes(document.querySelector<HTMLElement>('#wb-catalog')?.dataset.wbCatalogState ?? ''), states);
}

/** Waits until the page of `tableKey` has loaded and shows `tab`. */
async function pageReady(tableKey: string, tab: string, p: Page = page): Promise<Locator> {
  const el = tablePage(tableKey, p);
  await p.waitForFunction(
    ([k, t]) => [...document.querySelectorAll<HTMLElement>('.wb-catalog-page')].some((n) => n.dataset.wbCatalogPage === k && n.dataset.wbCatalogState === 'ready' && n.dataset.tab === t && n.offsetParent !== null),
    [tableKey, tab] as const,
  );
  return el;
}

/** Clicks a tab of the page and waits for its view to settle (ready or empty). */
async function openTab(pageEl: Locator, tab: 'columns' | 'preview' | 'lineage' | 'usage'): Promise<Locator> {
  await pageEl.locator(`button.wb-catalog-tab[data-tab="${tab}"]`).click();
  const panel = pageEl.locator(`.wb-catalog-tabpanel[data-tab="${tab}"]`);
  if (tab !== 'columns') await panel.locator(`.wb-catalog-${tab}[data-state="ready"], .wb-catalog-${tab}[data-state="empty"]`).waitFor();
  return panel;
}

/** Nothing wider than the window, the side panel or the page: no horizontal scrolling but inside the grid and graph boxes. */
async function expectNoOverflow(p: Page = page, tableKey?: string): Promise<void> {
  const boxes: Record<string, string> = { sidebar: '#wb-catalog' };
  if (tableKey) boxes.page = `.wb-catalog-page[data-wb-catalog-page='${tableKey}']`;
  const widths = await horizontalOverflow(p, boxes);
  expect(widths).toEqual(Object.fromEntries(['page', ...Object.keys(boxes)].map((k) => [k, 0])));
}

/** In the focused search box: ArrowDown to the hit of `tableKey` (checking the active descendant), then Enter. */
async function openWithKeys(tableKey: string, p: Page = page): Promise<void> {
  const input = sidebar(p).locator('input.wb-catalog-query');
  await input.focus();
  const hits = await sidebar(p).locator('li.wb-catalog-hit').evaluateAll((lis) => lis.map((li) => ({ kind: (li as HTMLElement).dataset.kind, key: (li as HTMLElement).dataset.tableKey })));
  // The table's own hit (its columns' hits carry its key too).
  const at = hits.findIndex((x) => x.key === tableKey && (x.kind === 'table' || x.kind === 'view'));
  expect(at).toBeGreaterThanOrEqual(0);
  for (let i = 0; i <= at; i++) await p.keyboard.press('ArrowDown');
  const active = await input.getAttribute('aria-activedescendant');
  await expect(sidebar(p).locator(`li#${active}`).getAttribute('data-table-key')).resolves.toBe(tableKey);
  await expect(sidebar(p).locator(`li#${active}`).getAttribute('aria-selected')).resolves.toBe('true');
  await p.keyboard.press('Enter');
}

/** The source text of the current notebook's cell `index` (from its model, lines and all). */
function cellSource(index: number): Promise<string> {
  return page.evaluate((i) => {
    const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { widgets: { model: { sharedModel: { getSource(): string } } }[] } } } } }).jupyterapp.shell.currentWidget;
    return w.content.widgets[i]!.model.sharedModel.getSource();
  }, index);
}

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  // The Odoo database, of this test's own.
  const admin = await connectPgAdmin();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  const odoo = new Client({ ...PG_TEST_SERVER, database: DB });
  await odoo.connect();
  try {
    await createOdooSchema(odoo);
  } finally {
    await odoo.end();
  }
  // The SQL kernel reads its connections from a file (passwords never in it: the machine's PostgreSQL trusts local logins).
  dir = await mkdtemp(join(tmpdir(), 'wb-catalog-e2e-'));
  const connectionsFile = join(dir, 'connections.json');
  writeFileSync(connectionsFile, JSON.stringify({ connections: { odoo: { kind: 'postgres', host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user } } }));
  op = await startTestOidcProvider({
    users: [{ username: 'victor', password: 'victor-pw', name: 'Victor Vance', email: 'victor@example.com', groups: ['finance-viewers'] }],
    clients: [{ clientId: 'workbench', clientSecret: CLIENT_SECRET, applicationType: 'native', redirectUris: ['http://127.0.0.1/auth/oidc/callback'], postLogoutRedirectUris: ['http://127.0.0.1/login'] }],
  });
  // The test OpenID Provider's login form has no favicon (not Workbench's page).
  log.benign.push(new RegExp(`^victor console error: Failed to load resource: .* 404 \\(Not Found\\) \\(${op.issuer.replace(/[.]/g, '\\.')}/favicon\\.ico\\)$`));
  wb = await startWorkbenchProcess(
    {
      lab: { expose_app_in_browser: true },
      sql: { connections_file: connectionsFile },
      auth: { oidc: { issuer: op.issuer, client_id: 'workbench', client_secret: CLIENT_SECRET, role_mapping: { 'finance-viewers': ['viewer'] } } },
    },
    undefined,
    { tempHome: true },
  );
  // Register the database as connection `odoo` and discover it, as an engineer would through the API.
  const created = await api('api/connections', { method: 'POST', body: JSON.stringify({ name: 'odoo', kind: 'postgres', description: 'Odoo (test copy)', settings: { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: DB, user: PG_TEST_SERVER.user, ssl: 'disable', schemas: ['public'] } }) });
  expect(created.status).toBe(201);
  const run = (await (await api('api/catalog/sources/odoo/refresh', { method: 'POST' })).json()) as { status: string; counts: { tables: number } };
  expect(run).toMatchObject({ status: 'ok', counts: { tables: 5 } });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
});

afterAll(async () => {
  log.write('catalog-problems.txt');
  writeFileSync(join(ARTIFACTS, 'catalog-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await op?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  const admin = await connectPgAdmin();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.end();
});

describe('data catalog', () => {
  it('opens from the left side bar: the sources with their table counts and last refresh', async () => {
    await openLab(context, wb.url, page);
    // The palette offers it under Workbench.
    await page.keyboard.press('ControlOrMeta+Shift+c');
    const palette = page.locator('#command-palette');
    await palette.locator('.lm-CommandPalette-input').fill('Data Catalog');
    await palette.locator('.lm-CommandPalette-item[data-command="workbench-catalog:open"]').waitFor();
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden' });

    await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="wb-catalog"]').click();
    await sidebarIn(['ready']);
    await expect(sidebar().getAttribute('data-wb-catalog-view')).resolves.toBe('sources');
    await expect(sidebar().getAttribute('data-can-refresh')).resolves.toBe('true');
    const odoo = sidebar().locator('li.wb-catalog-source[data-source="odoo"]');
    await expect(odoo.getAttribute('data-refresh-status')).resolves.toBe('ok');
    await expect(odoo.locator('.wb-catalog-source-count').textContent()).resolves.toBe('5 tables');
    await expect(odoo.locator('.wb-catalog-source-kind').textContent()).resolves.toBe('PostgreSQL');
    await expect(odoo.locator('.wb-catalog-source-refreshed').textContent()).resolves.toMatch(/^Refreshed (just now|\d+ min ago)$/);
    await expect(odoo.locator('.wb-catalog-source-message').textContent()).resolves.toBe('5 tables: 5 added, 0 changed, 0 removed');
    await expect(sidebar().locator('li.wb-catalog-source[data-source="warehouse"]').count()).resolves.toBe(1);
    // The search box has the focus once the panel is activated.
    await expect(page.evaluate(() => document.activeElement?.classList.contains('wb-catalog-query'))).resolves.toBe(true);
    // Browsing a source lists its tables.
    await odoo.locator('button.wb-catalog-source-browse').click();
    await odoo.locator('button.wb-catalog-source-table').first().waitFor();
    await expect(odoo.locator('.wb-catalog-source-table-name').allTextContents()).resolves.toEqual(['account_account', 'account_journal', 'account_move', 'account_move_line', 'res_partner']);
    await expectNoOverflow();
    await shotBoth('sidebar-sources');
    await odoo.locator('button.wb-catalog-source-browse').click();
  });

  it('a SQL notebook writes partner_balance from two Odoo tables; Refresh in the panel discovers it', async () => {
    await page.locator('#jp-main-dock-panel .lm-TabBar-addButton:not(.lm-mod-hidden)').first().click();
    await page.locator('.jp-LauncherCard[data-category="Notebook"][title="SQL (DuckDB, PostgreSQL)"]:visible').click();
    await waitCurrentKernelIdle(page);
    const nb = page.locator('.jp-NotebookPanel:visible');
    const cell = nb.locator('.jp-Cell').first();
    await cell.locator('.cm-content').click();
    // Set through the model (typing would auto-close brackets and quotes).
    const ctas = [
      '-- connection: odoo',
      'CREATE TABLE partner_balance AS',
      'SELECT p.name AS partner, SUM(l.debit - l.credit) AS balance',
      '  FROM account_move_line l JOIN res_partner p ON p.id = l.partner_id',
      " WHERE l.parent_state = 'posted'",
      ' GROUP BY p.name',
    ].join('\n');
    await page.evaluate((text) => {
      const w = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { activeCell: { model: { sharedModel: { setSource(s: string): void } } } } } } } }).jupyterapp.shell.currentWidget;
      w.content.activeCell.model.sharedModel.setSource(text);
    }, ctas);
    await nb.locator('jp-button[data-command="notebook:run-cell-and-select-next"]').click();
    await cell.locator('.jp-InputPrompt', { hasText: '[1]:' }).waitFor({ timeout: 60_000 });
    await expect(cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()).resolves.toBe(0);
    // The server records the cell's lineage once the kernel replied "ok": wait for it to be there.
    await page.waitForFunction(
      async ([url, token]) => ((await (await fetch(url, { cache: 'no-cache', headers: { Authorization: `token ${token}` } })).json()) as { edges: unknown[] }).edges.length > 0,
      [`${wb.baseUrl}api/catalog/tables/odoo/public/account_move_line/lineage`, wb.token] as const,
      { polling: 100, timeout: 30_000 },
    );
    // The new table is not in the catalog until the source is discovered again: Refresh in the panel
    // (shown by its command: clicking its side bar tab again would close it).
    await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('workbench-catalog:open'));
    await expect(sidebar().isVisible()).resolves.toBe(true);
    const odoo = sidebar().locator('li.wb-catalog-source[data-source="odoo"]');
    await odoo.locator('button.wb-catalog-source-refresh').click();
    await page.waitForFunction(() => document.querySelector('#wb-catalog li.wb-catalog-source[data-source="odoo"] .wb-catalog-source-count')?.textContent === '6 tables');
    await expect(odoo.locator('.wb-catalog-source-message').textContent()).resolves.toBe('6 tables: 1 added, 0 changed, 0 removed');
  });

  it('searches as you type: "journal" finds account_move_line, highlighted; arrow keys and Enter open its page', async () => {
    const input = sidebar().locator('input.wb-catalog-query');
    await input.click();
    const answered = page.waitForResponse((r) => r.url().includes('/api/catalog/search?q=journal&'));
    await page.keyboard.type('journal');
    // One request for the whole word: the pause after the last key, not one per key.
    expect((await answered).status()).toBe(200);
    await hit(AML).waitFor();
    await sidebarIn(['ready']);
    await expect(sidebar().getAttribute('data-wb-catalog-view')).resolves.toBe('results');
    await expect(input.getAttribute('aria-expanded')).resolves.toBe('true');
    // account_journal matches by name; the matched word is highlighted in its name.
    const journal = hit(key('public', 'account_journal'));
    await expect(journal.locator('.wb-catalog-hit-name mark').allTextContents()).resolves.toEqual(['journal']);
    await expect(journal.locator('.wb-catalog-hit-qualified').textContent()).resolves.toBe('odoo.public.account_journal');
    await expect(hit(AML).locator('.wb-catalog-match').textContent()).resolves.toMatch(/\S/);
    await expectNoOverflow();
    await shotBoth('sidebar-search');

    // The Tables chip keeps tables and views only.
    await sidebar().locator('button.wb-catalog-chip[data-kind="tables"]').click();
    await page.waitForFunction(() => {
      const kinds = [...document.querySelectorAll<HTMLElement>('#wb-catalog li.wb-catalog-hit')].map((li) => li.dataset.kind);
      return kinds.length > 0 && kinds.every((k) => k === 'table' || k === 'view');
    });
    await expect(sidebar().locator('button.wb-catalog-chip[data-kind="tables"]').getAttribute('aria-pressed')).resolves.toBe('true');

    // Down the list to account_move_line, then Enter.
    await openWithKeys(AML);
    const aml = await pageReady(AML, 'columns');

    await expect(aml.locator('.wb-catalog-page-title').textContent()).resolves.toBe('account_move_line');
    await expect(aml.locator('.wb-catalog-page-qualified').textContent()).resolves.toBe('odoo.public.account_move_line');
    await expect(aml.locator('.wb-catalog-page-rows .wb-catalog-fact-value').textContent()).resolves.toBe('200');
    await expect(aml.locator('.wb-catalog-page-comment').textContent()).resolves.toBe('Database comment Journal Item');
    await expect(aml.getAttribute('data-can-write')).resolves.toBe('true');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent()).resolves.toBe('account_move_line');
    // Columns: every one, in order, with type, nullability and Odoo's label as the comment.
    await expect(aml.locator('tr.wb-catalog-column').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.column))).resolves.toEqual(odooColumns('account_move_line'));
    const debit = aml.locator('tr.wb-catalog-column[data-column="debit"]');
    await expect(debit.locator('.wb-catalog-column-type').textContent()).resolves.toBe('numeric');
    await expect(debit.locator('.wb-catalog-column-comment').textContent()).resolves.toBe('Debit');
    await expect(aml.locator('tr.wb-catalog-column[data-column="move_id"] .wb-catalog-column-nullable').textContent()).resolves.toBe('no');
    await expectNoOverflow(page, AML);
    await shotBoth('page-columns');

    // The same table again reuses its page.
    await page.evaluate((args) => (window as unknown as { jupyterapp: { commands: { execute(id: string, a: object): Promise<unknown> } } }).jupyterapp.commands.execute('workbench-catalog:open-table', args), { source: 'odoo', schema: 'public', table: 'account_move_line' });
    await expect(page.locator('.wb-catalog-page').evaluateAll((els) => els.filter((e) => (e as HTMLElement).dataset.wbCatalogPage === '["odoo","public","account_move_line"]').length)).resolves.toBe(1);
  });

  it('describes the table in place (an engineer may), and the server keeps it', async () => {
    const aml = tablePage(AML);
    const description = aml.locator('.wb-catalog-page-header .wb-catalog-inline[data-field="description"]');
    await expect(description.locator('.wb-catalog-inline-text').textContent()).resolves.toBe('No description yet: say what the table holds and how to use it.');
    await description.locator('button.wb-catalog-inline-edit').click();
    const box = description.locator('textarea.wb-catalog-inline-input');
    await expect(page.evaluate(() => document.activeElement?.classList.contains('wb-catalog-inline-input'))).resolves.toBe(true);
    await box.fill('Journal items: one debit or credit line of an invoice, bill or entry. The close reads posted lines.');
    await description.locator('button.wb-catalog-inline-save').click();
    await description.locator('.wb-catalog-inline-text:not(.wb-mod-empty)').waitFor();
    await expect(description.locator('.wb-catalog-inline-text').textContent()).resolves.toBe('Journal items: one debit or credit line of an invoice, bill or entry. The close reads posted lines.');
    const saved = (await (await api(`api/catalog/tables/odoo/public/account_move_line`)).json()) as { description: string };
    expect(saved.description).toMatch(/^Journal items: one debit/);
  });

  it('previews rows in a grid that scrolls inside its own box', async () => {
    const aml = tablePage(AML);
    // The tabs follow the arrow keys (ARIA tabs): from Columns, ArrowRight shows Preview.
    await aml.locator('button.wb-catalog-tab[aria-selected="true"]').focus();
    await page.keyboard.press('ArrowRight');
    await pageReady(AML, 'preview');
    await expect(page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.tab)).resolves.toBe('preview');
    const preview = await openTab(aml, 'preview');
    const grid = preview.locator('table.wb-catalog-grid');
    await expect(grid.locator('tbody tr').count()).resolves.toBe(100);
    await expect(grid.locator('thead th[data-column]').evaluateAll((ths) => ths.map((th) => (th as HTMLElement).dataset.column))).resolves.toEqual(odooColumns('account_move_line'));
    await expect(preview.locator('.wb-catalog-preview-summary').textContent()).resolves.toMatch(/^100 rows · first rows · \d+ ms$/);
    await expect(preview.locator('.wb-catalog-masked-note').isHidden()).resolves.toBe(true);
    await expect(grid.locator('tbody tr').first().locator('td[data-kind="number"]').count()).resolves.toBeGreaterThan(3);
    await expect(grid.locator('td[data-kind="null"]').first().textContent()).resolves.toBe('null');
    // A date column reads as dates.
    await expect(grid.locator('tbody tr').first().locator('td').nth(5).textContent()).resolves.toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // 25 columns do not fit: the grid scrolls sideways, the page does not.
    const wrap = await preview.locator('.wb-catalog-grid-wrap').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, sticky: getComputedStyle(el.querySelector('thead th')!).position }));
    expect(wrap.scroll).toBeGreaterThan(wrap.client);
    expect(wrap.sticky).toBe('sticky');
    await expectNoOverflow(page, AML);
    await shotBoth('page-preview');
    // A sample of 25.
    await preview.locator('select.wb-catalog-preview-limit').selectOption('25');
    await preview.locator('select.wb-catalog-preview-mode').selectOption('sample');
    await page.waitForFunction(() => /random sample/.test(document.querySelector('.wb-catalog-page:not(.lm-mod-hidden) .wb-catalog-preview-summary')?.textContent ?? ''));
    await expect(grid.locator('tbody tr').count()).resolves.toBeLessThanOrEqual(25);
  });

  it('draws the lineage with elkjs: account_move_line feeds partner_balance; a click follows it', async () => {
    const aml = tablePage(AML);
    const lineage = await openTab(aml, 'lineage');
    await expect(lineage.locator('.wb-catalog-lineage').getAttribute('data-state')).resolves.toBe('ready');
    const svg = lineage.locator('svg.wb-catalog-lineage-svg');
    await expect(svg.locator('g.wb-catalog-lineage-node').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-key'), g.getAttribute('data-current'), g.getAttribute('data-in-catalog')]))).resolves.toEqual(
      expect.arrayContaining([
        [AML, 'true', 'true'],
        [PB, 'false', 'true'],
      ]),
    );
    const edges = await svg.locator('path.wb-catalog-lineage-edge').evaluateAll((ps) => ps.map((p) => `${p.getAttribute('data-from')} -> ${p.getAttribute('data-to')} (${p.getAttribute('data-transform')})`));
    expect(edges).toEqual(expect.arrayContaining(['account_move_line.debit -> partner_balance.balance (aggregate)', 'account_move_line.credit -> partner_balance.balance (aggregate)']));
    // Every edge is drawn (a path with a curve or line), labelled when not a plain copy.
    await expect(svg.locator('path.wb-catalog-lineage-edge').evaluateAll((ps) => ps.every((p) => /^M [\d.-]+ [\d.-]+ [CL] /.test(p.getAttribute('d') ?? '')))).resolves.toBe(true);
    await expect(svg.locator('g.wb-catalog-lineage-label text').allTextContents()).resolves.toEqual(expect.arrayContaining(['aggregate']));
    await expect(lineage.locator('.wb-catalog-lineage-unparsed').isHidden()).resolves.toBe(true);
    await expectNoOverflow(page, AML);
    await shotBoth('page-lineage');

    // partner_balance's page: both its inputs upstream; then on to res_partner with the keyboard.
    await svg.locator(`g.wb-catalog-lineage-node[data-key='${PB}']`).click();
    const pb = await pageReady(PB, 'columns');
    const pbLineage = await openTab(pb, 'lineage');
    const pbSvg = pbLineage.locator('svg.wb-catalog-lineage-svg');
    const pbEdges = await pbSvg.locator('path.wb-catalog-lineage-edge').evaluateAll((ps) => ps.map((p) => `${p.getAttribute('data-from')} -> ${p.getAttribute('data-to')} (${p.getAttribute('data-transform')})`));
    expect(pbEdges).toEqual(expect.arrayContaining(['res_partner.name -> partner_balance.partner (identity)', 'account_move_line.debit -> partner_balance.balance (aggregate)']));
    await expect(pbSvg.locator(`g.wb-catalog-lineage-node[data-key='${PB}']`).getAttribute('data-current')).resolves.toBe('true');
    await expectNoOverflow(page, PB);
    await shot('page-lineage-partner-balance');
    await pbSvg.locator(`g.wb-catalog-lineage-node[data-key='${PARTNER}']`).focus();
    await page.keyboard.press('Enter');
    await pageReady(PARTNER, 'columns');
  });

  it('classifies res_partner: suggested personal-data tags with their reason; the e-mail one is confirmed', async () => {
    const partner = tablePage(PARTNER);
    await partner.locator('button.wb-catalog-classify').click();
    const message = partner.locator('.wb-catalog-page-message[data-state="ok"]');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(/^Classify suggested \d+ tags: .*email \(pii:email \d+%\)/);
    const email = partner.locator('tr.wb-catalog-column[data-column="email"]');
    const suggested = email.locator('.wb-catalog-tag[data-tag="pii:email"][data-state="suggested"]');
    await suggested.waitFor();
    await expect(suggested.locator('.wb-catalog-tag-confidence').textContent()).resolves.toMatch(/^\d+%$/);
    await expect(suggested.getAttribute('title')).resolves.toMatch(/^Suggested \(\d+% confidence\) · .+/);
    await expect(email.locator('.wb-catalog-tag-reason').first().textContent()).resolves.toMatch(/\S/);
    await expect(email.getAttribute('data-pii')).resolves.toBe('false');
    await email.scrollIntoViewIfNeeded();
    await expectNoOverflow(page, PARTNER);
    await shotBoth('page-tags-suggested');

    await suggested.locator('button.wb-catalog-tag-confirm').click();
    await email.locator('.wb-catalog-tag[data-tag="pii:email"][data-state="confirmed"]').waitFor();
    await expect(partner.locator('.wb-catalog-page-message').textContent()).resolves.toBe('Confirmed pii:email on email.');
    await expect(partner.locator('tr.wb-catalog-column[data-column="email"]').getAttribute('data-pii')).resolves.toBe('true');
    await expect(partner.locator('tr.wb-catalog-column[data-column="email"] .wb-catalog-pii-badge').textContent()).resolves.toBe('pii');
    await expect(partner.locator('tr.wb-catalog-column[data-column="email"] button.wb-catalog-tag-confirm').count()).resolves.toBe(0);
    const info = (await (await api('api/catalog/tables/odoo/public/res_partner')).json()) as { columns: { name: string; tags: { tag: string; state: string }[] }[] };
    expect(info.columns.find((c) => c.name === 'email')!.tags).toEqual([expect.objectContaining({ tag: 'pii:email', state: 'confirmed' })]);
    // The operator may read personal data: the preview is not masked for them.
    const preview = await openTab(partner, 'preview');
    await expect(preview.locator('.wb-catalog-masked-note').isHidden()).resolves.toBe(true);
    await expect(preview.locator('table.wb-catalog-grid tbody tr').first().locator('td').nth(4).textContent()).resolves.toMatch(/@example\.com$/);
  });

  it('shows who used account_move_line and which columns', async () => {
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'account_move_line' }).click();
    const aml = await pageReady(AML, 'lineage');
    const usage = await openTab(aml, 'usage');
    await expect(usage.locator('.wb-catalog-usage').getAttribute('data-state')).resolves.toBe('ready');
    await expect(usage.locator('.wb-catalog-usage-summary').textContent()).resolves.toMatch(/^1 query · last used (just now|\d+ min ago)$/);
    await expect(usage.locator('table.wb-catalog-usage-users tbody tr').count()).resolves.toBe(1);
    await expect(usage.locator('table.wb-catalog-usage-columns tr[data-column]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.column))).resolves.toEqual(expect.arrayContaining(['debit', 'credit', 'partner_id', 'parent_state']));
    await expectNoOverflow(page, AML);
    await shotBoth('page-usage');
  });

  it('inserts a SELECT of account_move_line into the SQL notebook’s empty cell, which runs on odoo', async () => {
    await tablePage(AML).locator('button.wb-catalog-insert-select').click();
    const nb = page.locator('.jp-NotebookPanel:visible');
    await nb.waitFor();
    // The page (now behind the notebook) says where the SELECT went.
    await expect(page.locator(`.wb-catalog-page[data-wb-catalog-page='${AML}'] .wb-catalog-page-message`).textContent()).resolves.toMatch(/^Inserted the SELECT into cell 2 of Untitled\d*\.ipynb\.$/);
    const text = await cellSource(1);
    const lines = text.split('\n');
    expect(lines[0]).toBe('-- connection: odoo');
    expect(lines[1]).toMatch(/^SELECT id, move_id, move_name, parent_state, date, journal_id,/);
    expect(lines.slice(-2)).toEqual(['FROM public.account_move_line', 'LIMIT 100']);
    const listed = lines.slice(1, -2).join(' ').replace(/^SELECT /, '').split(/,\s*/).map((s) => s.trim());
    expect(listed).toEqual(odooColumns('account_move_line'));
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(72);
    await shot('insert-select');
    // It runs as it is: 100 rows from the odoo connection.
    await nb.locator('jp-button[data-command="notebook:run-cell-and-select-next"]').click();
    const out = nb.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output');
    await out.locator('.wb-dataresource-footer').waitFor({ timeout: 60_000 });
    await expect(out.locator('.wb-dataresource-footer').textContent()).resolves.toMatch(/^100 rows × 25 columns/);
  });

  it('finds a glossary term; its dialog lists the linked table, which opens', async () => {
    const defined = await api(`api/catalog/glossary/${encodeURIComponent('General Ledger')}`, { method: 'PUT', body: JSON.stringify({ definition: 'Every posted journal item, by account: what the trial balance sums.' }) });
    expect(defined.status).toBe(200);
    expect((await api('api/catalog/tables/odoo/public/account_move_line/terms', { method: 'POST', body: JSON.stringify({ term: 'General Ledger' }) })).status).toBe(204);
    await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('workbench-catalog:open'));
    // Only glossary terms: the Tables chip off, the Glossary chip on.
    await sidebar().locator('button.wb-catalog-chip[data-kind="tables"]').click();
    await sidebar().locator('button.wb-catalog-chip[data-kind="glossary"]').click();
    const answered = page.waitForResponse((r) => r.url().includes('/api/catalog/search?q=ledger&kind=glossary&'));
    await sidebar().locator('input.wb-catalog-query').fill('ledger');
    expect((await answered).status()).toBe(200);
    const term = sidebar().locator('li.wb-catalog-hit[data-kind="glossary"]');
    await page.waitForFunction(() => document.querySelectorAll('#wb-catalog li.wb-catalog-hit').length === 1 && document.querySelector('#wb-catalog')?.getAttribute('data-wb-catalog-state') === 'ready');
    await expect(term.locator('.wb-catalog-hit-name').textContent()).resolves.toBe('General Ledger');
    await expect(sidebar().locator('li.wb-catalog-hit').count()).resolves.toBe(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.jp-Dialog .wb-catalog-glossary[data-term="General Ledger"]');
    await dialog.locator('.wb-catalog-glossary-definition').waitFor();
    await expect(dialog.locator('.wb-catalog-glossary-definition').textContent()).resolves.toBe('Every posted journal item, by account: what the trial balance sums.');
    await shot('glossary-dialog');
    await dialog.locator(`button.wb-catalog-glossary-table[data-table-key='${AML}']`).click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const aml = tablePage(AML);
    await aml.waitFor();
    // The page shows the term once reloaded.
    await page.locator('.jp-MainAreaWidget:visible .wb-catalog-page-reload').click();
    await aml.locator('.wb-catalog-page-terms .wb-catalog-term', { hasText: 'General Ledger' }).waitFor();
  });

  it('victor (viewer) sees no edit controls, and the confirmed e-mail column masked', async () => {
    const victorContext = await browser.newContext({ viewport: VIEW });
    const victor = await victorContext.newPage();
    log.watch(victor, 'victor');
    await victor.goto(`${wb.baseUrl}lab`);
    await victor.waitForURL(/\/login\?next=%2Flab$/);
    await victor.getByRole('button', { name: 'Sign in with SSO' }).click();
    await victor.waitForURL((url) => url.href.startsWith(`${op.issuer}/interaction/`));
    await victor.getByLabel('Username').fill('victor');
    await victor.getByLabel('Password').fill('victor-pw');
    await victor.getByRole('button', { name: 'Sign in' }).click();
    await victor.waitForURL(`${wb.baseUrl}lab`);
    await victor.locator('.jp-Launcher').first().waitFor({ state: 'visible', timeout: 60_000 });

    await victor.locator('.jp-SideBar .lm-TabBar-tab[data-id="wb-catalog"]').click();
    await sidebarIn(['ready'], victor);
    await expect(sidebar(victor).getAttribute('data-can-refresh')).resolves.toBe('false');
    await expect(sidebar(victor).getAttribute('data-can-write')).resolves.toBe('false');
    await expect(sidebar(victor).locator('button.wb-catalog-source-refresh').count()).resolves.toBe(0);
    await sidebar(victor).locator('input.wb-catalog-query').fill('res_partner');
    await hit(PARTNER, victor).waitFor();
    await openWithKeys(PARTNER, victor);
    const partner = await pageReady(PARTNER, 'columns', victor);
    await expect(partner.getAttribute('data-can-write')).resolves.toBe('false');
    await expect(partner.locator('button.wb-catalog-classify').isHidden()).resolves.toBe(true);
    await expect(partner.locator('button.wb-catalog-refresh-source').isHidden()).resolves.toBe(true);
    await expect(partner.locator('button.wb-catalog-inline-edit, button.wb-catalog-tag-confirm, button.wb-catalog-tag-reject').count()).resolves.toBe(0);
    await expect(partner.locator('button.wb-catalog-insert-select').isVisible()).resolves.toBe(true);
    await expect(partner.locator('tr.wb-catalog-column[data-column="email"] .wb-catalog-tag[data-state="confirmed"]').count()).resolves.toBe(1);
    await shot('viewer-columns', victor);

    const preview = await openTab(partner, 'preview');
    await expect(preview.locator('.wb-catalog-masked-note').textContent()).resolves.toBe('1 column masked: personal data');
    await expect(preview.locator('th[data-column="email"]').getAttribute('data-masked')).resolves.toBe('true');
    const emailCells = await preview.locator('table.wb-catalog-grid tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[4]!.textContent));
    expect(emailCells.length).toBeGreaterThan(0);
    expect(emailCells.every((t) => t === '••••••')).toBe(true);
    await expect(preview.locator('td[data-kind="masked"]').first().getAttribute('title')).resolves.toBe('Masked: personal data');
    await expectNoOverflow(victor, PARTNER);
    await shotBoth('viewer-preview-masked', victor);
    await victorContext.close();
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    const unexpected = log.unexpected();
    expect(unexpected).toEqual([]);
    expect(expected).toEqual([]);
  });
});
