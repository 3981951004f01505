import { serialize, deserialize } from '@jupyterlab/services/lib/kernel/serialize';
import type { KernelMessage } from '@jupyterlab/services';
import { createMessage, fromRaw, toRaw } from './messages';
import { decodeLegacy, decodeWsV1, encodeLegacy, encodeWsV1, encodeWsV1Chunks, V1_SUBPROTOCOL } from './websocket';
import { parseWire, serializeWire } from './wire';
import { Signer } from './signer';

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const sample = () => {
  const msg = createMessage({ msgType: 'execute_request', session: 's1', content: { code: 'print("é")', silent: false } });
  msg.channel = 'shell';
  return msg;
};

describe('v1.kernel.websocket.jupyter.org framing', () => {
  it('decodes what JupyterLab encodes, without touching the JSON bytes', () => {
    const msg = sample();
    const jl = serialize({ ...msg, buffers: [new Uint8Array([1, 2, 3]).buffer] } as unknown as KernelMessage.IMessage, V1_SUBPROTOCOL) as ArrayBuffer;
    const { channel, msg: raw } = decodeWsV1(Buffer.from(jl));
    expect(channel).toBe('shell');
    const parsed = fromRaw(raw);
    expect(parsed.header).toEqual(msg.header);
    expect(parsed.content).toEqual(msg.content);
    expect([...raw.buffers[0]!]).toEqual([1, 2, 3]);
  });

  it('encodes what JupyterLab decodes, buffers included', () => {
    const msg = sample();
    msg.buffers = [Buffer.from([9, 8, 7, 6])];
    const frame = encodeWsV1('iopub', toRaw(msg));
    const back = deserialize(toArrayBuffer(frame), V1_SUBPROTOCOL);
    expect(back.channel).toBe('iopub');
    expect(back.header).toEqual(msg.header);
    expect(back.content).toEqual(msg.content);
    expect([...new Uint8Array((back.buffers![0] as DataView).buffer, (back.buffers![0] as DataView).byteOffset, 4)]).toEqual([9, 8, 7, 6]);
  });

  it('splits a frame with a big output into chunks that JupyterLab reads as the same message, the output not copied', () => {
    const msg = sample();
    (msg as { content: unknown }).content = { name: 'stdout', text: 'x'.repeat(200_000) };
    msg.buffers = [Buffer.from([1, 2]), Buffer.alloc(100_000, 7)];
    const raw = toRaw(msg);
    const chunks = encodeWsV1Chunks('iopub', raw);
    // offsets + channel + header + parent + metadata | content | small buffer | big buffer
    expect(chunks).toHaveLength(4);
    expect(chunks[1]).toBe(raw.content);
    expect(chunks[3]).toBe(raw.buffers[1]);
    const whole = Buffer.concat(chunks);
    expect(whole.equals(encodeWsV1('iopub', raw))).toBe(true);
    const back = deserialize(toArrayBuffer(whole), V1_SUBPROTOCOL);
    expect(back.content).toEqual(msg.content);
    expect(back.buffers).toHaveLength(2);
    // A message without big parts stays one chunk.
    expect(encodeWsV1Chunks('iopub', toRaw(sample()))).toHaveLength(1);
  });

  it.each([
    ['too short', Buffer.alloc(4)],
    ['absurd count', Buffer.from(new BigUint64Array([10_000_000n, 0n]).buffer)],
    ['offsets beyond the end', Buffer.from(new BigUint64Array([6n, 56n, 60n, 9999n, 9999n, 9999n, 9999n]).buffer)],
  ])('rejects a malformed frame (%s) with a ProtocolError', (_name, buf) => {
    expect(() => decodeWsV1(buf)).toThrow(/Cannot decode v1 frame/);
  });
});

describe('legacy framing', () => {
  it('round-trips a text frame with JupyterLab, copying msg_id and msg_type to the top', () => {
    const msg = sample();
    const text = encodeLegacy('iopub', msg) as string;
    const obj = JSON.parse(text);
    expect(obj.msg_id).toBe(msg.header.msg_id);
    expect(obj.msg_type).toBe('execute_request');
    const fromJl = serialize(msg as unknown as KernelMessage.IMessage, '') as string;
    const { channel, msg: raw } = decodeLegacy(Buffer.from(fromJl), false);
    expect(channel).toBe('shell');
    expect(fromRaw(raw).content).toEqual(msg.content);
  });

  it('round-trips a binary frame with buffers both ways', () => {
    const msg = sample();
    msg.buffers = [Buffer.from('abc'), Buffer.from([0, 255])];
    const bin = encodeLegacy('iopub', msg) as Buffer;
    const back = deserialize(toArrayBuffer(bin), '');
    expect(back.header.msg_id).toBe(msg.header.msg_id);
    expect(back.buffers).toHaveLength(2);
    const jl = serialize({ ...msg, buffers: [new Uint8Array([5, 6]).buffer] } as unknown as KernelMessage.IMessage, '') as ArrayBuffer;
    const { msg: raw } = decodeLegacy(Buffer.from(jl), true);
    expect([...raw.buffers[0]!]).toEqual([5, 6]);
  });

  it('rejects text that is not a JSON object', () => {
    expect(() => decodeLegacy(Buffer.from('[1,2]'), false)).toThrow(/not a JSON object/);
    expect(() => decodeLegacy(Buffer.from('{oops'), false)).toThrow(/not valid JSON/);
  });
});

describe('wire protocol', () => {
  const signer = new Signer('hmac-sha256', 'secret-key');

  it('signs and verifies with the reference HMAC over the four JSON parts', () => {
    const raw = toRaw(sample(), [Buffer.from('id1')]);
    const frames = serializeWire(raw, signer);
    expect(frames[0]!.toString()).toBe('id1');
    expect(frames[1]!.toString()).toBe('<IDS|MSG>');
    const back = parseWire(frames, signer);
    expect(back.header.equals(raw.header)).toBe(true);
    expect(back.identities).toHaveLength(1);
  });

  it('rejects a message with a wrong HMAC', () => {
    const frames = serializeWire(toRaw(sample()), new Signer('hmac-sha256', 'other-key'));
    expect(() => parseWire(frames, signer)).toThrow(/invalid HMAC/);
  });

  it('rejects frames without a delimiter or with too few parts', () => {
    expect(() => parseWire([Buffer.from('x')], signer)).toThrow(/no <IDS\|MSG>/);
    expect(() => parseWire([Buffer.from('<IDS|MSG>'), Buffer.from('')], signer)).toThrow(/need at least 5/);
  });

  it('accepts unsigned messages when the key is empty', () => {
    const none = new Signer('hmac-sha256', '');
    const frames = serializeWire(toRaw(sample()), none);
    expect(frames[1]!.length).toBe(0);
    expect(() => parseWire(frames, none)).not.toThrow();
  });
});
