/**
 * The simulator speaks XML-RPC well enough for Python's own xmlrpc.client,
 * the client Odoo's documentation uses: version, authenticate (and a
 * refused login answering False), search_count, search_read, creating and
 * posting a bill with Python tuples and floats, typed values coming back,
 * and faults with Odoo's codes (1 with a traceback, 2 for a UserError,
 * 3 Access Denied).
 */
import { execFile } from 'node:child_process';
import { Client } from 'pg';
import { generateOdooDemo } from '../demo/generate';
import { OdooApiSimulator } from './odoo-api-simulator';
import { createTestDatabase, type TestDatabase } from './test-database';

const SCRIPT = `
import json, sys, xmlrpc.client
url, db, login, password, vendor, account = sys.argv[1:7]
common = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/common')
out = {'version': common.version()}
uid = common.authenticate(db, login, password, {})
out['uid'] = uid
out['refused'] = common.authenticate(db, login, 'wrong', {})
models = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/object', allow_none=True)
out['count'] = models.execute_kw(db, uid, password, 'account.move', 'search_count', [[('move_type', '=', 'in_invoice'), ('state', '=', 'posted')]])
out['partner'] = models.execute_kw(db, uid, password, 'res.partner', 'search_read', [[('id', '=', int(vendor))]], {'fields': ['name', 'vat', 'parent_id'], 'context': None})
bill = models.execute_kw(db, uid, password, 'account.move', 'create', [{'move_type': 'in_invoice', 'partner_id': int(vendor), 'invoice_date': '2025-12-05', 'ref': 'PY-1',
    'invoice_line_ids': [(0, 0, {'name': 'From Python', 'quantity': 2.0, 'price_unit': 12.5, 'account_id': int(account)})]}])
out['bill'] = bill
out['post'] = models.execute_kw(db, uid, password, 'account.move', 'action_post', [[bill]])
rec = models.execute_kw(db, uid, password, 'account.move', 'read', [[bill]], {'fields': ['name', 'state', 'amount_total', 'partner_id', 'date', 'invoice_date_due', 'to_check']})[0]
out['read'] = rec
out['types'] = {k: type(v).__name__ for k, v in rec.items()}
def fault(call):
    try:
        call()
    except xmlrpc.client.Fault as f:
        return {'code': f.faultCode, 'string': f.faultString}
out['bad_field'] = fault(lambda: models.execute_kw(db, uid, password, 'account.move', 'search', [[('nope', '=', 1)]]))
out['posted_twice'] = fault(lambda: models.execute_kw(db, uid, password, 'account.move', 'action_post', [[bill]]))
out['denied'] = fault(lambda: models.execute_kw(db, uid, 'bad', 'account.move', 'search', [[]]))
print(json.dumps(out))
`;

function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', SCRIPT, ...args], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

describe("Python's xmlrpc.client against the simulator", () => {
  let database: TestDatabase;
  let sim: OdooApiSimulator;
  let db: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    await generateOdooDemo({ connection: database.config, lines: 2000, seed: 9, year: 2025 });
    sim = await OdooApiSimulator.start({ connection: database.config, users: [{ login: 'admin', password: 'py-secret', adviser: true }], now: () => new Date('2026-01-10T09:00:00Z') });
    db = new Client(database.config);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await sim?.[Symbol.asyncDispose]();
    await database?.[Symbol.asyncDispose]();
  });

  it('talks to it like to Odoo', async () => {
    const vendor = (await db.query<{ id: number; name: string; vat: string }>(`SELECT p.id, p.name, p.vat FROM res_partner p WHERE p.supplier_rank > 0 ORDER BY id LIMIT 1`)).rows[0]!;
    const account = (await db.query<{ id: number }>(`SELECT id FROM account_account WHERE company_id = 1 AND code = '600000'`)).rows[0]!;
    const count = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_move WHERE move_type = 'in_invoice' AND state = 'posted'`)).rows[0]!.n;
    const out = JSON.parse(await python([sim.url, sim.db, 'admin', 'py-secret', String(vendor.id), String(account.id)]));
    expect(out.version).toEqual({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
    expect(out.uid).toBe(2);
    expect(out.refused).toBe(false);
    expect(out.count).toBe(count);
    expect(out.partner).toEqual([{ id: vendor.id, name: vendor.name, vat: vendor.vat, parent_id: false }]);
    expect(out.post).toBe(false);
    expect(out.read).toEqual({ id: out.bill, name: expect.stringMatching(/^BILL\/2025\/12\/\d{4}$/), state: 'posted', amount_total: 25, partner_id: [vendor.id, vendor.name], date: '2025-12-31', invoice_date_due: '2025-12-05', to_check: false });
    expect(out.types).toEqual({ id: 'int', name: 'str', state: 'str', amount_total: 'float', partner_id: 'list', date: 'str', invoice_date_due: 'str', to_check: 'bool' });
    expect(out.bad_field.code).toBe(1);
    expect(out.bad_field.string).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*\nValueError: Invalid field account\.move\.nope in leaf \('nope', '=', 1\)\n$/);
    expect(out.posted_twice).toEqual({ code: 2, string: `The entry ${out.read.name} (id ${out.bill}) is already posted.` });
    expect(out.denied).toEqual({ code: 3, string: 'Access Denied' });
  });
});
