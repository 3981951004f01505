/**
 * The two WebSocket framings of /api/kernels/{id}/channels
 * (jupyter_server docs/source/developers/websocket-protocols.rst).
 *
 * v1.kernel.websocket.jupyter.org (binary):
 *   u64le n, n × u64le offsets, then channel (utf-8), header, parent_header,
 *   metadata, content, buffers...; offsets[i] is where part i starts and the
 *   last offset is the total length. The JSON parts are relayed as bytes.
 *
 * Legacy (no subprotocol): a text frame holding
 *   {channel, header, parent_header, metadata, content, buffers?}
 * or, when there are buffers, a binary frame: u32be count, count × u32be
 * offsets, then the JSON and the buffers.
 */
import { Channel, CLIENT_CHANNELS, JupyterMessage, ProtocolError, RawMessage, parseJsonPart } from './messages';

export const V1_SUBPROTOCOL = 'v1.kernel.websocket.jupyter.org';

export interface WsV1Frame {
  channel: string;
  /** header, parent_header, metadata, content, buffers... */
  parts: Buffer[];
}

/**
 * The same v1 frame as encodeWsV1, as a list of chunks whose concatenation is
 * the frame: parts of at least `inlineMax` bytes are their own chunks (not
 * copied), smaller neighbours are packed together. Sent as the fragments of one
 * WebSocket message, a 1 MB stream output costs no copy in the gateway.
 */
export function encodeWsV1Chunks(channel: string, msg: RawMessage, inlineMax = 64 * 1024): Buffer[] {
  const parts = [Buffer.from(channel, 'utf8'), msg.header, msg.parentHeader, msg.metadata, msg.content, ...msg.buffers];
  const n = parts.length + 1;
  const table = Buffer.allocUnsafe(8 * (n + 1));
  table.writeBigUInt64LE(BigInt(n), 0);
  let offset = table.length;
  parts.forEach((p, i) => {
    table.writeBigUInt64LE(BigInt(offset), 8 * (i + 1));
    offset += p.length;
  });
  table.writeBigUInt64LE(BigInt(offset), 8 * n);
  const chunks: Buffer[] = [];
  let small: Buffer[] = [table];
  for (const p of parts) {
    if (p.length < inlineMax) {
      small.push(p);
      continue;
    }
    if (small.length) chunks.push(Buffer.concat(small));
    chunks.push(p);
    small = [];
  }
  if (small.length) chunks.push(Buffer.concat(small));
  return chunks;
}

/** The v1 frame as one Buffer (every part copied in). */
export function encodeWsV1(channel: string, msg: RawMessage): Buffer {
  return encodeWsV1Chunks(channel, msg, Infinity)[0]!;
}

export function decodeWsV1(buf: Buffer): { channel: string; msg: RawMessage } {
  if (buf.length < 8) throw new ProtocolError('Cannot decode v1 frame: shorter than its offset count');
  const n = Number(buf.readBigUInt64LE(0));
  if (n < 6 || n > 1_000_000 || 8 * (n + 1) > buf.length) throw new ProtocolError(`Cannot decode v1 frame: bad offset count ${n}`);
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = Number(buf.readBigUInt64LE(8 * (i + 1)));
    if (o > buf.length || (i > 0 && o < offsets[i - 1]!) || (i === 0 && o !== 8 * (n + 1))) {
      throw new ProtocolError('Cannot decode v1 frame: offsets out of order or out of range');
    }
    offsets.push(o);
  }
  const slice = (i: number) => buf.subarray(offsets[i]!, offsets[i + 1]!);
  const channel = slice(0).toString('utf8');
  const rest: Buffer[] = [];
  for (let i = 1; i < n - 1; i++) rest.push(slice(i));
  return {
    channel,
    msg: {
      identities: [],
      header: rest[0]!,
      parentHeader: rest[1]!,
      metadata: rest[2]!,
      content: rest[3]!,
      buffers: rest.slice(4),
    },
  };
}

/** The JSON object of the legacy framing; jupyter_server also copies msg_id/msg_type to the top. */
export function toLegacyObject(channel: string, msg: JupyterMessage<unknown>): Record<string, unknown> {
  return {
    channel,
    header: msg.header,
    parent_header: msg.parent_header,
    metadata: msg.metadata,
    content: msg.content,
    buffers: [],
    msg_id: msg.header.msg_id,
    msg_type: msg.header.msg_type,
  };
}

/** Encode for the legacy framing: a string (text frame) without buffers, else a Buffer (binary frame). */
export function encodeLegacy(channel: string, msg: JupyterMessage<unknown>): string | Buffer {
  const obj = toLegacyObject(channel, msg);
  if (msg.buffers.length === 0) return JSON.stringify(obj);
  delete obj.buffers;
  const json = Buffer.from(JSON.stringify(obj), 'utf8');
  const chunks = [json, ...msg.buffers];
  const count = chunks.length;
  const head = Buffer.allocUnsafe(4 * (count + 1));
  head.writeUInt32BE(count, 0);
  let offset = head.length;
  chunks.forEach((c, i) => {
    head.writeUInt32BE(offset, 4 * (i + 1));
    offset += c.length;
  });
  return Buffer.concat([head, ...chunks]);
}

export interface DecodedClientMessage {
  channel: Channel;
  msg: RawMessage;
}

/** Decode a legacy text or binary frame from a client into raw parts for relaying. */
export function decodeLegacy(data: Buffer, isBinary: boolean): { channel: string; msg: RawMessage } {
  let json: Buffer;
  let buffers: Buffer[] = [];
  if (isBinary) {
    if (data.length < 8) throw new ProtocolError('Cannot decode binary frame: too short');
    const count = data.readUInt32BE(0);
    if (count < 1 || 4 * (count + 1) > data.length) throw new ProtocolError(`Cannot decode binary frame: bad buffer count ${count}`);
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) offsets.push(data.readUInt32BE(4 * (i + 1)));
    offsets.push(data.length);
    for (let i = 0; i < count; i++) {
      if (offsets[i]! > offsets[i + 1]! || offsets[i]! < 4 * (count + 1)) throw new ProtocolError('Cannot decode binary frame: offsets out of order');
    }
    json = data.subarray(offsets[0]!, offsets[1]!);
    for (let i = 1; i < count; i++) buffers.push(data.subarray(offsets[i]!, offsets[i + 1]!));
  } else {
    json = data;
  }
  const obj = parseJsonPart(json, 'frame');
  const enc = (v: unknown, part: string): Buffer => {
    if (v === undefined || v === null) return Buffer.from('{}');
    if (typeof v !== 'object' || Array.isArray(v)) throw new ProtocolError(`Cannot decode frame: ${part} must be an object`);
    return Buffer.from(JSON.stringify(v));
  };
  if (!isBinary && Array.isArray(obj.buffers) && obj.buffers.length > 0) {
    // Some clients send base64 buffers inside the JSON.
    buffers = obj.buffers.map((b: unknown) => {
      if (typeof b !== 'string') throw new ProtocolError('Cannot decode frame: buffers must be base64 strings');
      return Buffer.from(b, 'base64');
    });
  }
  return {
    channel: typeof obj.channel === 'string' ? obj.channel : '',
    msg: {
      identities: [],
      header: enc(obj.header, 'header'),
      parentHeader: enc(obj.parent_header, 'parent_header'),
      metadata: enc(obj.metadata, 'metadata'),
      content: enc(obj.content, 'content'),
      buffers,
    },
  };
}

export function isClientChannel(channel: string): channel is Exclude<Channel, 'iopub'> {
  return (CLIENT_CHANNELS as readonly string[]).includes(channel);
}
