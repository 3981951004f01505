/**
 * The four roles, enforced: a sweep over every route and WebSocket endpoint
 * for a viewer, an analyst, an engineer, an admin and a signed-in user with
 * no role, each refused (403, naming the role needed) exactly where the
 * policy says and let through everywhere else; GET /api/me telling each who
 * they are and what they may do; kernels and sessions private to their
 * owner (admins excepted); users and roles changed only by admins, with
 * role escalation through request bodies refused and nothing written.
 */
import { KernelManager, SessionManager } from '@jupyterlab/services';
import { allowedRoles, DEFAULT_ROLE_POLICY, ROLES, type Action } from '@workbench/auth';
import { ApiTokenRepository, UserRepository } from '@workbench/store';
import { api, concretePath, makeSettings, startTestServer, TestServer, TOKEN } from './testing/harness';
import { upgradeStatus } from './testing/json-socket';
import { runCell } from './testing/run-cell';

const VIEWER = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };
const ANALYST = { username: 'anna', token: 'analyst-token-0123456789', roles: ['analyst'] };
const ANALYST2 = { username: 'bert', token: 'analyst2-token-0123456789', roles: ['analyst'] };
const ENGINEER = { username: 'emil', token: 'engineer-token-0123456789', roles: ['engineer'] };
const NOBODY = { username: 'nobody', token: 'nobody-token-0123456789', roles: [] as string[] };
/** The server token's user is the admin. */
const ADMIN = { username: 'workbench', token: TOKEN, roles: ['admin'] };
const EVERYONE = [VIEWER, ANALYST, ENGINEER, ADMIN, NOBODY];

/** Routes the sweep does not call for a role the table allows: they would end the test (covered by the lifecycle tests). */
const NOT_CALLED_WHEN_ALLOWED = new Set(['post /api/shutdown']);

const ws = (ts: TestServer, path: string) => ts.baseUrl.replace(/^http/, 'ws') + path;
const bearer = (token: string) => ({ Authorization: `token ${token}` });

describe('roles', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VIEWER, ANALYST, ANALYST2, ENGINEER, NOBODY] });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('every route and socket declares a permission the policy names explicitly', () => {
    const declared = [...ts.wb.http.routes.all().filter((r) => r.auth !== 'public'), ...ts.wb.http.routes.sockets()];
    expect(declared.length).toBeGreaterThan(60);
    for (const r of declared) {
      const where = `${'method' in r ? r.method : 'socket'} ${r.path}`;
      expect([where, r.permission]).toEqual([where, { resource: expect.any(String), action: expect.stringMatching(/^(read|write|execute)$/) }]);
      const { resource, action } = r.permission!;
      // Named in the policy (not merely admin-only by default), so the table is the whole truth.
      expect([where, DEFAULT_ROLE_POLICY[`${resource}:${action}`] ?? DEFAULT_ROLE_POLICY[resource]]).toEqual([where, expect.any(Array)]);
    }
  });

  it('gives each role exactly what the table says on every route, and names the role needed when it refuses', async () => {
    const routes = ts.wb.http.routes.all().filter((r) => r.auth !== 'public');
    let refused = 0;
    let allowed = 0;
    for (const user of EVERYONE) {
      for (const r of routes) {
        const { resource, action } = r.permission!;
        const may = allowedRoles(resource, action).some((role) => user.roles.includes(role));
        const key = `${r.method} ${r.path}`;
        if (may && NOT_CALLED_WHEN_ALLOWED.has(key)) continue;
        // An array body: past the role check, every handler refuses it (400) without doing anything.
        const res = await api(ts, concretePath(r.path), { method: r.method.toUpperCase(), token: user.token, body: r.method === 'get' ? undefined : '[]' });
        const text = await res.text();
        const where = `${user.username} (${user.roles.join(',') || 'no role'}) ${r.method.toUpperCase()} ${r.path}`;
        if (may) {
          expect([where, res.status]).toEqual([where, expect.not.stringMatching(/^403$/)]);
          allowed++;
        } else {
          expect([where, res.status]).toEqual([where, 403]);
          expect([where, (JSON.parse(text) as { message: string }).message]).toEqual([where, expect.stringMatching(new RegExp(`^Cannot ${action} ${resource}: requires the (admin|viewer|analyst|engineer) role`))]);
          refused++;
        }
      }
    }
    // Every role is refused somewhere except admin, and the no-role user everywhere.
    expect(refused).toBeGreaterThan(routes.length);
    expect(allowed).toBeGreaterThan(routes.length * 2);
  });

  it('gives each role exactly what the table says on every WebSocket endpoint', async () => {
    const sockets = ts.wb.http.routes.sockets();
    expect(sockets.map((s) => s.path).sort()).toEqual(['/api/collaboration/room/:room', '/api/events/subscribe', '/api/kernels/:kernel_id/channels', '/terminals/websocket/:name']);
    for (const user of EVERYONE) {
      for (const s of sockets) {
        const { resource, action } = s.permission!;
        const may = allowedRoles(resource, action).some((role) => user.roles.includes(role));
        const status = await upgradeStatus(ws(ts, concretePath(s.path)), bearer(user.token));
        const where = `${user.username} ${s.path}`;
        // Allowed: past the role check to the object lookup (an unknown kernel, terminal or room is 404; the event stream opens).
        expect([where, status]).toEqual([where, may ? (s.path === '/api/events/subscribe' ? 101 : 404) : 403]);
      }
    }
  });

  it('answers GET /api/me with the real identity, roles and permissions of each role', async () => {
    const ask = encodeURIComponent(JSON.stringify({ contents: ['read', 'write'], kernels: ['execute'], pipelines: ['execute', 'write'], connections: ['write'], users: ['read', 'write'], audit: ['read'], terminals: ['execute'] }));
    const me = async (token: string) => (await (await api(ts, `api/me?permissions=${ask}`, { token })).json()) as { identity: { username: string }; roles: string[]; permissions: Record<string, string[]> };
    expect(await me(VIEWER.token)).toMatchObject({
      identity: { username: 'vera' },
      roles: ['viewer'],
      permissions: { contents: ['read'], kernels: [], pipelines: [], connections: [], users: [], audit: [], terminals: [] },
    });
    expect((await me(ANALYST.token)).permissions).toEqual({ contents: ['read', 'write'], kernels: ['execute'], pipelines: ['execute'], connections: [], users: [], audit: [], terminals: [] });
    expect((await me(ENGINEER.token)).permissions).toEqual({ contents: ['read', 'write'], kernels: ['execute'], pipelines: ['execute', 'write'], connections: ['write'], users: [], audit: [], terminals: [] });
    expect((await me(TOKEN)).permissions).toEqual({ contents: ['read', 'write'], kernels: ['execute'], pipelines: ['execute', 'write'], connections: ['write'], users: ['read', 'write'], audit: ['read'], terminals: ['execute'] });
    expect(ROLES).toEqual(['viewer', 'analyst', 'engineer', 'admin']);
    // No role: signed in, but may do nothing, not even ask who they are.
    expect((await api(ts, 'api/me', { token: NOBODY.token })).status).toBe(403);
  });

  describe('kernels and sessions belong to their owner', () => {
    it("keeps one analyst out of another's kernels and sessions; an admin sees and uses all", async () => {
      const anna = makeSettings(ts.baseUrl, ANALYST.token);
      const annaSessions = new SessionManager({ serverSettings: anna, kernelManager: new KernelManager({ serverSettings: anna }) });
      try {
        const session = await annaSessions.startNew({ path: 'shared/report.ipynb', type: 'notebook', name: 'report.ipynb', kernel: { name: 'python3' } });
        const kernelId = session.kernel!.id;
        expect((await runCell(session.kernel!, 'print(6 * 7)')).stdout).toBe('42');

        // Bert lists nothing of Anna's and is told her kernel and session do not exist.
        expect(await (await api(ts, 'api/kernels', { token: ANALYST2.token })).json()).toEqual([]);
        expect(await (await api(ts, 'api/sessions', { token: ANALYST2.token })).json()).toEqual([]);
        for (const [method, path] of [
          ['GET', `api/kernels/${kernelId}`],
          ['DELETE', `api/kernels/${kernelId}`],
          ['POST', `api/kernels/${kernelId}/interrupt`],
          ['POST', `api/kernels/${kernelId}/restart`],
          ['GET', `api/sessions/${session.id}`],
          ['PATCH', `api/sessions/${session.id}`],
          ['DELETE', `api/sessions/${session.id}`],
        ] as const) {
          const res = await api(ts, path, { method, token: ANALYST2.token, body: method === 'PATCH' ? JSON.stringify({ path: 'stolen.ipynb' }) : undefined });
          expect([method, path, res.status]).toEqual([method, path, 404]);
        }
        expect(await upgradeStatus(ws(ts, `api/kernels/${kernelId}/channels`), bearer(ANALYST2.token))).toBe(404);
        // Nor can he attach her kernel to a session of his.
        const attach = await api(ts, 'api/sessions', { method: 'POST', token: ANALYST2.token, body: JSON.stringify({ path: 'mine.ipynb', type: 'notebook', kernel: { id: kernelId } }) });
        expect(attach.status).toBe(400);
        expect(((await attach.json()) as { message: string }).message).toBe(`Cannot use kernel: no kernel with id ${kernelId}`);
        // Opening the same notebook gives him a kernel of his own, not hers.
        const his = (await (await api(ts, 'api/sessions', { method: 'POST', token: ANALYST2.token, body: JSON.stringify({ path: 'shared/report.ipynb', type: 'notebook', kernel: { name: 'python3' } }) })).json()) as { id: string; kernel: { id: string } };
        expect(his.kernel.id).not.toBe(kernelId);
        expect(((await (await api(ts, 'api/sessions', { token: ANALYST2.token })).json()) as { id: string }[]).map((s) => s.id)).toEqual([his.id]);
        // Her session is untouched by all of that.
        expect(await (await api(ts, `api/sessions/${session.id}`, { token: ANALYST.token })).json()).toMatchObject({ path: 'shared/report.ipynb', kernel: { id: kernelId } });

        // The admin sees both and may connect to hers.
        const all = ((await (await api(ts, 'api/kernels')).json()) as { id: string }[]).map((k) => k.id);
        expect(all).toEqual(expect.arrayContaining([kernelId, his.kernel.id]));
        expect(await upgradeStatus(ws(ts, `api/kernels/${kernelId}/channels`), bearer(TOKEN))).toBe(101);
        expect((await api(ts, `api/sessions/${his.id}`, { method: 'DELETE' })).status).toBe(204);
        expect(await (await api(ts, 'api/kernels', { token: ANALYST2.token })).json()).toEqual([]);
      } finally {
        await annaSessions.shutdownAll();
        annaSessions.dispose();
      }
    });
  });

  describe('users and roles', () => {
    let hana: { id: string };
    let hanaToken: string;
    beforeAll(async () => {
      // An SSO user as the OIDC login leaves one (oidc.e2e tests the login itself), holding an API token.
      hana = await new UserRepository(ts.wb.metadata.db).create({ username: 'hana', roles: ['viewer'], source: 'oidc', oidc: { issuer: 'https://idp.example', subject: 'hana' } });
      hanaToken = (await new ApiTokenRepository(ts.wb.metadata.db).create({ userId: hana.id, name: 'laptop', expiresAt: null })).plaintext;
    });

    const patch = (username: string, body: unknown, token = TOKEN) => api(ts, `api/users/${username}`, { method: 'PATCH', token, body: JSON.stringify(body) });
    const stored = async () => (await new UserRepository(ts.wb.metadata.db).getById(hana.id))!;

    it('lists users with their roles for admins only', async () => {
      const res = await api(ts, 'api/users');
      const body = (await res.json()) as { users: { username: string; roles: string[]; roles_source: string; source: string }[]; roles: string[] };
      expect(body.roles).toEqual(['viewer', 'analyst', 'engineer', 'admin']);
      expect(body.users.find((u) => u.username === 'hana')).toEqual({
        username: 'hana',
        display_name: 'hana',
        email: null,
        roles: ['viewer'],
        roles_source: 'provider',
        source: 'oidc',
        disabled: null,
        created: expect.any(String),
        updated: expect.any(String),
      });
      for (const u of [VIEWER, ANALYST, ENGINEER]) expect((await api(ts, 'api/users', { token: u.token })).status).toBe(403);
      // Refusals are in the audit log, on this route too (reading the user list is not otherwise recorded).
      const denied = (await ts.wb.audit.query({ resource: 'users', action: 'read' })).filter((r) => r.outcome === 'denied').map((r) => r.actor);
      expect(denied).toEqual(expect.arrayContaining(['vera', 'anna', 'emil']));
    });

    it('refuses role escalation through request bodies from anybody but an admin, writing nothing', async () => {
      const before = await stored();
      const auditBefore = (await ts.wb.audit.query({ resource: 'users' })).length;
      // Hana herself (through her API token), and an engineer, try to make her an admin.
      for (const token of [hanaToken, ENGINEER.token, ANALYST.token]) {
        const res = await patch('hana', { roles: ['admin'] }, token);
        expect(res.status).toBe(403);
        expect(((await res.json()) as { message: string }).message).toBe('Cannot write users: requires the admin role');
      }
      // Roles smuggled into other bodies are refused as unknown keys, not obeyed.
      const smuggled = await api(ts, 'api/tokens', { method: 'POST', token: hanaToken, body: JSON.stringify({ name: 'x', roles: ['admin'] }) });
      expect(smuggled.status).toBe(400);
      expect(await stored()).toEqual(before);
      expect((await (await api(ts, 'api/me', { token: hanaToken })).json()) as { roles: string[] }).toMatchObject({ roles: ['viewer'] });
      // Each refusal is in the audit log as denied, and nothing else was recorded.
      const added = (await ts.wb.audit.query({ resource: 'users' })).slice(auditBefore);
      expect(added.map((r) => [r.actor, r.outcome])).toEqual([
        ['hana', 'denied'],
        ['emil', 'denied'],
        ['anna', 'denied'],
      ]);
    });

    it('lets an admin change roles (audited old -> new), which the user has on their next request and keeps across logins', async () => {
      const res = await patch('hana', { roles: ['engineer'] });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ username: 'hana', roles: ['engineer'], roles_source: 'admin' });
      expect(((await (await api(ts, 'api/me', { token: hanaToken })).json()) as { roles: string[] }).roles).toEqual(['engineer']);
      const record = (await ts.wb.audit.query({ resource: 'users' })).at(-1)!;
      expect(record).toMatchObject({ actor: 'workbench', action: 'write', target: 'hana', outcome: 'ok', detail: { roles: { old: ['viewer'], old_source: 'provider', new: ['engineer'] } } });
      // An SSO login (which sets the provider's roles) leaves the admin's choice alone.
      await new UserRepository(ts.wb.metadata.db).setRoles(hana.id, ['viewer']);
      expect((await stored()).roles).toEqual(['engineer']);
      // Handed back to the provider: its last word (viewer, from that login) applies at once.
      expect(await (await patch('hana', { roles: null })).json()).toMatchObject({ roles: ['viewer'], roles_source: 'provider' });
      expect(((await (await api(ts, 'api/me', { token: hanaToken })).json()) as { roles: string[] }).roles).toEqual(['viewer']);
    });

    it('disables and enables an account: a disabled user is refused at once', async () => {
      expect(await (await patch('hana', { disabled: true })).json()).toMatchObject({ disabled: expect.any(String) });
      expect((await api(ts, 'api/me', { token: hanaToken })).status).toBe(403);
      expect(await (await patch('hana', { disabled: false })).json()).toMatchObject({ disabled: null });
      expect((await api(ts, 'api/me', { token: hanaToken })).status).toBe(200);
    });

    it('refuses bad changes with a clear 400, 404 or 409 and changes nothing', async () => {
      const before = await stored();
      const cases: [string, unknown, number, RegExp][] = [
        ['hana', { roles: ['superuser'] }, 400, /unknown role "superuser"; roles are viewer, analyst, engineer, admin/],
        ['hana', { roles: ['viewer', 'viewer'] }, 400, /listed twice/],
        ['hana', { roles: 'admin' }, 400, /roles/],
        ['hana', { is_admin: true }, 400, /is_admin/],
        ['hana', [], 400, /object/],
        ['nobody-here', { roles: ['viewer'] }, 404, /Cannot find user nobody-here/],
        // The server's own account: its access is configuration, and you may not demote yourself.
        ['workbench', { roles: ['viewer'] }, 409, /configuration/],
        ['vera', { roles: ['admin'] }, 409, /configuration/],
      ];
      for (const [name, body, status, message] of cases) {
        const res = await patch(name, body);
        const { message: said } = (await res.json()) as { message: string };
        expect([name, body, res.status, said]).toEqual([name, body, status, expect.stringMatching(message)]);
      }
      expect(await stored()).toEqual(before);
    });
  });

  it('lets an analyst run code and a viewer only read', async () => {
    const write = (token: string) => api(ts, 'api/contents/by-role.txt', { method: 'PUT', token, body: JSON.stringify({ type: 'file', format: 'text', content: 'x' }) });
    expect((await write(VIEWER.token)).status).toBe(403);
    expect((await write(ANALYST.token)).status).toBe(201);
    expect((await api(ts, 'api/contents/by-role.txt', { token: VIEWER.token })).status).toBe(200);
    const start = (token: string) => api(ts, 'api/kernels', { method: 'POST', token, body: JSON.stringify({ name: 'python3' }) });
    const refused = await start(VIEWER.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe('Cannot write kernels: requires the analyst role or higher');
    const action: Action = 'execute';
    expect(allowedRoles('kernels', action)).toEqual(['admin', 'analyst', 'engineer']);
  });
});
