/**
 * The superset kind against the Superset API simulator: `test` logs in and
 * finds the serving database, and tells a wrong password, an unknown
 * database and a refused connection apart; the manager keeps it like any
 * kind and hands out a client per use.
 */
import { createServer } from 'node:net';
import { startSupersetApiSimulator, type SupersetApiSimulator } from '@workbench/superset/testing';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { supersetSettingsSchema, testSuperset } from './superset';

let sim: SupersetApiSimulator;
let managed: TestConnections;
let closedPort: number;

beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
  sim = await startSupersetApiSimulator({ users: [{ username: 'publisher', password: 'Publisher-Pass-1' }], databases: [{ name: 'serving' }] });
  managed = await openTestConnections({ prefix: 'wb-superset-kind-' });
});
afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  await sim?.[Symbol.asyncDispose]();
});

const settings = (extra: object = {}) => supersetSettingsSchema.parse({ url: sim.url, username: 'publisher', database: 'serving', ...extra });

it('logs in and finds the serving database', async () => {
  const r = await testSuperset(settings(), { password: 'Publisher-Pass-1' });
  expect(r).toMatchObject({ ok: true, stage: 'ok', message: expect.stringMatching(/^Logged in to Superset at .* as publisher; database "serving" is id \d+$/) });
});

it('tells a refused login, an unknown database, a missing credential and a refused connection apart', async () => {
  expect(await testSuperset(settings(), { password: 'wrong' })).toMatchObject({ ok: false, stage: 'auth', status: 401 });
  expect(await testSuperset(settings(), undefined)).toMatchObject({ ok: false, stage: 'auth' });
  expect(await testSuperset(settings({ database: 'elsewhere' }), { password: 'Publisher-Pass-1' })).toMatchObject({ ok: false, stage: 'database', message: expect.stringContaining('"elsewhere"') });
  expect(await testSuperset(settings({ url: `http://127.0.0.1:${closedPort}` }), { password: 'x' })).toMatchObject({ ok: false, stage: 'network', message: expect.stringContaining('connection refused') });
});

it('is a connection kind: stored, tested, and handed out as a client per use', async () => {
  const { connections } = managed;
  await connections.create({ name: 'bi', kind: 'superset', settings: { url: sim.url, username: 'publisher', database: 'serving' }, credential: { password: 'Publisher-Pass-1' } }, 'admin');
  expect(await connections.get('bi')).toMatchObject({ kind: 'superset', settings: { url: sim.url, username: 'publisher', provider: 'db', database: 'serving' }, credential: { stored: true } });
  expect(await connections.test('bi')).toMatchObject({ ok: true });
  const id = await connections.withSuperset('bi', async (client, database) => (await client.findDatabase(database))?.id);
  expect(id).toBe(sim.databaseId('serving'));
  await expect(connections.create({ name: 'bi2', kind: 'superset', settings: { url: sim.url, username: 'publisher', database: 'serving', token: 'x' } }, 'admin')).rejects.toMatchObject({ code: 'bad_request' });
  await expect(connections.pool('bi')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('it is a superset connection') });
});
