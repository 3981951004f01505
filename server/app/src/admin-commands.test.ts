/**
 * `workbench audit …` / `workbench secrets …` against the store of a live
 * server (the same data dir): verify finds the chain intact and then names
 * a record edited behind the server's back; export writes CSV; a key
 * rotation runs while the server keeps reading and writing its secrets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { join } from 'node:path';
import { silentLogger } from '@workbench/core';
import { SessionRepository, sql, UserRepository } from '@workbench/store';
import { envelopeKeyId, KeyRing, openField, sealField } from '@workbench/secrets';
import { runAdminCommand } from './admin-commands';
import { pipelineSpec, task } from '@workbench/pipelines/testing/spec-builder';
import { startWorkbench, Workbench } from './app';
import { loadConfig } from './config';

describe('workbench audit / secrets commands', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let wb: Workbench;

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runAdminCommand(argv, env, dir, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-admin-'));
    env = { ...process.env, WORKBENCH_DATA_DIR: join(dir, 'data'), JUPYTER_CONFIG_DIR: join(dir, 'cfg'), JUPYTER_RUNTIME_DIR: join(dir, 'rt') };
    delete env.WORKBENCH_SECRET_KEY;
    delete env.WORKBENCH_SECRET_KEY_FILE;
    delete env.WORKBENCH_DATABASE_URL;
    const { config } = loadConfig(['--port', '0', '--no-browser', '--token', 'admin-cmd-token', '--root-dir', join(dir, 'root')], env, dir);
    wb = await startWorkbench(config, { env, logger: silentLogger });
    for (const name of ['a', 'b', 'c']) {
      const res = await fetch(`http://127.0.0.1:${wb.port}/api/contents/${name}.txt`, { method: 'PUT', headers: { Authorization: 'token admin-cmd-token' }, body: JSON.stringify({ type: 'file', format: 'text', content: name }) });
      expect(res.status).toBe(201);
    }
    // The server's records reach audit_log from its journal in batches; the CLI reads the store.
    await wb.audit.settled();
  });
  afterAll(async () => {
    await wb?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('audit verify: intact, then names a record edited in the store (exit 1)', async () => {
    const ok = await run('audit', 'verify');
    expect(ok.code).toBe(0);
    // The server holds its journal: the command reads the store beside it, and says what it may not see yet.
    expect(ok.err).toBe(`workbench: note: a running Workbench server (pid ${process.pid} on ${hostname()}) writes this data directory; its records of the last moments reach the log when it copies them from its journal (GET /api/audit/verify asks the server itself)\n`);
    expect(ok.out).toMatch(/^audit log intact: 3 record\(s\), head 3 [0-9a-f]{64}\n$/);
    const { actor } = await wb.metadata.db.selectFrom('audit_log').select('actor').where('seq', '=', 2).executeTakeFirstOrThrow();
    await sql`update audit_log set actor = ${'mallory'} where seq = 2`.execute(wb.metadata.db);
    const bad = await run('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^audit log NOT intact: record 2 edited: /);
    await sql`update audit_log set actor = ${actor} where seq = 2`.execute(wb.metadata.db);
    expect((await run('audit', 'verify')).code).toBe(0);
  });

  it('audit export: CSV with a header and one line per record', async () => {
    const r = await run('audit', 'export', '--format', 'csv');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,time,actor,/);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    // Reading the log is itself recorded, as the account that ran the command (and it is in the export).
    expect(lines.at(-1)).toMatch(/,os:[^,]*,,system,audit,read,/);
    expect((await run('audit', 'export', '--since', 'not a time')).code).toBe(2);
  });

  it('secrets rotate-key while the server runs: it keeps reading, and writes under the new key', async () => {
    await wb.secrets.put('odoo/password', 'before-rotation-value', 'admin');
    // A login session whose provider tokens are sealed under the old key.
    const ring = await KeyRing.open({ kind: 'file', path: join(dir, 'data', 'secret-keys.json'), createIfMissing: false });
    const user = await new UserRepository(wb.metadata.db).create({ username: 'sso-user', roles: ['analyst'], source: 'oidc', oidc: { issuer: 'https://idp.example', subject: 'sso-user' } });
    const session = await new SessionRepository(wb.metadata.db).create({
      secret: 'session-secret-0123456789',
      userId: user.id,
      expiresAt: Date.now() + 3_600_000,
      accessExpiresAt: null,
      ciphertexts: (id) => ({ refreshToken: sealField(ring, `sessions/${id}/refresh_token`, 'refresh-token-value'), idTokenHint: sealField(ring, `sessions/${id}/id_token_hint`, 'id-token-value') }),
      userAgent: null,
      ip: null,
    });
    const before = await run('secrets', 'status');
    const oldKey = /^active key: (\S+)/.exec(before.out)![1]!;
    const r = await run('secrets', 'rotate-key');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^rotated: ${oldKey} -> (\\S+); 1 secret\\(s\\) re-wrapped, 0 unchanged, 0 failed`));
    expect(await wb.secrets.get('odoo/password')).toBe('before-rotation-value');
    await wb.secrets.put('s3/key', 'after-rotation-value', 'admin');
    const rows = await wb.metadata.db.selectFrom('secrets').select(['name', 'key_id']).execute();
    expect(new Set(rows.map((row) => row.key_id)).size).toBe(1);
    expect(rows.map((row) => row.key_id)).not.toContain(oldKey);
    expect(await wb.secrets.get('s3/key')).toBe('after-rotation-value');
    // The session was re-wrapped too: it opens under the new key alone (the old one could be retired).
    expect(r.out).toMatch(/^login sessions: 1 re-wrapped, 0 unchanged, 0 failed$/m);
    const newKey = /-> (\S+);/.exec(r.out)![1]!;
    const row = await wb.metadata.db.selectFrom('sessions').selectAll().where('id', '=', session.id).executeTakeFirstOrThrow();
    expect([envelopeKeyId(row.refresh_token_ciphertext!), envelopeKeyId(row.id_token_hint_ciphertext!)]).toEqual([newKey, newKey]);
    const fresh = await KeyRing.open({ kind: 'file', path: join(dir, 'data', 'secret-keys.json'), createIfMissing: false });
    expect(await openField(fresh, `sessions/${session.id}/refresh_token`, row.refresh_token_ciphertext!)).toBe('refresh-token-value');
    expect(await openField(fresh, `sessions/${session.id}/id_token_hint`, row.id_token_hint_ciphertext!)).toBe('id-token-value');
    // The rotation is in the audit log: who ran it, which key replaced which; no key material.
    const rotation = (await wb.audit.query({ resource: 'secrets' })).at(-1)!;
    expect(rotation).toMatchObject({ actor: expect.stringMatching(/^os:/), via: 'system', action: 'write', target: 'key-ring', outcome: 'ok', detail: { command: 'secrets rotate-key', previous_key: oldKey, active_key: newKey, secrets_rewrapped: 1, sessions_rewrapped: 1, failed: [] } });
  });

  it('pipelines rollback: starts the pipeline\'s rollback task for a run that succeeded, on the record with its reason', async () => {
    // Two succeeded closes of one period, made in the store (their task waits on nothing that exists, so no worker takes it).
    const spec = {
      ...pipelineSpec([task('gold', { deps: ['never'] })], { id: 'close/c.pipeline.yaml', name: 'Close' }),
      rollback: task('rollback', { path: 'close/05_rollback.ipynb', parameters: { period: '{{ period.label }}' } }),
    };
    const period = { start: '2026-11-01', end: '2026-11-30', label: '2026-11' };
    const make = async () => {
      const { run } = await wb.pipelines.runs.create({ pipelineId: 'p-close', pipelinePath: spec.id, spec, trigger: 'manual', triggeredBy: 'ana', runAs: 'ana', logicalDate: Date.UTC(2026, 11, 1, 6), period, parameters: {} });
      await sql`update pipeline_runs set status = 'succeeded' where id = ${run.id}`.execute(wb.metadata.db);
      return run.id;
    };
    const first = await make();
    const second = await make();
    expect(await run('pipelines', 'rollback', second)).toMatchObject({ code: 2, err: expect.stringMatching(/needs one RUN id and --reason TEXT/) });
    expect(await run('pipelines', 'rollback', 'nope', '--reason', 'x')).toMatchObject({ code: 1, err: 'workbench: Cannot find run nope: no such run\n' });
    expect(await run('pipelines', 'rollback', first, '--reason', 'x')).toMatchObject({ code: 1, err: expect.stringMatching(/no earlier run of close\/c.pipeline.yaml for 2026-11 succeeded/) });
    const ok = await run('pipelines', 'rollback', second, '--reason', 'a late entry after sign-off');
    expect(ok.code).toBe(0);
    const id = /^rollback run (\S+): restores run (\S+) for 2026-11/.exec(ok.out);
    expect(id?.[2]).toBe(first);
    const rb = await wb.pipelines.runs.get(id![1]!);
    expect(rb).toMatchObject({ trigger: 'rollback', triggeredBy: expect.stringMatching(/^os:/), period });
    expect(rb.spec.tasks.map((t) => [t.id, t.parameters])).toEqual([['rollback', { period: '{{ period.label }}', rollback_of: second, restore_run: first, reason: 'a late entry after sign-off' }]]);
    expect((await run('pipelines', 'rollback', second, '--reason', 'again')).out).toMatch(new RegExp(`^already rolled back by run ${id![1]}`));
    const record = (await wb.audit.query({ resource: 'pipelines', action: 'write', limit: 1000 })).filter((r) => r.detail.command === 'pipelines rollback').at(-2)!;
    expect(record).toMatchObject({ actor: expect.stringMatching(/^os:/), via: 'system', target: second, detail: { reason: 'a late entry after sign-off' } });
  });

  it('refuses unknown commands and options with usage (exit 2)', async () => {
    expect(await run('audit', 'erase')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "audit erase"/) });
    expect((await run('secrets', 'status', '--force')).code).toBe(2);
  });
});

describe('workbench audit after a server was killed', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-admin-killed-'));
    env = { ...process.env, WORKBENCH_DATA_DIR: join(dir, 'data'), JUPYTER_CONFIG_DIR: join(dir, 'cfg'), JUPYTER_RUNTIME_DIR: join(dir, 'rt') };
    delete env.WORKBENCH_DATABASE_URL;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runAdminCommand(argv, env, dir, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  }

  it('copies what the server left in its journal before it verifies or exports, once, and lets the journal go', async () => {
    // A separate process writes as the server does (its records journaled, on disk, not yet copied) and is SIGKILLed.
    const { config } = loadConfig([], env, dir);
    const repo = resolve(__dirname, '../../..');
    const script = `
      const { openStore } = require(${JSON.stringify(join(repo, 'server/store/lib'))});
      const { AuditLog } = require(${JSON.stringify(join(repo, 'server/audit/lib'))});
      (async () => {
        const store = await openStore({ sqlitePath: ${JSON.stringify(config.database.sqlitePath)} });
        const log = await AuditLog.open({ store, journal: { copyDelayMs: 3600000 } });
        for (const target of ['a.txt', 'b.txt', 'c.txt']) await (await log.append({ actor: 'anna', actorRole: 'analyst', via: 'token', resource: 'contents', action: 'write', target, outcome: 'ok', detail: {} })).durable;
        process.stdout.write('ready\\n');
        setInterval(() => {}, 1000);
      })().catch((err) => { console.error(err); process.exit(3); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((done) => child.on('exit', (code, signal) => done(signal ?? code)));
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ready());
      void exited.then((how) => fail(new Error(`the writer ended (${String(how)}) before it was ready: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // No server holds the journal now: no note, and the three records are in the chain.
    const verified = await run('audit', 'verify');
    expect(verified).toMatchObject({ code: 0, err: '', out: expect.stringMatching(/^audit log intact: 3 record\(s\), head 3 /) });
    const exported = await run('audit', 'export');
    expect(exported.code).toBe(0);
    const lines = exported.out.trim().split('\n').map((l) => JSON.parse(l) as { target: string | null; actor: string });
    // Copied once (not again by this second command), then the export's own record, written through the journal.
    expect(lines.map((l) => l.target)).toEqual(['a.txt', 'b.txt', 'c.txt', null]);
    expect(lines[3]!.actor).toMatch(/^os:/);
    expect(existsSync(`${config.database.sqlitePath}-audit.lock`)).toBe(false);
    await expect(run('audit', 'verify')).resolves.toMatchObject({ code: 0, out: expect.stringMatching(/^audit log intact: 4 record\(s\)/) });
  });
});
