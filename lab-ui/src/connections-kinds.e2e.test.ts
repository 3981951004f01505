/**
 * The Connections panel's form for every kind, in a real browser against
 * the real `workbench` CLI. The operator adds a DuckDB file (one this test
 * makes with @duckdb/node-api; the form refuses a relative path first;
 * Test opens it), then a REST API served by a small node:http server of
 * the test's own on port 0 (a wrong health path is "not found" with its
 * HTTP 404, the right one passes with the bearer token), rotates its token
 * to a wrong one, whose activation the server refuses (409: its message and
 * the failed test shown); fills the S3 and SFTP forms (their checks named
 * beside the fields, then saved: the rows read s3://bucket/prefix and
 * user@host:folder); and pins an SSH server's host key that a Test showed
 * (the server is ssh2's, made by this test, refusing every login: the key
 * is exchanged before the login), then sees a wrong pin refused at "Host
 * key". Then Superset as a publish target, against @workbench/superset's
 * simulator of Superset's REST API on port 0 (Superset cannot run here):
 * the form names what is missing, a wrong password fails at "Login", the
 * right one logs in and finds the Superset database, and the row reads its
 * URL, user and database. Last, a connection of a kind this panel does not
 * know (a newer server's, put into the list answer by the browser's
 * routing) is listed read-only without breaking the rest. No S3 or SFTP
 * service is needed: the server's own tests cover them. Screenshots, light and dark at 1024 px, go to
 * test-artifacts/lab/connections-kinds-*.png.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startSupersetApiSimulator, type SupersetApiSimulator } from '@workbench/superset/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Server as SshServer, utils as sshUtils, type Connection as SshConnection } from 'ssh2';
import { launchChromium, openLab, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = { width: 1024, height: 768 };
const TOKEN = 'rest-token-51c9e0';
const WRONG_TOKEN = 'rest-token-wrong-77';
const S3_SECRET = 's3-secret-0b6f1d';
const SUPERSET_PASSWORD = 'superset-pw-93ad4e';

let dir: string;
let warehouse: string;
let rest: { server: HttpServer; url: string; seen: { path: string; headers: IncomingHttpHeaders }[] };
let ssh: { server: SshServer; port: number; fingerprint: string; clients: Set<SshConnection> };
let superset: SupersetApiSimulator;
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
const screens = screenshots('connections-kinds');
const shot = (name: string) => screens.shot(page, name);
const shotBoth = (name: string) => screens.shotBoth(page, name);

const panel = () => page.locator('#wb-connections.wb-connections-panel');
const row = (name: string) => panel().locator(`li.wb-connections-item[data-connection="${name}"]`);
const form = () => panel().locator('form.wb-connections-form');
const input = (field: string) => form().locator(`.wb-connections-input-${field}`);
const fieldError = (field: string) => form().locator(`.wb-connections-field-error[data-field="${field}"]`);
const draftResult = () => form().locator('.wb-connections-form-result');

/** Fills the form's fields: selects by value, checkboxes by "true"/"false", the rest as text. */
async function fill(values: Record<string, string>): Promise<void> {
  for (const [field, value] of Object.entries(values)) {
    const el = input(field);
    const tag = await el.evaluate((e) => (e instanceof HTMLInputElement && e.type === 'checkbox' ? 'checkbox' : e.tagName.toLowerCase()));
    if (tag === 'select') await el.selectOption(value);
    else if (tag === 'checkbox') await el.setChecked(value === 'true');
    else await el.fill(value);
  }
}

/** Opens the form for a new connection of `kind`. */
async function addForm(kind: string): Promise<void> {
  await panel().locator('button.wb-connections-add').click();
  await form().waitFor();
  await input('kind').selectOption(kind);
  await page.waitForFunction((k) => document.querySelector<HTMLElement>('#wb-connections form.wb-connections-form')?.dataset.kind === k, kind);
}

/** The field errors shown, as { field: message }. */
function shownErrors(): Promise<Record<string, string>> {
  return form()
    .locator('.wb-connections-field-error:not([hidden])')
    .evaluateAll((els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.field!, e.textContent ?? ''])));
}

/** Clicks Test on the form and waits for its answer (not "testing"). */
async function testDraft(): Promise<void> {
  await form().locator('button.wb-connections-form-test').click();
  await page.waitForFunction(() => {
    const r = document.querySelector<HTMLElement>('#wb-connections .wb-connections-form-result');
    return r !== null && !r.hidden && r.dataset.state !== undefined && r.dataset.state !== 'testing';
  });
}

async function expectNoOverflow(): Promise<void> {
  await expect(horizontalOverflow(page, { panel: '#wb-connections' })).resolves.toEqual({ page: 0, panel: 0 });
}

/** No input on the page holds `secret`, and it is nowhere in the DOM's text or attributes. */
async function expectNowhere(secret: string): Promise<void> {
  await expect(page.evaluate((s) => document.body.innerHTML.includes(s) || [...document.querySelectorAll('input, textarea')].some((i) => (i as HTMLInputElement).value === s), secret)).resolves.toBe(false);
}

/** A REST API of the test's own: GET /api/health answers 200 with the bearer token, 401 without it; anything else 404. */
async function startRestApi(): Promise<typeof rest> {
  const seen: (typeof rest)['seen'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    res.setHeader('Server', 'tiny-rest/1.0');
    if (path !== '/api/health') res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such path');
    else if (req.headers.authorization !== `Bearer ${TOKEN}`) res.writeHead(401, { 'Content-Type': 'text/plain' }).end('who are you');
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** An SSH server that shows its host key and refuses every login. */
async function startSshServer(): Promise<typeof ssh> {
  const key = sshUtils.generateKeyPairSync('ed25519');
  const parsed = sshUtils.parseKey(key.public);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
  const clients = new Set<SshConnection>();
  const server = new SshServer({ hostKeys: [key.private] }, (client) => {
    clients.add(client);
    client.on('error', () => undefined); // the client hanging up after the refusal
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => ctx.reject());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, fingerprint, clients };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-conn-kinds-'));
  warehouse = join(dir, 'warehouse.duckdb');
  const instance = await DuckDBInstance.create(warehouse);
  const conn = await instance.connect();
  await conn.run("create schema finance; create table finance.trial_balance (account varchar, balance decimal(18,2)); insert into finance.trial_balance values ('4000', 125.50)");
  conn.closeSync();
  instance.closeSync();
  rest = await startRestApi();
  ssh = await startSshServer();
  superset = await startSupersetApiSimulator({ users: [{ username: 'publisher', password: SUPERSET_PASSWORD }], databases: [{ name: 'examples' }, { name: 'serving' }] });
  wb = await startWorkbenchProcess({ lab: { expose_app_in_browser: true } }, undefined, { tempHome: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEW });
  page = await context.newPage();
  log.watch(page);
});

afterAll(async () => {
  log.write('connections-kinds-problems.txt');
  writeFileSync(join(ARTIFACTS, 'connections-kinds-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await superset?.[Symbol.asyncDispose]();
  for (const c of ssh?.clients ?? []) c.end();
  await new Promise((resolve) => (ssh ? ssh.server.close(resolve) : resolve(undefined)));
  rest?.server.closeAllConnections();
  await new Promise((resolve) => (rest ? rest.server.close(resolve) : resolve(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('connections of every kind', () => {
  it('offers the kinds when adding; each kind has its own fields and defaults', async () => {
    expect(VIEWPORT.width).toBe(1024);
    await openLab(context, wb.url, page);
    await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="wb-connections"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#wb-connections')?.dataset.wbConnectionsState === 'empty');
    await panel().locator('button.wb-connections-add').click();
    await form().waitFor();
    await expect(input('kind').inputValue()).resolves.toBe('postgres');
    await expect(input('kind').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).resolves.toEqual(['postgres', 'duckdb', 'rest', 's3', 'sftp', 'superset', 'odoo']);
    await fill({ name: 'scratch', host: 'db.example', password: 'typed-then-left' });

    await input('kind').selectOption('duckdb');
    await expect(form().getAttribute('data-kind')).resolves.toBe('duckdb');
    await expect(input('host').count()).resolves.toBe(0);
    await expect(input('password').count()).resolves.toBe(0);
    await expect(input('read_only').isChecked()).resolves.toBe(true);
    await expect(input('schemas').inputValue()).resolves.toBe('main');
    await expect(input('name').inputValue()).resolves.toBe('scratch');

    await input('kind').selectOption('sftp');
    await expect(input('port').inputValue()).resolves.toBe('22');
    await expect(input('root').inputValue()).resolves.toBe('.');
    await expect(input('login').inputValue()).resolves.toBe('password');
    await expect(input('private_key').isVisible()).resolves.toBe(false);
    await input('login').selectOption('private_key');
    await expect(input('private_key').evaluate((e) => e.tagName)).resolves.toBe('TEXTAREA');
    await expect(input('password').isVisible()).resolves.toBe(false);
    await input('private_key').scrollIntoViewIfNeeded();
    await expectNoOverflow();
    await shot('sftp-private-key-form');

    await input('kind').selectOption('rest');
    await input('auth_type').selectOption('oauth2_client_credentials');
    for (const f of ['token_url', 'client_id', 'scopes', 'token_auth', 'client_secret']) await expect(input(f).isVisible()).resolves.toBe(true);
    await expect(input('token').isVisible()).resolves.toBe(false);
    await expect(input('token_auth').inputValue()).resolves.toBe('basic');
    await input('client_secret').scrollIntoViewIfNeeded();
    await expectNoOverflow();
    await shot('rest-oauth2-form');

    // Back to PostgreSQL: what was typed comes back, the password does not.
    await input('kind').selectOption('postgres');
    await expect(input('host').inputValue()).resolves.toBe('db.example');
    await expect(input('port').inputValue()).resolves.toBe('5432');
    await expect(input('password').inputValue()).resolves.toBe('');
    await expectNowhere('typed-then-left');
    await form().locator('button.wb-connections-form-cancel').click();
    await form().waitFor({ state: 'detached' });
  });

  it('adds a DuckDB file: the form refuses a relative path; Test opens it', async () => {
    await addForm('duckdb');
    await fill({ name: 'warehouse', description: 'The shared warehouse', path: 'data/warehouse.duckdb', schemas: 'main, finance' });
    await form().locator('button.wb-connections-form-test').click();
    await fieldError('path').waitFor();
    await expect(shownErrors()).resolves.toEqual({ path: 'The path must be absolute (start with /): where the file is on the server.' });
    await expect(draftResult().isHidden()).resolves.toBe(true);

    await fill({ path: warehouse });
    await testDraft();
    const r = draftResult();
    await expect(r.getAttribute('data-state')).resolves.toBe('ok');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(`Opened DuckDB file ${warehouse} read-only`);
    await expect(r.locator('.wb-connections-result-server').textContent()).resolves.toMatch(/^DuckDB v\d/);
    await expect(r.locator('li.wb-connections-schema').evaluateAll((ls) => ls.map((l) => `${(l as HTMLElement).dataset.schema}:${(l as HTMLElement).dataset.usage}`))).resolves.toEqual(['main:true', 'finance:true']);
    await expectNoOverflow();
    await shotBoth('duckdb-tested');

    await form().locator('button.wb-connections-form-save').click();
    const w = row('warehouse');
    await w.waitFor();
    await expect(w.getAttribute('data-kind')).resolves.toBe('duckdb');
    await expect(w.locator('.wb-connections-kind').textContent()).resolves.toBe('DuckDB');
    await expect(w.locator('.wb-connections-address').textContent()).resolves.toBe(warehouse);
    await expect(w.locator('.wb-connections-access').textContent()).resolves.toBe('read-only');
    // No credential: no badge, nothing to rotate.
    await expect(w.locator('.wb-connections-credential').count()).resolves.toBe(0);
    await expect(w.locator('button.wb-connections-rotate').count()).resolves.toBe(0);
    await w.locator('button.wb-connections-test').click();
    await w.locator('.wb-connections-row-result[data-state="ok"]').waitFor();
  });

  it('adds a REST API: a wrong health path is not found (HTTP 404); the right one passes with the token', async () => {
    await addForm('rest');
    await expect(input('health_path').inputValue()).resolves.toBe('/');
    await expect(input('auth_type').inputValue()).resolves.toBe('none');
    await expect(input('token').isVisible()).resolves.toBe(false);
    await fill({ name: 'ledger-api', base_url: `${rest.url}/api`, health_path: '/nope', auth_type: 'bearer', token: TOKEN, headers: 'Accept: application/json' });
    await expect(input('token').getAttribute('type')).resolves.toBe('password');
    await testDraft();
    const r = draftResult();
    await expect(r.getAttribute('data-state')).resolves.toBe('failed');
    await expect(r.getAttribute('data-stage')).resolves.toBe('not_found');
    await expect(r.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Failed: not found');
    await expect(r.locator('.wb-connections-stage').textContent()).resolves.toBe('Not found');
    await expect(r.locator('.wb-connections-result-status').textContent()).resolves.toBe('HTTP 404');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(`Cannot find ${rest.url}/api/nope: 404 Not Found (check base_url and health_path)`);
    await expectNoOverflow();
    await shotBoth('rest-not-found');

    await fill({ health_path: '/health' });
    await testDraft();
    await expect(r.getAttribute('data-state')).resolves.toBe('ok');
    await expect(r.locator('.wb-connections-result-status').textContent()).resolves.toBe('HTTP 200');
    await expect(r.locator('.wb-connections-result-server').textContent()).resolves.toBe('tiny-rest/1.0');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(`Reached ${rest.url}/api/health: 200 OK (with the bearer token)`);
    expect(rest.seen.filter((s) => s.path === '/api/health').map((s) => [s.headers.authorization, s.headers.accept])).toEqual([[`Bearer ${TOKEN}`, 'application/json']]);

    await form().locator('button.wb-connections-form-save').click();
    const a = row('ledger-api');
    await a.waitFor();
    await expect(a.locator('.wb-connections-address').textContent()).resolves.toBe(`${rest.url}/api`);
    await expect(a.locator('.wb-connections-auth').textContent()).resolves.toBe('bearer token');
    await expect(a.locator('.wb-connections-credential').textContent()).resolves.toBe('Token v1');
    await a.locator('button.wb-connections-test').click();
    await a.locator('.wb-connections-row-result[data-state="ok"]').waitFor();
    await expectNowhere(TOKEN);
  });

  it('rotates the REST token: a wrong one fails its test, and its activation is refused with the failed test shown', async () => {
    await row('ledger-api').locator('button.wb-connections-rotate').click();
    const dialog = page.locator('.jp-Dialog');
    const body = dialog.locator('.wb-connections-rotate');
    await body.waitFor();
    await expect(dialog.locator('.jp-Dialog-header').textContent()).resolves.toBe('Rotate the token of ledger-api');
    await expect(body.locator('.wb-connections-rotate-versions').textContent()).resolves.toBe('In use: Token v1');
    const token = body.locator('input.wb-connections-rotate-token');
    await expect(token.getAttribute('type')).resolves.toBe('password');
    await token.fill(WRONG_TOKEN);
    await token.press('Enter');
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="staged"]').waitFor();
    await expect(token.inputValue()).resolves.toBe('');
    const result = body.locator('.wb-connections-rotate-result');
    await expect(result.getAttribute('data-stage')).resolves.toBe('auth');
    await expect(result.locator('.wb-connections-result-status').textContent()).resolves.toBe('HTTP 401');
    await expect(body.locator('.wb-connections-rotate-error').textContent()).resolves.toBe('The staged token fails its test: Activate will refuse it. Stage another, or cancel.');

    expected.push(/^HTTP 409 POST .*\/api\/connections\/ledger-api\/rotate\/activate$/, /^console error: Failed to load resource: the server responded with a status of 409 \(Conflict\) \(.*\/rotate\/activate\)$/);
    // Between the staged test and Activate the answer is cleared: wait for the refusal's own.
    await body.locator('button.wb-connections-rotate-activate').click();
    await page.waitForFunction(() => document.querySelector('.jp-Dialog .wb-connections-rotate-error')?.textContent?.startsWith('Cannot activate') === true);
    await expect(body.locator('.wb-connections-rotate-error').textContent()).resolves.toMatch(
      new RegExp(`^Cannot activate the new credential of connection ledger-api: it fails its test, so the credential in use stays: Cannot call ${rest.url}/api/health: 401 Unauthorized: the bearer token was not accepted$`),
    );
    await expect(body.getAttribute('data-state')).resolves.toBe('staged');
    await expect(result.getAttribute('data-state')).resolves.toBe('failed');
    await expect(result.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Failed at Login');
    await expect(result.locator('.wb-connections-result-status').textContent()).resolves.toBe('HTTP 401');
    await expectNowhere(WRONG_TOKEN);
    await shotBoth('rest-rotate-refused');

    await body.locator('button.wb-connections-rotate-cancel').click();
    await page.locator('.jp-Dialog .wb-connections-rotate[data-state="cancelled"]').waitFor();
    await expect(body.locator('.wb-connections-rotate-done').textContent()).resolves.toBe('The staged token was dropped; the one in use stays.');
    await dialog.locator('button.wb-connections-rotate-close').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(row('ledger-api').getAttribute('data-rotation')).resolves.toBe('none');
  });

  it("S3: the form names a bad bucket, region, endpoint and a key without its secret; then saves", async () => {
    await addForm('s3');
    await expect(input('region').inputValue()).resolves.toBe('us-east-1');
    await expect(input('force_path_style').isChecked()).resolves.toBe(false);
    await fill({ name: 'exports', bucket: 'Finance_Exports', region: 'EU West', endpoint: 'minio.internal:9000', access_key_id: 'AKIAWB0001' });
    await form().locator('button.wb-connections-form-save').click();
    await fieldError('bucket').waitFor();
    await expect(shownErrors()).resolves.toEqual({
      bucket: 'Bucket must be 3-63 lowercase letters, digits, . and -, starting and ending with a letter or digit.',
      region: 'Region must be a region name like us-east-1.',
      endpoint: 'Endpoint must be an http:// or https:// URL.',
      secret_access_key: 'Give the secret access key too, or neither (anonymous access).',
    });
    await expect(input('bucket').evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    await expectNoOverflow();
    await shotBoth('s3-form-errors');

    await fill({ bucket: 'finance-exports', prefix: 'close/2026/', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', force_path_style: 'true', secret_access_key: S3_SECRET });
    await expect(shownErrors()).resolves.toEqual({});
    await form().locator('button.wb-connections-form-save').click();
    const s = row('exports');
    await s.waitFor();
    await expect(s.locator('.wb-connections-address').textContent()).resolves.toBe('s3://finance-exports/close/2026/');
    await expect(s.locator('.wb-connections-where').textContent()).resolves.toBe('127.0.0.1:9000');
    await expect(s.locator('.wb-connections-path-style').textContent()).resolves.toBe('path-style');
    await expect(s.locator('.wb-connections-credential').textContent()).resolves.toBe('Access key v1');
    await expectNowhere(S3_SECRET);

    // Rotating asks for a key pair, and checks it is whole before anything is sent.
    await s.locator('button.wb-connections-rotate').click();
    const dialog = page.locator('.jp-Dialog');
    const body = dialog.locator('.wb-connections-rotate[data-kind="s3"]');
    await body.waitFor();
    await expect(dialog.locator('.jp-Dialog-header').textContent()).resolves.toBe('Rotate the access key of exports');
    await expect(body.locator('.wb-connections-rotate-versions').textContent()).resolves.toBe('In use: Access key v1');
    await body.locator('.wb-connections-rotate-access_key_id').fill('AKIAWB0002');
    await body.locator('button.wb-connections-rotate-stage').click();
    await expect(body.locator('.wb-connections-rotate-error').textContent()).resolves.toBe('Give the secret access key too, or neither (anonymous access).');
    await expect(body.locator('.wb-connections-rotate-secret_access_key').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(body.getAttribute('data-state')).resolves.toBe('idle');
    await dialog.locator('button.wb-connections-rotate-close').click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('SFTP: the form names its mistakes; a Test shows the host key, which is pinned in one click; a wrong pin stops at "Host key"', async () => {
    await addForm('sftp');
    await fill({ name: 'bank', host: '127.0.0.1', port: 'ssh', host_key_fingerprint: 'MD5:16:27:ac:a5:76:28:2d:36', login: 'private_key', passphrase: 'pass-only' });
    await form().locator('button.wb-connections-form-test').click();
    await fieldError('port').waitFor();
    await expect(shownErrors()).resolves.toEqual({
      port: 'Port must be a whole number from 1 to 65535.',
      username: 'User name is required.',
      host_key_fingerprint: 'Host key must be a SHA256 fingerprint as ssh-keygen -lf prints it: SHA256: and 43 characters.',
      private_key: 'Paste the private key the passphrase is for.',
    });
    await shotBoth('sftp-form-errors');

    await fill({ port: String(ssh.port), username: 'acme', host_key_fingerprint: '', login: 'password', password: 'not-accepted' });
    await testDraft();
    const r = draftResult();
    await expect(r.getAttribute('data-stage')).resolves.toBe('auth');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(`Cannot log in to 127.0.0.1:${ssh.port} as acme: the password is wrong, or the account may not log in`);
    await expect(r.locator('.wb-connections-hostkey-fingerprint').textContent()).resolves.toBe(ssh.fingerprint);
    await r.locator('button.wb-connections-pin').click();
    await expect(input('host_key_fingerprint').inputValue()).resolves.toBe(ssh.fingerprint);
    await expect(r.locator('.wb-connections-pinned').getAttribute('data-pin')).resolves.toBe('pinned');
    await expectNoOverflow();
    await shotBoth('sftp-pinned');

    // Pinned, the same key passes the host key check (the login is still refused).
    await testDraft();
    await expect(r.getAttribute('data-stage')).resolves.toBe('auth');
    await expect(r.locator('.wb-connections-pinned').getAttribute('data-pin')).resolves.toBe('same');
    await expect(r.locator('button.wb-connections-pin').count()).resolves.toBe(0);
    await form().locator('button.wb-connections-form-save').click();
    const b = row('bank');
    await b.waitFor();
    await expect(b.locator('.wb-connections-address').textContent()).resolves.toBe('acme@127.0.0.1:.');
    await expect(b.locator('.wb-connections-port').textContent()).resolves.toBe(`port ${ssh.port}`);
    await expect(b.locator('.wb-connections-hostkey-pin').textContent()).resolves.toBe('host key pinned');
    await expect(b.locator('.wb-connections-hostkey-pin').getAttribute('title')).resolves.toBe(ssh.fingerprint);
    await expect(b.locator('.wb-connections-credential').textContent()).resolves.toBe('Credential v1');

    // Rotating asks for a password or a private key.
    await b.locator('button.wb-connections-rotate').click();
    const dialog = page.locator('.jp-Dialog');
    const body = dialog.locator('.wb-connections-rotate[data-kind="sftp"]');
    await body.waitFor();
    await expect(dialog.locator('.jp-Dialog-header').textContent()).resolves.toBe('Rotate the credential of bank');
    await expect(body.locator('.wb-connections-rotate-password').isVisible()).resolves.toBe(true);
    await expect(body.locator('.wb-connections-rotate-private_key').isVisible()).resolves.toBe(false);
    await body.locator('.wb-connections-rotate-login').selectOption('private_key');
    await expect(body.locator('.wb-connections-rotate-password').isVisible()).resolves.toBe(false);
    await expect(body.locator('.wb-connections-rotate-private_key').evaluate((e) => e.tagName)).resolves.toBe('TEXTAREA');
    await body.locator('button.wb-connections-rotate-stage').click();
    await expect(body.locator('.wb-connections-rotate-error').textContent()).resolves.toBe('Paste the new private key.');
    await shotBoth('sftp-rotate');
    await dialog.locator('button.wb-connections-rotate-close').click();
    await dialog.waitFor({ state: 'detached' });

    // Edit: another key pinned; Test stops at the host key, before any login, and offers no one-click re-pin.
    await b.locator('button.wb-connections-edit').click();
    await form().waitFor();
    await expect(input('kind').isDisabled()).resolves.toBe(true);
    await expect(input('host_key_fingerprint').inputValue()).resolves.toBe(ssh.fingerprint);
    await expect(input('password').inputValue()).resolves.toBe('');
    const other = `SHA256:${createHash('sha256').update('another key').digest('base64').replace(/=+$/, '')}`;
    await fill({ host_key_fingerprint: other, password: 'not-accepted' });
    await testDraft();
    await expect(r.getAttribute('data-stage')).resolves.toBe('hostkey');
    await expect(r.locator('.wb-connections-stage').textContent()).resolves.toBe('Host key');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toMatch(new RegExp(`^Cannot trust 127\\.0\\.0\\.1:${ssh.port}: its host key is ${ssh.fingerprint.replace(/[+/]/g, '\\$&')}, not the pinned ${other.replace(/[+/]/g, '\\$&')};`));
    await expect(r.locator('.wb-connections-pinned').getAttribute('data-pin')).resolves.toBe('other');
    await expect(r.locator('button.wb-connections-pin').count()).resolves.toBe(0);
    await shot('sftp-hostkey-mismatch');
    await form().locator('button.wb-connections-form-cancel').click();
    await form().waitFor({ state: 'detached' });
  });

  it('adds Superset: the form names what is missing, a wrong password fails at Login, the right one finds the database', async () => {
    await addForm('superset');
    await expect(input('provider').inputValue()).resolves.toBe('db');
    await expect(input('provider').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).resolves.toEqual(['db', 'ldap']);
    await expect(input('password').getAttribute('type')).resolves.toBe('password');
    await fill({ name: 'bi', description: 'Where the close publishes gold', url: 'superset.local:8088' });
    await form().locator('button.wb-connections-form-test').click();
    await fieldError('url').waitFor();
    await expect(shownErrors()).resolves.toEqual({ url: 'URL must be an http:// or https:// URL.', username: 'User name is required.', database: 'Superset database is required.' });
    await expect(draftResult().isHidden()).resolves.toBe(true);
    expect(superset.requests).toEqual([]);
    await input('url').scrollIntoViewIfNeeded();
    await expectNoOverflow();
    await shot('superset-form-errors');

    await fill({ url: superset.url, username: 'publisher', database: 'serving', password: 'not-the-password' });
    await testDraft();
    const r = draftResult();
    await expect(r.getAttribute('data-state')).resolves.toBe('failed');
    await expect(r.getAttribute('data-stage')).resolves.toBe('auth');
    await expect(r.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Failed at Login');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(
      `Cannot log in to Superset at ${superset.url} as publisher: Superset answered 401 (the user name, password or provider db was not accepted)`,
    );

    superset.clearRequests();
    await fill({ password: SUPERSET_PASSWORD });
    await testDraft();
    await expect(r.getAttribute('data-state')).resolves.toBe('ok');
    await expect(r.locator('.wb-connections-result-verdict').textContent()).resolves.toBe('Connected');
    await expect(r.locator('.wb-connections-result-message').textContent()).resolves.toBe(`Logged in to Superset at ${superset.url} as publisher; database "serving" is id ${superset.databaseId('serving')}`);
    expect(superset.requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['POST /api/v1/security/login 200', 'GET /api/v1/database/ 200']);
    expect(superset.requests[0]!.body).toEqual({ username: 'publisher', password: SUPERSET_PASSWORD, provider: 'db', refresh: true });
    await expectNoOverflow();
    await shotBoth('superset-tested');

    await form().locator('button.wb-connections-form-save').click();
    const b = row('bi');
    await b.waitFor();
    await expect(b.getAttribute('data-kind')).resolves.toBe('superset');
    await expect(b.locator('.wb-connections-kind').textContent()).resolves.toBe('Superset');
    await expect(b.locator('.wb-connections-address').textContent()).resolves.toBe(superset.url);
    await expect(b.locator('.wb-connections-user').textContent()).resolves.toBe('as publisher');
    await expect(b.locator('.wb-connections-superset-database').textContent()).resolves.toBe('database serving');
    await expect(b.locator('.wb-connections-provider').count()).resolves.toBe(0);
    await expect(b.locator('.wb-connections-credential').textContent()).resolves.toBe('Password v1');
    await expect(b.locator('button.wb-connections-rotate').count()).resolves.toBe(1);
    await b.locator('button.wb-connections-test').click();
    await b.locator('.wb-connections-row-result[data-state="ok"]').waitFor();
    await expectNowhere(SUPERSET_PASSWORD);
  });

  it('lists every kind in name order, each with its own summary', async () => {
    await expect(panel().locator('li.wb-connections-item').evaluateAll((items) => items.map((i) => `${(i as HTMLElement).dataset.connection} ${(i as HTMLElement).dataset.kind} ${i.querySelector('.wb-connections-address')?.textContent}`))).resolves.toEqual([
      `bank sftp acme@127.0.0.1:.`,
      `bi superset ${superset.url}`,
      `exports s3 s3://finance-exports/close/2026/`,
      `ledger-api rest ${rest.url}/api`,
      `warehouse duckdb ${warehouse}`,
    ]);
    await panel().evaluate((p) => (p.scrollTop = 0));
    await expectNoOverflow();
    await shotBoth('list');
  });

  it("lists a connection of a kind it does not know read-only, and the rest as before", async () => {
    // A newer server's kind, added to the list answer on its way to the page.
    const future = { name: 'lake', kind: 'iceberg', description: 'A kind this panel does not know', settings: { catalog: 'https://lake.example' }, credential: { stored: true, version: 3, pending_version: null }, created: '2026-03-10T11:00:00.000Z', created_by: 'admin', updated: '2026-03-10T11:00:00.000Z', updated_by: 'admin' };
    const isList = (url: URL) => url.pathname.endsWith('/api/connections');
    await page.route(isList, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      const list = (await response.json()) as unknown[];
      await route.fulfill({ response, json: [...list, future] });
    });
    try {
      await panel().locator('button.wb-connections-refresh').click();
      const l = row('lake');
      await l.waitFor();
      await expect(panel().getAttribute('data-wb-connections-state')).resolves.toBe('ready');
      await expect(panel().locator('li.wb-connections-item').evaluateAll((items) => items.map((i) => `${(i as HTMLElement).dataset.connection}:${(i as HTMLElement).dataset.supported}`))).resolves.toEqual([
        'bank:true',
        'bi:true',
        'exports:true',
        'lake:false',
        'ledger-api:true',
        'warehouse:true',
      ]);
      await expect(l.getAttribute('data-kind')).resolves.toBe('iceberg');
      await expect(l.locator('.wb-connections-kind').textContent()).resolves.toBe('iceberg');
      await expect(l.locator('.wb-connections-unsupported').textContent()).resolves.toBe('Unsupported kind "iceberg" in this version of the panel: manage it through the API.');
      await expect(l.locator('.wb-connections-credential').textContent()).resolves.toBe('Credential v3');
      await expect(l.locator('button').count()).resolves.toBe(0);
      await expect(l.locator('.wb-connections-address').count()).resolves.toBe(0);
      await l.scrollIntoViewIfNeeded();
      await expectNoOverflow();
      await shotBoth('unsupported-kind');
    } finally {
      await page.unroute(isList);
    }
    await panel().locator('button.wb-connections-refresh').click();
    await row('lake').waitFor({ state: 'detached' });
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    expect(log.unexpected()).toEqual([]);
    expect(expected).toEqual([]);
  });
});
