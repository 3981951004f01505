/**
 * Terminals as JupyterLab uses them: REST as jupyter_server_terminals,
 * terminado's protocol over the WebSocket, real shells on real ptys.
 */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';
import { JsonSocket, upgradeStatus } from './testing/json-socket';
import { isRunning } from './testing/processes';

type Frame = [string, ...unknown[]];
const SECRET = 'db-password-that-must-not-leak';
const VIEWER = { username: 'viewer', token: 'viewer-token-0123456789', roles: ['viewer'] };

const stdout = (s: JsonSocket<Frame>) =>
  s.received
    .filter((m) => m[0] === 'stdout')
    .map((m) => m[1])
    .join('');

function terminalSocket(ts: TestServer, name: string, headers?: Record<string, string>): JsonSocket<Frame> {
  return new JsonSocket<Frame>(`${ts.baseUrl.replace(/^http/, 'ws')}terminals/websocket/${name}`, headers);
}

async function create(ts: TestServer, body: object = {}): Promise<{ name: string; last_activity: string }> {
  const res = await api(ts, 'api/terminals', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as { name: string; last_activity: string };
}

/** Run a command and wait for a marker only its execution prints (the echoed command line shows "$((...))", not the result). */
async function run(s: JsonSocket<Frame>, command: string): Promise<string> {
  const marker = `DONE-${Math.floor(Math.random() * 1e6)}`;
  const [a, b] = marker.split('-');
  const before = stdout(s).length;
  s.send(['stdin', `${command}; echo ${a}-$((${b}))\r`]);
  await s.waitUntil(() => stdout(s).slice(before).includes(`${marker}\r\n`));
  return stdout(s).slice(before);
}

// Shells start as login shells: give them a home of their own, so the machine's ~/.bashrc plays no part.
let home: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'wb-home-'));
  env = { ...process.env, HOME: home };
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('terminals', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], { ...env, JUPYTER_TOKEN: TOKEN, WORKBENCH_DB_PASSWORD: SECRET }, undefined, { users: [VIEWER] });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('creates terminals named 1, 2, ..., lists and gets them, 404s an unknown one', async () => {
    const a = await create(ts);
    const b = await create(ts);
    expect([a.name, b.name]).toEqual(['1', '2']);
    expect(new Date(a.last_activity).getTime()).toBeGreaterThan(0);
    const list = (await (await api(ts, 'api/terminals')).json()) as { name: string }[];
    expect(list.map((t) => t.name).sort()).toEqual(['1', '2']);
    expect(await (await api(ts, 'api/terminals/2')).json()).toMatchObject({ name: '2' });
    const missing = await api(ts, 'api/terminals/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(/no such terminal/);
    expect((await api(ts, 'api/terminals', { method: 'POST', body: JSON.stringify({ name: '1' }) })).status).toBe(409);
    for (const t of [a, b]) expect((await api(ts, `api/terminals/${t.name}`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await api(ts, 'api/terminals')).json()).toEqual([]);
  });

  it('runs commands over the WebSocket: setup first, output back, set_size resizes', async () => {
    const { name } = await create(ts);
    const s = terminalSocket(ts, name);
    await s.opened;
    await s.waitFor((m) => m[0] === 'setup');
    expect(s.received[0]).toEqual(['setup', {}]);
    expect(await run(s, 'echo hello-$((6*7))')).toContain('hello-42\r\n');
    s.send(['set_size', 33, 111, 600, 900]);
    expect(await run(s, 'stty size')).toContain('33 111\r\n');
    await s.close();
    await api(ts, `api/terminals/${name}`, { method: 'DELETE' });
  });

  it('gives the shell a clean environment in the workspace root: no server token, no server secrets', async () => {
    const { name } = await create(ts);
    const s = terminalSocket(ts, name);
    await s.opened;
    const env = await run(s, 'env; pwd');
    expect(env).toContain('TERM=xterm-256color');
    expect(env).toContain(`${await realpath(ts.rootDir)}\r\n`);
    expect(env).not.toContain(TOKEN);
    expect(env).not.toContain(SECRET);
    expect(env).not.toMatch(/JUPYTER_TOKEN|WORKBENCH_DB_PASSWORD/);
    await s.close();
    await api(ts, `api/terminals/${name}`, { method: 'DELETE' });
  });

  it('sends output to every client and replays recent output to one that connects later', async () => {
    const { name } = await create(ts);
    const a = terminalSocket(ts, name);
    const b = terminalSocket(ts, name);
    await Promise.all([a.opened, b.opened]);
    await run(a, 'echo shared-$((100+1))');
    await b.waitUntil(() => stdout(b).includes('shared-101\r\n'));
    await a.close();
    const late = terminalSocket(ts, name);
    await late.opened;
    await late.waitFor((m) => m[0] === 'stdout');
    expect(late.received[0]).toEqual(['setup', {}]);
    expect(late.received[1]![1]).toContain('shared-101\r\n');
    await Promise.all([b.close(), late.close()]);
    await api(ts, `api/terminals/${name}`, { method: 'DELETE' });
  });

  it('deletes a terminal: the shell and its background jobs die, clients are told', async () => {
    const { name } = await create(ts);
    const s = terminalSocket(ts, name);
    await s.opened;
    const out = await run(s, 'sleep 1000 & echo PIDS-$$-$!');
    const [, shell, job] = /PIDS-(\d+)-(\d+)/.exec(out)!.map(Number);
    expect([isRunning(shell!), isRunning(job!)]).toEqual([true, true]);
    expect((await api(ts, `api/terminals/${name}`, { method: 'DELETE' })).status).toBe(204);
    expect([isRunning(shell!), isRunning(job!)]).toEqual([false, false]);
    await s.waitFor((m) => m[0] === 'disconnect');
    expect((await s.closed).code).toBe(1000);
    expect((await api(ts, `api/terminals/${name}`)).status).toBe(404);
    expect(await upgradeStatus(`${ts.baseUrl.replace(/^http/, 'ws')}terminals/websocket/${name}`, { Authorization: `token ${TOKEN}` })).toBe(404);
  });

  it('ends the terminal when its shell exits', async () => {
    const { name } = await create(ts);
    const s = terminalSocket(ts, name);
    await s.opened;
    s.send(['stdin', 'exit\r']);
    await s.waitFor((m) => m[0] === 'disconnect');
    await s.closed;
    expect((await api(ts, `api/terminals/${name}`)).status).toBe(404);
  });

  it('opens in a folder inside the root, and refuses one outside it', async () => {
    await mkdir(join(ts.rootDir, 'sub', 'dir'), { recursive: true });
    const { name } = await create(ts, { cwd: 'sub/dir' });
    const s = terminalSocket(ts, name);
    await s.opened;
    expect(await run(s, 'pwd')).toContain(`${await realpath(join(ts.rootDir, 'sub', 'dir'))}\r\n`);
    await s.close();
    await api(ts, `api/terminals/${name}`, { method: 'DELETE' });
    for (const cwd of ['..', '/etc', 'sub/../../']) {
      const res = await api(ts, 'api/terminals', { method: 'POST', body: JSON.stringify({ cwd }) });
      expect([cwd, res.status]).toEqual([cwd, 400]);
      expect(((await res.json()) as { message: string }).message).toMatch(/outside the workspace root/);
    }
    expect(await (await api(ts, 'api/terminals')).json()).toEqual([]);
  });

  it('keeps terminals from a user whose roles do not allow them', async () => {
    const viewer = { token: VIEWER.token };
    expect((await api(ts, 'api/terminals', viewer)).status).toBe(403);
    const refused = await api(ts, 'api/terminals', { ...viewer, method: 'POST', body: '{}' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/terminals: requires the admin role/);
    const { name } = await create(ts);
    expect(await upgradeStatus(`${ts.baseUrl.replace(/^http/, 'ws')}terminals/websocket/${name}`, { Authorization: `token ${VIEWER.token}` })).toBe(403);
    const me = (await (await api(ts, `api/me?permissions=${encodeURIComponent('{"terminals":["read"],"contents":["read"]}')}`, viewer)).json()) as { permissions: object };
    expect(me.permissions).toEqual({ terminals: [], contents: ['read'] });
    expect((await api(ts, 'api/kernels', viewer)).status).toBe(200);
    await api(ts, `api/terminals/${name}`, { method: 'DELETE' });
  });
});

describe('terminals disabled', () => {
  it('answers 404 like a jupyter_server without terminals', async () => {
    const ts = await startTestServer([], env, { terminals: { enabled: false } });
    try {
      expect((await api(ts, 'api/terminals')).status).toBe(404);
      expect((await api(ts, 'api/terminals', { method: 'POST', body: '{}' })).status).toBe(404);
      expect(await upgradeStatus(`${ts.baseUrl.replace(/^http/, 'ws')}terminals/websocket/1`, { Authorization: `token ${TOKEN}` })).toBe(404);
      expect(ts.wb.terminals).toBeUndefined();
    } finally {
      await ts[Symbol.asyncDispose]();
    }
  });
});

describe('server shutdown', () => {
  it('ends every terminal shell', async () => {
    const ts = await startTestServer([], env);
    let pid: number;
    try {
      const { name } = await create(ts);
      const s = terminalSocket(ts, name);
      await s.opened;
      pid = Number(/SHELL-(\d+)/.exec(await run(s, 'echo SHELL-$$'))![1]);
      expect(isRunning(pid)).toBe(true);
    } finally {
      await ts[Symbol.asyncDispose]();
    }
    expect(isRunning(pid!)).toBe(false);
  });
});
