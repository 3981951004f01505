/**
 * The simulator at the HTTP level, with plain fetch: the shapes Superset,
 * Flask-AppBuilder, flask_jwt_extended and Flask-WTF answer with (each
 * cited in the simulator's sources), in Flask's order of checks: routing,
 * CSRF, JWT, permission, body, command. Time moves only by the injected clock.
 */
import { risonEncode } from '../rison';
import { startSupersetApiSimulator, type SupersetApiSimulator } from './superset-api-simulator';

let now = Date.UTC(2026, 0, 31, 18, 0, 0);
let sim: SupersetApiSimulator;

beforeAll(async () => {
  sim = await startSupersetApiSimulator({
    clock: () => now,
    users: [
      { username: 'publisher', password: 'Publisher-Pass-1' },
      { username: 'viewer', password: 'Viewer-Pass-2', role: 'Gamma' },
    ],
    databases: [{ name: 'serving' }, { name: 'scratch', backend: 'duckdb' }],
  });
});

afterAll(async () => {
  await sim[Symbol.asyncDispose]();
  // Leak check: nothing listens any more.
  await expect(fetch(sim.url)).rejects.toThrow();
});

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

async function call(method: string, path: string, init: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(sim.url + path, { method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.raw, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function login(username = 'publisher', password = 'Publisher-Pass-1'): Promise<{ access_token: string; refresh_token: string }> {
  const r = await call('POST', '/api/v1/security/login', { json: { username, password, provider: 'db', refresh: true } });
  expect(r.status).toBe(200);
  return r.body;
}

/** A CSRF token and the session cookie it belongs to. */
async function csrf(token: string): Promise<{ csrfToken: string; cookie: string }> {
  const r = await call('GET', '/api/v1/security/csrf_token/', { token });
  expect(r.status).toBe(200);
  const cookie = r.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/^session=[^;]+; HttpOnly; Path=\/; SameSite=Lax$/);
  return { csrfToken: r.body.result, cookie: cookie.split(';')[0]! };
}

const GENERIC_1011 = { issue_codes: [{ code: 1011, message: 'Issue 1011 - Superset encountered an unexpected error.' }] };

describe('security API', () => {
  it('logs in with FAB\'s body and answers JWTs with flask_jwt_extended\'s claims', async () => {
    const tokens = await login();
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims).toEqual({ fresh: true, iat: now / 1000, jti: expect.any(String), type: 'access', sub: expect.any(String), nbf: now / 1000, exp: now / 1000 + 900 });
    const refresh = JSON.parse(Buffer.from(tokens.refresh_token.split('.')[1]!, 'base64url').toString());
    expect(refresh).toMatchObject({ type: 'refresh', fresh: false, exp: now / 1000 + 30 * 24 * 3600 });
    const noRefresh = await call('POST', '/api/v1/security/login', { json: { username: 'publisher', password: 'Publisher-Pass-1', provider: 'db' } });
    expect(Object.keys(noRefresh.body)).toEqual(['access_token']);
  });

  it('answers bad logins as FAB does', async () => {
    const post = (json: unknown) => call('POST', '/api/v1/security/login', { json });
    expect(await post({ username: 'publisher', password: 'wrong', provider: 'db' })).toMatchObject({ status: 401, body: { message: 'Not authorized' } });
    expect(await post({ username: 'nobody', password: 'x', provider: 'db' })).toMatchObject({ status: 401, body: { message: 'Not authorized' } });
    expect(await post({ username: 'publisher', provider: 'db' })).toMatchObject({ status: 400, body: { message: { password: ['Missing data for required field.'] } } });
    expect(await post({ username: '', password: 'x', provider: 'db', extra: 1 })).toMatchObject({ status: 400, body: { message: { username: ['Shorter than minimum length 1.'], extra: ['Unknown field.'] } } });
    expect(await post({ username: 'publisher', password: 'x', provider: 'ldap' })).toMatchObject({ status: 400, body: { message: { provider: ['Alternative authentication provider is not allowed'] } } });
    // FAB's login reads login_payload["provider"] unguarded: without it, a KeyError that @safe answers 500.
    expect(await post({ username: 'publisher', password: 'Publisher-Pass-1' })).toMatchObject({ status: 500, body: { message: 'Fatal error' } });
    expect(await call('POST', '/api/v1/security/login', { raw: 'username=publisher' })).toMatchObject({ status: 400, body: { message: 'Request payload is not JSON' } });
  });

  it("refuses tokens with flask_jwt_extended's {msg} answers", async () => {
    const tokens = await login();
    const get = (headers: Record<string, string>) => call('GET', '/api/v1/database/', { headers });
    expect(await get({})).toMatchObject({ status: 401, body: { msg: 'Missing Authorization Header' } });
    expect(await get({ authorization: `Basic abc` })).toMatchObject({ status: 401, body: { msg: "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'" } });
    expect(await get({ authorization: 'Bearer not-a-token' })).toMatchObject({ status: 422, body: { msg: 'Not enough segments' } });
    const [h, p] = tokens.access_token.split('.');
    expect(await get({ authorization: `Bearer ${h}.${p}.AAAA` })).toMatchObject({ status: 422, body: { msg: 'Signature verification failed' } });
    expect(await get({ authorization: `Bearer ${tokens.refresh_token}` })).toMatchObject({ status: 422, body: { msg: 'Only non-refresh tokens are allowed' } });
    expect(await call('POST', '/api/v1/security/refresh', { token: tokens.access_token })).toMatchObject({ status: 422, body: { msg: 'Only refresh tokens are allowed' } });
  });

  it('expires access tokens by the clock and refreshes them with the refresh token', async () => {
    const tokens = await login();
    expect((await call('GET', '/api/v1/database/', { token: tokens.access_token })).status).toBe(200);
    now += 15 * 60 * 1000; // exp <= now: expired (PyJWT)
    expect(await call('GET', '/api/v1/database/', { token: tokens.access_token })).toMatchObject({ status: 401, body: { msg: 'Token has expired' } });
    const refreshed = await call('POST', '/api/v1/security/refresh', { token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body)).toEqual(['access_token']);
    expect(JSON.parse(Buffer.from(refreshed.body.access_token.split('.')[1], 'base64url').toString())).toMatchObject({ fresh: false, type: 'access' });
    expect((await call('GET', '/api/v1/database/', { token: refreshed.body.access_token })).status).toBe(200);
    now += 30 * 24 * 3600 * 1000;
    expect(await call('POST', '/api/v1/security/refresh', { token: tokens.refresh_token })).toMatchObject({ status: 401, body: { msg: 'Token has expired' } });
  });

  it('stops honouring the tokens of a deactivated user', async () => {
    const tokens = await login('viewer', 'Viewer-Pass-2');
    sim.setUserActive('viewer', false);
    try {
      const r = await call('GET', '/api/v1/database/', { token: tokens.access_token });
      expect(r).toMatchObject({ status: 401, body: { msg: expect.stringMatching(/^Error loading the user \d+$/) } });
      expect((await call('POST', '/api/v1/security/login', { json: { username: 'viewer', password: 'Viewer-Pass-2', provider: 'db' } })).status).toBe(401);
    } finally {
      sim.setUserActive('viewer', true);
    }
  });
});

describe('CSRF', () => {
  it('checks writes before authentication, with Flask-WTF\'s reasons in Superset\'s error shape', async () => {
    const { access_token } = await login();
    const post = (headers: Record<string, string>, token: string | undefined = access_token) => call('POST', '/api/v1/dataset/', { token, json: { database: sim.databaseId('serving'), schema: 'serving', table_name: 'csrf_probe' }, headers });
    const missing = await post({}, undefined); // no JWT either: CSRF is checked first
    expect(missing).toEqual({ status: 400, headers: expect.anything(), body: { errors: [{ message: '400 Bad Request: The CSRF token is missing.', error_type: 'GENERIC_BACKEND_ERROR', level: 'error', extra: GENERIC_1011 }] } });
    const { csrfToken, cookie } = await csrf(access_token);
    expect((await post({ 'x-csrftoken': csrfToken })).body.errors[0].message).toBe('400 Bad Request: The CSRF session token is missing.');
    expect((await post({ 'x-csrftoken': 'forged', cookie })).body.errors[0].message).toBe('400 Bad Request: The CSRF token is invalid.');
    const other = await csrf(access_token); // a second session: its token does not match the first session's raw token
    expect((await post({ 'x-csrftoken': other.csrfToken, cookie })).body.errors[0].message).toBe('400 Bad Request: The CSRF tokens do not match.');
    expect(await post({ 'x-csrftoken': csrfToken, cookie })).toMatchObject({ status: 201, body: { id: expect.any(Number), result: { table_name: 'csrf_probe' } } });
    // X-CSRF-Token is Flask-WTF's other default header.
    expect((await call('PUT', '/api/v1/dataset/999999/refresh', { token: access_token, headers: { 'x-csrf-token': csrfToken, cookie, 'content-type': 'application/json' } })).status).toBe(404);
    // A CSRF failure of a request that is not JSON redirects to the login page.
    const form = await call('PUT', '/api/v1/dataset/1/refresh', { token: access_token });
    expect([form.status, form.headers.get('location')]).toEqual([302, '/login/']);
    now += 7 * 24 * 3600 * 1000 + 1000; // WTF_CSRF_TIME_LIMIT: a week
    const fresh = await login();
    expect((await post({ 'x-csrftoken': csrfToken, cookie }, fresh.access_token)).body.errors[0].message).toBe('400 Bad Request: The CSRF token has expired.');
  });

  it('hands out a token for the same session without setting the cookie again', async () => {
    const { access_token } = await login();
    const first = await csrf(access_token);
    const again = await call('GET', '/api/v1/security/csrf_token/', { token: access_token, headers: { cookie: first.cookie } });
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(typeof again.body.result).toBe('string');
  });
});

describe('lists', () => {
  it('filters databases with rison, falls back to JSON, and refuses what FAB refuses', async () => {
    const { access_token } = await login();
    const list = (q: string) => call('GET', `/api/v1/database/?q=${encodeURIComponent(q)}`, { token: access_token });
    const one = await list(risonEncode({ filters: [{ col: 'database_name', opr: 'eq', value: 'scratch' }] }));
    expect(one).toMatchObject({ status: 200, body: { count: 1, ids: [sim.databaseId('scratch')], result: [{ id: sim.databaseId('scratch'), database_name: 'scratch', backend: 'duckdb' }] } });
    expect((await list('{"filters":[{"col":"database_name","opr":"sw","value":"SERV"}]}')).body.count).toBe(1);
    expect(await list('(filters:!((col:id,opr:eq,value:1)))')).toMatchObject({ status: 400, body: { message: 'Filter column: id not allowed to filter' } });
    expect(await list('(filters:!((col:database_name,opr:gt,value:a)))')).toMatchObject({ status: 400, body: { message: 'Filter operation: gt not allowed on column: database_name' } });
    expect(await list('(filters:!((col:database_name,opr:eq)))')).toMatchObject({ status: 400, body: { message: "Not a valid rison schema 'value' is a required property" } });
    expect(await list('(page:x)')).toMatchObject({ status: 400, body: { message: "Not a valid rison schema 'x' is not of type 'integer'" } });
    expect(await list('(filters:!(')).toMatchObject({ status: 400, body: { message: 'Not a valid rison/json argument' } });
    expect(await list('(order_column:uuid)')).toMatchObject({ status: 400, body: { message: 'Invalid order by column: uuid' } });
    const paged = await list('(order_column:database_name,order_direction:desc,page:0,page_size:1)');
    expect(paged.body).toMatchObject({ count: 2, result: [{ database_name: 'serving' }] });
  });

  it('shows a Gamma user no databases or datasets, and forbids its writes', async () => {
    const { access_token } = await login('viewer', 'Viewer-Pass-2');
    expect((await call('GET', '/api/v1/database/', { token: access_token })).body).toEqual({ count: 0, ids: [], result: [] });
    const { csrfToken, cookie } = await csrf(access_token);
    const r = await call('POST', '/api/v1/dataset/', { token: access_token, json: { database: 1, table_name: 'x' }, headers: { 'x-csrftoken': csrfToken, cookie } });
    expect(r).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
  });
});

describe('routing and bodies', () => {
  it("answers unknown URLs, wrong methods and missing slashes as Flask and Superset do", async () => {
    const { access_token } = await login();
    const nf = await call('GET', '/api/v1/chart/', { token: access_token });
    expect(nf).toMatchObject({ status: 404, body: { errors: [{ message: expect.stringMatching(/^404 Not Found: The requested URL was not found/), error_type: 'GENERIC_BACKEND_ERROR' }] } });
    expect((await call('DELETE', '/api/v1/security/login')).status).toBe(405);
    const redirect = await call('GET', '/api/v1/database?q=()', { token: access_token });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, `${sim.url}/api/v1/database/?q=()`]);
    // GET /<int:pk> does not match "abc", but PUT /<pk> does: werkzeug answers 405, not 404.
    expect(await call('GET', '/api/v1/dataset/abc', { token: access_token })).toMatchObject({ status: 405, body: { errors: [{ message: '405 Method Not Allowed: The method is not allowed for the requested URL.' }] } });
    expect(await call('GET', '/api/v1/dataset/424242', { token: access_token })).toMatchObject({ status: 404, body: { message: 'Not found' } });
  });

  it('loads dataset bodies with the marshmallow schemas and the JSON checks of each handler', async () => {
    const { access_token } = await login();
    const { csrfToken, cookie } = await csrf(access_token);
    const write = (method: string, path: string, init: { json?: unknown; raw?: string; type?: string }) =>
      call(method, path, { token: access_token, json: init.json, raw: init.raw, headers: { 'x-csrftoken': csrfToken, cookie, ...(init.type ? { 'content-type': init.type } : {}) } });
    expect(await write('POST', '/api/v1/dataset/', { json: { schema: 5, table_name: '', bogus: true } })).toMatchObject({
      status: 400,
      body: { message: { database: ['Missing data for required field.'], schema: ['Not a valid string.'], table_name: ['Length must be between 1 and 250.'], bogus: ['Unknown field.'] } },
    });
    expect(await write('POST', '/api/v1/dataset/', { json: { database: 987654, schema: 'serving', table_name: 't' } })).toMatchObject({ status: 422, body: { message: { database: ['Database does not exist'] } } });
    // requires_json sits inside @safe on post: a non-JSON post is @safe's 500.
    expect(await write('POST', '/api/v1/dataset/', { raw: 'database=1', type: 'application/x-www-form-urlencoded' })).toMatchObject({ status: 500, body: { message: 'Fatal error' } });
    expect(await write('POST', '/api/v1/dataset/', { raw: '{"database":', type: 'application/json' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^400 Bad Request: Failed to decode JSON object: /) } });
    // put has no @safe: its requires_json answers InvalidPayloadFormatError.
    expect(await write('PUT', '/api/v1/dataset/1', { raw: 'description=x', type: 'text/plain' })).toMatchObject({
      status: 400,
      body: { errors: [{ message: 'Request is not JSON', error_type: 'INVALID_PAYLOAD_FORMAT_ERROR', level: 'error', extra: { issue_codes: [{ code: 1019, message: 'Issue 1019 - The submitted payload has the incorrect format.' }] } }] },
    });
    expect(await write('PUT', '/api/v1/dataset/1', { json: { cache_timeout: 'soon', owners: [999999] } })).toMatchObject({ status: 400, body: { message: { cache_timeout: ['Not a valid integer.'] } } });
    expect(await write('PUT', '/api/v1/dataset/424242', { json: { description: 'x' } })).toMatchObject({ status: 404, body: { message: 'Not found' } });
    // What the simulator does not model, it says so with a status Superset never sends.
    expect(await write('PUT', '/api/v1/dataset/1', { json: { columns: [] } })).toMatchObject({ status: 501 });
  });
});
