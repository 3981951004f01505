/**
 * Personal API tokens: a user makes one, and a client using it (REST and
 * the kernel WebSocket, through @jupyterlab/services as VS Code does) acts
 * as that user with that user's roles. Shown once, stored hashed, revoked,
 * expired and disabled-user tokens are refused; creation and use are
 * audited without the token ever being written down.
 */
import { KernelManager } from '@jupyterlab/services';
import { UserRepository } from '@workbench/store';
import { api, makeSettings, startTestServer, TestServer } from './testing/harness';
import { runCell } from './testing/run-cell';

const VIEWER = { username: 'vera', token: 'viewer-token-0123456789', roles: ['viewer'] };

describe('personal API tokens', () => {
  let ts: TestServer;
  let now = Date.parse('2026-12-01T09:00:00Z');

  beforeAll(async () => {
    ts = await startTestServer([], process.env, { sandbox: { mode: 'none' } }, { users: [VIEWER], clock: () => now });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  async function create(body: object, token?: string): Promise<Response> {
    return api(ts, 'api/tokens', { method: 'POST', body: JSON.stringify(body), token });
  }

  it('is shown once, listed without itself, and acts as its owner over REST and the kernel WebSocket', async () => {
    const res = await create({ name: 'vscode laptop' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const made = (await res.json()) as { id: string; token: string; prefix: string; name: string };
    expect(made.token).toMatch(/^wbt_/);
    expect(made.token.startsWith(made.prefix)).toBe(true);
    const listed = await (await api(ts, 'api/tokens')).text();
    expect(listed).toContain(made.id);
    expect(listed).not.toContain(made.token);
    const rows = await ts.wb.metadata.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(made.token);

    const me = (await (await api(ts, 'api/me', { token: made.token })).json()) as { identity: { username: string } };
    expect(me.identity.username).toBe('workbench');
    const kernels = new KernelManager({ serverSettings: makeSettings(ts.baseUrl, made.token) });
    const k = await kernels.startNew({ name: 'python3' });
    try {
      expect(await runCell(k, 'print(6 * 7)')).toEqual({ stdout: '42', error: undefined });
    } finally {
      await k.shutdown();
      kernels.dispose();
    }
    const viaToken = (await (await api(ts, 'api/audit?limit=1000')).json()) as { records: { via: string; action: string; actor: string }[] };
    expect(viaToken.records.some((r) => r.via === 'api_token' && r.action === 'execute' && r.actor === 'workbench')).toBe(true);
    expect(JSON.stringify(viaToken)).not.toContain(made.token);
  });

  it('carries its owner\'s roles, not the admin\'s: a viewer\'s token is refused what the viewer is refused', async () => {
    const made = (await (await create({ name: 'script' }, VIEWER.token)).json()) as { token: string; id: string };
    const me = (await (await api(ts, 'api/me', { token: made.token })).json()) as { identity: { username: string } };
    expect(me.identity.username).toBe('vera');
    expect((await api(ts, 'api/terminals', { method: 'POST', body: '{}', token: made.token })).status).toBe(403);
    expect((await api(ts, 'api/audit', { token: made.token })).status).toBe(403);
    // Not the viewer's to see or revoke: the admin's tokens.
    const adminTokens = (await (await api(ts, 'api/tokens')).json()) as { id: string }[];
    expect((await api(ts, `api/tokens/${adminTokens[0]!.id}`, { method: 'DELETE', token: made.token })).status).toBe(404);
    expect(((await (await api(ts, 'api/tokens', { token: made.token })).json()) as { id: string }[]).map((t) => t.id)).toEqual([made.id]);
  });

  it('is refused once revoked, once expired, and when its user is disabled', async () => {
    const revoked = (await (await create({ name: 'revoke me' })).json()) as { id: string; token: string };
    expect((await api(ts, 'api/status', { token: revoked.token })).status).toBe(200);
    expect((await api(ts, `api/tokens/${revoked.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(ts, 'api/status', { token: revoked.token })).status).toBe(403);

    const expiring = (await (await create({ name: 'one day', expires_in_days: 1 })).json()) as { token: string };
    expect((await api(ts, 'api/status', { token: expiring.token })).status).toBe(200);
    now += 86_400_000 + 1;
    expect((await api(ts, 'api/status', { token: expiring.token })).status).toBe(403);

    const vera = (await (await create({ name: 'until disabled' }, VIEWER.token)).json()) as { token: string };
    expect((await api(ts, 'api/status', { token: vera.token })).status).toBe(200);
    const users = new UserRepository(ts.wb.metadata.db);
    await users.disable((await users.getByUsername('vera'))!.id);
    expect((await api(ts, 'api/status', { token: vera.token })).status).toBe(403);
  });

  it('refuses bad input with a 400 and a made-up token with a 403, writing nothing', async () => {
    const before = (await ts.wb.metadata.db.selectFrom('api_tokens').select('id').execute()).length;
    expect((await create({ name: '' })).status).toBe(400);
    expect((await create({ name: 'x'.repeat(101) })).status).toBe(400);
    expect((await create({ name: 'ok', expires_in_days: 0 })).status).toBe(400);
    expect((await create({ name: 'ok', roles: ['admin'] })).status).toBe(400);
    expect((await api(ts, 'api/status', { token: 'wbt_' + 'A'.repeat(43) })).status).toBe(403);
    expect((await api(ts, 'api/tokens/not-a-token-id', { method: 'DELETE' })).status).toBe(404);
    expect((await ts.wb.metadata.db.selectFrom('api_tokens').select('id').execute()).length).toBe(before);
  });
});
