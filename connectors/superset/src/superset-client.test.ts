/**
 * The client against the simulator over real HTTP (127.0.0.1, port 0):
 * login, renewal of an expired or undecodable token (refresh token first,
 * then a new login), the CSRF token and its session cookie on writes,
 * create-or-refresh, and Superset's errors carried with its message. The
 * simulator's clock is injected; nothing waits. Table-backed behaviour
 * (columns read from PostgreSQL) is in superset-publish.test.ts.
 */
import { createServer, type AddressInfo } from 'node:net';
import { AppError, isAppError } from '@workbench/core';
import { SupersetClient, type SupersetClientOptions } from './superset-client';
import { isSupersetError, type SupersetError } from './superset-error';
import { startSupersetApiSimulator, type SupersetApiSimulator } from './testing';

let now = Date.UTC(2026, 1, 28, 20, 0, 0);
let sim: SupersetApiSimulator;
const clients: SupersetClient[] = [];

function client(extra: Partial<SupersetClientOptions> = {}): SupersetClient {
  const c = new SupersetClient({ baseUrl: `${sim.url}/`, username: 'publisher', password: 'Publisher-Pass-1', ...extra });
  clients.push(c);
  return c;
}

/** "METHOD path status" of the requests since the last clear. */
function trail(): string[] {
  return sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
}

async function rejection(p: Promise<unknown>): Promise<SupersetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSupersetError(err)) throw new Error(`expected a SupersetError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  sim = await startSupersetApiSimulator({
    clock: () => now,
    users: [
      { username: 'publisher', password: 'Publisher-Pass-1' },
      { username: 'viewer', password: 'Viewer-Pass-2', role: 'Gamma' },
    ],
    databases: [{ name: 'serving' }, { name: 'scratch' }],
  });
});

beforeEach(() => sim.clearRequests());

afterAll(async () => {
  for (const c of clients) await c[Symbol.asyncDispose]();
  await sim[Symbol.asyncDispose]();
  await expect(fetch(sim.url)).rejects.toThrow(); // leak check: the server is gone
});

describe('SupersetClient', () => {
  it('logs in once, with the FAB login body, and sends the bearer token', async () => {
    const c = client();
    expect(await c.findDatabase('serving')).toEqual({ id: sim.databaseId('serving'), database_name: 'serving', backend: 'sqlite' });
    expect(await c.findDatabase('no-such-db')).toBeUndefined();
    expect(trail()).toEqual(['POST /api/v1/security/login 200', 'GET /api/v1/database/ 200', 'GET /api/v1/database/ 200']);
    expect(sim.requests[0]!.body).toEqual({ username: 'publisher', password: 'Publisher-Pass-1', provider: 'db', refresh: true });
    expect(sim.requests[1]!.query.q).toBe('(filters:!((col:database_name,opr:eq,value:serving)))');
    expect(sim.requests[1]!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('surfaces a bad password as Superset\'s 401, without the password', async () => {
    const err = await rejection(client({ password: 'wrong-password' }).findDatabase('serving'));
    expect([err.status, err.code, err.supersetMessage]).toEqual([401, 'unauthenticated', 'Not authorized']);
    expect(err.message).toBe('Cannot log in to Superset as publisher: Superset answered 401: Not authorized');
    const ldap = await rejection(client({ provider: 'ldap' }).login());
    expect([ldap.status, ldap.supersetMessage]).toEqual([400, { provider: ['Alternative authentication provider is not allowed'] }]);
  });

  it('renews an expired access token with the refresh token, once, and repeats the call', async () => {
    const c = client();
    await c.findDatabase('serving');
    now += 16 * 60 * 1000; // past JWT_ACCESS_TOKEN_EXPIRES
    sim.clearRequests();
    expect((await c.findDatabase('serving'))?.database_name).toBe('serving');
    expect(trail()).toEqual(['GET /api/v1/database/ 401', 'POST /api/v1/security/refresh 200', 'GET /api/v1/database/ 200']);
    expect(sim.requests[1]!.headers.authorization).not.toBe(sim.requests[0]!.headers.authorization);
  });

  it('logs in again when the refresh token has expired too', async () => {
    const c = client();
    await c.findDatabase('serving');
    now += 31 * 24 * 3600 * 1000; // past JWT_REFRESH_TOKEN_EXPIRES
    sim.clearRequests();
    await c.findDatabase('serving');
    expect(trail()).toEqual(['GET /api/v1/database/ 401', 'POST /api/v1/security/refresh 401', 'POST /api/v1/security/login 200', 'GET /api/v1/database/ 200']);
  });

  it("renews a token Superset can no longer decode (flask_jwt_extended's 422 {msg}) after a key rotation", async () => {
    const c = client();
    await c.findDatabase('serving');
    sim.rotateSecretKey();
    sim.clearRequests();
    await c.findDatabase('serving');
    expect(trail()).toEqual(['GET /api/v1/database/ 422', 'POST /api/v1/security/refresh 422', 'POST /api/v1/security/login 200', 'GET /api/v1/database/ 200']);
  });

  it('does not renew twice: a call still refused after a renewal fails with Superset\'s answer', async () => {
    const c = client({ username: 'viewer', password: 'Viewer-Pass-2' });
    await c.findDatabase('serving');
    sim.setUserActive('viewer', false);
    try {
      sim.clearRequests();
      const err = await rejection(c.findDatabase('serving'));
      // The token is refused (user inactive), the refresh too, and the new login: FAB's 401.
      expect(trail()).toEqual(['GET /api/v1/database/ 401', 'POST /api/v1/security/refresh 401', 'POST /api/v1/security/login 401']);
      expect([err.status, err.supersetMessage]).toEqual([401, 'Not authorized']);
    } finally {
      sim.setUserActive('viewer', true);
    }
  });

  it('fetches a CSRF token once and sends it, with its session cookie and a Referer, on every write', async () => {
    const c = client();
    const databaseId = sim.databaseId('scratch');
    const first = await c.createDataset({ database: databaseId, schema: 'serving', table_name: 'csrf_flow_a' });
    await c.refreshDataset(first);
    await c.updateDataset(first, { description: 'Trial balance, month-end' });
    expect(trail()).toEqual(['POST /api/v1/security/login 200', 'GET /api/v1/security/csrf_token/ 200', 'POST /api/v1/dataset/ 201', `PUT /api/v1/dataset/${first}/refresh 200`, `PUT /api/v1/dataset/${first} 200`]);
    const writes = sim.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v1/dataset'));
    for (const w of writes) {
      expect(w.headers['x-csrftoken']).toEqual(expect.any(String));
      expect(w.headers.cookie).toMatch(/^session=/);
      expect(w.headers.referer).toBe(`${sim.url}/`);
      expect(w.headers['content-type']).toBe('application/json');
    }
    expect(sim.requests.find((r) => r.method === 'GET')!.headers['x-csrftoken']).toBeUndefined();
    expect((await c.getDataset(first)).description).toBe('Trial balance, month-end');
  });

  it('creates each dataset once and refreshes it on every later publish', async () => {
    const c = client();
    const targets = [
      { database: 'scratch', schema: 'serving', table: 'gold_trial_balance' },
      { database: 'scratch', schema: 'serving', table: 'gold_ap_aging', description: 'AP aging at close' },
    ];
    const first = await c.publishDatasets(targets);
    expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
    const second = await c.publishDatasets(targets);
    expect(second.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed']);
    expect(second.map((r) => 'datasetId' in r && r.datasetId)).toEqual(first.map((r) => 'datasetId' in r && r.datasetId));
    const mine = sim.datasets().filter((d) => d.table_name === 'gold_trial_balance' || d.table_name === 'gold_ap_aging');
    expect(mine).toHaveLength(2);
    expect(mine.find((d) => d.table_name === 'gold_ap_aging')!.description).toBe('AP aging at close');
  });

  it('refreshes a dataset another publisher created between its look and its create', async () => {
    const racer = client();
    const databaseId = sim.databaseId('scratch');
    // The racer creates the dataset right after the publisher's lookup answered "none".
    let raced = false;
    const racingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (!raced && url.pathname === '/api/v1/dataset/' && (init?.method ?? 'GET') === 'GET') {
        raced = true;
        await racer.createDataset({ database: databaseId, schema: 'serving', table_name: 'gold_raced' });
      }
      return res;
    };
    const racing = client({ fetch: racingFetch });
    const [result] = await racing.publishDatasets([{ database: 'scratch', schema: 'serving', table: 'gold_raced' }]);
    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(sim.datasets().filter((d) => d.table_name === 'gold_raced')).toHaveLength(1);
    expect(trail().filter((t) => t.startsWith('POST /api/v1/dataset/'))).toEqual(['POST /api/v1/dataset/ 201', 'POST /api/v1/dataset/ 422']);
  });

  it("reports an unknown database per table and Superset's 422 for an unknown database id", async () => {
    const c = client();
    const [result, ok] = await c.publishDatasets([
      { database: 'warehouse', schema: 'serving', table: 'gold_trial_balance' },
      { database: 'scratch', schema: 'serving', table: 'gold_unknown_db_ok' },
    ]);
    expect(result).toMatchObject({ outcome: 'failed' });
    const error = (result as { error: AppError }).error;
    expect([error.code, error.message]).toEqual(['not_found', 'Cannot publish serving.gold_trial_balance: Superset has no database named warehouse']);
    expect(ok).toMatchObject({ outcome: 'created' });
    const err = await rejection(c.createDataset({ database: 987654, schema: 'serving', table_name: 'x' }));
    expect([err.status, err.code, err.supersetMessage]).toEqual([422, 'bad_request', { database: ['Database does not exist'] }]);
    expect(err.message).toBe('Cannot create the Superset dataset serving.x: Superset answered 422: database: Database does not exist');
  });

  it("surfaces a read-only user's 403 and a missing dataset's 404 with Superset's message", async () => {
    const viewer = client({ username: 'viewer', password: 'Viewer-Pass-2' });
    const forbidden = await rejection(viewer.createDataset({ database: sim.databaseId('scratch'), schema: 'serving', table_name: 'nope' }));
    expect([forbidden.status, forbidden.code, forbidden.supersetMessage]).toEqual([403, 'forbidden', 'Forbidden']);
    const missing = await rejection(client().refreshDataset(424242));
    expect([missing.status, missing.code, missing.supersetMessage]).toEqual([404, 'not_found', 'Not found']);
  });

  it('says why when no answer came, and stops on abort and after disposal', async () => {
    // A port that was just listening and is closed now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = new SupersetClient({ baseUrl: `http://127.0.0.1:${port}`, username: 'u', password: 'p' });
    const err = await rejection(down.login());
    expect([err.status, err.code]).toEqual([undefined, 'unavailable']);
    expect(err.message).toMatch(/^Cannot log in to Superset as u: .*ECONNREFUSED/);

    const c = client();
    const aborted = await c.findDatabase('serving', { signal: AbortSignal.abort(new AppError('timeout', 'Cannot publish: the close was cancelled')) }).catch((e: unknown) => e);
    expect(isAppError(aborted, 'timeout') && aborted.message).toBe('Cannot publish: the close was cancelled');
    await c[Symbol.asyncDispose]();
    await c[Symbol.asyncDispose](); // idempotent
    const closed = await c.findDatabase('serving').catch((e: unknown) => e);
    expect(isAppError(closed, 'unavailable') && closed.message).toBe('Cannot call Superset: this client was closed');
  });
});
