/**
 * SSO in a real browser: Chromium opens /lab without a token, is sent to
 * the login page, clicks "Sign in with SSO", signs in on a real OpenID
 * Provider's form (oidc-provider, in this process on port 0) and lands in
 * JupyterLab as that user. The Workbench is the `workbench` CLI, as users
 * run it. Screenshots: test-artifacts/lab/oidc-*.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestOidcProvider, type TestOidcProvider } from '@workbench/auth/testing/oidc-provider';
import { launchChromium, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'lab');
mkdirSync(ARTIFACTS, { recursive: true });

jest.setTimeout(120_000);

const CLIENT_SECRET = 'browser-oidc-secret-0123456789';

let op: TestOidcProvider;
let wb: WorkbenchProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `oidc-${name}.png`) });

beforeAll(async () => {
  op = await startTestOidcProvider({
    users: [{ username: 'alice', password: 'alice-pw', name: 'Alice Archer', email: 'alice@example.com', groups: ['finance-analysts'] }],
    // Loopback redirect URIs of a native client match any port (RFC 8252 7.3): the server's port is not known yet.
    clients: [{ clientId: 'workbench', clientSecret: CLIENT_SECRET, applicationType: 'native', redirectUris: ['http://127.0.0.1/auth/oidc/callback'], postLogoutRedirectUris: ['http://127.0.0.1/login'] }],
  });
  wb = await startWorkbenchProcess(
    {
      lab: { expose_app_in_browser: true },
      auth: { oidc: { issuer: op.issuer, client_id: 'workbench', client_secret: CLIENT_SECRET, role_mapping: { 'finance-analysts': ['analyst'] } } },
    },
    undefined,
    { tempHome: true },
  );
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
});

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, 'oidc-problems.txt'), problems.join('\n'));
  writeFileSync(join(ARTIFACTS, 'oidc-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await op?.stop();
});

test('signs in with SSO from the login page and lands in JupyterLab as that user', async () => {
  await page.goto(`${wb.baseUrl}lab`);
  await page.waitForURL(/\/login\?next=%2Flab$/);
  const sso = page.getByRole('button', { name: 'Sign in with SSO' });
  await sso.waitFor();
  await shot('login');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('login-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await sso.click();
  await page.waitForURL((url) => url.href.startsWith(`${op.issuer}/interaction/`));
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-pw');
  await shot('provider');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.waitForURL(`${wb.baseUrl}lab`);
  await page.locator('.jp-Launcher').first().waitFor({ state: 'visible', timeout: 60_000 });
  const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { identity: { username: string; initials: string }; roles: string[] });
  expect(me.identity.username).toBe('alice');
  expect(me.roles).toEqual(['analyst']);
  // JupyterLab shows the signed-in user in the top bar (initials of the display name).
  await expect(page.locator('.jp-MenuBar-anonymousIcon').first().textContent({ timeout: 30_000 })).resolves.toBe('AL');
  await shot('lab');
  expect(op.serverErrors).toEqual([]);
});
