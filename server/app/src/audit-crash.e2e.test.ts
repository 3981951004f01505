/**
 * A server (bin/workbench.js, a child process) SIGKILLed right after it
 * answered a save and a read: both answers were sent only once their
 * records were on disk (in the audit journal), so after a restart the log
 * holds each exactly once, and the chain verifies. Whether the killed
 * server had copied them into audit_log yet is not fixed here; the journal
 * tests (server/audit) cover the copy at start deterministically.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLeftovers, startServerProcess, type ServerProcess } from './testing/server-process';

const TOKEN = 'audit-crash-token-0123456789abcdef';

async function call(s: ServerProcess, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${s.url}${path}`, { method, headers: { authorization: `token ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('a server killed right after it answered', () => {
  let dir: string;
  let opts: Parameters<typeof startServerProcess>[0];
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-audit-crash-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ contents: { versioning: false } }));
    opts = { dir, root: join(dir, 'root'), config, token: TOKEN, runtime: join(dir, 'rt') };
  });
  afterAll(async () => {
    for (const s of running) await s.kill();
    killLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the records of every answered action, once each, and the chain verifies', async () => {
    const first = await startServerProcess(opts);
    running.push(first);
    const saved = await call(first, 'PUT', 'api/contents/close-2026-11.txt', { type: 'file', format: 'text', content: 'accruals posted' });
    expect(saved.status).toBe(201);
    const read = await call(first, 'GET', 'api/contents/close-2026-11.txt');
    expect(read.status).toBe(200);
    expect(((await read.json()) as { content: string }).content).toBe('accruals posted');
    const answered = [saved.headers.get('x-request-id')!, read.headers.get('x-request-id')!];
    await first.kill();
    running.splice(0);

    const second = await startServerProcess(opts);
    running.push(second);
    const res = await call(second, 'GET', 'api/audit?resource=contents&limit=1000');
    expect(res.status).toBe(200);
    const { records } = (await res.json()) as { records: { action: string; target: string; detail: { request_id?: string } }[] };
    for (const [i, id] of answered.entries()) {
      expect(records.filter((r) => r.detail.request_id === id)).toEqual([expect.objectContaining({ action: i === 0 ? 'write' : 'read', target: 'close-2026-11.txt' })]);
    }
    const verify = await call(second, 'GET', 'api/audit/verify');
    expect(await verify.json()).toMatchObject({ ok: true });
  });
});
