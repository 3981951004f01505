'use strict';
// Jupyter messages, the two WebSocket framings, and a request tracker shared by
// the WebSocket and the direct-ZeroMQ clients.
const crypto = require('crypto');
const { now } = require('./util');

const V1 = 'v1.kernel.websocket.jupyter.org';

function makeMessage(msgType, content, session) {
  return {
    header: {
      msg_id: crypto.randomUUID(), username: 'bench', session,
      date: new Date().toISOString(), msg_type: msgType, version: '5.3',
    },
    parent_header: {},
    metadata: {},
    content,
  };
}

/** JSON parts of a message as Buffers: header, parent_header, metadata, content. */
function jsonParts(msg) {
  return [msg.header, msg.parent_header, msg.metadata, msg.content].map((x) => Buffer.from(JSON.stringify(x)));
}

/** v1.kernel.websocket.jupyter.org: u64le n, n x u64le offsets, channel, parts... */
function encodeV1(channel, parts) {
  const all = [Buffer.from(channel, 'utf8'), ...parts];
  const n = all.length + 1;
  const head = Buffer.alloc(8 * (n + 1));
  head.writeBigUInt64LE(BigInt(n), 0);
  let off = head.length;
  for (let i = 0; i < all.length; i++) { head.writeBigUInt64LE(BigInt(off), 8 * (i + 1)); off += all[i].length; }
  head.writeBigUInt64LE(BigInt(off), 8 * n);
  return Buffer.concat([head, ...all]);
}

/**
 * A received message in normalized form. Only the header and parent header are
 * parsed eagerly; `content` is parsed on demand (status messages, mostly), so
 * large stream messages cost the client as little as possible.
 */
function received(channel, headerBuf, parentBuf, contentBuf, parsed) {
  const header = parsed ? parsed.header : JSON.parse(headerBuf);
  const parent = parsed ? parsed.parent_header : JSON.parse(parentBuf);
  let content = parsed ? parsed.content : undefined;
  return {
    channel,
    msgType: header.msg_type,
    msgId: header.msg_id,
    parentId: parent && parent.msg_id,
    contentBytes: contentBuf ? contentBuf.length : undefined,
    get content() { if (content === undefined) content = JSON.parse(contentBuf); return content; },
  };
}

function decodeV1(buf) {
  const n = Number(buf.readBigUInt64LE(0));
  const offs = [];
  for (let i = 0; i < n; i++) offs.push(Number(buf.readBigUInt64LE(8 * (i + 1))));
  const part = (i) => buf.subarray(offs[i], offs[i + 1]);
  return received(part(0).toString('utf8'), part(1), part(2), part(4));
}

/** Legacy framing: JSON text, or (with buffers) u32be count + offsets + JSON + buffers. */
function decodeLegacy(data, isBinary) {
  let text;
  if (isBinary) {
    const buf = Buffer.from(data);
    const count = buf.readUInt32BE(0);
    const start = buf.readUInt32BE(4);
    const end = count > 1 ? buf.readUInt32BE(8) : buf.length;
    text = buf.subarray(start, end).toString('utf8');
  } else {
    text = data.toString('utf8');
  }
  const msg = JSON.parse(text);
  const r = received(msg.channel, null, null, null, msg);
  r.contentBytes = msg.content && typeof msg.content.text === 'string' ? msg.content.text.length : 0;
  return r;
}

/**
 * Tracks in-flight requests: a request is done when its reply (on the channel it
 * was sent on) and the iopub `status: idle` with it as parent have both arrived.
 */
class Tracker {
  constructor() { this.pending = new Map(); this.listeners = new Set(); }

  expect(msgId, { timeoutMs = 60000, what = msgId } = {}) {
    const entry = { t0: now(), reply: null, tReply: 0, tIdle: 0, iopubMsgs: 0, iopubBytes: 0, streamBytes: 0 };
    const done = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`timeout after ${timeoutMs} ms waiting for ${what} (reply: ${entry.tReply ? 'yes' : 'no'}, idle: ${entry.tIdle ? 'yes' : 'no'})`));
      }, timeoutMs);
    });
    this.pending.set(msgId, entry);
    return { entry, done };
  }

  dispatch(m) {
    for (const l of this.listeners) l(m);
    const e = m.parentId && this.pending.get(m.parentId);
    if (!e) return;
    const t = now();
    if (m.channel === 'iopub') {
      e.iopubMsgs++;
      if (m.contentBytes) e.iopubBytes += m.contentBytes;
      if (m.msgType === 'stream') e.streamBytes += m.contentBytes || 0;
      else if (m.msgType === 'status' && m.content.execution_state === 'idle') e.tIdle = t;
    } else if (m.msgType.endsWith('_reply')) {
      e.reply = m;
      e.tReply = t;
    }
    if (e.tReply && e.tIdle) {
      clearTimeout(e.timer);
      this.pending.delete(m.parentId);
      e.tDone = t;
      e.resolve(e);
    }
  }

  failAll(err) {
    for (const [id, e] of this.pending) { clearTimeout(e.timer); this.pending.delete(id); e.resolve(Promise.reject(err)); }
  }
}

const EXECUTE_DEFAULTS = { silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true };

module.exports = { V1, makeMessage, jsonParts, encodeV1, decodeV1, decodeLegacy, Tracker, EXECUTE_DEFAULTS };
