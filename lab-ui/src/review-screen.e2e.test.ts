/**
 * The review queue (@workbench/review-extension) in Chromium against the
 * real `workbench` CLI: tesseract reads the bill, the review rules and the
 * four-eyes rule decide, and an approved bill is posted through an `odoo`
 * connection to the project's Odoo API simulator (Odoo itself cannot run
 * here) over a generated demo ledger in PostgreSQL.
 *
 * The bill is drawn in the same Chromium: a vendor bill from a supplier of
 * the demo ledger (its name and VAT number, so it matches in Odoo), in the
 * company's currency at its 21% purchase tax, with a coffee stain over the
 * total, which tesseract misreads with low confidence (the bill waits for
 * review: the total contradicts subtotal + tax).
 *
 * Alice and Bob are analysts signing in with SSO (a real OpenID Provider
 * in this process); the operator (the printed URL's token, an admin) makes
 * the connection. Alice's upload of a file that is no document is refused
 * with the server's message; she uploads the bill, opens it from the
 * queue, sees the page with the fields' boxes, corrects the total, saves,
 * and sees beside Approve that the four-eyes rule leaves the approval to
 * someone else (Approve is disabled; against a server that does not say,
 * her click is refused by the server's 403, shown in a banner). Bob opens
 * it from a link (/lab?document=<id>) and approves it: it is posted, the
 * page shows the Odoo record, and the simulator's database holds exactly
 * that one vendor bill with the corrected total.
 *
 * A bill from a vendor Odoo does not know (a made-up name and VAT number)
 * waits with "No Odoo vendor matches …"; Alice searches Odoo's partners by
 * a demo supplier's name in the vendor picker, moves to it with the arrow
 * keys and takes it with Enter (`POST .../correct {partner_id, version}`);
 * Bob approves it and it is posted to that partner, once.
 * Screenshots at 1024 px, light and dark, go to
 * test-artifacts/lab/review-*.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestOidcProvider, type TestOidcProvider } from '@workbench/auth/testing/oidc-provider';
import { generateOdooDemo } from '@workbench/odoo';
import { OdooApiSimulator } from '@workbench/odoo/testing';
import { testDatabases } from '@workbench/store/testing';
import { launchChromium, startWorkbenchProcess, VIEWPORT, type WorkbenchProcess } from './testing/lab-session';
import { ARTIFACTS, horizontalOverflow, ProblemLog, screenshots } from './testing/screen-test';

jest.setTimeout(180_000);

const VIEW = VIEWPORT.width === 1024 ? VIEWPORT : { width: 1024, height: 768 };
const CLIENT_SECRET = 'browser-oidc-secret-0123456789';
const ROBOT = { login: 'ap-robot', password: 'robot-key-0123456789' };

interface Bill {
  vendor: string;
  vat: string;
  number: string;
  date: string;
  due: string;
  lines: { description: string; quantity: string; unit_price: string; amount: string }[];
  subtotal: string;
  tax: string;
  total: string;
  currency: string;
  /** The VAT rate printed (%). */
  rate: number;
  /** A coffee stain over the total. */
  stain: boolean;
}

/** The bill as a page: what a supplier's invoice PDF looks like, the total under a coffee stain when `stain`. */
function billHtml(b: Bill): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = b.lines.map((l) => `<tr><td>${esc(l.description)}</td><td class="n">${l.quantity}</td><td class="n">${l.unit_price}</td><td class="n">${l.amount}</td></tr>`).join('');
  return `<!doctype html><html><head><style>
    body { margin: 0; background: #fff; font-family: 'DejaVu Sans', Arial, sans-serif; color: #111; }
    .page { width: 720px; padding: 48px 56px; box-sizing: border-box; background: #fff; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    .muted { color: #333; font-size: 14px; line-height: 1.5; }
    .meta { margin: 28px 0 20px; font-size: 15px; line-height: 1.7; display: flex; justify-content: space-between; }
    table { width: 100%; border-collapse: collapse; font-size: 15px; margin-top: 12px; }
    th, td { padding: 6px 4px; border-bottom: 1px solid #bbb; text-align: left; }
    .n { text-align: right; }
    .totals { margin: 18px 0 0 auto; width: 320px; font-size: 15px; line-height: 1.8; }
    .totals div { display: flex; justify-content: space-between; }
    .grand { position: relative; font-weight: bold; font-size: 17px; }
    .smudged { filter: blur(1.5px); }
    .stain { position: absolute; right: -6px; top: 2px; width: 92px; height: 24px; border-radius: 40% 55% 45% 60%; filter: blur(1.5px);
      background: radial-gradient(ellipse at 40% 50%, rgba(110, 80, 40, 0.8), rgba(120, 90, 50, 0.55) 55%, rgba(130, 100, 60, 0) 75%); }
  </style></head><body><div class="page">
    <h1>${esc(b.vendor)}</h1>
    <div class="muted">Hauptstrasse 12, 10115 Berlin<br>VAT No: ${b.vat}</div>
    <div class="meta"><div>Bill to:<br>Workbench Europe SA<br>Rue de la Loi 42, Brussels</div>
      <div>Invoice No: ${b.number}<br>Invoice Date: ${b.date}<br>Due Date: ${b.due}</div></div>
    <table><thead><tr><th>Description</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead><tbody>${rows}</tbody></table>
    <div class="totals"><div><span>Subtotal</span><span>${b.subtotal}</span></div><div><span>VAT ${b.rate}%</span><span>${b.tax}</span></div>
      <div class="grand"><span>Total ${b.currency}</span>${b.stain ? `<span class="smudged">${b.total}</span><span class="stain"></span>` : `<span>${b.total}</span>`}</div></div>
  </div></body></html>`;
}

/** The bill as a PNG (about 190 dpi, like a scan), drawn by `browser`. */
async function renderBill(browser: Browser, b: Bill): Promise<Buffer> {
  const ctx = await browser.newContext({ deviceScaleFactor: 2, viewport: { width: 720, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.setContent(billHtml(b), { waitUntil: 'load' });
    return await page.locator('.page').screenshot({ type: 'png' });
  } finally {
    await ctx.close();
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const databases = testDatabases('postgres');
let op: TestOidcProvider;
let sim: OdooApiSimulator;
let ledger: Client;
let wb: WorkbenchProcess;
let browser: Browser;
let aliceContext: BrowserContext;
let bobContext: BrowserContext;
let alice: Page;
let bob: Page;
let bill: Bill;
let billPng: Buffer;
let partnerId: number;
let documentId: string;
let corrected: Record<string, string>;
/** A supplier the bill from an unknown vendor goes to, chosen by name in the picker. */
let chosenPartner: { id: number; name: string; vat: string };
let strangerBill: Bill;
let strangerId: string;

const log = new ProblemLog([
  /^\w+ console warning: The kernel manager does not support the kernelInfoTimeout property\. /,
  // Analysts may not use terminals, so the page says there are none.
  /^\w+ console warning: Disabling terminals plugin because they are not available on the server /,
]);
const { expected, benign } = log;
const { shot, shotBoth } = screenshots('review');

async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${wb.baseUrl}${path}`, { ...init, headers: { Authorization: `token ${wb.token}`, 'Content-Type': 'application/json', ...init.headers } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface ApiDocument {
  id: string;
  status: string;
  version: number;
  fields: Record<string, { value: string | null; confidence: number; box?: { page: number; x: number; y: number; w: number; h: number } }>;
  pageSizes: { page: number; width: number; height: number }[];
  vendorMatch: { partnerId: number; method: string } | null;
  odoo: { model: string; id: number } | null;
  posting: { key: string } | null;
  total: string | null;
  reviewReasons: string[];
  fourEyes: { limit: string; applies: boolean; excluded: string[] } | null;
}

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

/** The document's page in `page`, once loaded. */
async function documentPage(page: Page, status?: string, id = documentId): Promise<Locator> {
  const root = page.locator(`.wb-review-document[data-document-id="${id}"][data-wb-review-state="ready"]${status ? `[data-status="${status}"]` : ''}`);
  await root.waitFor({ timeout: 60_000 });
  return root;
}

/** Brings the queue's tab to the front. */
async function showQueue(page: Page): Promise<Locator> {
  await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Review Queue' }).click();
  const queue = page.locator('.wb-review-queue');
  await queue.waitFor();
  return queue;
}

/** Uploads `png` as `name` from the queue's Upload button; answers the new document's id. */
async function uploadAs(page: Page, name: string, png: Buffer): Promise<string> {
  const queue = await showQueue(page);
  const uploaded = page.waitForResponse((r) => r.url().includes(`/api/documents?filename=${encodeURIComponent(name)}`) && r.request().method() === 'POST');
  const chooser = page.waitForEvent('filechooser');
  await queue.locator('button.wb-review-upload').click();
  await (await chooser).setFiles({ name, mimeType: 'image/png', buffer: png });
  const answer = await uploaded;
  expect(answer.status()).toBe(201);
  return ((await answer.json()) as { document: { id: string } }).document.id;
}

/** Closes the left side bar (the file browser), as a reviewer wanting room does. */
async function collapseLeftArea(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('application:toggle-left-area'));
  await page.locator('#jp-left-stack').waitFor({ state: 'hidden' });
}

async function expectNoOverflow(page: Page, selector: string): Promise<void> {
  expect(await horizontalOverflow(page, { screen: selector })).toEqual({ page: 0, screen: 0 });
}

beforeAll(async () => {
  expect(VIEW.width).toBe(1024);
  const db = await databases.create();
  await generateOdooDemo({ connection: db.url!, lines: 1500, seed: 7, year: 2025 });
  sim = await OdooApiSimulator.start({ connection: db.url!, users: [{ ...ROBOT, adviser: false }] });
  ledger = new Client({ connectionString: db.url! });
  await ledger.connect();
  // The company whose purchase tax is 21% (EUR), and a supplier of it with a VAT number.
  const companyId = (await ledger.query<{ company_id: number }>(`SELECT company_id FROM account_tax WHERE type_tax_use = 'purchase' AND amount = 21 ORDER BY company_id LIMIT 1`)).rows[0]!.company_id;
  const partner = (await ledger.query<{ id: number; name: string; vat: string }>(`SELECT id, name, vat FROM res_partner WHERE supplier_rank > 0 AND vat LIKE 'EU%' AND (company_id IS NULL OR company_id = $1) ORDER BY id LIMIT 1`, [companyId])).rows[0]!;
  partnerId = partner.id;
  // Another supplier, whose name's first word a few other partners' names share (the picker lists them all).
  chosenPartner = (
    await ledger.query<{ id: number; name: string; vat: string }>(
      `SELECT id, name, vat FROM (
         SELECT p.id, p.name, p.vat, (SELECT count(*) FROM res_partner q WHERE q.name ILIKE '%' || split_part(p.name, ' ', 1) || '%') AS sharing
         FROM res_partner p WHERE p.supplier_rank > 0 AND p.vat LIKE 'EU%' AND (p.company_id IS NULL OR p.company_id = $1) AND p.id <> $2) c
       ORDER BY sharing BETWEEN 3 AND 8 DESC, id DESC LIMIT 1`,
      [companyId, partner.id],
    )
  ).rows[0]!;
  const issued = Date.now() - 14 * 86_400_000;
  bill = {
    vendor: partner.name,
    vat: partner.vat,
    number: 'DT-2026-0417',
    date: isoDay(issued),
    due: isoDay(issued + 30 * 86_400_000),
    lines: [
      { description: 'Fibre line 1 Gbit/s, monthly', quantity: '1', unit_price: '890.00', amount: '890.00' },
      { description: 'Static IP addresses', quantity: '4', unit_price: '12.50', amount: '50.00' },
      { description: 'Router rental', quantity: '2', unit_price: '25.00', amount: '50.00' },
    ],
    subtotal: '990.00',
    tax: '207.90',
    total: '1197.90',
    currency: 'EUR',
    rate: 21,
    stain: true,
  };
  op = await startTestOidcProvider({
    users: [
      { username: 'alice', password: 'alice-pw', name: 'Alice Archer', email: 'alice@example.com', groups: ['finance-analysts'] },
      { username: 'bob', password: 'bob-pw', name: 'Bob Baker', email: 'bob@example.com', groups: ['finance-analysts'] },
    ],
    clients: [{ clientId: 'workbench', clientSecret: CLIENT_SECRET, applicationType: 'native', redirectUris: ['http://127.0.0.1/auth/oidc/callback'], postLogoutRedirectUris: ['http://127.0.0.1/login'] }],
  });
  wb = await startWorkbenchProcess(
    {
      lab: { expose_app_in_browser: true },
      auth: { oidc: { issuer: op.issuer, client_id: 'workbench', client_secret: CLIENT_SECRET, role_mapping: { 'finance-analysts': ['analyst'] } } },
      documents: { odoo_connection: 'erp', four_eyes: { '*': '100' } },
    },
    undefined,
    { tempHome: true },
  );
  await apiJson('api/connections', {
    method: 'POST',
    body: JSON.stringify({ name: 'erp', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: ROBOT.login, company_id: companyId }, credential: { api_key: ROBOT.password } }),
  });
  browser = await launchChromium();
  billPng = await renderBill(browser, bill);
  writeFileSync(join(ARTIFACTS, 'review-bill.png'), billPng);
  aliceContext = await browser.newContext({ viewport: VIEW });
  bobContext = await browser.newContext({ viewport: VIEW });
  alice = await aliceContext.newPage();
  bob = await bobContext.newPage();
  log.watch(alice, 'alice');
  log.watch(bob, 'bob');
}, 150_000);

afterAll(async () => {
  log.write('review-problems.txt');
  writeFileSync(join(ARTIFACTS, 'review-server.log'), wb?.output() ?? '');
  await browser?.close();
  await wb?.[Symbol.asyncDispose]();
  await op?.stop();
  await ledger?.end();
  await sim?.[Symbol.asyncDispose]();
  await databases[Symbol.asyncDispose]();
});

describe('the review queue', () => {
  it('alice opens the queue from the launcher; a file that is no document is refused with the server’s message', async () => {
    await signIn(alice, 'alice', 'alice-pw');
    await shot(alice, 'launcher');
    await alice.locator('.jp-LauncherCard[data-category="Workbench"]:visible', { hasText: 'Review Queue' }).click();
    const queue = alice.locator('.wb-review-queue[data-wb-review-state="empty"][data-tab="review"]');
    await queue.waitFor();
    await expect(queue.locator('button.wb-review-tab').evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-tab'), b.getAttribute('aria-selected')]))).resolves.toEqual([
      ['review', 'true'],
      ['failed', 'false'],
      ['posted', 'false'],
      ['all', 'false'],
    ]);
    expected.push(/^alice HTTP 415 POST .*\/api\/documents\?filename=notes\.pdf$/, /^alice console error: Failed to load resource: the server responded with a status of 415 \(Unsupported Media Type\) \(.*\/api\/documents\?filename=notes\.pdf\)$/);
    const refused = alice.waitForResponse((r) => r.url().includes('/api/documents?filename=notes.pdf'));
    const chooser = alice.waitForEvent('filechooser');
    await queue.locator('button.wb-review-upload').click();
    await (await chooser).setFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Meeting notes, not an invoice.\n') });
    expect((await refused).status()).toBe(415);
    const message = queue.locator('.wb-review-queue-message.wb-error-box[role="alert"]');
    await message.waitFor();
    await expect(message.textContent()).resolves.toBe('Cannot accept the file: it is not a PDF, PNG, JPEG or TIFF (by its content)');
    await expectNoOverflow(alice, '.wb-review-queue');
    await shot(alice, 'queue-refused');
  });

  it('alice uploads the stained bill: it is read, waits for review with a low-confidence total, and shows in the queue', async () => {
    const queue = alice.locator('.wb-review-queue');
    documentId = await uploadAs(alice, 'delta-telecom-invoice.png', billPng);
    await queue.locator(`.wb-review-queue-message[data-state="ok"] button.wb-review-open-uploaded[data-document-id="${documentId}"]`).waitFor();

    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}?wait=read&timeout_s=60`);
    expect(doc.status).toBe('needs_review');
    expect(doc.vendorMatch).toMatchObject({ partnerId, method: 'vat' });
    const truth: Record<string, string> = { vendor: bill.vendor, vendor_vat: bill.vat, invoice_number: bill.number, invoice_date: bill.date, due_date: bill.due, currency: bill.currency, subtotal: bill.subtotal, tax: bill.tax, total: bill.total };
    corrected = Object.fromEntries(Object.entries(truth).filter(([k, v]) => doc.fields[k]!.value !== v));
    // The stain: the total is misread, with low confidence.
    expect(Object.keys(corrected)).toContain('total');
    expect(doc.fields.total!.confidence).toBeLessThan(0.85);

    // The queue's poll brings the row to needs_review.
    const row = queue.locator(`tr.wb-review-row[data-document-id="${documentId}"][data-status="needs_review"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect(row.locator('.wb-review-cell-vendor .wb-review-cut').textContent()).resolves.toBe(bill.vendor);
    await expect(row.locator('.wb-review-cell-number').textContent()).resolves.toBe(bill.number);
    await expect(row.locator('.wb-review-cell-confidence .wb-review-confidence').getAttribute('data-level')).resolves.toBe('low');
    await expect(row.locator('.wb-review-cell-why').textContent()).resolves.toMatch(/\S/);
    await expect(queue.locator('button.wb-review-tab[data-tab="review"] .wb-review-tab-count').textContent()).resolves.toBe('1');
    await expectNoOverflow(alice, '.wb-review-queue');
    await shotBoth(alice, 'queue');
  });

  it('alice opens it: the page image with every field’s box, scaled to the image; a focused field lights up its box', async () => {
    await alice.locator(`tr.wb-review-row[data-document-id="${documentId}"] .wb-review-cell-vendor`).click();
    const page = await documentPage(alice, 'needs_review');
    await page.locator('figure.wb-review-page[data-page="1"][data-state="ready"]').waitFor();
    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}`);
    const boxed = Object.entries(doc.fields).filter(([, f]) => f.box).map(([k]) => `field:${k}`);
    expect(boxed).toContain('field:total');
    await expect(page.locator('.wb-review-box[data-key^="field:"]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-key')))).resolves.toEqual(boxed);
    // The total's box sits on the total as displayed: its image pixels scaled to the image's width (6 px of padding each side).
    const img = (await page.locator('img.wb-review-page-image').boundingBox())!;
    const box = (await page.locator('.wb-review-box[data-key="field:total"]').boundingBox())!;
    const size = doc.pageSizes[0]!;
    const t = doc.fields.total!.box!;
    const k = img.width / size.width;
    expect(Math.abs(box.x - (img.x + (t.x - 6) * k))).toBeLessThan(1.5);
    expect(Math.abs(box.y - (img.y + (t.y - 6) * k))).toBeLessThan(1.5);
    expect(Math.abs(box.width - (t.w + 12) * k)).toBeLessThan(1.5);
    await expect(page.locator('.wb-review-box[data-key="field:total"]').getAttribute('data-low')).resolves.toBe('true');
    await expect(page.locator('.wb-review-field[data-field="total"]').getAttribute('data-low')).resolves.toBe('true');
    await expect(page.locator('.wb-review-field[data-field="total"] .wb-review-low-word').textContent()).resolves.toBe('low');
    await expect(page.locator('.wb-review-vendor').getAttribute('data-method')).resolves.toBe('vat');
    await expect(page.locator('ul.wb-review-issues li[data-severity="error"][data-field="total"]').count()).resolves.toBe(1);
    await expect(page.locator('ol.wb-review-history li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-action')))).resolves.toEqual(['received', 'extracting', 'extracted']);

    // The pointer away from the page (it would light up what it is over).
    await alice.mouse.move(0, 0);
    await page.locator('input.wb-review-input[data-field="total"]').focus();
    await page.locator('.wb-review-box[data-key="field:total"][data-active="true"]').waitFor();
    await expect(page.locator('.wb-review-field[data-field="total"]').getAttribute('data-active')).resolves.toBe('true');
    await expectNoOverflow(alice, `.wb-review-document[data-document-id="${documentId}"]`);
    await shotBoth(alice, 'document');
    // And back: the pointer on a box lights up its field.
    await page.locator('.wb-review-box[data-key="field:invoice_number"]').hover();
    await expect(page.locator('.wb-review-field[data-field="invoice_number"]').getAttribute('data-active')).resolves.toBe('true');
  });

  it('alice corrects the total and saves: only the changed fields go, with the version she loaded', async () => {
    const page = await documentPage(alice, 'needs_review');
    const { document: before } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}`);
    for (const [name, value] of Object.entries(corrected)) await page.locator(`input.wb-review-input[data-field="${name}"]`).fill(value);
    await expect(page.getAttribute('data-dirty')).resolves.toBe('true');
    await expect(page.locator('.wb-review-field[data-field="total"]').getAttribute('data-changed')).resolves.toBe('true');
    await expect(page.locator('button.wb-review-approve').isDisabled()).resolves.toBe(true);
    await expect(page.locator('.wb-review-dirty-note').textContent()).resolves.toBe('Unsaved corrections: save them before approving.');
    await shot(alice, 'document-corrected');

    const saved = alice.waitForResponse((r) => r.url().endsWith(`/api/documents/${documentId}/correct`));
    await page.locator('button.wb-review-save').click();
    const answer = await saved;
    expect(answer.status()).toBe(200);
    expect(answer.request().postDataJSON()).toEqual({ fields: corrected, version: before.version });
    await page.locator('.wb-review-banner[data-kind="ok"]').waitFor();
    await expect(page.getAttribute('data-dirty')).resolves.toBe('false');
    await expect(page.locator('.wb-review-field[data-field="total"] .wb-review-corrected').textContent()).resolves.toBe('corrected');
    await expect(page.locator('input.wb-review-input[data-field="total"]').inputValue()).resolves.toBe(bill.total);
    await expect(page.locator('ul.wb-review-issues li[data-severity="error"]').count()).resolves.toBe(0);
    await page.locator('ol.wb-review-history li[data-action="corrected"]').waitFor();
    await expect(page.locator('ol.wb-review-history li[data-action="corrected"] .wb-review-history-text').textContent()).resolves.toContain(`Total: “${before.fields.total!.value}” → “${bill.total}”`);
  });

  it('alice sees beside Approve that the four-eyes rule leaves it to another reviewer; Approve is disabled for her', async () => {
    const page = await documentPage(alice, 'needs_review');
    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}`);
    expect(doc.fourEyes).toEqual({ limit: '100', applies: true, excluded: ['alice'] });
    const note = page.locator('.wb-review-four-eyes-note');
    await note.waitFor();
    await expect(note.locator('.wb-review-four-eyes-text').textContent()).resolves.toBe('At or over 100.00 EUR: another reviewer must approve (you uploaded and corrected it)');
    const approve = page.locator('button.wb-review-approve');
    // Disabled, but in the tab order with the reason as its description.
    await expect(approve.evaluate((b) => [b.getAttribute('aria-disabled'), (b as HTMLButtonElement).disabled, b.getAttribute('aria-describedby') === b.closest('.wb-review-document')!.querySelector('.wb-review-four-eyes-note')!.id])).resolves.toEqual(['true', false, true]);
    // Enter and a click on it send nothing: every request of the page until the reload asked for below is recorded.
    const sent: string[] = [];
    const record = (r: { url(): string; method(): string }) => r.url().includes(`/api/documents/${documentId}`) && sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    alice.on('request', record);
    await approve.focus();
    await alice.keyboard.press('Enter');
    // A real click on it (Playwright waits for buttons it takes for enabled otherwise).
    await approve.click({ force: true });
    await expectNoOverflow(alice, `.wb-review-document[data-document-id="${documentId}"]`);
    await shotBoth(alice, 'four-eyes');
    const reloaded = alice.waitForResponse(new RegExp(`/api/documents/${documentId}$`));
    await alice.locator('.jp-MainAreaWidget:visible .wb-review-reload').click();
    await reloaded;
    alice.off('request', record);
    expect(sent.filter((r) => r.startsWith('POST'))).toEqual([]);
    // The banner still tells of the save: no approval was tried.
    await expect(page.locator('.wb-review-banner').getAttribute('data-kind')).resolves.toBe('ok');
  });

  it('against a server that does not say (no fourEyes), her approval is refused by its 403, said in a banner; the document still waits', async () => {
    const page = await documentPage(alice, 'needs_review');
    const url = new RegExp(`/api/documents/${documentId}$`);
    await alice.route(url, async (route) => {
      const response = await route.fetch();
      const json = (await response.json()) as { document: Record<string, unknown> };
      delete json.document.fourEyes;
      await route.fulfill({ response, json });
    });
    try {
      const reloaded = alice.waitForResponse(url);
      await alice.locator('.jp-MainAreaWidget:visible .wb-review-reload').click();
      await reloaded;
      await page.locator('button.wb-review-approve[aria-disabled="false"]').waitFor();
      await expect(page.locator('.wb-review-four-eyes-note').isHidden()).resolves.toBe(true);
      expected.push(
        new RegExp(`^alice HTTP 403 POST .*/api/documents/${documentId}/approve$`),
        new RegExp(`^alice console error: Failed to load resource: the server responded with a status of 403 \\(Forbidden\\) \\(.*/api/documents/${documentId}/approve\\)$`),
      );
      const refused = alice.waitForResponse((r) => r.url().endsWith(`/api/documents/${documentId}/approve`));
      await page.locator('button.wb-review-approve').click();
      expect((await refused).status()).toBe(403);
      const banner = page.locator('.wb-review-banner[data-kind="four_eyes"][role="alert"]');
      await banner.waitFor();
      await expect(banner.locator('.wb-review-banner-title').textContent()).resolves.toBe('Four-eyes rule: another reviewer must approve');
      await expect(banner.locator('.wb-review-banner-text').textContent()).resolves.toMatch(
        new RegExp(`^Cannot approve document ${documentId}: four-eyes rule: 1197\\.90 EUR is at or over the limit of 100 EUR, and you uploaded it; another reviewer must approve it$`),
      );
      const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}`);
      expect(doc.status).toBe('needs_review');
      await expect(page.getAttribute('data-status')).resolves.toBe('needs_review');
      await expectNoOverflow(alice, `.wb-review-document[data-document-id="${documentId}"]`);
      await shot(alice, 'four-eyes-refused');
    } finally {
      await alice.unroute(url);
    }
    // The server's own answer again: the note is back.
    await alice.locator('.jp-MainAreaWidget:visible .wb-review-reload').click();
    await page.locator('button.wb-review-approve[aria-disabled="true"]').waitFor();
  });

  it('bob opens it from a link and approves it: posted once to Odoo, the page shows the record', async () => {
    await signIn(bob, 'bob', 'bob-pw');
    await bob.goto(`${wb.baseUrl}lab?document=${documentId}`);
    const page = await documentPage(bob, 'needs_review');
    // The link is tidied away once followed.
    await expect(bob.evaluate(() => new URLSearchParams(window.location.search).has('document'))).resolves.toBe(false);
    const approved = bob.waitForResponse((r) => r.url().endsWith(`/api/documents/${documentId}/approve`));
    await page.locator('button.wb-review-approve').click();
    expect((await approved).status()).toBe(200);
    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${documentId}?wait=settled&timeout_s=60`);
    expect([doc.status, doc.total]).toEqual(['posted', bill.total]);
    const odooId = doc.odoo!.id;

    const posted = await documentPage(bob, 'posted');
    await expect(posted.locator('.wb-review-doc-status .wb-review-status').textContent()).resolves.toBe('Posted');
    await expect(posted.locator('.wb-review-doc-odoo .wb-review-odoo-record').textContent()).resolves.toBe(`account.move ${odooId}`);
    await expect(posted.locator('.wb-review-posting-key').textContent()).resolves.toBe(doc.posting!.key);
    await expect(posted.locator('.wb-review-banner[data-kind="ok"] .wb-review-banner-text').textContent()).resolves.toBe(`Posted to Odoo as account.move ${odooId}.`);
    await expect(posted.locator('ol.wb-review-history li').evaluateAll((ls) => ls.map((l) => `${l.getAttribute('data-action')} ${l.querySelector('.wb-review-history-actor')?.textContent}`))).resolves.toEqual([
      'received alice',
      'extracting system',
      'extracted system',
      'corrected alice',
      'approved bob',
      'posting system',
      'posted system',
    ]);
    await expect(posted.locator('button.wb-review-approve').isHidden()).resolves.toBe(true);
    await expect(posted.locator('input.wb-review-input[data-field="total"]').evaluate((i) => (i as HTMLInputElement).readOnly)).resolves.toBe(true);

    // Exactly one vendor bill in Odoo with that id and that key, with the corrected total.
    const { rows } = await ledger.query<{ id: number; move_type: string; partner_id: number; ref: string; total: string }>(
      `SELECT id, move_type, partner_id, ref, amount_total::numeric(16,2)::text AS total FROM account_move WHERE id = $1 OR narration LIKE $2`,
      [odooId, `%${doc.posting!.key}%`],
    );
    expect(rows).toEqual([{ id: odooId, move_type: 'in_invoice', partner_id: partnerId, ref: bill.number, total: bill.total }]);
    await expectNoOverflow(bob, `.wb-review-document[data-document-id="${documentId}"]`);
    await shotBoth(bob, 'posted');
    // With the side bar closed the page has the whole window's width.
    await collapseLeftArea(bob);
    await expectNoOverflow(bob, `.wb-review-document[data-document-id="${documentId}"]`);
    await shotBoth(bob, 'posted-wide');
  });

  it('the queue’s Posted tab lists it with its Odoo record', async () => {
    const queue = await showQueue(alice);
    await queue.locator('button.wb-review-tab[data-tab="posted"]').click();
    const row = queue.locator(`tr.wb-review-row[data-document-id="${documentId}"][data-status="posted"]`);
    await row.waitFor();
    await expect(row.locator('.wb-review-cell-total .wb-review-amount').textContent()).resolves.toBe('1,197.90 EUR');
    await expect(row.locator('.wb-review-cell-why').textContent()).resolves.toMatch(/^account\.move \d+$/);
    await expectNoOverflow(alice, '.wb-review-queue');
    await shotBoth(alice, 'queue-posted');
  });

  it('a clean copy of the posted bill shows its possible duplicates; alice rejects it, giving a reason', async () => {
    const queue = alice.locator('.wb-review-queue');
    const id = await uploadAs(alice, 'delta-telecom-invoice-copy.png', await renderBill(browser, { ...bill, stain: false }));
    const { document: doc } = await apiJson<{ document: ApiDocument & { duplicates: { reason: string; documentId?: string }[] } }>(`api/documents/${id}?wait=read&timeout_s=60`);
    expect(doc.status).toBe('needs_review');
    expect(doc.duplicates).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'same_partner_and_ref', documentId })]));
    await queue.locator(`button.wb-review-open-uploaded[data-document-id="${id}"]`).click();
    const page = await documentPage(alice, 'needs_review', id);
    await expect(page.locator(`ul.wb-review-duplicates li[data-reason="same_partner_and_ref"] button.wb-review-open-duplicate[data-document-id="${documentId}"]`).count()).resolves.toBe(1);
    await page.locator('button.wb-review-reject').click();
    const form = alice.locator('.jp-Dialog .wb-review-reject-form');
    await alice.locator('.jp-Dialog button.wb-review-reject-confirm').click();
    await form.locator('textarea.wb-review-reject-reason[aria-invalid="true"]').waitFor();
    await expect(form.locator('.wb-review-field-error[data-field="reason"]').textContent()).resolves.toBe('Say why the document is rejected.');
    await form.locator('textarea.wb-review-reject-reason').fill('Duplicate of DT-2026-0417, already posted');
    await expect(form.locator('.wb-review-field-error[data-field="reason"]').textContent()).resolves.toBe('');
    await shotBoth(alice, 'reject-dialog');
    const rejected = alice.waitForResponse((r) => r.url().endsWith(`/api/documents/${id}/reject`));
    await alice.locator('.jp-Dialog button.wb-review-reject-confirm').click();
    expect((await rejected).status()).toBe(200);
    await alice.locator('.jp-Dialog').waitFor({ state: 'detached' });
    const done = await documentPage(alice, 'rejected', id);
    await expect(done.locator('.wb-review-doc-odoo').textContent()).resolves.toBe('Rejected: Duplicate of DT-2026-0417, already posted');
    // The history comes with the reload that follows the answer.
    await done.locator('ol.wb-review-history li[data-action="rejected"]').waitFor();
    await expect(done.locator('ol.wb-review-history li').last().getAttribute('data-action')).resolves.toBe('rejected');
    await expect(done.locator('button.wb-review-reject').isHidden()).resolves.toBe(true);
  });

  it('a bill at a VAT rate Odoo has no tax for fails to post: the dead-letter tab says why, Replay all tries again', async () => {
    const small: Bill = { ...bill, number: 'DT-2026-0502', lines: [{ description: 'SIM cards, data plan', quantity: '2', unit_price: '25.00', amount: '50.00' }], subtotal: '50.00', tax: '9.50', total: '59.50', rate: 19, stain: false };
    const id = await uploadAs(alice, 'delta-telecom-sim.png', await renderBill(browser, small));
    expect((await apiJson<{ document: ApiDocument }>(`api/documents/${id}?wait=read&timeout_s=60`)).document.status).toBe('needs_review');
    await alice.locator(`.wb-review-queue button.wb-review-open-uploaded[data-document-id="${id}"]`).click();
    const page = await documentPage(alice, 'needs_review', id);
    // Under the four-eyes limit: the uploader may approve it.
    const approved = alice.waitForResponse((r) => r.url().endsWith(`/api/documents/${id}/approve`));
    await page.locator('button.wb-review-approve').click();
    expect((await approved).status()).toBe(200);
    const { document: failed } = await apiJson<{ document: ApiDocument & { error: string } }>(`api/documents/${id}?wait=settled&timeout_s=60`);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^Cannot post the document: no purchase tax in Odoo gives 9\.50 on 50\.00/);
    const shown = await documentPage(alice, 'failed', id);
    await expect(shown.locator('.wb-review-banner[data-kind="error"] .wb-review-banner-text').textContent()).resolves.toBe(`Posting failed: ${failed.error}. Replay posts it again.`);
    await expect(shown.locator('button.wb-review-replay').isVisible()).resolves.toBe(true);
    await expect(shown.locator('.wb-review-posting-error').textContent()).resolves.toBe(failed.error);

    const queue = await showQueue(alice);
    await queue.locator('button.wb-review-tab[data-tab="failed"]').click();
    const row = queue.locator(`tr.wb-review-row[data-document-id="${id}"][data-status="failed"]`);
    await row.waitFor();
    await expect(row.locator('.wb-review-failed-kind').textContent()).resolves.toBe('Posting failed');
    await expect(queue.locator('button.wb-review-tab[data-tab="failed"] .wb-review-tab-count').textContent()).resolves.toBe('1');
    await expect(row.locator('.wb-review-why-error').first().textContent()).resolves.toBe(failed.error);
    await expectNoOverflow(alice, '.wb-review-queue');
    await shotBoth(alice, 'dead-letters');
    const replayed = alice.waitForResponse((r) => r.url().endsWith('/api/documents/replay'));
    await queue.locator('button.wb-review-replay-all').click();
    expect(await (await replayed).json()).toEqual({ replayed: [id], skipped: [] });
    await queue.locator('.wb-review-queue-message[data-state="ok"]', { hasText: /^Replayed 1, skipped 0\.$/ }).waitFor();
    const again = (await apiJson<{ document: ApiDocument & { posting: { attempts: number } } }>(`api/documents/${id}?wait=settled&timeout_s=60`)).document;
    expect([again.status, again.posting.attempts]).toEqual(['failed', 2]);
    // The queue's poll brings it back to the dead letters.
    await row.waitFor({ timeout: 15_000 });
    await shot(alice, 'dead-letters-replayed');
  });

  it('a bill from a vendor Odoo does not know waits with “No Odoo vendor matches”; alice finds the partner by name and takes it with the keyboard', async () => {
    strangerBill = {
      ...bill,
      vendor: 'Zyxwvut Unheard Of Supplies',
      vat: 'EU000000017',
      number: 'ZU-2026-0117',
      lines: [{ description: 'Ergonomic office chairs', quantity: '2', unit_price: '240.00', amount: '480.00' }],
      subtotal: '480.00',
      tax: '100.80',
      total: '580.80',
      stain: false,
    };
    expect((await ledger.query(`SELECT id FROM res_partner WHERE vat = $1`, [strangerBill.vat])).rows).toEqual([]);
    strangerId = await uploadAs(alice, 'zyxwvut-invoice.png', await renderBill(browser, strangerBill));
    const { document: read } = await apiJson<{ document: ApiDocument }>(`api/documents/${strangerId}?wait=read&timeout_s=60`);
    expect([read.status, read.vendorMatch]).toEqual(['needs_review', null]);
    // The most pressing reason first.
    expect(read.reviewReasons[0]).toMatch(/^No Odoo vendor matches "/);
    await alice.locator(`.wb-review-queue button.wb-review-open-uploaded[data-document-id="${strangerId}"]`).click();
    const page = await documentPage(alice, 'needs_review', strangerId);
    await expect(page.locator('ul.wb-review-reasons li').first().textContent()).resolves.toMatch(/^No Odoo vendor matches "/);
    const box = page.locator('.wb-review-vendor-box[data-match="none"][data-picking="true"]');
    await expect(box.locator('label.wb-review-vendor-none').textContent()).resolves.toBe('No match — choose the Odoo vendor');
    await expect(box.locator('.wb-review-vendor-status').textContent()).resolves.toBe('Type at least 2 characters of the vendor’s name or VAT number.');
    const search = box.locator('input.wb-review-vendor-search[role="combobox"]');
    // Its label is the "No match — choose the Odoo vendor".
    await expect(page.getByLabel('No match — choose the Odoo vendor').evaluate((el) => el.classList.contains('wb-review-vendor-search'))).resolves.toBe(true);

    // By name: the first word of a demo supplier's name, typed.
    const term = chosenPartner.name.split(' ')[0]!;
    await search.focus();
    await alice.keyboard.type(term.slice(0, 1));
    await expect(box.locator('.wb-review-vendor-status').textContent()).resolves.toBe('Type at least 2 characters.');
    const answered = alice.waitForResponse((r) => r.url().includes('/api/documents/partners?') && new URL(r.url()).searchParams.get('q') === term);
    await alice.keyboard.type(term.slice(1));
    const answer = await answered;
    expect(answer.status()).toBe(200);
    const found = ((await answer.json()) as { partners: { id: number; name: string; vat: string | null }[] }).partners;
    const index = found.findIndex((p) => p.id === chosenPartner.id);
    expect(found[index]).toEqual({ id: chosenPartner.id, name: chosenPartner.name, vat: chosenPartner.vat });
    const options = box.locator('ul.wb-review-vendor-options[role="listbox"] li.wb-review-vendor-option[role="option"]');
    await box.locator(`li.wb-review-vendor-option[data-partner-id="${chosenPartner.id}"]`).waitFor();
    await expect(options.evaluateAll((os) => os.map((o) => Number(o.getAttribute('data-partner-id'))))).resolves.toEqual(found.map((p) => p.id));
    await expect(search.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(box.locator('.wb-review-vendor-status').textContent()).resolves.toMatch(/^(\d+ partners?|The first 20 partners by name; type more to narrow them down)\. ↑ ↓ to move, Enter to choose\.$/);
    for (let i = 0; i <= index; i++) await alice.keyboard.press('ArrowDown');
    const target = box.locator(`li.wb-review-vendor-option[data-partner-id="${chosenPartner.id}"][aria-selected="true"]`);
    await expect(target.getAttribute('id')).resolves.toBe(await search.getAttribute('aria-activedescendant'));
    await expect(target.locator('.wb-review-vendor-option-vat').textContent()).resolves.toBe(`VAT ${chosenPartner.vat}`);
    await expectNoOverflow(alice, `.wb-review-document[data-document-id="${strangerId}"]`);
    await box.scrollIntoViewIfNeeded();
    await shotBoth(alice, 'vendor-picker');
    // The list is still open on the option moved to (the theme switch left the focus where it was).
    await target.waitFor();

    const chosen = alice.waitForResponse((r) => r.url().endsWith(`/api/documents/${strangerId}/correct`));
    await alice.keyboard.press('Enter');
    const saved = await chosen;
    expect(saved.status()).toBe(200);
    expect(saved.request().postDataJSON()).toEqual({ partner_id: chosenPartner.id, version: read.version });
    const vendor = page.locator('.wb-review-vendor-box[data-match="matched"] .wb-review-vendor[data-method="chosen"]');
    await vendor.waitFor();
    await expect(vendor.locator('.wb-review-vendor-name').textContent()).resolves.toBe(chosenPartner.name);
    await expect(vendor.locator('.wb-review-vendor-partner').textContent()).resolves.toBe(`Odoo partner ${chosenPartner.id}`);
    await expect(page.locator('.wb-review-banner[data-kind="ok"] .wb-review-banner-text').textContent()).resolves.toContain(`Saved: Odoo vendor “${chosenPartner.name}” (partner ${chosenPartner.id}). `);
    // The focus moved from the closed search to "Change vendor…".
    await expect(alice.evaluate(() => document.activeElement?.classList.contains('wb-review-vendor-change'))).resolves.toBe(true);
    // Who chose it comes with the history, in the reload after the answer.
    await page.locator('ol.wb-review-history li[data-action="corrected"]').waitFor();
    await expect(page.locator('ol.wb-review-history li[data-action="corrected"] .wb-review-history-text').textContent()).resolves.toBe(`Corrected Odoo vendor: none → partner ${chosenPartner.id}`);
    await expect(vendor.locator('.wb-review-vendor-method').textContent()).resolves.toBe('Chosen by alice');
    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${strangerId}`);
    expect(doc.vendorMatch).toMatchObject({ partnerId: chosenPartner.id, method: 'chosen' });
    expect(doc.reviewReasons.some((r) => r.startsWith('No Odoo vendor matches'))).toBe(false);
  });

  it('alice sees the four-eyes hint before she clicks Approve: she uploaded and chose the vendor of a bill over the limit', async () => {
    const page = await documentPage(alice, 'needs_review', strangerId);
    const note = page.locator('.wb-review-four-eyes-note');
    await expect(note.locator('.wb-review-four-eyes-text').textContent()).resolves.toBe('At or over 100.00 EUR: another reviewer must approve (you uploaded and corrected it)');
    await expect(page.locator('button.wb-review-approve').getAttribute('aria-disabled')).resolves.toBe('true');
    await page.locator('.wb-review-doc-bar').scrollIntoViewIfNeeded();
    await shotBoth(alice, 'four-eyes-hint');
  });

  it('bob approves it: it is posted once, to the partner alice chose', async () => {
    await bob.goto(`${wb.baseUrl}lab?document=${strangerId}`);
    const page = await documentPage(bob, 'needs_review', strangerId);
    await expect(page.locator('.wb-review-vendor[data-method="chosen"] .wb-review-vendor-method').textContent()).resolves.toBe('Chosen by alice');
    // The second pair of eyes: no note, Approve offered.
    await expect(page.locator('.wb-review-four-eyes-note').isHidden()).resolves.toBe(true);
    await expect(page.locator('button.wb-review-approve').getAttribute('aria-disabled')).resolves.toBe('false');
    // He could still change the vendor: "Change vendor…" opens the search, Escape closes it and gives the focus back.
    await page.locator('button.wb-review-vendor-change').click();
    const search = page.getByLabel('Choose another Odoo vendor');
    await expect(search.evaluate((el) => el === document.activeElement && el.classList.contains('wb-review-vendor-search'))).resolves.toBe(true);
    await bob.keyboard.press('Escape');
    await page.locator('.wb-review-vendor-box[data-picking="false"] button.wb-review-vendor-change').waitFor();
    await expect(bob.evaluate(() => document.activeElement?.classList.contains('wb-review-vendor-change'))).resolves.toBe(true);
    const approved = bob.waitForResponse((r) => r.url().endsWith(`/api/documents/${strangerId}/approve`));
    await page.locator('button.wb-review-approve').click();
    expect((await approved).status()).toBe(200);
    const { document: doc } = await apiJson<{ document: ApiDocument }>(`api/documents/${strangerId}?wait=settled&timeout_s=60`);
    expect(doc.status).toBe('posted');
    const posted = await documentPage(bob, 'posted', strangerId);
    await expect(posted.locator('.wb-review-doc-odoo .wb-review-odoo-record').textContent()).resolves.toBe(`account.move ${doc.odoo!.id}`);
    await expect(posted.locator('button.wb-review-vendor-change').isHidden()).resolves.toBe(true);
    // Exactly one vendor bill with the posting key, and it is that partner's.
    const { rows } = await ledger.query<{ id: number; move_type: string; partner_id: number; ref: string; total: string }>(
      `SELECT id, move_type, partner_id, ref, amount_total::numeric(16,2)::text AS total FROM account_move WHERE narration LIKE $1`,
      [`%${doc.posting!.key}%`],
    );
    expect(rows).toEqual([{ id: doc.odoo!.id, move_type: 'in_invoice', partner_id: chosenPartner.id, ref: strangerBill.number, total: strangerBill.total }]);
  });

  it('with the side bar closed: every document in one list, nothing scrolls sideways', async () => {
    const queue = await showQueue(alice);
    await queue.locator('button.wb-review-tab[data-tab="all"]').click();
    await queue.locator(`tr.wb-review-row[data-document-id="${documentId}"]`).waitFor();
    await collapseLeftArea(alice);
    await expectNoOverflow(alice, '.wb-review-queue');
    expect(await horizontalOverflow(alice, { table: '.wb-review-table-wrap' })).toEqual({ page: 0, table: 0 });
    await shotBoth(alice, 'queue-wide');
  });

  it('had no console errors or failed requests but those caused on purpose', () => {
    // The test OpenID Provider's login form has no favicon (not Workbench's page).
    benign.push(new RegExp(`^\\w+ console error: Failed to load resource: .* 404 \\(Not Found\\) \\(${op.issuer.replace(/[.]/g, '\\.')}/favicon\\.ico\\)$`));
    expect(log.unexpected()).toEqual([]);
    expect(expected).toEqual([]);
  });
});
