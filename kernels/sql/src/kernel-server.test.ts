/**
 * KernelServer over real ZeroMQ on 127.0.0.1, driven by the production
 * client (KernelConnection from @workbench/zmq) and a tiny fake language.
 * Ordering is awaited through messages and log events, never sleeps.
 */
import * as zmq from 'zeromq';
import { spawn, ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { Emitter, Logger, waitForEvent, deferred, Deferred } from '@workbench/core';
import { createMessage, fromRaw, JupyterMessage, toRaw } from '@workbench/protocol';
import { ConnectionInfo, KernelConnection } from '@workbench/zmq';
import { ExecuteContext, ExecutionError, KernelHandlers, KernelServer } from './kernel-server';
import { parseConnectionFileArg } from './kernel-sockets';

interface LogEntry { level: string; fields: Record<string, unknown>; msg: string }

/** A logger that records entries, so tests can wait for "received" / "dropped" / "iopub_subscribe". */
class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  private readonly emitter = new Emitter<LogEntry>();
  debug = (f: object, m: string) => this.add('debug', f, m);
  info = (f: object, m: string) => this.add('info', f, m);
  warn = (f: object, m: string) => this.add('warn', f, m);
  error = (f: object, m: string) => this.add('error', f, m);
  child = () => this;
  private add(level: string, fields: object, msg: string): void {
    const e = { level, fields: fields as Record<string, unknown>, msg };
    this.entries.push(e);
    this.emitter.fire(e);
  }
  /** Resolves once `count` entries match (counting those already logged). */
  waitFor(pred: (f: Record<string, unknown>) => boolean, count = 1): Promise<void> {
    let seen = this.entries.filter((e) => pred(e.fields)).length;
    if (seen >= count) return Promise.resolve();
    return waitForEvent(this.emitter.event, (e) => pred(e.fields) && ++seen >= count).then(() => undefined);
  }
}

interface Received { channel: string; msg: JupyterMessage }
const parentId = (m: JupyterMessage) => (m.parent_header as { msg_id?: string }).msg_id;

class TestClient implements AsyncDisposable {
  readonly conn: KernelConnection;
  readonly received: Received[] = [];
  private readonly emitter = new Emitter<Received>();
  private readonly session = randomUUID();

  constructor(info: ConnectionInfo) {
    this.conn = new KernelConnection(info);
    this.conn.onMessage((e) => {
      const r = { channel: e.channel, msg: fromRaw(e.raw) };
      this.received.push(r);
      this.emitter.fire(r);
    });
  }
  async send(channel: 'shell' | 'control' | 'stdin', msgType: string, content: unknown, parent?: JupyterMessage['header']): Promise<JupyterMessage> {
    const msg = createMessage({ msgType, content, session: this.session, parent }) as JupyterMessage;
    await this.conn.send(channel, toRaw(msg));
    return msg;
  }
  next(pred: (r: Received) => boolean): Promise<Received> {
    const found = this.received.find(pred);
    return found ? Promise.resolve(found) : waitForEvent(this.emitter.event, pred);
  }
  reply(req: JupyterMessage): Promise<JupyterMessage> {
    return this.next((r) => r.channel !== 'iopub' && r.msg.header.msg_type.endsWith('_reply') && parentId(r.msg) === req.header.msg_id).then((r) => r.msg);
  }
  idle(req: JupyterMessage): Promise<unknown> {
    return this.next((r) => r.channel === 'iopub' && parentId(r.msg) === req.header.msg_id && r.msg.content.execution_state === 'idle');
  }
  iopub(req: JupyterMessage): JupyterMessage[] {
    return this.received.filter((r) => r.channel === 'iopub' && parentId(r.msg) === req.header.msg_id).map((r) => r.msg);
  }
  /** Send, then wait for both the reply and idle; returns the reply and the request's iopub messages. */
  async request(channel: 'shell' | 'control', msgType: string, content: unknown): Promise<{ req: JupyterMessage; reply: JupyterMessage; iopub: JupyterMessage[] }> {
    const req = await this.send(channel, msgType, content);
    const [reply] = await Promise.all([this.reply(req), this.idle(req)]);
    return { req, reply, iopub: this.iopub(req) };
  }
  execute(code: string, extra: Record<string, unknown> = {}) {
    return this.request('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
  }
  [Symbol.asyncDispose]() {
    return this.conn[Symbol.asyncDispose]();
  }
}

const types = (msgs: JupyterMessage[]) => msgs.map((m) => (m.header.msg_type === 'status' ? `status:${m.content.execution_state}` : m.header.msg_type));

/** The fake language: `echo <text>`, `outputs`, `raise`, `sleep` (until interrupted), `block` (until the test opens the gate), `input`. */
function fakeHandlers(state: { gate: Deferred<void>; aborted: boolean[]; interrupts: number; shutdowns: boolean[]; calls: unknown[] }): KernelHandlers {
  return {
    info: () => ({ implementation: 'fake', implementation_version: '1.0', language_info: { name: 'fake', mimetype: 'text/x-fake', file_extension: '.fake' }, banner: 'Fake kernel' }),
    async execute(code: string, ctx: ExecuteContext) {
      const [cmd, ...rest] = code.split(' ');
      switch (cmd) {
        case 'echo':
          return ctx.stream('stdout', rest.join(' '));
        case 'outputs':
          ctx.stream('stderr', 'warn');
          ctx.display({ 'text/plain': 'd1' }, {}, { display_id: 'x' });
          ctx.updateDisplay('x', { 'text/plain': 'd2' });
          ctx.clearOutput(true);
          return ctx.result({ 'text/plain': `${ctx.executionCount}` });
        case 'raise':
          throw new ExecutionError('ValueError', 'bad value', ['tb line 1', 'tb line 2']);
        case 'sleep':
          ctx.signal.addEventListener('abort', () => state.aborted.push(true));
          ctx.stream('stdout', 'sleeping');
          return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        case 'block':
          return state.gate.promise;
        case 'input':
          return ctx.stream('stdout', `hi ${await ctx.input('name? ', rest[0] === 'password')}`);
        default:
          throw new Error(`unknown command ${cmd}`);
      }
    },
    async complete(code, pos) {
      state.calls.push(['complete', code, pos]);
      return { matches: ['SELECT', 'SET'], cursor_start: 0, cursor_end: pos };
    },
    async inspect(code, pos, level) {
      state.calls.push(['inspect', code, pos, level]);
      return { found: true, data: { 'text/plain': `doc of ${code}` } };
    },
    async isComplete(code) {
      return code.endsWith(';') ? { status: 'complete' } : { status: 'incomplete', indent: '  ' };
    },
    interrupt() {
      state.interrupts++;
    },
    async shutdown(restart) {
      state.shutdowns.push(restart);
    },
  };
}

const tcpInfo = (): ConnectionInfo => ({ transport: 'tcp', ip: '127.0.0.1', shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0, key: randomUUID(), signature_scheme: 'hmac-sha256' });

describe('KernelServer', () => {
  let logger: RecordingLogger;
  let server: KernelServer;
  let client: TestClient;
  let state: Parameters<typeof fakeHandlers>[0];
  const owned: AsyncDisposable[] = [];

  async function start(info: ConnectionInfo = tcpInfo()): Promise<void> {
    logger = new RecordingLogger();
    state = { gate: deferred<void>(), aborted: [], interrupts: 0, shutdowns: [], calls: [] };
    server = await KernelServer.start(info, fakeHandlers(state), { logger });
    owned.push(server);
    client = new TestClient(server.connectionInfo);
    owned.push(client);
    // A SUB misses what is published before its subscription lands (slow joiner): wait for it.
    await logger.waitFor((f) => f.event === 'iopub_subscribe');
  }

  afterEach(async () => {
    state?.gate.resolve();
    for (const d of owned.splice(0).reverse()) await d[Symbol.asyncDispose]();
  });

  it('replies to kernel_info on shell and control, bracketed by busy/idle', async () => {
    await start();
    for (const channel of ['shell', 'control'] as const) {
      const { reply, iopub } = await client.request(channel, 'kernel_info_request', {});
      expect(reply.header).toMatchObject({ msg_type: 'kernel_info_reply', username: 'kernel', version: '5.3' });
      expect(reply.content).toMatchObject({ status: 'ok', protocol_version: '5.3', implementation: 'fake', banner: 'Fake kernel', language_info: { name: 'fake' }, help_links: [] });
      expect(types(iopub)).toEqual(['status:busy', 'status:idle']);
      expect(iopub[0]!.header.session).toBe(reply.header.session);
    }
    expect(await client.conn.ping(5000)).toBe(true);
  });

  it('executes with outputs, execution_count, silent and store_history', async () => {
    await start();
    const a = await client.execute('echo hello');
    expect(a.reply.content).toMatchObject({ status: 'ok', execution_count: 1, user_expressions: {}, payload: [] });
    expect(types(a.iopub)).toEqual(['status:busy', 'execute_input', 'stream', 'status:idle']);
    expect(a.iopub[1]!.content).toEqual({ code: 'echo hello', execution_count: 1 });
    expect(a.iopub[2]!.content).toEqual({ name: 'stdout', text: 'hello' });

    const b = await client.execute('outputs');
    expect(b.reply.content).toMatchObject({ status: 'ok', execution_count: 2 });
    expect(types(b.iopub)).toEqual(['status:busy', 'execute_input', 'stream', 'display_data', 'update_display_data', 'clear_output', 'execute_result', 'status:idle']);
    expect(b.iopub.slice(2, 7).map((m) => m.content)).toEqual([
      { name: 'stderr', text: 'warn' },
      { data: { 'text/plain': 'd1' }, metadata: {}, transient: { display_id: 'x' } },
      { data: { 'text/plain': 'd2' }, metadata: {}, transient: { display_id: 'x' } },
      { wait: true },
      { execution_count: 2, data: { 'text/plain': '2' }, metadata: {} },
    ]);

    const silent = await client.execute('echo quiet', { silent: true });
    expect(silent.reply.content).toMatchObject({ status: 'ok', execution_count: 2 });
    expect(types(silent.iopub)).toEqual(['status:busy', 'status:idle']);
    const noHistory = await client.execute('echo x', { store_history: false });
    expect(noHistory.reply.content).toMatchObject({ execution_count: 2 });
    expect((await client.execute('echo y')).reply.content).toMatchObject({ execution_count: 3 });

    const expr = await client.execute('echo z', { user_expressions: { a: '1+1' } });
    expect(expr.reply.content.user_expressions).toMatchObject({ a: { status: 'error', ename: 'NotImplementedError' } });
  });

  it('reports an error and aborts the queued executes, as ipykernel', async () => {
    await start();
    const blocked = await client.send('shell', 'execute_request', { code: 'block', stop_on_error: true });
    const raise = await client.send('shell', 'execute_request', { code: 'raise', stop_on_error: true });
    const queued = [
      await client.send('shell', 'execute_request', { code: 'echo skipped' }),
      await client.send('shell', 'execute_request', { code: 'echo skipped too', stop_on_error: false }),
    ];
    const complete = await client.send('shell', 'complete_request', { code: 'SE', cursor_pos: 2 });
    // Everything is queued in the server before the blocking cell finishes.
    await logger.waitFor((f) => f.event === 'received' && f.msgId === complete.header.msg_id);
    state.gate.resolve();

    expect((await client.reply(blocked)).content).toMatchObject({ status: 'ok', execution_count: 1 });
    const err = await client.reply(raise);
    expect(err.content).toMatchObject({ status: 'error', execution_count: 2, ename: 'ValueError', evalue: 'bad value', traceback: ['tb line 1', 'tb line 2'] });
    expect(err.metadata).toMatchObject({ status: 'error' });
    for (const q of queued) {
      expect((await client.reply(q)).content).toEqual({ status: 'aborted' });
      await client.idle(q);
      expect(types(client.iopub(q))).toEqual(['status:busy', 'status:idle']);
    }
    expect((await client.reply(complete)).content).toMatchObject({ status: 'ok', matches: ['SELECT', 'SET'] });
    await client.idle(raise);
    expect(types(client.iopub(raise))).toEqual(['status:busy', 'execute_input', 'error', 'status:idle']);
    expect(client.iopub(raise)[2]!.content).toEqual({ ename: 'ValueError', evalue: 'bad value', traceback: ['tb line 1', 'tb line 2'] });
    // The abort covers only what was queued at the error.
    expect((await client.execute('echo after')).reply.content).toMatchObject({ status: 'ok', execution_count: 3 });
  });

  it('handles control while shell is busy, and interrupt_request aborts the running execute', async () => {
    await start();
    const sleep = await client.send('shell', 'execute_request', { code: 'sleep' });
    await client.next((r) => parentId(r.msg) === sleep.header.msg_id && r.msg.header.msg_type === 'stream');
    const info = await client.request('control', 'kernel_info_request', {});
    expect(info.reply.content.status).toBe('ok');
    expect(client.received.some((r) => parentId(r.msg) === sleep.header.msg_id && r.channel === 'shell')).toBe(false);

    const intr = await client.request('control', 'interrupt_request', {});
    expect(intr.reply.content).toEqual({ status: 'ok' });
    expect(types(intr.iopub)).toEqual(['status:busy', 'status:idle']);
    expect((await client.reply(sleep)).content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(state.aborted).toEqual([true]);
    expect(state.interrupts).toBe(1);
    expect((await client.execute('echo alive')).reply.content.status).toBe('ok');
  });

  it('reads input over stdin when allowed, and refuses otherwise', async () => {
    await start();
    const req = await client.send('shell', 'execute_request', { code: 'input password', allow_stdin: true });
    const ask = await client.next((r) => r.channel === 'stdin' && r.msg.header.msg_type === 'input_request');
    expect(ask.msg.content).toEqual({ prompt: 'name? ', password: true });
    expect(parentId(ask.msg)).toBe(req.header.msg_id);
    await client.send('stdin', 'input_reply', { status: 'ok', value: 'ada' }, ask.msg.header);
    expect((await client.reply(req)).content.status).toBe('ok');
    await client.idle(req);
    expect(client.iopub(req).find((m) => m.header.msg_type === 'stream')?.content).toEqual({ name: 'stdout', text: 'hi ada' });

    const refused = await client.execute('input', { allow_stdin: false });
    expect(refused.reply.content).toMatchObject({ status: 'error', ename: 'StdinNotImplementedError' });
  });

  it('routes complete, inspect, is_complete; answers comm and history requests', async () => {
    await start();
    expect((await client.request('shell', 'complete_request', { code: 'SE', cursor_pos: 2 })).reply.content).toEqual({ status: 'ok', matches: ['SELECT', 'SET'], cursor_start: 0, cursor_end: 2, metadata: {} });
    expect((await client.request('shell', 'inspect_request', { code: 'tbl', cursor_pos: 3, detail_level: 1 })).reply.content).toEqual({ status: 'ok', found: true, data: { 'text/plain': 'doc of tbl' }, metadata: {} });
    expect(state.calls).toEqual([['complete', 'SE', 2], ['inspect', 'tbl', 3, 1]]);
    expect((await client.request('shell', 'is_complete_request', { code: 'SELECT 1' })).reply.content).toEqual({ status: 'incomplete', indent: '  ' });
    expect((await client.request('shell', 'is_complete_request', { code: 'SELECT 1;' })).reply.content).toEqual({ status: 'complete' });
    expect((await client.request('shell', 'comm_info_request', {})).reply.content).toEqual({ status: 'ok', comms: {} });
    expect((await client.request('shell', 'history_request', { hist_access_type: 'tail', n: 10 })).reply.content).toEqual({ status: 'ok', history: [] });
    expect((await client.request('control', 'debug_request', { command: 'initialize' })).reply.content).toMatchObject({ status: 'error', ename: 'NotImplementedError' });

    const open = await client.send('shell', 'comm_open', { comm_id: 'c1', target_name: 'nobody', data: {} });
    await client.idle(open);
    expect(client.iopub(open).map((m) => [m.header.msg_type, m.content])).toEqual([
      ['status', { execution_state: 'busy' }],
      ['comm_close', { comm_id: 'c1', data: {} }],
      ['status', { execution_state: 'idle' }],
    ]);
  });

  it('replies with status error to bad content instead of throwing', async () => {
    await start();
    const bad = await client.request('shell', 'execute_request', { code: 42 });
    expect(bad.reply.content).toMatchObject({ status: 'error', ename: 'BadRequest', evalue: 'Cannot handle execute_request: content.code must be a string', execution_count: 0 });
    expect(types(bad.iopub)).toEqual(['status:busy', 'status:idle']);
    expect((await client.request('shell', 'complete_request', { code: 'x', cursor_pos: -1 })).reply.content).toMatchObject({ status: 'error', evalue: 'Cannot handle complete_request: content.cursor_pos must be a non-negative integer' });
    expect((await client.request('shell', 'frobnicate_request', {})).reply.content).toMatchObject({ status: 'error', ename: 'BadRequest' });
    expect((await client.execute('echo fine')).reply.content).toMatchObject({ status: 'ok', execution_count: 1 });
  });

  it('drops messages with a wrong HMAC or bad framing and keeps serving', async () => {
    await start();
    const intruder = new TestClient({ ...server.connectionInfo, key: 'not-the-key' });
    owned.push(intruder);
    const raw = new zmq.Dealer({ linger: 0 });
    owned.push({ [Symbol.asyncDispose]: async () => raw.close() });
    raw.connect(`tcp://127.0.0.1:${server.connectionInfo.shell_port}`);

    const forged = await intruder.send('shell', 'execute_request', { code: 'echo pwned' });
    await raw.send([Buffer.from('garbage')]);
    await logger.waitFor((f) => f.event === 'dropped', 2);
    expect(logger.entries.filter((e) => e.fields.event === 'dropped').map((e) => e.fields.err)).toEqual(
      expect.arrayContaining([expect.stringMatching(/HMAC/), expect.stringMatching(/delimiter/)]),
    );

    const ok = await client.execute('echo fine');
    expect(ok.reply.content).toMatchObject({ status: 'ok', execution_count: 1 });
    expect(client.iopub(forged)).toEqual([]);
  });

  it('answers shutdown_request, then fires onShutdown', async () => {
    await start();
    const fired = waitForEvent(server.onShutdown);
    const { reply } = await client.request('control', 'shutdown_request', { restart: true });
    expect(reply.content).toEqual({ status: 'ok', restart: true });
    expect(await fired).toEqual({ restart: true });
    expect(state.shutdowns).toEqual([true]);
  });

  it('dispose frees every endpoint (tcp and ipc) and is idempotent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-kernel-'));
    try {
      for (const info of [tcpInfo(), { ...tcpInfo(), transport: 'ipc' as const, ip: join(dir, 'k'), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 }]) {
        await start(info);
        expect((await client.request('shell', 'kernel_info_request', {})).reply.content.status).toBe('ok');
        const bound = server.connectionInfo;
        await Promise.all([server[Symbol.asyncDispose](), server[Symbol.asyncDispose]()]);
        if (info.transport === 'ipc') expect(existsSync(`${info.ip}-1`)).toBe(false);
        // Every endpoint can be bound again at once.
        for (const name of ['shell', 'iopub', 'stdin', 'control', 'hb'] as const) {
          const s = new zmq.Router({ linger: 0 });
          const port = bound[`${name}_port`];
          await s.bind(info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://127.0.0.1:${port}`);
          s.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseConnectionFileArg', () => {
  it('accepts -f and --connection-file forms', () => {
    expect(parseConnectionFileArg(['-f', '/a.json'])).toBe('/a.json');
    expect(parseConnectionFileArg(['--debug', '--connection-file=/b.json'])).toBe('/b.json');
    expect(parseConnectionFileArg(['--connection-file', '/c.json'])).toBe('/c.json');
    expect(() => parseConnectionFileArg([])).toThrow('Cannot start kernel: missing -f <connection_file>');
  });
});

describe('runKernelMain in a child process', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // The kernel-server sources, transpiled as they are now (no dependency on a prior build of this package).
    dir = mkdtempSync(join(tmpdir(), 'wb-kernel-main-'));
    for (const f of ['kernel-main', 'kernel-server', 'kernel-sockets']) {
      const src = readFileSync(join(__dirname, `${f}.ts`), 'utf8');
      writeFileSync(join(dir, `${f}.js`), ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
    }
    writeFileSync(join(dir, 'main.js'), `
      const { runKernelMain } = require('./kernel-main.js');
      const log = (level) => (fields, msg) => process.stderr.write(JSON.stringify({ level, ...fields, msg }) + '\\n');
      const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child() { return logger; } };
      runKernelMain(process.argv.slice(2), () => ({
        info: () => ({ implementation: 'child', implementation_version: '1', language_info: { name: 'child' }, banner: '' }),
        async execute(code, ctx) {
          if (code !== 'sleep') return ctx.stream('stdout', code);
          ctx.stream('stdout', 'sleeping');
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        },
        interrupt() { logger.info({ event: 'handler_interrupt' }, 'interrupted'); },
      }), { logger }).catch((err) => { console.error(err); process.exit(2); });
    `);
  });
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c[Symbol.asyncDispose]();
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startChild(): Promise<{ child: ChildProcess; client: TestClient; exited: Promise<number | null> }> {
    // ipc endpoints in the test's folder: no free port to pick here and lose to another process before the child binds it.
    const info: ConnectionInfo = { transport: 'ipc', ip: join(dir, randomUUID().slice(0, 8)), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: randomUUID(), signature_scheme: 'hmac-sha256' };
    const file = join(dir, `${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(info));
    const child = spawn(process.execPath, [join(dir, 'main.js'), '-f', file], { cwd: dir, env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', '..', 'node_modules') }, stdio: ['ignore', 'inherit', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = new Emitter<Record<string, unknown>>();
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          lines.fire(JSON.parse(line));
        } catch {
          process.stderr.write(`${line}\n`);
        }
      }
    });
    const subscribed = waitForEvent(lines.event, (l) => l.event === 'iopub_subscribe');
    const client = new TestClient(info);
    clients.push(client);
    await subscribed;
    return { child, client, exited };
  }

  it('SIGINT interrupts the running cell without killing; shutdown_request exits 0', async () => {
    const { child, client, exited } = await startChild();
    const sleep = await client.send('shell', 'execute_request', { code: 'sleep' });
    await client.next((r) => parentId(r.msg) === sleep.header.msg_id && r.msg.header.msg_type === 'stream');
    child.kill('SIGINT');
    expect((await client.reply(sleep)).content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(child.exitCode).toBeNull();
    expect((await client.execute('still here')).iopub.find((m) => m.header.msg_type === 'stream')?.content).toEqual({ name: 'stdout', text: 'still here' });
    expect((await client.request('control', 'shutdown_request', { restart: false })).reply.content).toEqual({ status: 'ok', restart: false });
    expect(await exited).toBe(0);
  });

  it('SIGTERM exits 0', async () => {
    const { child, client, exited } = await startChild();
    expect((await client.request('shell', 'kernel_info_request', {})).reply.content).toMatchObject({ implementation: 'child' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
