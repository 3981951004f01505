/**
 * KernelConnection against real ZeroMQ ROUTER sockets standing in for a
 * kernel's side of the wire.
 */
import * as zmq from 'zeromq';
import { createMessage, serializeWire, Signer, toRaw } from '@workbench/protocol';
import { ConnectionInfo } from './connection-info';
import { KernelConnection } from './kernel-connection';

const key = 'secret-key';

async function bindRouter(port = 0): Promise<{ socket: zmq.Router; port: number }> {
  const socket = new zmq.Router({ linger: 0 });
  await socket.bind(`tcp://127.0.0.1:${port === 0 ? '*' : port}`);
  return { socket, port: Number(socket.lastEndpoint!.split(':').pop()) };
}

async function freePort(): Promise<number> {
  const { socket, port } = await bindRouter();
  socket.close();
  return port;
}

describe('KernelConnection', () => {
  it('says stdin has not joined until the kernel accepts it, then input_request reaches us', async () => {
    const shell = await bindRouter();
    const control = await bindRouter();
    const stdinPort = await freePort();
    const info: ConnectionInfo = {
      transport: 'tcp', ip: '127.0.0.1', key, signature_scheme: 'hmac-sha256', kernel_name: 'fake',
      shell_port: shell.port, control_port: control.port, stdin_port: stdinPort, iopub_port: await freePort(), hb_port: await freePort(),
    };
    const conn = new KernelConnection(info, { routingId: 'client-1' });
    try {
      // A full trip on shell proves shell joined while stdin still has no peer:
      // a kernel answering kernel_info is not yet able to reach us on stdin.
      await conn.send('shell', toRaw(createMessage({ msgType: 'kernel_info_request', content: {}, session: 's' })));
      const [identity] = await shell.socket.receive();
      expect(identity!.toString()).toBe('client-1');
      expect(conn.stdinJoined).toBe(false);

      const stdin = await bindRouter(stdinPort);
      try {
        // The kernel's side learns of us when our first frame or handshake arrives; wait for our side to say so.
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => conn.stdinJoined && (clearInterval(poll), resolve()), 5);
        });
        const got = new Promise<string>((resolve) => conn.onMessage((e) => e.channel === 'stdin' && resolve(e.header.msgType)));
        const request = createMessage({ msgType: 'input_request', content: { prompt: 'name? ', password: false }, session: 'k' });
        await stdin.socket.send(serializeWire({ ...toRaw(request), identities: [Buffer.from('client-1')] }, new Signer('hmac-sha256', key)));
        await expect(got).resolves.toBe('input_request');
      } finally {
        stdin.socket.close();
      }
    } finally {
      await conn[Symbol.asyncDispose]();
      shell.socket.close();
      control.socket.close();
    }
  });

  it('is not joined once closed', async () => {
    const stdin = await bindRouter();
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const conn = new KernelConnection({
      transport: 'tcp', ip: '127.0.0.1', key, signature_scheme: 'hmac-sha256', kernel_name: 'fake',
      shell_port: ports[0]!, control_port: ports[1]!, stdin_port: stdin.port, iopub_port: ports[2]!, hb_port: ports[3]!,
    });
    await conn[Symbol.asyncDispose]();
    expect(conn.stdinJoined).toBe(false);
    stdin.socket.close();
  });
});
