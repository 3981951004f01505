/**
 * OdooClient against the API simulator over a real demo database, over
 * both protocols: version, authentication (password, API key, refusals),
 * search_read with a domain (checked against SQL), a draft vendor bill
 * created with lines that balance, posting that numbers it, the lock dates
 * (posting into a locked period re-dates the entry as Odoo's `_post` does;
 * changing a posted entry inside the lock is Odoo's UserError), an
 * unbalanced entry refused, and Odoo's errors for bad fields, models and
 * methods.
 */
import { Client } from 'pg';
import { generateOdooDemo } from '../demo/generate';
import { OdooClient, type OdooProtocol, type OdooSession } from '../odoo-client';
import { OdooError } from '../odoo-error';
import { OdooApiSimulator } from './odoo-api-simulator';
import { createTestDatabase, type TestDatabase } from './test-database';

const ADMIN = { login: 'admin', password: 'admin-secret', adviser: true };
const BOOKKEEPER = { login: 'bookkeeper', password: 'bk-password', apiKey: 'bkapikey-0123456789abcdef', adviser: false };

let database: TestDatabase;
let db: Client;
let sim: OdooApiSimulator;

beforeAll(async () => {
  database = await createTestDatabase();
  await generateOdooDemo({ connection: database.config, lines: 6000, seed: 5, year: 2025 });
  sim = await OdooApiSimulator.start({ connection: database.config, users: [ADMIN, BOOKKEEPER], now: () => new Date('2026-01-15T10:00:00Z') });
  db = new Client(database.config);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await sim?.[Symbol.asyncDispose]();
  await database?.[Symbol.asyncDispose]();
});

async function odooError(p: Promise<unknown>): Promise<OdooError> {
  const e = await p.then(
    () => new Error('no error'),
    (err: unknown) => err,
  );
  if (!(e instanceof OdooError)) throw e;
  return e;
}

const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await db.query(sql, params)).rows[0] as T;

describe.each<OdooProtocol>(['jsonrpc', 'xmlrpc'])('OdooClient over %s against the simulator', (protocol) => {
  let client: OdooClient;
  let admin: OdooSession;
  let bookkeeper: OdooSession;
  let vendorId: number;
  let expenseId: number;
  let taxId: number;

  beforeAll(async () => {
    client = new OdooClient({ url: sim.url, db: sim.db, protocol });
    admin = client.session(ADMIN.login, ADMIN.password);
    bookkeeper = client.session(BOOKKEEPER.login, BOOKKEEPER.apiKey);
    vendorId = (await one<{ id: number }>(`SELECT partner_id AS id FROM account_move WHERE move_type = 'in_invoice' AND company_id = 1 ORDER BY id LIMIT 1`)).id;
    expenseId = (await one<{ id: number }>(`SELECT id FROM account_account WHERE company_id = 1 AND code = '620000'`)).id;
    taxId = (await one<{ id: number }>(`SELECT id FROM account_tax WHERE company_id = 1 AND type_tax_use = 'purchase'`)).id;
  });

  it('common.version', async () => {
    expect(await client.version()).toEqual({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
  });

  it('authenticates with a password or an API key; wrong ones answer false, and calls with them are AccessDenied', async () => {
    expect(await client.authenticate(ADMIN.login, ADMIN.password)).toBe(sim.uidOf('admin'));
    expect(sim.uidOf('admin')).toBe(2);
    expect(await client.authenticate(BOOKKEEPER.login, BOOKKEEPER.apiKey)).toBe(sim.uidOf('bookkeeper'));
    expect(await client.authenticate(BOOKKEEPER.login, BOOKKEEPER.password)).toBe(sim.uidOf('bookkeeper'));
    expect(await client.authenticate(ADMIN.login, 'wrong')).toBe(false);
    expect(await client.authenticate('nobody', 'x')).toBe(false);
    const denied = await odooError(client.executeKw(2, 'wrong', 'res.partner', 'search_count', [[]]));
    expect([denied.exception, denied.code, denied.odooMessage]).toEqual(['odoo.exceptions.AccessDenied', 'unauthenticated', 'Access Denied']);
    await expect(client.session('admin', 'nope').call('res.partner', 'search_count', [[]])).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('search_read with a domain answers what SQL does, shaped like Odoo', async () => {
    const domain = [['move_type', '=', 'in_invoice'], ['state', '=', 'posted'], ['date', '>=', '2025-03-01'], ['date', '<', '2025-04-01'], ['company_id', '=', 1], '|', ['amount_total', '>', 500], ['ref', 'ilike', '-2025-']];
    const rows = await admin.searchRead<{ id: number; name: string; partner_id: [number, string]; amount_total: number; date: string; invoice_date: string; payment_reference: string | false }>(
      'account.move',
      domain as never,
      { fields: ['name', 'partner_id', 'amount_total', 'date', 'invoice_date', 'payment_reference'], order: 'name' },
    );
    const expected = await db.query<{ id: number; name: string }>(
      `SELECT id, name FROM account_move WHERE move_type = 'in_invoice' AND state = 'posted' AND date >= '2025-03-01' AND date < '2025-04-01' AND company_id = 1 AND (amount_total > 500 OR ref ILIKE '%-2025-%') ORDER BY name, id`,
    );
    expect(rows.map((r) => [r.id, r.name])).toEqual(expected.rows.map((r) => [r.id, r.name]));
    expect(rows.length).toBeGreaterThan(3);
    const r = rows[0]!;
    expect(Object.keys(r).sort()).toEqual(['amount_total', 'date', 'id', 'invoice_date', 'name', 'partner_id', 'payment_reference']);
    expect(r.partner_id).toEqual([expect.any(Number), expect.any(String)]);
    expect(r.date).toMatch(/^2025-03-\d\d$/);
    expect(typeof r.amount_total).toBe('number');
    expect(r.payment_reference).toBe(false); // NULL reads as false
    // search_count and a negated leaf keep Odoo's NULL semantics: refs that are NULL match `!(ref = X)`.
    const all = await admin.call('account.move', 'search_count', [[['company_id', '=', 1]]]);
    expect(await admin.call('account.move', 'search_count', [[['company_id', '=', 1], '!', ['ref', '=', 'no such ref']]])).toBe(all);
    // The multi-company rule of the context.
    const { n } = await one<{ n: number }>(`SELECT count(*)::int AS n FROM account_move WHERE company_id = 2`);
    expect(await admin.call('account.move', 'search_count', [[]], { context: { allowed_company_ids: [2] } })).toBe(n);
  });

  it('creates a draft vendor bill whose lines balance, and action_post numbers it', async () => {
    const id = (await bookkeeper.call('account.move', 'create', [
      {
        move_type: 'in_invoice', partner_id: vendorId, invoice_date: '2025-12-10', ref: `SIM-${protocol}-1`,
        invoice_line_ids: [
          [0, 0, { name: 'Cloud hosting', quantity: 3, price_unit: 120.5, account_id: expenseId, tax_ids: [[6, 0, [taxId]]] }],
          [0, 0, { name: 'Support call', quantity: 1, price_unit: 99.99 }],
        ],
      },
    ])) as number;
    expect(Number.isInteger(id)).toBe(true);
    const [bill] = (await bookkeeper.call('account.move', 'read', [[id], ['name', 'state', 'date', 'amount_untaxed', 'amount_tax', 'amount_total', 'line_ids', 'invoice_line_ids', 'display_name']])) as Record<string, unknown>[];
    expect(bill).toMatchObject({ name: '/', state: 'draft', date: '2025-12-31', amount_untaxed: 461.49, amount_tax: 75.92, amount_total: 537.41, display_name: `Draft Bill (* ${id}) (SIM-${protocol}-1)` });
    expect((bill!.invoice_line_ids as number[]).length).toBe(2);
    const lines = (await bookkeeper.call('account.move.line', 'search_read', [[['move_id', '=', id]]], { fields: ['display_type', 'debit', 'credit', 'balance', 'account_id', 'tax_ids', 'parent_state'], order: 'sequence' })) as {
      display_type: string; debit: number; credit: number; balance: number; account_id: [number, string]; tax_ids: number[]; parent_state: string;
    }[];
    expect(lines.map((l) => [l.display_type, l.balance])).toEqual([['product', 361.5], ['product', 99.99], ['tax', 75.92], ['payment_term', -537.41]]);
    expect(lines[0]!.tax_ids).toEqual([taxId]);
    expect(lines[3]!.account_id[1]).toBe('211000 Account Payable');
    expect(lines.reduce((s, l) => s + l.debit - l.credit, 0)).toBeCloseTo(0, 6);

    const before = await one<{ n: number }>(`SELECT coalesce(max(sequence_number), 0)::int AS n FROM account_move WHERE journal_id = (SELECT journal_id FROM account_move WHERE id = $1) AND sequence_prefix = 'BILL/2025/12/'`, [id]);
    expect(await bookkeeper.call('account.move', 'action_post', [[id]])).toBe(false);
    const [posted] = (await bookkeeper.call('account.move', 'read', [[id], ['name', 'state', 'date', 'payment_reference']])) as Record<string, unknown>[];
    expect(posted).toMatchObject({ state: 'posted', date: '2025-12-31', name: `BILL/2025/12/${String(before.n + 1).padStart(4, '0')}` });
    expect(posted!.payment_reference).toBe(posted!.name);
    expect(await one(`SELECT count(*)::int AS n FROM account_move_line WHERE move_id = $1 AND parent_state = 'posted' AND move_name = $2`, [id, posted!.name])).toEqual({ n: 4 });
    const again = await odooError(bookkeeper.call('account.move', 'action_post', [[id]]));
    expect([again.exception, again.odooMessage]).toEqual(['odoo.exceptions.UserError', `The entry ${posted!.name} (id ${id}) is already posted.`]);
  });

  it("posting into the locked period re-dates the entry after the lock (Odoo's _post); advisers are bound by the fiscal-year lock only", async () => {
    const bill = (await bookkeeper.call('account.move', 'create', [{ move_type: 'in_invoice', partner_id: vendorId, invoice_date: '2025-10-15', ref: `SIM-${protocol}-locked`, invoice_line_ids: [[0, 0, { name: 'Late bill', quantity: 1, price_unit: 50, account_id: expenseId }]] }])) as number;
    await bookkeeper.call('account.move', 'action_post', [[bill]]);
    const [b] = (await bookkeeper.call('account.move', 'read', [[bill], ['date', 'invoice_date', 'name']])) as Record<string, string>[];
    expect(b).toMatchObject({ date: '2025-11-30', invoice_date: '2025-10-15', name: expect.stringMatching(/^BILL\/2025\/11\/\d{4}$/) });

    const salaries = await one<{ id: number }>(`SELECT id FROM account_account WHERE company_id = 1 AND code = '230000'`);
    const entry = (await bookkeeper.call('account.move', 'create', [
      { move_type: 'entry', date: '2025-09-30', ref: `SIM-${protocol}-accrual`, line_ids: [[0, 0, { account_id: expenseId, name: 'Accrual', debit: 80 }], [0, 0, { account_id: salaries.id, name: 'Accrual', credit: 80 }]] },
    ])) as number;
    await bookkeeper.call('account.move', 'action_post', [[entry]]);
    const [e] = (await bookkeeper.call('account.move', 'read', [[entry], ['date', 'name']])) as Record<string, string>[];
    expect(e).toMatchObject({ date: '2025-11-30', name: expect.stringMatching(/^MISC\/2025\/11\/\d{4}$/) });

    const adviserBill = (await admin.call('account.move', 'create', [{ move_type: 'in_invoice', partner_id: vendorId, invoice_date: '2025-10-15', ref: `SIM-${protocol}-adviser`, invoice_line_ids: [[0, 0, { name: 'Bill', quantity: 1, price_unit: 10, account_id: expenseId }]] }])) as number;
    await admin.call('account.move', 'action_post', [[adviserBill]]);
    expect(((await admin.call('account.move', 'read', [[adviserBill], ['date']])) as { date: string }[])[0]!.date).toBe('2025-10-31');
  });

  it('changing a posted entry inside the locked period is the UserError Odoo raises', async () => {
    const locked = await one<{ id: number; name: string }>(`SELECT id, name FROM account_move WHERE company_id = 1 AND state = 'posted' AND move_type = 'in_invoice' AND date BETWEEN '2025-09-01' AND '2025-09-30' ORDER BY id LIMIT 1`);
    const msg = "You cannot add/modify entries prior to and inclusive of the lock date 10/31/2025. Check the company settings or ask someone with the 'Adviser' role";
    const reset = await odooError(bookkeeper.call('account.move', 'button_draft', [[locked.id]]));
    expect([reset.exception, reset.code, reset.odooMessage]).toEqual(['odoo.exceptions.UserError', 'conflict', msg]);
    const redate = await odooError(bookkeeper.call('account.move', 'write', [[locked.id], { date: '2025-09-02' }]));
    expect(redate.odooMessage).toBe(msg);
    // The failed calls changed nothing (one transaction per call).
    expect(await one(`SELECT state, date::text AS date FROM account_move WHERE id = $1`, [locked.id])).toEqual({ state: 'posted', date: expect.stringMatching(/^2025-09-/) });
    // Outside the lock, a posted move still refuses its readonly fields.
    const open = await one<{ id: number }>(`SELECT id FROM account_move WHERE company_id = 1 AND state = 'posted' AND move_type = 'in_invoice' AND date >= '2025-12-01' ORDER BY id LIMIT 1`);
    const ro = await odooError(bookkeeper.call('account.move', 'write', [[open.id], { partner_id: vendorId }]));
    expect(ro.odooMessage).toBe('You cannot modify the following readonly fields on a posted move: Partner');
    expect(await bookkeeper.call('account.move', 'write', [[open.id], { ref: `checked by ${protocol}` }])).toBe(true);
  });

  it('refuses an unbalanced entry with UserError, and the draft is not kept', async () => {
    const misc = await one<{ n: number }>(`SELECT count(*)::int AS n FROM account_move`);
    const e = await odooError(bookkeeper.call('account.move', 'create', [{ move_type: 'entry', date: '2025-12-15', line_ids: [[0, 0, { account_id: expenseId, debit: 100 }], [0, 0, { account_id: expenseId, credit: 90 }]] }]));
    expect(e.exception).toBe('odoo.exceptions.UserError');
    expect(e.odooMessage).toMatch(/^An error has occurred\.\n\nThe move \(Draft Entry \(\* \d+\)\) is not balanced\.\nThe total of debits equals 100\.00 € and the total of credits equals 90\.00 €\./);
    expect(await one(`SELECT count(*)::int AS n FROM account_move`)).toEqual(misc);
  });

  it("unknown fields, models and methods are Odoo's errors", async () => {
    const field = await odooError(admin.call('account.move', 'search_read', [[['foo', '=', 1]]]));
    expect([field.exception, field.code, field.odooMessage]).toEqual(['builtins.ValueError', 'bad_request', "Invalid field account.move.foo in leaf ('foo', '=', 1)"]);
    const model = await odooError(admin.call('x.nothing', 'search', [[]]));
    expect([model.exception, model.odooMessage]).toEqual(['odoo.exceptions.UserError', "Object x.nothing doesn't exist"]);
    const priv = await odooError(admin.call('account.move', '_post', [[1]]));
    expect([priv.exception, priv.code]).toEqual(['odoo.exceptions.AccessError', 'forbidden']);
    const method = await odooError(admin.call('account.move', 'frobnicate', [[1]]));
    expect(method.exception).toBe('builtins.AttributeError');
    const missing = await odooError(admin.call('account.move', 'read', [[999_999_999], ['name']]));
    // XML-RPC has no exception name: MissingError travels as fault 2, read as UserError.
    expect(missing.exception).toBe(protocol === 'jsonrpc' ? 'odoo.exceptions.MissingError' : 'odoo.exceptions.UserError');
    expect(missing.odooMessage).toMatch(/^Record does not exist or has been deleted\./);
    const order = await odooError(admin.call('account.move', 'search', [[]], { order: 'name; DROP TABLE account_move' }));
    expect(order.exception).toBe('odoo.exceptions.UserError');
  });

  it('unlinks drafts only; fields_get describes fields', async () => {
    const draft = (await admin.call('account.move', 'create', [{ move_type: 'in_invoice', partner_id: vendorId, invoice_line_ids: [[0, 0, { name: 'x', price_unit: 1, account_id: expenseId }]] }])) as number;
    expect(await admin.call('account.move', 'unlink', [[draft]])).toBe(true);
    expect(await admin.call('account.move', 'search', [[['id', '=', draft]]])).toEqual([]);
    const posted = await one<{ id: number }>(`SELECT id FROM account_move WHERE state = 'posted' ORDER BY id DESC LIMIT 1`);
    expect((await odooError(admin.call('account.move', 'unlink', [[posted.id]]))).exception).toBe('odoo.exceptions.UserError');
    expect(await admin.call('account.move', 'fields_get', [['name', 'partner_id', 'state']], { attributes: ['type', 'relation', 'string'] })).toEqual({
      name: { type: 'char', string: 'Number' },
      partner_id: { type: 'many2one', string: 'Partner', relation: 'res.partner' },
      state: { type: 'selection', string: 'Status' },
    });
  });

  it(protocol === 'jsonrpc' ? 'button_draft answers None: JSON-RPC leaves the result out' : "button_draft answers None: XML-RPC cannot marshal it (Odoo's allow_none=False)", async () => {
    const id = (await admin.call('account.move', 'create', [{ move_type: 'in_invoice', partner_id: vendorId, invoice_date: '2025-12-20', invoice_line_ids: [[0, 0, { name: 'y', price_unit: 5, account_id: expenseId }]] }])) as number;
    await admin.call('account.move', 'action_post', [[id]]);
    if (protocol === 'jsonrpc') {
      expect(await admin.call('account.move', 'button_draft', [[id]])).toBeNull();
      expect(await one(`SELECT state FROM account_move WHERE id = $1`, [id])).toEqual({ state: 'draft' });
    } else {
      const e = await odooError(admin.call('account.move', 'button_draft', [[id]]));
      expect([e.exception, e.odooMessage, e.extra.faultCode]).toEqual(['builtins.TypeError', 'cannot marshal None unless allow_none is enabled', 1]);
    }
  });
});
