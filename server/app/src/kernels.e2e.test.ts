/**
 * The gateway through JupyterLab's own client (@jupyterlab/services), with
 * real ipykernel and tslab kernels, in both WebSocket framings.
 */
import { KernelManager, KernelSpecManager, KernelMessage, Kernel } from '@jupyterlab/services';
import { startTestServer, TestServer, api } from './testing/harness';

type Out = KernelMessage.IIOPubMessage;

async function run(kernel: Kernel.IKernelConnection, code: string, onIOPub?: (m: Out) => void): Promise<{ reply: KernelMessage.IExecuteReplyMsg; iopub: Out[] }> {
  const iopub: Out[] = [];
  const future = kernel.requestExecute({ code, stop_on_error: false });
  future.onIOPub = (m) => {
    iopub.push(m);
    onIOPub?.(m);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, iopub };
}

const outputs = (iopub: Out[]) => iopub.filter((m) => !['status', 'execute_input'].includes(m.header.msg_type));

describe.each([
  ['v1.kernel.websocket.jupyter.org', true],
  ['legacy JSON', false],
])('kernels over %s framing', (_name, v1) => {
  let ts: TestServer;
  let manager: KernelManager;

  beforeAll(async () => {
    ts = await startTestServer();
    manager = new KernelManager({ serverSettings: ts.settings });
    await manager.ready;
  });
  afterAll(async () => {
    manager.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  async function startPython(): Promise<Kernel.IKernelConnection> {
    const k = await manager.startNew({ name: 'python3' });
    if (!v1) {
      // JupyterLab offers the v1 subprotocol when it supports it; force legacy by reconnecting without it.
      (k as unknown as { _supportedProtocols: string[] })._supportedProtocols = [];
      await k.reconnect();
    }
    await k.info;
    expect(k.serverSettings.wsUrl).toBeTruthy();
    return k;
  }

  it('executes with stream, result, error and display outputs', async () => {
    const k = await startPython();
    const { reply, iopub } = await run(k, "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\nfrom IPython.display import display, HTML\nh = display(HTML('<b>x</b>'), display_id=True)\nh.update(HTML('<i>y</i>'))\n6*7");
    expect(reply.content.status).toBe('ok');
    const outs = outputs(iopub);
    expect(outs.find((m) => m.header.msg_type === 'stream' && (m.content as { name: string }).name === 'stdout')?.content).toMatchObject({ text: 'hello\n' });
    expect(outs.find((m) => m.header.msg_type === 'stream' && (m.content as { name: string }).name === 'stderr')?.content).toMatchObject({ text: 'oops\n' });
    expect(outs.find((m) => m.header.msg_type === 'display_data')?.content).toMatchObject({ data: { 'text/html': '<b>x</b>' } });
    expect(outs.find((m) => m.header.msg_type === 'update_display_data')?.content).toMatchObject({ data: { 'text/html': '<i>y</i>' } });
    expect(outs.find((m) => m.header.msg_type === 'execute_result')?.content).toMatchObject({ data: { 'text/plain': '42' } });
    const err = await run(k, '1/0');
    expect(err.reply.content.status).toBe('error');
    expect(outputs(err.iopub).find((m) => m.header.msg_type === 'error')?.content).toMatchObject({ ename: 'ZeroDivisionError' });
    const cleared = await run(k, "from IPython.display import clear_output\nprint('a')\nclear_output(wait=True)\nprint('b')");
    const seq = outputs(cleared.iopub).map((m) => (m.header.msg_type === 'stream' ? (m.content as { text: string }).text.trim() : m.header.msg_type)).filter(Boolean);
    expect(seq).toEqual(['a', 'clear_output', 'b']);
    await k.shutdown();
  });

  it('relays megabyte outputs whole and in order (in v1 they go out as WebSocket fragments)', async () => {
    const k = await startPython();
    const { reply, iopub } = await run(k, "import sys\nfor c in ['a', 'é', 'z']:\n    sys.stdout.write(c * 1_000_000 + '\\n')\n    sys.stdout.flush()");
    expect(reply.content.status).toBe('ok');
    const text = outputs(iopub).filter((m) => m.header.msg_type === 'stream').map((m) => (m.content as { text: string }).text).join('');
    expect(text.length).toBe(3_000_003);
    expect(text === `${'a'.repeat(1_000_000)}\n${'é'.repeat(1_000_000)}\n${'z'.repeat(1_000_000)}\n`).toBe(true);
    await k.shutdown();
  });

  it('relays input() over stdin', async () => {
    const k = await startPython();
    const future = k.requestExecute({ code: "x = input('name? ')\nprint('hi ' + x)", allow_stdin: true });
    const printed: string[] = [];
    future.onStdin = (msg) => {
      expect((msg.content as { prompt: string }).prompt).toBe('name? ');
      future.sendInputReply({ status: 'ok', value: 'ada' }, msg.header as KernelMessage.IHeader<'input_request'>);
    };
    future.onIOPub = (m) => {
      if (m.header.msg_type === 'stream') printed.push((m.content as { text: string }).text);
    };
    await future.done;
    expect(printed.join('')).toBe('hi ada\n');
    await k.shutdown();
  });

  it('opens, messages and closes comms both ways, with binary buffers', async () => {
    const k = await startPython();
    const received: KernelMessage.ICommMsgMsg[] = [];
    await run(k, [
      'from ipykernel.comm import Comm',
      'def target(comm, open_msg):',
      '    comm.send({"echo": open_msg["content"]["data"]}, buffers=[b"\\x00\\x01\\xff"])',
      '    @comm.on_msg',
      '    def _(msg):',
      '        comm.send({"got": msg["content"]["data"], "nbuf": len(msg["buffers"])})',
      'get_ipython().kernel.comm_manager.register_target("wb-test", target)',
    ].join('\n'));
    const comm = k.createComm('wb-test');
    const got = new Promise<void>((resolve) => {
      comm.onMsg = (msg) => {
        received.push(msg);
        if (received.length === 2) resolve();
      };
    });
    comm.open({ hello: 1 });
    comm.send({ ping: 2 }, undefined, [new Uint8Array([7, 8, 9]).buffer]);
    await got;
    expect(received[0]!.content.data).toEqual({ echo: { hello: 1 } });
    const buf = received[0]!.buffers![0] as DataView;
    expect([...new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)]).toEqual([0, 1, 255]);
    expect(received[1]!.content.data).toEqual({ got: { ping: 2 }, nbuf: 1 });
    await comm.close().done;
    await k.shutdown();
  });

  it('interrupts a long-running cell', async () => {
    const k = await startPython();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const future = k.requestExecute({ code: "import time\nprint('start', flush=True)\ntime.sleep(600)" });
    future.onIOPub = (m) => {
      // The cell's own first line: the interrupt must land in its code. One that lands before, in
      // IPython's pre-run hooks (execute_input is published ahead of them), is reported and swallowed.
      if (m.header.msg_type === 'stream' && (m.content as { text: string }).text.includes('start')) started();
    };
    await running;
    await k.interrupt();
    const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
    expect(reply.content.status).toBe('error');
    expect((reply.content as { ename?: string }).ename).toBe('KeyboardInterrupt');
    await k.shutdown();
  });

  it('restarts: state is gone, the same kernel id keeps working', async () => {
    const k = await startPython();
    await run(k, 'x = 5');
    await k.restart();
    const { reply, iopub } = await run(k, "'x' in globals()");
    expect(reply.content.status).toBe('ok');
    expect(outputs(iopub).find((m) => m.header.msg_type === 'execute_result')?.content).toMatchObject({ data: { 'text/plain': 'False' } });
    await k.shutdown();
    const res = await api(ts, `api/kernels/${k.id}`);
    expect(res.status).toBe(404);
  });
});

describe('TypeScript kernel (tslab)', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('is listed with a logo and runs TypeScript', async () => {
    const specs = new KernelSpecManager({ serverSettings: ts.settings });
    await specs.ready;
    const tslab = specs.specs!.kernelspecs.tslab!;
    expect(tslab.display_name).toBe('TypeScript');
    expect(tslab.language).toBe('typescript');
    const logo = await api(ts, tslab.resources['logo-svg']!.replace(/^\//, ''));
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toContain('image/svg+xml');
    const manager = new KernelManager({ serverSettings: ts.settings });
    const k = await manager.startNew({ name: 'tslab' });
    const { reply, iopub } = await run(k, "const n: number = 6 * 7;\nconsole.log('ts says', n);\nn");
    expect(reply.content.status).toBe('ok');
    // tslab prints the value of the last expression as stdout rather than an execute_result.
    expect(outputs(iopub).map((m) => (m.content as { text?: string }).text).join('')).toBe('ts says 42\n42\n');
    const bad = await run(k, 'const s: string = 1;');
    expect(bad.reply.content.status).toBe('error');
    await k.shutdown();
    manager.dispose();
    specs.dispose();
  });
});
