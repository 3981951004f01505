/**
 * Bare TCP clients that misbehave on purpose, for the hostile-clients
 * suite: they write exactly the bytes a test gives them (half a request,
 * a TLS ClientHello, a WebSocket frame no library would send) and reset
 * the connection when told. Everything resolves on the event the test's
 * own step causes: the server's answer, the server's close, or the
 * socket's end.
 */
import { connect, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawConn {
  socket: Socket;
  /** This end's port, kept: a destroyed socket no longer reports it. */
  localPort: number;
  /** Everything the server sent so far. */
  readonly received: () => Buffer;
  /** Resolves when `pred` holds for what the server sent (checked now and on every chunk), rejects if the connection ends first. */
  until(pred: (got: Buffer) => boolean): Promise<Buffer>;
  /** Resolves when the server has closed the connection (or it was reset), with everything it sent. */
  ended: Promise<Buffer>;
  /** TCP RST instead of FIN: what a crashed or unplugged client looks like to the server. */
  reset(): void;
}

export function rawConnect(port: number): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let total: Buffer | undefined;
    const received = () => (total ??= Buffer.concat(chunks));
    const waiters = new Set<() => void>();
    let done = false;
    const ended = new Promise<Buffer>((res) => {
      socket.once('close', () => {
        done = true;
        for (const w of waiters) w();
        res(received());
      });
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      total = undefined;
      for (const w of waiters) w();
    });
    // Resets and refusals are what these tests cause; they end the connection, which `ended` reports.
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        localPort: socket.localPort!,
        received,
        ended,
        until(pred) {
          return new Promise((res, rej) => {
            const check = () => {
              const got = received();
              if (pred(got)) {
                waiters.delete(check);
                res(got);
              } else if (done) {
                waiters.delete(check);
                rej(new Error(`connection ended before the expected answer; got ${JSON.stringify(got.subarray(0, 200).toString('latin1'))}`));
              }
            };
            waiters.add(check);
            check();
          });
        },
        reset() {
          socket.resetAndDestroy();
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** The HTTP status of a response head, or undefined while the status line is incomplete. */
export function statusOf(got: Buffer): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(got.subarray(0, 64).toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

export const headEnded = (got: Buffer): boolean => got.includes('\r\n\r\n');

export function upgradeRequest(path: string, opts: { token?: string; protocol?: string } = {}): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...(opts.protocol ? [`Sec-WebSocket-Protocol: ${opts.protocol}`] : []),
    ...(opts.token ? [`Authorization: token ${opts.token}`] : []),
    '',
    '',
  ].join('\r\n');
}

/** A client-to-server WebSocket frame (RFC 6455 5.2); `length` may claim more than `payload` holds. */
export function wsFrame(opcode: number, payload: Buffer, opts: { mask?: boolean; length?: number; fin?: boolean } = {}): Buffer {
  const mask = opts.mask ?? true;
  const len = opts.length ?? payload.length;
  const head: number[] = [(opts.fin ?? true ? 0x80 : 0) | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;

/** The close code of the server's close frame in what it sent after the handshake, if one arrived. */
export function closeCodeOf(afterHandshake: Buffer): number | undefined {
  let i = 0;
  while (i + 2 <= afterHandshake.length) {
    const opcode = afterHandshake[i]! & 0x0f;
    let len = afterHandshake[i + 1]! & 0x7f;
    let p = i + 2;
    if (len === 126) {
      if (p + 2 > afterHandshake.length) return undefined;
      len = afterHandshake.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (p + 8 > afterHandshake.length) return undefined;
      len = Number(afterHandshake.readBigUInt64BE(p));
      p += 8;
    }
    if (p + len > afterHandshake.length) return undefined;
    if (opcode === 0x8) return len >= 2 ? afterHandshake.readUInt16BE(p) : 1005;
    i = p + len;
  }
  return undefined;
}

/** What the server sent after the end of the handshake's response head. */
export function afterHead(got: Buffer): Buffer {
  const end = got.indexOf('\r\n\r\n');
  return end < 0 ? Buffer.alloc(0) : got.subarray(end + 4);
}
