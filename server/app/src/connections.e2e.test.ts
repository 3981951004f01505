/**
 * Connections through the HTTP API of a running server, against the
 * machine's PostgreSQL: engineers add, change and rotate them, analysts
 * test them, viewers see them; the credential never comes back, never
 * reaches the audit log, the server's log or a kernel's environment; every
 * change is audited with what changed. (The ways a test can fail, and
 * rotation against a server that checks passwords, are in
 * server/connections with a PostgreSQL of the test's own.)
 */
import { KernelManager } from '@jupyterlab/services';
import type { Logger } from '@workbench/core';
import { PG_TEST_SERVER } from '@workbench/store/testing';
import { api, makeSettings, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const VIEWER = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const ANALYST = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const ENGINEER = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };
const SECRET = 'Odoo-Password-7f3a9c';
const NEXT_SECRET = 'Odoo-Password-rotated-44b1';

const settings = { host: PG_TEST_SERVER.host, port: PG_TEST_SERVER.port, database: 'postgres', user: PG_TEST_SERVER.user, schemas: ['public'] };

describe('connections over HTTP', () => {
  let ts: TestServer;
  const logLines: string[] = [];
  const logger: Logger = (() => {
    const at = (level: string) => (fields: object, msg: string) => void logLines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
    const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
    return l;
  })();

  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VIEWER, ANALYST, ENGINEER], logger });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  const call = (path: string, token: string, method = 'GET', body?: unknown) => api(ts, path, { method, token, body: body === undefined ? undefined : JSON.stringify(body) });

  it('lets an engineer add one, shows it to everyone without the credential, and refuses the others', async () => {
    const add = { name: 'odoo', kind: 'postgres', description: "Odoo's database", settings, credential: { password: SECRET } };
    for (const u of [VIEWER, ANALYST]) expect((await call('api/connections', u.token, 'POST', add)).status).toBe(403);
    const made = await call('api/connections', ENGINEER.token, 'POST', add);
    expect(made.status).toBe(201);
    const text = await made.text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({ name: 'odoo', kind: 'postgres', credential: { stored: true, version: 1 }, created_by: 'emil' });
    for (const u of [VIEWER, ANALYST, ENGINEER]) {
      const listed = await call('api/connections', u.token);
      expect(listed.status).toBe(200);
      const body = await listed.text();
      expect(body).not.toContain(SECRET);
      expect((JSON.parse(body) as { name: string }[]).map((c) => c.name)).toEqual(['odoo']);
    }
  });

  it('lets analysts test it and says what it found; viewers may not', async () => {
    expect((await call('api/connections/odoo/test', VIEWER.token, 'POST')).status).toBe(403);
    const r = await call('api/connections/odoo/test', ANALYST.token, 'POST');
    expect(await r.json()).toMatchObject({ ok: true, stage: 'ok', schemas: [{ name: 'public', exists: true, usage: true }] });
    // A draft that points nowhere: the precise reason, nothing saved.
    const draft = await call('api/connections/test', ENGINEER.token, 'POST', { kind: 'postgres', settings: { ...settings, host: 'no-such-host.invalid' } });
    expect(await draft.json()).toMatchObject({ ok: false, stage: 'dns', message: 'Cannot resolve host no-such-host.invalid: no such host name (DNS)' });
  });

  it('changes settings and rotates the credential, each audited with what changed and never the credential', async () => {
    const changed = await call('api/connections/odoo', ENGINEER.token, 'PATCH', { settings: { ...settings, pool: { max: 3 } } });
    expect(changed.status).toBe(200);
    const staged = await call('api/connections/odoo/rotate', ENGINEER.token, 'POST', { credential: { password: NEXT_SECRET } });
    expect(await staged.json()).toMatchObject({ connection: { credential: { version: 1, pending_version: 2 } }, test: { ok: true } });
    const switched = await call('api/connections/odoo/rotate/activate', ENGINEER.token, 'POST');
    expect(await switched.json()).toMatchObject({ previous_version: 1, version: 2, connection: { credential: { version: 2, pending_version: null } } });
    const records = (await ts.wb.audit.query({ resource: 'connections', limit: 1000 })).filter((r) => r.outcome === 'ok');
    expect(records.map((r) => [r.actor, r.action, r.target, r.detail.route])).toEqual([
      ['emil', 'write', null, '/api/connections'],
      ['anna', 'execute', 'odoo', '/api/connections/:name/test'],
      ['emil', 'write', null, '/api/connections/test'],
      ['emil', 'write', 'odoo', '/api/connections/:name'],
      ['emil', 'write', 'odoo', '/api/connections/:name/rotate'],
      ['emil', 'write', 'odoo', '/api/connections/:name/rotate/activate'],
    ]);
    expect(records[0]!.detail).toMatchObject({ name: 'odoo', kind: 'postgres', credential: 'set' });
    expect(records[3]!.detail).toMatchObject({ settings: { old: { pool: { max: 5 } }, new: { pool: { max: 3 } } } });
    expect(records[5]!.detail).toMatchObject({ rotation: 'activate', credential_version: { old: 1, new: 2 } });
    // Refused attempts are there too.
    expect((await ts.wb.audit.query({ resource: 'connections', limit: 1000 })).filter((r) => r.outcome === 'denied').map((r) => r.actor)).toEqual(['vera', 'anna', 'vera']);
  });

  it('keeps the credential out of the audit log, the server log and kernels', async () => {
    const audit = JSON.stringify(await ts.wb.audit.query({ limit: 1000 }));
    const kernels = new KernelManager({ serverSettings: makeSettings(ts.baseUrl, ANALYST.token) });
    try {
      const k = await kernels.startNew({ name: 'python3' });
      const env = await runCell(k, `import os\nprint(sorted(k for k, v in os.environ.items() if ${JSON.stringify(SECRET)} in v or ${JSON.stringify(NEXT_SECRET)} in v))`);
      expect(env.stdout).toBe('[]');
      await k.shutdown();
    } finally {
      kernels.dispose();
    }
    for (const where of [audit, logLines.join('\n')]) {
      expect(where).not.toContain(SECRET);
      expect(where).not.toContain(NEXT_SECRET);
    }
  });

  it('refuses bad input with a clear 400 or 404 and changes nothing', async () => {
    const before = await (await call('api/connections', VIEWER.token)).text();
    const cases: [string, string, unknown, number, RegExp][] = [
      ['api/connections', 'POST', { name: 'x', kind: 'postgres', settings: { ...settings, password: SECRET } }, 400, /Unrecognized key: "password"/],
      ['api/connections', 'POST', { name: 'x', kind: 'postgres', settings, credential: { password: SECRET }, owner: 'me' }, 400, /unknown key "owner"/],
      ['api/connections', 'POST', [], 400, /must be a JSON object/],
      ['api/connections/odoo', 'PATCH', { credential: { password: SECRET } }, 400, /the credential changes by POST .*\/rotate/],
      ['api/connections/odoo/rotate/activate', 'POST', undefined, 409, /no rotation is staged/],
      ['api/connections/odoo/rotate', 'DELETE', undefined, 409, /none is staged/],
      ['api/connections/nope/test', 'POST', undefined, 404, /no connection named "nope"/],
      ["api/connections/%22'%3B%20drop%20table%20connections%3B--", 'GET', undefined, 404, /no connection named/],
    ];
    for (const [path, method, body, status, message] of cases) {
      const res = await call(path, ENGINEER.token, method, body);
      const text = await res.text();
      expect([path, method, res.status, (JSON.parse(text) as { message: string }).message]).toEqual([path, method, status, expect.stringMatching(message)]);
      expect(text).not.toContain(SECRET);
    }
    expect(await (await call('api/connections', VIEWER.token)).text()).toBe(before);
  });
});
