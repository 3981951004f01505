/**
 * No client can crash or starve the server. Real sockets against a real
 * server started in this process, a real Python kernel started before the
 * attacks. Each pattern runs 100 times, with and without a token; after
 * each, the server still answers `GET /api/`, a cell still runs on that
 * kernel through a connection opened before the attack, and the server
 * has closed its side of every attacking connection (nothing left behind).
 *
 * What each attack gets is asserted, not how fast: a refused upgrade gets
 * an HTTP answer, a protocol violation on an accepted WebSocket gets that
 * connection closed with the RFC 6455 code, garbage gets 400/431 and the
 * connection closed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Kernel, KernelManager } from '@jupyterlab/services';
import { encodeWsV1 } from '@workbench/protocol';
import { api, startTestServer, TestServer, TOKEN } from './testing/harness';
import { runCell } from './testing/run-cell';
import { afterHead, closeCodeOf, headEnded, OP_BINARY, OP_TEXT, rawConnect, RawConn, statusOf, upgradeRequest, wsFrame } from './testing/raw-socket';

const ROUNDS = 100;
const AUTH = [
  ['with a token', TOKEN],
  ['without a token', undefined],
] as const;

/** Deterministic bytes (xorshift32), so a failing "random bytes" case can be replayed. */
function seededBytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The first bytes of a TLS 1.2 ClientHello record, as a browser sends to an https:// URL on a plain port. */
const TLS_CLIENT_HELLO = Buffer.concat([
  Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
  seededBytes(7, 32),
  Buffer.from([0x00, 0x00, 0x20, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x0a, 0x01, 0x00]),
  seededBytes(8, 120),
]);

describe('hostile and vanishing clients', () => {
  let ts: TestServer;
  let kernels: KernelManager;
  let kernel: Kernel.IKernelConnection;
  let port: number;
  const paths: Record<string, string> = {};
  /** The server's side of each client connection, by the client's port: resolves when the server has closed it. */
  const serverClosed = new Map<number, Promise<void>>();
  const arrivals = new Map<number, () => void>();

  /** Resolves when the server has closed its side of `conn` (it may have done so already). */
  function serverSideClosed(conn: RawConn): Promise<void> {
    const p = conn.localPort;
    const known = serverClosed.get(p);
    if (known) return known;
    // The client saw `connect` before the server emitted `connection`: wait for that, then for its close.
    return new Promise<void>((resolve) => arrivals.set(p, resolve)).then(() => serverClosed.get(p)!);
  }

  async function healthy(): Promise<void> {
    const res = await api(ts, 'api/', { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('version');
    expect(await runCell(kernel, 'print(6 * 7)')).toEqual({ stdout: '42', error: undefined });
  }

  beforeAll(async () => {
    ts = await startTestServer();
    port = ts.wb.port;
    ts.wb.http.server.on('connection', (s: Socket) => {
      const p = s.remotePort!;
      serverClosed.set(p, new Promise<void>((resolve) => s.once('close', () => resolve())));
      arrivals.get(p)?.();
      arrivals.delete(p);
    });
    kernels = new KernelManager({ serverSettings: ts.settings });
    kernel = await kernels.startNew({ name: 'python3' });
    const term = (await (await api(ts, 'api/terminals', { method: 'POST', body: '{}' })).json()) as { name: string };
    await writeFile(join(ts.rootDir, 'shared.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
    const room = (await (await api(ts, 'api/collaboration/session/shared.ipynb', { method: 'PUT', body: JSON.stringify({ format: 'json', type: 'notebook' }) })).json()) as { fileId: string };
    paths['kernel channels'] = `/api/kernels/${kernel.id}/channels`;
    paths['terminal'] = `/terminals/websocket/${term.name}`;
    paths['events'] = '/api/events/subscribe';
    paths['collaboration room'] = `/api/collaboration/room/json:notebook:${room.fileId}`;
    paths['unknown path'] = '/api/nothing/here';
    await healthy();
  });

  afterAll(async () => {
    kernel?.dispose();
    kernels?.dispose();
    await ts?.[Symbol.asyncDispose]();
  });

  /** Runs `attack` ROUNDS times, one connection each; then the server must be healthy with every attacking connection closed on its side. */
  async function rounds(attack: (conn: RawConn, i: number) => Promise<void>): Promise<void> {
    const conns: RawConn[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const conn = await rawConnect(port);
      conns.push(conn);
      await attack(conn, i);
    }
    for (const c of conns) if (!c.socket.destroyed) c.socket.destroy();
    await Promise.all(conns.map((c) => serverSideClosed(c)));
    await healthy();
  }

  describe.each(AUTH)('%s', (_label, token) => {
    it.each(['kernel channels', 'terminal', 'events', 'collaboration room', 'unknown path'])('survives a reset right after an upgrade request for the %s', async (name) => {
      await rounds(async (c) => {
        c.socket.write(upgradeRequest(paths[name]!, { token }));
        c.reset();
      });
    });

    it.each(['kernel channels', 'terminal', 'events', 'collaboration room', 'unknown path'])('survives a reset right after reading the answer to an upgrade request for the %s', async (name) => {
      const expected = !token ? 403 : name === 'unknown path' ? 404 : 101;
      await rounds(async (c) => {
        c.socket.write(upgradeRequest(paths[name]!, { token }));
        expect(statusOf(await c.until(headEnded))).toBe(expected);
        c.reset();
      });
    });

    it('survives a reset halfway through the request headers', async () => {
      const head = `GET /api/kernels HTTP/1.1\r\nHost: 127.0.0.1\r\n${token ? `Authorization: token ${token}\r\n` : ''}X-Padding: ${'p'.repeat(500)}\r\n\r\n`;
      await rounds(async (c, i) => {
        c.socket.write(head.slice(0, 10 + ((i * 37) % (head.length - 12))));
        c.reset();
      });
    });

    it('survives a reset halfway through a 5 MB notebook PUT', async () => {
      const nb = JSON.stringify({ type: 'notebook', content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'big', cell_type: 'markdown', metadata: {}, source: 'x'.repeat(5 * 1024 * 1024) }] } });
      const head = `PUT /api/contents/big.ipynb HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(nb)}\r\n${token ? `Authorization: token ${token}\r\n` : ''}\r\n`;
      const half = Buffer.from(nb.slice(0, nb.length / 2));
      await rounds(async (c) => {
        c.socket.write(head);
        await new Promise<void>((resolve) => c.socket.write(half, () => resolve()));
        c.reset();
      });
      // Nothing half-written reached the workspace.
      expect((await api(ts, 'api/contents/big.ipynb')).status).toBe(404);
    });

    it('survives a reset while /lab and a 20 MB file are being sent', async () => {
      await writeFile(join(ts.rootDir, 'big.bin'), seededBytes(3, 20 * 1024 * 1024));
      for (const path of ['/lab', '/files/big.bin']) {
        await rounds(async (c) => {
          c.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${token ? `Authorization: token ${token}\r\n` : ''}\r\n`);
          await c.until((got) => got.length > 0);
          c.reset();
        });
      }
    });
  });

  describe('garbage on the HTTP port', () => {
    it('answers a TLS ClientHello with 400 and closes', async () => {
      await rounds(async (c) => {
        c.socket.write(TLS_CLIENT_HELLO);
        expect(statusOf(await c.ended)).toBe(400);
      });
    });

    it('answers random bytes with 400 and closes (or just closes)', async () => {
      await rounds(async (c, i) => {
        c.socket.write(seededBytes(1000 + i, 512));
        const got = await c.ended;
        // Bytes that happen to look like the start of a request are cut off by the close, not answered.
        if (got.length > 0) expect(statusOf(got)).toBe(400);
      });
    });

    it('answers a 100 KB request line with 431 and closes', async () => {
      const line = `GET /${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      await rounds(async (c) => {
        c.socket.write(line);
        expect(statusOf(await c.ended)).toBe(431);
      });
    });
  });

  describe('malformed WebSocket traffic on an accepted kernel socket', () => {
    const V1 = 'v1.kernel.websocket.jupyter.org';

    async function openKernelSocket(c: RawConn, protocol?: string): Promise<void> {
      c.socket.write(upgradeRequest(`${paths['kernel channels']}?session_id=hostile-${c.localPort}`, { token: TOKEN, protocol }));
      expect(statusOf(await c.until(headEnded))).toBe(101);
    }

    /** Sends `frame` on a fresh kernel socket and resolves with the close code the server sent. */
    const closeCodeFor = (frame: () => Buffer, protocol?: string) => async (c: RawConn) => {
      await openKernelSocket(c, protocol);
      c.socket.write(frame());
      const code = closeCodeOf(afterHead(await c.until((got) => closeCodeOf(afterHead(got)) !== undefined)));
      return code;
    };

    function v1FrameWithOffsetsPastItsEnd(): Buffer {
      const good = encodeWsV1('shell', { identities: [], header: Buffer.from('{}'), parentHeader: Buffer.from('{}'), metadata: Buffer.from('{}'), content: Buffer.from('{}'), buffers: [] });
      good.writeBigUInt64LE(BigInt(good.length + 1000), 8 * 3); // the third offset points past the end
      return good;
    }

    it.each([
      ['a v1 frame whose offset table points past its end', () => wsFrame(OP_BINARY, v1FrameWithOffsetsPastItsEnd()), V1, 1007],
      ['a frame claiming 2 GB', () => wsFrame(OP_BINARY, Buffer.alloc(16), { length: 2 ** 31 }), V1, 1009],
      ['invalid UTF-8 in a text frame', () => wsFrame(OP_TEXT, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), undefined, 1007],
      ['an unmasked client frame', () => wsFrame(OP_BINARY, Buffer.from('hello'), { mask: false }), V1, 1002],
      ['a text frame on the v1 protocol', () => wsFrame(OP_TEXT, Buffer.from('{}')), V1, 1003],
      ['JSON that is not a Jupyter message', () => wsFrame(OP_TEXT, Buffer.from(JSON.stringify({ channel: 'shell', header: { hello: 'world' }, content: {} }))), undefined, 1007],
      ['JSON that is not an object', () => wsFrame(OP_TEXT, Buffer.from('[1, 2, 3]')), undefined, 1007],
    ])('%s: closes that connection with its RFC 6455 code, the kernel serves on', async (_name, frame, protocol, expected) => {
      await rounds(async (c) => {
        expect(await closeCodeFor(frame, protocol)(c)).toBe(expected);
      });
    });

    it('a message for a channel that does not exist is dropped; the connection keeps working', async () => {
      const header = (id: string, type: string) => ({ msg_id: id, msg_type: type, session: 'hostile', username: 'x', date: new Date().toISOString(), version: '5.3' });
      await rounds(async (c, i) => {
        await openKernelSocket(c);
        c.socket.write(wsFrame(OP_TEXT, Buffer.from(JSON.stringify({ channel: 'nochannel', header: header(`bogus-${i}`, 'execute_request'), parent_header: {}, metadata: {}, content: {} }))));
        c.socket.write(wsFrame(OP_TEXT, Buffer.from(JSON.stringify({ channel: 'shell', header: header(`info-${i}`, 'kernel_info_request'), parent_header: {}, metadata: {}, content: {} }))));
        // The reply to the second message proves the first did not close the connection.
        await c.until((got) => afterHead(got).includes(`"msg_id":"info-${i}"`) && afterHead(got).includes('kernel_info_reply'));
        expect(closeCodeOf(afterHead(c.received()))).toBeUndefined();
      });
    });
  });

  describe('resource exhaustion', () => {
    it('1,000 idle half-open connections do not stop a normal client', async () => {
      const idle: RawConn[] = [];
      try {
        for (let i = 0; i < 1000; i++) {
          const c = await rawConnect(port);
          // Half a request line, then nothing: the slowloris pattern.
          c.socket.write('GET /api/kernels HTTP/1.1\r\nHost: 127');
          idle.push(c);
        }
        // The issue's bound: an answer within a second while they are all held open (it takes milliseconds).
        const res = await api(ts, 'api/kernels', { signal: AbortSignal.timeout(1000) });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { id: string }[]).map((k) => k.id)).toContain(kernel.id);
      } finally {
        for (const c of idle) c.socket.destroy();
        await Promise.all(idle.map((c) => serverSideClosed(c)));
      }
      await healthy();
    });

    it('a WebSocket message above the limit (10 MiB by default) is refused with 1009 before its payload arrives', async () => {
      const c = await rawConnect(port);
      c.socket.write(upgradeRequest(paths['kernel channels']!, { token: TOKEN, protocol: 'v1.kernel.websocket.jupyter.org' }));
      expect(statusOf(await c.until(headEnded))).toBe(101);
      // Only the header of an 11 MiB frame: the close comes without the server waiting for (or buffering) the payload.
      c.socket.write(wsFrame(OP_BINARY, Buffer.alloc(0), { length: 11 * 1024 * 1024 }).subarray(0, 14));
      expect(closeCodeOf(afterHead(await c.until((got) => closeCodeOf(afterHead(got)) !== undefined)))).toBe(1009);
      await c.ended;
      await healthy();
    });

    it('a request body that nests 100,000 levels deep is a 400, not a stack overflow', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const res = await api(ts, 'api/contents/deep.ipynb', { method: 'PUT', body: `{"type":"notebook","content":${deep}}` });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/nested deeper than 1000 levels/);
      await healthy();
    });
  });
});

describe('configured limits', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { max_body_bytes: 64 * 1024, ws_max_message_bytes: 4096 });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('a request body over max_body_bytes is a 413 with a JSON error', async () => {
    const res = await api(ts, 'api/contents/a.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: 'x'.repeat(100 * 1024) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(/larger than 65536 bytes/) });
    expect((await api(ts, 'api/contents/a.txt', { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: 'small' }) })).status).toBe(201);
  });

  it('a WebSocket message over ws_max_message_bytes closes with 1009; one under it is taken', async () => {
    const c = await rawConnect(ts.wb.port);
    c.socket.write(upgradeRequest('/api/events/subscribe', { token: TOKEN }));
    expect(statusOf(await c.until(headEnded))).toBe(101);
    c.socket.write(wsFrame(OP_TEXT, Buffer.from('x'.repeat(4000))));
    c.socket.write(wsFrame(OP_TEXT, Buffer.from('x'.repeat(5000))));
    expect(closeCodeOf(afterHead(await c.until((got) => closeCodeOf(afterHead(got)) !== undefined)))).toBe(1009);
    await c.ended;
  });
});
