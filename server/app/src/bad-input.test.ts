/**
 * Bad input gets a clear error and the server keeps serving everyone else:
 * malformed JSON, unknown kernelspec/kernel/session, bad WebSocket frames,
 * a kernel with a wrong HMAC key, a kernel binary that does not exist, a
 * kernel that exits at once.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startTestServer, TestServer } from './testing/harness';
import { RawKernelClient } from './testing/raw-client';

/** A "kernel" that answers every shell message, signed with the wrong key. */
const WRONG_HMAC_KERNEL = (zmqPath: string) => `
const zmq = require(${JSON.stringify(zmqPath)});
const crypto = require('crypto');
const info = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const url = (p) => 'tcp://' + info.ip + ':' + info[p];
(async () => {
  const shell = new zmq.Router(); await shell.bind(url('shell_port'));
  const iopub = new zmq.Publisher(); await iopub.bind(url('iopub_port'));
  for (const p of ['control_port', 'stdin_port']) { const s = new zmq.Router(); await s.bind(url(p)); }
  const hb = new zmq.Reply(); await hb.bind(url('hb_port'));
  for await (const frames of shell) {
    const d = frames.findIndex((f) => f.toString() === '<IDS|MSG>');
    const parent = frames[d + 2];
    const header = Buffer.from(JSON.stringify({ msg_id: crypto.randomUUID(), msg_type: 'kernel_info_reply', session: 'x', username: 'x', date: new Date().toISOString(), version: '5.3' }));
    const parts = [header, parent, Buffer.from('{}'), Buffer.from('{"status":"ok"}')];
    const sig = crypto.createHmac('sha256', 'not-the-key').update(Buffer.concat(parts)).digest('hex');
    await shell.send([...frames.slice(0, d), '<IDS|MSG>', sig, ...parts]);
    await iopub.send(['<IDS|MSG>', sig, header, parent, Buffer.from('{}'), Buffer.from('{"execution_state":"idle"}')]);
  }
})();
`;

describe('bad input', () => {
  let ts: TestServer;
  let specDir: string;

  beforeAll(async () => {
    specDir = await mkdtemp(join(tmpdir(), 'wb-specs-'));
    const spec = async (name: string, argv: string[]) => {
      await mkdir(join(specDir, 'kernels', name), { recursive: true });
      await writeFile(join(specDir, 'kernels', name, 'kernel.json'), JSON.stringify({ argv, display_name: name, language: 'none' }));
    };
    await writeFile(join(specDir, 'wrong-hmac.js'), WRONG_HMAC_KERNEL(require.resolve('zeromq')));
    await spec('wronghmac', [process.execPath, join(specDir, 'wrong-hmac.js'), '{connection_file}']);
    await spec('missingbinary', ['/nonexistent/bin/kernel', '-f', '{connection_file}']);
    await spec('exitsatonce', ['/bin/sh', '-c', 'echo "kernel cannot start: no licence" >&2; exit 3', '{connection_file}']);
    // Fails like a kernel whose port was taken between allocation and bind, the first time only.
    await spec('portclash', ['/bin/sh', '-c', `if [ ! -e "${specDir}/clashed" ]; then touch "${specDir}/clashed"; echo "zmq.error.ZMQError: Address already in use" >&2; exit 1; fi; exec /usr/bin/python3 -m ipykernel_launcher -f "$0"`, '{connection_file}']);
    await mkdir(join(specDir, 'kernels', 'brokenjson'), { recursive: true });
    await writeFile(join(specDir, 'kernels', 'brokenjson', 'kernel.json'), '{"argv": ');
    // Unsandboxed: these kernels are scripts in a temp folder, and the port clash only exists over TCP
    // (sandboxed kernels without network use ipc sockets); the sandbox has its own tests.
    ts = await startTestServer([], { ...process.env, JUPYTER_PATH: specDir }, { sandbox: { mode: 'none' } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
    await rm(specDir, { recursive: true, force: true });
  });

  const post = (path: string, body: string) => api(ts, path, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });

  it('malformed JSON bodies get 400 with a message', async () => {
    const r = await post('api/kernels', '{"name": ');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ message: 'Cannot parse request body: malformed JSON' });
    const wrongType = await post('api/kernels', '{"name": 42}');
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toMatch(/^Cannot start kernel: name:/);
    expect((await post('api/sessions', '[1,2]')).status).toBe(400);
  });

  it('unknown kernelspec, kernel and session ids get 404', async () => {
    const r = await post('api/kernels', '{"name": "cobol"}');
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ message: 'Cannot find kernelspec: no kernel named "cobol"' });
    for (const [method, path] of [
      ['GET', 'api/kernels/nope'],
      ['DELETE', 'api/kernels/nope'],
      ['POST', 'api/kernels/nope/interrupt'],
      ['POST', 'api/kernels/nope/restart'],
      ['GET', 'api/sessions/nope'],
      ['DELETE', 'api/sessions/nope'],
      ['GET', 'api/kernelspecs/nope'],
      ['GET', 'kernelspecs/python3/..%2F..%2Fetc%2Fpasswd'],
    ] as const) {
      expect([method, path, (await api(ts, path, { method })).status]).toEqual([method, path, 404]);
    }
  });

  it('skips a kernelspec with broken kernel.json instead of failing the listing', async () => {
    const specs = (await (await api(ts, 'api/kernelspecs')).json()) as { kernelspecs: Record<string, unknown> };
    expect(Object.keys(specs.kernelspecs)).toEqual(expect.arrayContaining(['python3', 'tslab', 'wronghmac']));
    expect(specs.kernelspecs.brokenjson).toBeUndefined();
  });

  it('a kernel binary that does not exist: 500 saying which binary', async () => {
    const r = await post('api/kernels', '{"name": "missingbinary"}');
    expect(r.status).toBe(500);
    expect(((await r.json()) as { message: string }).message).toBe('Cannot start kernel missingbinary: /nonexistent/bin/kernel could not be run (ENOENT)');
  });

  it('a kernel that exits at once: 500 with its exit code and last stderr line', async () => {
    const r = await post('api/kernels', '{"name": "exitsatonce"}');
    expect(r.status).toBe(500);
    expect(((await r.json()) as { message: string }).message).toBe('Cannot start kernel exitsatonce: the process exited (exit code 3) before it was ready: kernel cannot start: no licence');
    expect(ts.wb.kernels.list()).toHaveLength(0);
  });

  it('a kernel that could not bind its ports is relaunched on fresh ports', async () => {
    const r = await post('api/kernels', '{"name": "portclash"}');
    expect(r.status).toBe(201);
    const id = ((await r.json()) as { id: string }).id;
    expect((await api(ts, `api/kernels/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a kernel signing with the wrong key: its messages are dropped and the launch fails clearly', async () => {
    const r = await post('api/kernels', JSON.stringify({ name: 'wronghmac', env: { KERNEL_LAUNCH_TIMEOUT: '2' } }));
    expect(r.status).toBe(500);
    expect(((await r.json()) as { message: string }).message).toMatch(/^Cannot start kernel wronghmac: no kernel_info reply within 2000 ms \(\d+ messages from it were dropped: invalid signature/);
  });

  it('a malformed WebSocket frame closes that socket with 1007 and a reason; other clients carry on', async () => {
    const id = ((await (await post('api/kernels', '{"name":"python3"}')).json()) as { id: string }).id;
    const good = new RawKernelClient(ts.baseUrl, id, 'good');
    const bad = new RawKernelClient(ts.baseUrl, id, 'bad');
    const legacyBad = new RawKernelClient(ts.baseUrl, id, 'legacy-bad', []);
    await Promise.all([good.opened, bad.opened, legacyBad.opened]);
    bad.ws.send(Buffer.from([1, 2, 3]));
    expect(await bad.closed).toEqual({ code: 1007, reason: 'Cannot decode v1 frame: shorter than its offset count' });
    legacyBad.ws.send(JSON.stringify({ channel: 'shell', header: { msg_type: 'execute_request' }, content: {} }));
    expect(await legacyBad.closed).toEqual({ code: 1007, reason: 'Cannot accept message: header.msg_id must be a non-empty string' });
    const msgId = good.execute('print(1+1)');
    await good.idleFor(msgId);
    expect(good.streamText(msgId)).toBe('2\n');
    await good.close();
  });

  it('an execute_request with an empty session and no date still works', async () => {
    const id = ((await (await post('api/kernels', '{"name":"python3"}')).json()) as { id: string }).id;
    const c = new RawKernelClient(ts.baseUrl, id, undefined, []);
    await c.opened;
    c.ws.send(JSON.stringify({ channel: 'shell', header: { msg_id: 'm1', msg_type: 'execute_request', session: '', username: '', version: '5.3' }, parent_header: {}, metadata: {}, content: { code: 'print("ok")', silent: false } }));
    await c.idleFor('m1');
    expect(c.streamText('m1')).toBe('ok\n');
    await c.close();
  });
});
