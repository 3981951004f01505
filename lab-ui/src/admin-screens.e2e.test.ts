/**
 * The identity and audit screens (@workbench/admin-extension) in a real
 * browser: the `workbench` CLI with SSO through a real OpenID Provider
 * (oidc-provider, in this process on port 0). Alice (group
 * finance-analysts, role analyst) and Victor (finance-viewers, viewer) sign
 * in through the provider's form, so they exist as users; the operator
 * (the printed URL, whose token is the admin's) then creates, uses and
 * revokes an API token, makes Alice an engineer, and reads, filters,
 * verifies and exports the audit log. Alice, not an admin, has the Tokens
 * screen but not the Users and Audit screens. Screenshots of each screen,
 * light and dark, go to test-artifacts/lab/admin-*.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestOidcProvider, type TestOidcProvider } from '@workbench/auth/testing/oidc-provider';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

/** The screens must work 1024 px wide. */
const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };
const CLIENT_SECRET = 'browser-oidc-secret-0123456789';

let op: TestOidcProvider;
let wb: WorkbenchProcess;
let browser: Browser;
let adminContext: BrowserContext;
let aliceContext: BrowserContext;
let admin: Page;
let alice: Page;
/** Console errors and warnings, and HTTP answers >= 400, of every page. */
const log = new ProblemLog([
  // lab-ui bundles no services-extension (lab-ui/README.md, "What is left out").
  /^\w+ console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
  // Analysts and viewers may not use terminals, so the page says there are none.
  /^(alice|victor) console warning: Disabling terminals plugin because they are not available on the server /,
]);
const { expected, benign } = log;
const watch = (page: Page, who: string) => log.watch(page, who);
const { shot, shotBoth } = screenshots('admin');

/** Signs in through the login page's SSO button and the provider's form; ends in JupyterLab. */
async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${wb.baseUrl}lab`);
  await page.waitForURL(/\/login\?next=%2Flab$/);
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${op.issuer}/interaction/`));
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${wb.baseUrl}lab`);
  await page.locator('.jp-Launcher').first().waitFor({ state: 'visible', timeout: 60_000 });
}

/** Clicks Settings > `label` in the menu bar. */
async function fromSettingsMenu(page: Page, label: string): Promise<void> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${label}$`) }).click();
}

/** The Settings menu's item labels (the menu is opened and closed again). */
async function settingsMenuLabels(page: Page): Promise<string[]> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
  const menu = page.locator('.lm-Menu').last();
  await menu.waitFor();
  const labels = await menu.locator('.lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel').allTextContents();
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  return labels;
}

/** Waits until the screen shows one of `states` and returns it. */
async function screenIn(page: Page, screen: 'tokens' | 'users' | 'audit', states: string[]): Promise<Locator> {
  const el = page.locator(`#wb-admin-${screen} .wb-admin-screen[data-wb-admin="${screen}"]`);
  await page.waitForFunction(
    ([s, wanted]) => wanted.includes(document.querySelector<HTMLElement>(`#wb-admin-${s} .wb-admin-screen`)?.dataset.wbAdminState ?? ''),
    [screen, states] as const,
  );
  return el;
}

/** Nothing wider than the window: no horizontal scrolling of the page, the screen, or its table. */
async function expectNoOverflow(page: Page, screen: string): Promise<void> {
  const root = `#wb-admin-${screen} .wb-admin-screen`;
  const widths = await horizontalOverflow(page, { screen: root, table: `${root} .wb-admin-table-wrap` });
  expect(widths).toEqual({ page: 0, screen: 0, table: 0 });
}

async function commandState(page: Page, id: string): Promise<{ has: boolean; visible: boolean; enabled: boolean }> {
  return page.evaluate((c) => {
    const cmds = (window as unknown as { jupyterapp: { commands: { hasCommand(id: string): boolean; isVisible(id: string): boolean; isEnabled(id: string): boolean } } }).jupyterapp.commands;
    return { has: cmds.hasCommand(c), visible: cmds.isVisible(c), enabled: cmds.isEnabled(c) };
  }, id);
}

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  op = await startTestOidcProvider({
    users: [
      { username: 'alice', password: 'alice-pw', name: 'Alice Archer', email: 'alice@example.com', groups: ['finance-analysts'] },
      { username: 'victor', password: 'victor-pw', name: 'Victor Vance', email: 'victor@example.com', groups: ['finance-viewers'] },
    ],
    // Loopback redirect URIs of a native client match any port (RFC 8252 7.3): the server's port is not known yet.
    clients: [{ clientId: 'workbench', clientSecret: CLIENT_SECRET, applicationType: 'native', redirectUris: ['http://127.0.0.1/auth/oidc/callback'], postLogoutRedirectUris: ['http://127.0.0.1/login'] }],
  });
  wb = await startWorkbenchProcess(
    {
      lab: { expose_app_in_browser: true },
      auth: { oidc: { issuer: op.issuer, client_id: 'workbench', client_secret: CLIENT_SECRET, role_mapping: { 'finance-analysts': ['analyst'], 'finance-viewers': ['viewer'] } } },
    },
    undefined,
    { tempHome: true },
  );
  browser = await launchChromium();
  aliceContext = await browser.newContext({ viewport: VIEW });
  adminContext = await browser.newContext({ viewport: VIEW });
  alice = await aliceContext.newPage();
  admin = await adminContext.newPage();
  watch(alice, 'alice');
  watch(admin, 'operator');
});

afterAll(async () => {
  log.write('admin-problems.txt');
  writeFileSync(join(ARTIFACTS, 'admin-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await op?.stop();
});

describe('identity and audit screens', () => {
  it('alice (analyst) signs in with SSO: she has the Tokens screen, not Users or Audit', async () => {
    await signIn(alice, 'alice', 'alice-pw');
    // Victor signs in once too, in a window of his own, so the Users screen has two SSO users.
    const victorContext = await browser.newContext({ viewport: VIEW });
    const victor = await victorContext.newPage();
    watch(victor, 'victor');
    await signIn(victor, 'victor', 'victor-pw');
    await victorContext.close();

    // Tokens is there for everybody; Users and Audit are hidden until /api/me says admin (for her, never:
    // the operator's part below shows them appearing).
    await expect(commandState(alice, 'workbench-admin:tokens')).resolves.toEqual({ has: true, visible: true, enabled: true });
    const labels = await settingsMenuLabels(alice);
    expect(labels).toContain('API Tokens');
    expect(labels).not.toContain('Users and Roles');
    expect(labels).not.toContain('Audit Log');
    for (const id of ['workbench-admin:users', 'workbench-admin:audit']) {
      await expect(commandState(alice, id)).resolves.toEqual({ has: true, visible: false, enabled: false });
    }
    // The palette offers Tokens (category Workbench) and not the other two.
    await alice.keyboard.press('ControlOrMeta+Shift+c');
    const palette = alice.locator('#command-palette');
    const query = palette.locator('.lm-CommandPalette-input');
    const tokensItem = palette.locator('.lm-CommandPalette-item .lm-CommandPalette-itemLabel', { hasText: /^API Tokens$/ });
    await query.fill('API Tokens');
    await tokensItem.waitFor();
    await expect(palette.locator('.lm-CommandPalette-header').first().textContent()).resolves.toBe('Workbench');
    for (const label of ['Users and Roles', 'Audit Log']) {
      await query.fill(label);
      await tokensItem.waitFor({ state: 'detached' }); // the list shows this query's matches now
      await expect(palette.locator('.lm-CommandPalette-itemLabel', { hasText: new RegExp(`^${label}$`) }).count()).resolves.toBe(0);
      await query.fill('API Tokens');
      await tokensItem.waitFor();
    }
    await alice.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden' });
    // Executing an admin command anyway opens nothing; the server refuses her regardless.
    await alice.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('workbench-admin:users'));
    await expect(alice.locator('#wb-admin-users').count()).resolves.toBe(0);
    expect((await aliceContext.request.get(`${wb.baseUrl}api/users`)).status()).toBe(403);
    expect((await aliceContext.request.get(`${wb.baseUrl}api/audit`)).status()).toBe(403);

    await fromSettingsMenu(alice, 'API Tokens');
    const tokens = await screenIn(alice, 'tokens', ['empty']);
    await expect(tokens.locator('.wb-admin-status').textContent()).resolves.toBe('You have no API tokens yet.');
    await expectNoOverflow(alice, 'tokens');
    await shot(alice, 'tokens-analyst');
  });

  it('the operator creates a token (shown once), uses it, revokes it; then it is refused', async () => {
    await openLab(adminContext, wb.url, admin);
    await fromSettingsMenu(admin, 'API Tokens');
    const screen = await screenIn(admin, 'tokens', ['empty']);
    await shotBoth(admin, 'tokens-empty');

    // A name the server would refuse is caught in the form.
    await screen.locator('input.wb-admin-token-name').fill('bad<name>');
    await screen.locator('button.wb-admin-token-create').click();
    await expect(screen.locator('.wb-admin-token-form-error').textContent()).resolves.toBe('The name may hold only letters, digits, spaces and _ . @ : / -');

    await screen.locator('input.wb-admin-token-name').fill('e2e script');
    await screen.locator('select.wb-admin-token-expiry').selectOption({ label: 'in 30 days' });
    await screen.locator('button.wb-admin-token-create').click();
    const dialog = admin.locator('.jp-Dialog');
    const secretInput = dialog.locator('input.wb-admin-token-secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    expect(secret).toMatch(/^wbt_/);
    await expect(dialog.locator('.wb-admin-token-warning').textContent()).resolves.toContain('it will not be shown again');
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write']);
    await dialog.locator('button.wb-admin-token-copy').click();
    await expect(dialog.locator('button.wb-admin-token-copy').getAttribute('data-copied')).resolves.toBe('true');
    await expect(admin.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
    await shotBoth(admin, 'token-created');
    await dialog.locator('button.wb-admin-token-done').click();
    await dialog.waitFor({ state: 'detached' });
    // The token is nowhere on the page any more: the list shows its prefix.
    await expect(admin.evaluate((s) => document.body.innerHTML.includes(s) || [...document.querySelectorAll('input')].some((i) => i.value === s), secret)).resolves.toBe(false);
    const row = screen.locator('tr.wb-admin-token', { hasText: 'e2e script' });
    await expect(row.getAttribute('data-status')).resolves.toBe('active');
    const prefix = (await row.locator('.wb-admin-token-prefix').textContent())!.replace(/…$/, '');
    expect(prefix.length).toBeGreaterThan(4);
    expect(secret.startsWith(prefix)).toBe(true);
    await expect(screenIn(admin, 'tokens', ['ready'])).resolves.toBeTruthy();

    // The token works from outside the browser, as the operator.
    const me = await fetch(`${wb.baseUrl}api/me`, { headers: { Authorization: `token ${secret}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { identity: { username: string } }).identity.username).toBe('workbench');
    await expectNoOverflow(admin, 'tokens');
    await shotBoth(admin, 'tokens');

    await row.locator('button.wb-admin-token-revoke').click();
    await admin.locator('.jp-Dialog button.wb-admin-token-revoke-confirm').click();
    await screen.locator('tr.wb-admin-token[data-status="revoked"]', { hasText: 'e2e script' }).waitFor();
    await expect(row.locator('.wb-admin-token-status').textContent()).resolves.toBe('Revoked');
    await expect(row.locator('button.wb-admin-token-revoke').count()).resolves.toBe(0);
    expect((await fetch(`${wb.baseUrl}api/me`, { headers: { Authorization: `token ${secret}` } })).status).toBe(403);
    await shot(admin, 'tokens-revoked');
  });

  it('the operator makes alice an engineer: saved, and after a reload "set by admin"', async () => {
    await fromSettingsMenu(admin, 'Users and Roles');
    const screen = await screenIn(admin, 'users', ['ready']);
    const aliceRow = screen.locator('tr.wb-admin-user[data-username="alice"]');
    await expect(aliceRow.getAttribute('data-roles-source')).resolves.toBe('provider');
    await expect(aliceRow.locator('.wb-admin-roles-source').textContent()).resolves.toContain('from SSO groups');
    await expect(aliceRow.locator('.wb-admin-user-email').textContent()).resolves.toBe('alice@example.com');
    await expect(aliceRow.locator('.wb-admin-user-source').textContent()).resolves.toBe('SSO');
    const checked = (row: Locator) => row.locator('label.wb-admin-role input:checked').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    await expect(checked(aliceRow)).resolves.toEqual(['analyst']);
    await expect(checked(screen.locator('tr.wb-admin-user[data-username="victor"]'))).resolves.toEqual(['viewer']);
    await expectNoOverflow(admin, 'users');
    await shotBoth(admin, 'users');

    await aliceRow.locator('label.wb-admin-role[data-role="analyst"] input').uncheck();
    await aliceRow.locator('label.wb-admin-role[data-role="engineer"] input').check();
    await expect(aliceRow.getAttribute('data-state')).resolves.toBe('dirty');
    await shot(admin, 'users-editing');
    await aliceRow.locator('button.wb-admin-user-save').click();
    await screen.locator('tr.wb-admin-user[data-username="alice"][data-state="saved"]').waitFor();
    await expect(aliceRow.getAttribute('data-roles-source')).resolves.toBe('admin');

    await openLab(adminContext, wb.url, admin);
    await fromSettingsMenu(admin, 'Users and Roles');
    const again = await screenIn(admin, 'users', ['ready']);
    const reloaded = again.locator('tr.wb-admin-user[data-username="alice"]');
    await expect(checked(reloaded)).resolves.toEqual(['engineer']);
    await expect(reloaded.getAttribute('data-roles-source')).resolves.toBe('admin');
    await expect(reloaded.locator('.wb-admin-roles-source').textContent()).resolves.toContain('set by admin');
    await expect(reloaded.locator('button.wb-admin-user-reset').count()).resolves.toBe(1);
    await shotBoth(admin, 'users-changed');
    // Her open session has the new role at once.
    expect(((await (await aliceContext.request.get(`${wb.baseUrl}api/me`)).json()) as { roles: string[] }).roles).toEqual(['engineer']);

    // "Reset to provider" hands her roles back to the group mapping.
    await reloaded.locator('button.wb-admin-user-reset').click();
    await again.locator('tr.wb-admin-user[data-username="alice"][data-state="saved"]').waitFor();
    await expect(reloaded.getAttribute('data-roles-source')).resolves.toBe('provider');
    await expect(reloaded.locator('button.wb-admin-user-reset').count()).resolves.toBe(0);
    // Her group's role (analyst) applies again at once, on the screen and to her session.
    await expect(checked(reloaded)).resolves.toEqual(['analyst']);
    expect(((await (await aliceContext.request.get(`${wb.baseUrl}api/me`)).json()) as { roles: string[] }).roles).toEqual(['analyst']);
    await shot(admin, 'users-reset');
  });

  it('the operator reads the audit log: records, a filter, a bad filter, a record, the chain check, CSV export', async () => {
    await fromSettingsMenu(admin, 'Audit Log');
    const screen = await screenIn(admin, 'audit', ['ready']);
    const records = screen.locator('tr.wb-admin-audit-record');
    const all = await records.evaluateAll((rows) =>
      rows.map((r) => {
        const text = (cls: string) => r.querySelector(`.wb-admin-audit-${cls}`)?.textContent ?? '';
        return { seq: Number(text('seq')), actor: text('actor-name'), role: text('role'), via: text('via'), resource: text('resource'), action: text('action'), target: text('target'), outcome: text('outcome') };
      }),
    );
    const operator = { actor: 'workbench', role: 'admin', via: 'token', action: 'write', outcome: 'ok' };
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ...operator, resource: 'tokens' }), // created
        expect.objectContaining({ ...operator, resource: 'users', target: 'alice' }), // the role change
        expect.objectContaining({ actor: 'alice', role: 'analyst', via: 'sso' }),
      ]),
    );
    // Oldest first.
    const seqs = all.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await expectNoOverflow(admin, 'audit');
    await shotBoth(admin, 'audit');

    // The role change's record, opened: its detail holds the roles before and after.
    // (alice's refused look at the user list is a `users` `read` record, `denied`; the change is the `write`.)
    const change = records
      .filter({ has: admin.locator('td.wb-admin-audit-resource', { hasText: /^users$/ }) })
      .filter({ has: admin.locator('td.wb-admin-audit-action', { hasText: /^write$/ }) })
      .first();
    const seq = await change.getAttribute('data-seq');
    await change.click();
    const detail = screen.locator(`tr.wb-admin-audit-detail[data-seq="${seq}"] pre.wb-admin-audit-detail-json`);
    const shown = JSON.parse((await detail.textContent())!) as { seq: number; resource: string; detail: { roles?: { old: string[]; new: string[] } } };
    expect(shown).toMatchObject({ seq: Number(seq), resource: 'users', detail: { roles: { old: ['analyst'], new: ['engineer'] } } });
    await expect(change.getAttribute('aria-expanded')).resolves.toBe('true');
    await shotBoth(admin, 'audit-record');
    await change.click();
    await detail.waitFor({ state: 'detached' });

    // Filter by user.
    const filters = screen.locator('form.wb-admin-audit-filters');
    await filters.locator('input[name="user"]').fill('alice');
    await filters.locator('button.wb-admin-audit-apply').click();
    await admin.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#wb-admin-audit tr.wb-admin-audit-record .wb-admin-audit-actor-name')];
      return rows.length > 0 && rows.every((td) => td.textContent!.startsWith('alice'));
    });
    await expect(screen.locator('a.wb-admin-audit-export[data-format="csv"]').getAttribute('href')).resolves.toBe(`${wb.baseUrl}api/audit/export?format=csv&user=alice`);
    await shot(admin, 'audit-filtered');

    // A filter the server refuses: its message, inline.
    expected.push(/^operator HTTP 400 GET .*\/api\/audit\?user=bad%20user!&limit=200$/, /^operator console error: Failed to load resource: .* 400 \(Bad Request\) \(.*\/api\/audit\?user=bad%20user!&limit=200\)$/);
    await filters.locator('input[name="user"]').fill('bad user!');
    await filters.locator('button.wb-admin-audit-apply').click();
    await screenIn(admin, 'audit', ['error']);
    await expect(screen.locator('.wb-admin-audit-filter-error').textContent()).resolves.toBe('Cannot query the audit log: user must be 1-200 characters of letters, digits and _ . : @ / -');
    await shot(admin, 'audit-bad-filter');
    await filters.locator('button.wb-admin-audit-clear').click();
    await screenIn(admin, 'audit', ['ready']);
    await expect(screen.locator('.wb-admin-audit-filter-error').isHidden()).resolves.toBe(true);

    // The chain check.
    await screen.locator('button.wb-admin-audit-verify').click();
    const banner = screen.locator('.wb-admin-verify-banner[data-wb-admin-verify="ok"]');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toMatch(/Audit chain intact: \d+ records verified, last record #\d+/);
    await shotBoth(admin, 'audit-verified');

    // CSV export: a download through the login cookie (no token in the link).
    const csvLink = screen.locator('a.wb-admin-audit-export[data-format="csv"]');
    await expect(csvLink.getAttribute('href')).resolves.toBe(`${wb.baseUrl}api/audit/export?format=csv`);
    const [download] = await Promise.all([admin.waitForEvent('download'), csvLink.click()]);
    expect(download.suggestedFilename()).toBe('audit.csv');
    const csv = await adminContext.request.get(download.url());
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[0]).toBe('seq,time,actor,actor_role,via,resource,action,target,ip,user_agent,outcome,detail,prev_hash,hash');
    const jsonl = await adminContext.request.get(new URL((await screen.locator('a.wb-admin-audit-export[data-format="jsonl"]').getAttribute('href'))!, wb.baseUrl).href);
    expect(jsonl.status()).toBe(200);
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    // The test OpenID Provider's login form has no favicon (not Workbench's page).
    benign.push(new RegExp(`^\\w+ console error: Failed to load resource: .* 404 \\(Not Found\\) \\(${op.issuer.replace(/[.]/g, '\\.')}/favicon\\.ico\\)$`));
    const unexpected = log.unexpected();
    expect(unexpected).toEqual([]);
  });
});
