/**
 * KernelConnection against real ZeroMQ ROUTER sockets standing in for a
 * kernel's side of the wire. The endpoints are ipc paths in a folder of the
 * test's own: an endpoint that must have no peer yet (and get one later) is
 * a path nobody else can take meanwhile, which a "free" TCP port is not.
 */
import * as zmq from 'zeromq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessage, serializeWire, Signer, toRaw } from '@workbench/protocol';
import { ConnectionInfo, endpoint } from './connection-info';
import { KernelConnection } from './kernel-connection';

const key = 'secret-key';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-zmq-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A connection file for ipc endpoints `<dir>/<name>-<port>`, ports 1 to 5; nothing is bound yet. */
function ipcInfo(name: string): ConnectionInfo {
  return { transport: 'ipc', ip: join(dir, name), key, signature_scheme: 'hmac-sha256', kernel_name: 'fake', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };
}

async function bindRouter(info: ConnectionInfo, name: 'shell' | 'control' | 'stdin'): Promise<zmq.Router> {
  const socket = new zmq.Router({ linger: 0 });
  await socket.bind(endpoint(info, name));
  return socket;
}

describe('KernelConnection', () => {
  it('says stdin has not joined until the kernel accepts it, then input_request reaches us', async () => {
    const info = ipcInfo('joined');
    const shell = await bindRouter(info, 'shell');
    const control = await bindRouter(info, 'control');
    const conn = new KernelConnection(info, { routingId: 'client-1' });
    try {
      // A full trip on shell proves shell joined while stdin still has no peer:
      // a kernel answering kernel_info is not yet able to reach us on stdin.
      await conn.send('shell', toRaw(createMessage({ msgType: 'kernel_info_request', content: {}, session: 's' })));
      const [identity] = await shell.receive();
      expect(identity!.toString()).toBe('client-1');
      expect(conn.stdinJoined).toBe(false);

      const stdin = new zmq.Router({ linger: 0 });
      // The kernel's ROUTER routes to us only once its own side of the handshake is done; before that it drops
      // what it sends (our side can finish first: it only needs the kernel's greeting). Listen before binding.
      const kernelKnowsUs = new Promise<void>((resolve) => stdin.events.on('handshake', () => resolve()));
      await stdin.bind(endpoint(info, 'stdin'));
      try {
        await kernelKnowsUs;
        // And our side says so too.
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => conn.stdinJoined && (clearInterval(poll), resolve()), 5);
        });
        const got = new Promise<string>((resolve) => conn.onMessage((e) => e.channel === 'stdin' && resolve(e.header.msgType)));
        const request = createMessage({ msgType: 'input_request', content: { prompt: 'name? ', password: false }, session: 'k' });
        await stdin.send(serializeWire({ ...toRaw(request), identities: [Buffer.from('client-1')] }, new Signer('hmac-sha256', key)));
        await expect(got).resolves.toBe('input_request');
      } finally {
        stdin.close();
      }
    } finally {
      await conn[Symbol.asyncDispose]();
      shell.close();
      control.close();
    }
  });

  it('is not joined once closed', async () => {
    const info = ipcInfo('closed');
    const stdin = await bindRouter(info, 'stdin');
    const conn = new KernelConnection(info);
    await conn[Symbol.asyncDispose]();
    expect(conn.stdinJoined).toBe(false);
    stdin.close();
  });
});
