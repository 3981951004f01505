#!/usr/bin/env node
'use strict';
// A minimal Jupyter kernel (messaging protocol 5.3 over ZeroMQ, HMAC-SHA256) whose
// only job is to produce iopub output faster than any server can relay it, so the
// benchmark can measure a server's own relay throughput. ipykernel cannot: it
// produces ~100-270 MB/s here, and both servers keep up with it.
//
// A cell `emit COUNT BYTES` sends COUNT stdout stream messages of BYTES bytes each
// (BYTES-1 'x' and a newline); any other cell just replies ok. Supports tcp and ipc
// transports (so it runs in Workbench's network-less sandbox), kernel_info,
// execute, shutdown, heartbeat. Messages with a bad signature are dropped.
//
//   node firehose-kernel.js CONNECTION_FILE
const fs = require('fs');
const crypto = require('crypto');
const zmq = require('zeromq');

const DELIM = Buffer.from('<IDS|MSG>');
const conn = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const key = conn.key || '';
const session = crypto.randomUUID();
const addr = (port) => (conn.transport === 'ipc' ? `ipc://${conn.ip}-${port}` : `tcp://${conn.ip}:${port}`);

function sign(parts) {
  if (!key) return '';
  const h = crypto.createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function header(msgType) {
  return { msg_id: crypto.randomUUID(), username: 'firehose', session, date: new Date().toISOString(), msg_type: msgType, version: '5.3' };
}

/** contentBuf: a ready JSON Buffer (so a big stream payload is serialised once). */
function frames(ids, msgType, parent, contentBuf) {
  const parts = [Buffer.from(JSON.stringify(header(msgType))), Buffer.from(JSON.stringify(parent || {})), Buffer.from('{}'), contentBuf];
  return [...ids, DELIM, Buffer.from(sign(parts)), ...parts];
}
const json = (o) => Buffer.from(JSON.stringify(o));

const iopub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 0 });
const shell = new zmq.Router({ linger: 0 });
const control = new zmq.Router({ linger: 0 });
const stdin = new zmq.Router({ linger: 0 });
const hb = new zmq.Reply({ linger: 0 });

const streams = new Map(); // bytes -> content Buffer
function streamContent(bytes) {
  let c = streams.get(bytes);
  if (!c) {
    c = json({ name: 'stdout', text: `${'x'.repeat(Math.max(0, bytes - 1))}\n` });
    streams.set(bytes, c);
  }
  return c;
}

let executionCount = 0;
let stopping = false;

async function publish(msgType, parent, content) {
  await iopub.send(frames([Buffer.from(msgType)], msgType, parent, Buffer.isBuffer(content) ? content : json(content)));
}

async function handle(sock, msg) {
  const i = msg.findIndex((f) => f.equals(DELIM));
  if (i < 0 || msg.length < i + 6) return;
  const ids = msg.slice(0, i);
  const parts = msg.slice(i + 2, i + 6);
  const sig = msg[i + 1].toString();
  const want = sign(parts);
  if (sig.length !== want.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want))) return;
  const parent = JSON.parse(parts[0]);
  const content = JSON.parse(parts[3]);
  const type = parent.msg_type;
  const reply = (replyType, body) => sock.send(frames(ids, replyType, parent, json(body)));
  await publish('status', parent, { execution_state: 'busy' });
  if (type === 'kernel_info_request') {
    await reply('kernel_info_reply', {
      status: 'ok', protocol_version: '5.3', implementation: 'firehose', implementation_version: '1.0',
      language_info: { name: 'text', version: '1', mimetype: 'text/plain', file_extension: '.txt' },
      banner: 'firehose benchmark kernel', help_links: [],
    });
  } else if (type === 'execute_request') {
    executionCount += 1;
    await publish('execute_input', parent, { code: content.code, execution_count: executionCount });
    const m = /^\s*emit\s+(\d+)\s+(\d+)\s*$/.exec(content.code || '');
    if (m) {
      const body = streamContent(Number(m[2]));
      for (let n = Number(m[1]); n > 0; n--) await publish('stream', parent, body);
    }
    await reply('execute_reply', { status: 'ok', execution_count: executionCount, user_expressions: {}, payload: [] });
  } else if (type === 'shutdown_request') {
    await reply('shutdown_reply', { status: 'ok', restart: Boolean(content.restart) });
    stopping = true;
  } else if (type === 'interrupt_request') {
    await reply('interrupt_reply', { status: 'ok' });
  } else if (type.endsWith('_request')) {
    await reply(type.replace(/_request$/, '_reply'), { status: 'error', ename: 'NotImplemented', evalue: type, traceback: [] });
  }
  await publish('status', parent, { execution_state: 'idle' });
  if (stopping) setImmediate(() => process.exit(0));
}

async function serve(sock) {
  for await (const msg of sock) await handle(sock, msg);
}

async function beat() {
  for await (const [m] of hb) await hb.send(m);
}

async function main() {
  await Promise.all([
    iopub.bind(addr(conn.iopub_port)), shell.bind(addr(conn.shell_port)), control.bind(addr(conn.control_port)),
    stdin.bind(addr(conn.stdin_port)), hb.bind(addr(conn.hb_port)),
  ]);
  process.on('SIGINT', () => { /* interrupts are no-ops: cells are short */ });
  process.on('SIGTERM', () => process.exit(0));
  await Promise.all([serve(shell), serve(control), beat()]);
}

main().catch((e) => { console.error(e); process.exit(1); });
