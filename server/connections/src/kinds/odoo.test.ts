/**
 * The odoo kind against @workbench/odoo's API simulator, a stated
 * simulator of Odoo's external API (Odoo itself cannot run here) over a
 * demo accounting database in the local PostgreSQL: `test` asks the
 * version and logs in over either protocol, and tells a refused API key,
 * an unknown database, a missing company, no API at the URL, TLS, a
 * timeout and a refused or reset connection apart; the manager stores the connection and hands out a
 * session per use that carries the connection's company.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { generateOdooDemo } from '@workbench/odoo';
import { createTestDatabase, OdooApiSimulator, type TestDatabase } from '@workbench/odoo/testing';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { makeSelfSignedCertificate, startTlsFront, type TlsFront } from '../testing/tls';
import { odooSettingsSchema, testOdoo } from './odoo';

jest.setTimeout(60_000);

const API_KEY = 'bkapikey-0123456789abcdef';
const BOOKKEEPER = { login: 'bookkeeper', password: 'bk-password', apiKey: API_KEY };

let database: TestDatabase;
let db: Client;
let sim: OdooApiSimulator;
let managed: TestConnections;
let closedPort: number;
let tls: TlsFront;
/** Accepts connections and never answers. */
let silent: Server;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
  database = await createTestDatabase('wb_conn_odoo');
  await generateOdooDemo({ connection: database.config, lines: 1000, seed: 3, year: 2025 });
  sim = await OdooApiSimulator.start({ connection: database.config, users: [{ login: 'admin', password: 'admin-secret', adviser: true }, BOOKKEEPER] });
  silent = createServer((socket) => silentSockets.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  tls = await startTlsFront(Number(new URL(sim.url).port), makeSelfSignedCertificate());
  db = new Client(database.config);
  await db.connect();
  managed = await openTestConnections({ prefix: 'wb-odoo-kind-' });
});
afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  await tls?.[Symbol.asyncDispose]();
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  await db?.end();
  await sim?.[Symbol.asyncDispose]();
  await database?.[Symbol.asyncDispose]();
});

const settings = (extra: object = {}) => odooSettingsSchema.parse({ url: sim.url, database: sim.db, login: 'bookkeeper', ...extra });
const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]!.n;

describe('test', () => {
  it.each(['jsonrpc', 'xmlrpc'])('asks the version and logs in with the API key over %s', async (protocol) => {
    const r = await testOdoo(settings({ protocol }), { api_key: API_KEY });
    expect(r).toMatchObject({ ok: true, stage: 'ok', server: 'Odoo 17.0', message: `Logged in to Odoo 17.0 at ${sim.url} as bookkeeper (uid ${sim.uidOf('bookkeeper')})` });
    // The password serves as well (Odoo takes either).
    expect(await testOdoo(settings({ protocol }), { api_key: BOOKKEEPER.password })).toMatchObject({ ok: true });
  });

  it('tells a refused login, a missing credential, an unknown database, no API, DNS, TLS, a timeout, and a refused or reset connection apart', async () => {
    const refused = await testOdoo(settings(), { api_key: 'wrong-api-key' });
    expect(refused).toMatchObject({ ok: false, stage: 'auth', message: `Cannot log in to Odoo at ${sim.url} as bookkeeper: Odoo refused the login and API key (or password) for database "${sim.db}"` });
    expect(refused.message).not.toContain('wrong-api-key');
    expect(await testOdoo(settings({ login: 'nobody' }), { api_key: API_KEY })).toMatchObject({ ok: false, stage: 'auth' });
    expect(await testOdoo(settings(), undefined)).toMatchObject({ ok: false, stage: 'auth', message: expect.stringContaining('no credential {api_key}') });
    for (const protocol of ['jsonrpc', 'xmlrpc']) {
      expect(await testOdoo(settings({ protocol, database: 'no_such_db' }), { api_key: API_KEY })).toMatchObject({
        ok: false,
        stage: 'database',
        server: 'Odoo 17.0',
        message: expect.stringMatching(/^Cannot open the Odoo database "no_such_db" at .*: Odoo answered OperationalError: .*"no_such_db" does not exist/),
      });
    }
    expect(await testOdoo(settings({ url: `http://127.0.0.1:${closedPort}` }), { api_key: API_KEY })).toMatchObject({
      ok: false,
      stage: 'network',
      message: `Cannot reach Odoo at http://127.0.0.1:${closedPort}: connection refused (nothing listens there, or a firewall rejects it)`,
    });
    expect(await testOdoo(settings({ url: `${sim.url}/odoo` }), { api_key: API_KEY })).toMatchObject({ ok: false, stage: 'not_found', status: 404, message: expect.stringContaining(`${sim.url}/odoo/jsonrpc`) });
    expect(await testOdoo(settings({ url: 'http://no-such-host.invalid' }), { api_key: API_KEY })).toMatchObject({ ok: false, stage: 'dns' });
    expect(await testOdoo(settings({ url: `https://127.0.0.1:${tls.port}` }), { api_key: API_KEY })).toMatchObject({
      ok: false,
      stage: 'tls',
      message: expect.stringMatching(/^Cannot reach Odoo at https:\/\/127\.0\.0\.1:\d+ over TLS: the server's certificate is not trusted for 127\.0\.0\.1:\d+ \(DEPTH_ZERO_SELF_SIGNED_CERT\); Workbench trusts/),
    });
    const port = (silent.address() as { port: number }).port;
    expect(await testOdoo(settings({ url: `http://127.0.0.1:${port}` }), { api_key: API_KEY }, { signal: AbortSignal.timeout(200) })).toMatchObject({
      ok: false,
      stage: 'timeout',
      message: `Cannot reach Odoo at http://127.0.0.1:${port}: no answer in time`,
    });
    // TLS to a plain HTTP port: the simulator's HTTP server drops what does not parse as HTTP, a reset.
    expect(await testOdoo(settings({ url: sim.url.replace('http:', 'https:') }), { api_key: API_KEY })).toMatchObject({ ok: false, stage: 'network', message: expect.stringContaining('the server closed the connection') });
  });

  it('checks the company documents go to, when one is set', async () => {
    expect(await testOdoo(settings({ company_id: 2 }), { api_key: API_KEY })).toMatchObject({ ok: true, message: expect.stringMatching(/ \(uid \d+\); documents go to company 2 \(.+\)$/) });
    expect(await testOdoo(settings({ company_id: 999 }), { api_key: API_KEY })).toMatchObject({ ok: false, stage: 'not_found', message: expect.stringContaining('Cannot find company 999') });
  });

  it('takes strict settings', () => {
    expect(settings()).toEqual({ url: sim.url, database: sim.db, login: 'bookkeeper', protocol: 'jsonrpc' });
    for (const bad of [{ protocol: 'grpc' }, { company_id: 0 }, { company_id: 1.5 }, { database: 'no such db' }, { url: 'ftp://erp.example' }, { login: '' }, { api_key: 'x' }]) {
      expect(odooSettingsSchema.safeParse({ url: 'https://erp.example', database: 'prod', login: 'u', ...bad }).success).toBe(false);
    }
  });
});

describe('the manager', () => {
  it('stores an odoo connection, tests it, and hands out a session per use', async () => {
    const { connections } = managed;
    await connections.create({ name: 'erp', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper' }, credential: { api_key: API_KEY } }, 'admin');
    const shown = await connections.get('erp');
    expect(shown).toMatchObject({ kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper', protocol: 'jsonrpc' }, credential: { stored: true, version: 1 } });
    expect(JSON.stringify(shown)).not.toContain(API_KEY);
    expect(await connections.test('erp')).toMatchObject({ ok: true, stage: 'ok' });

    const partners = await count('SELECT count(*)::int AS n FROM res_partner');
    const seen = await connections.withOdoo('erp', async (session, s) => {
      expect(s).toEqual({ url: sim.url, database: sim.db, login: 'bookkeeper', protocol: 'jsonrpc' });
      expect(await session.uid()).toBe(sim.uidOf('bookkeeper'));
      return session.call('res.partner', 'search_count', [[]]);
    });
    expect(seen).toBe(partners);
  });

  it("sends the connection's company with every call, a call's own context winning", async () => {
    const { connections } = managed;
    await connections.create({ name: 'erp-2', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper', protocol: 'xmlrpc', company_id: 2 }, credential: { api_key: API_KEY } }, 'admin');
    // Journals belong to one company each (partners are shared by all in the demo).
    const inCompany2 = await count('SELECT count(*)::int AS n FROM account_journal WHERE company_id = 2');
    const inCompany1 = await count('SELECT count(*)::int AS n FROM account_journal WHERE company_id = 1');
    expect(inCompany2).toBeGreaterThan(0);
    expect(inCompany1).toBeGreaterThan(0);
    const counts = await connections.withOdoo('erp-2', async (session, s) => {
      expect(s.company_id).toBe(2);
      const own = await session.call('account.journal', 'search_count', [[]]);
      const theirs = await session.call('account.journal', 'search_count', [[]], { context: { allowed_company_ids: [1] } });
      const read = await session.searchRead<{ company_id: [number, string] }>('account.journal', [], { fields: ['company_id'] });
      return [own, theirs, [...new Set(read.map((j) => j.company_id[0]))]];
    });
    expect(counts).toEqual([inCompany2, inCompany1, [2]]);
  });

  it('refuses what is not an odoo connection with a credential, and a use already cancelled', async () => {
    const { connections } = managed;
    await expect(connections.create({ name: 'erp-x', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper', token: 'x' } }, 'admin')).rejects.toMatchObject({ code: 'bad_request' });
    await expect(connections.create({ name: 'erp-x', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper' }, credential: { password: 'x' } }, 'admin')).rejects.toMatchObject({ code: 'bad_request' });
    await connections.create({ name: 'erp-none', kind: 'odoo', settings: { url: sim.url, database: sim.db, login: 'bookkeeper' } }, 'admin');
    await expect(connections.withOdoo('erp-none', async () => 1)).rejects.toMatchObject({ code: 'bad_request', message: 'Cannot use connection erp-none: it has no credential {api_key}' });
    await expect(connections.pool('erp')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('it is a odoo connection') });
    await expect(connections.withOdoo('nothing', async () => 1)).rejects.toMatchObject({ code: 'not_found' });
    await connections.stageRotation('erp', { api_key: 'not-the-key' }, 'admin').then((r) => expect(r.test).toMatchObject({ ok: false, stage: 'auth' }));
    await connections.cancelRotation('erp', 'admin');
    await expect(connections.withOdoo('erp', (session) => session.call('res.partner', 'search_count', [[]]), { signal: AbortSignal.abort() })).rejects.toThrow(/aborted/);
  });
});
