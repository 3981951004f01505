'use strict';
// The floor: an ipykernel launched by the benchmark itself and spoken to straight
// over ZeroMQ (shell DEALER + iopub SUB), messages signed with HMAC-SHA256.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zmq = require('zeromq');
const { makeMessage, jsonParts, Tracker } = require('./protocol');
const { freePorts, sleep } = require('./util');
const { spawnGroup, stopGroup } = require('./procs');
const { makeSandbox } = require('./servers');

const DELIM = Buffer.from('<IDS|MSG>');

function kernelArgv(specName = 'python3') {
  for (const dir of ['/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels']) {
    const f = path.join(dir, specName, 'kernel.json');
    if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8')).argv;
  }
  return ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'];
}

class DirectKernel {
  static async start({ readyTimeoutMs = 60000, argv: argvTemplate = kernelArgv(), kernelName = 'python3' } = {}) {
    const k = new DirectKernel();
    k.sandbox = makeSandbox('zmq');
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    k.key = crypto.randomBytes(32).toString('hex');
    const conn = {
      shell_port: shell, iopub_port: iopub, stdin_port: stdin, control_port: control, hb_port: hb,
      ip: '127.0.0.1', key: k.key, transport: 'tcp', signature_scheme: 'hmac-sha256', kernel_name: kernelName,
    };
    const file = path.join(k.sandbox.dir, 'kernel-bench.json');
    fs.writeFileSync(file, JSON.stringify(conn, null, 1), { mode: 0o600 });
    const argv = argvTemplate.map((a) => a.replace('{connection_file}', file));
    k.command = argv.join(' ');
    k.child = spawnGroup(argv[0], argv.slice(1), { env: k.sandbox.env, cwd: k.sandbox.rootDir });
    k.log = [];
    for (const s of [k.child.stdout, k.child.stderr]) s.on('data', (d) => { k.log.push(String(d)); });

    k.session = crypto.randomUUID();
    k.tracker = new Tracker();
    k.shell = new zmq.Dealer({ routingId: k.session, linger: 0 });
    k.iopub = new zmq.Subscriber({ linger: 0 });
    k.shell.connect(`tcp://127.0.0.1:${shell}`);
    k.iopub.connect(`tcp://127.0.0.1:${iopub}`);
    k.iopub.subscribe();
    k.recvLoop(k.shell, 'shell');
    k.recvLoop(k.iopub, 'iopub');
    await k.waitReady(readyTimeoutMs);
    return k;
  }

  sign(parts) {
    const h = crypto.createHmac('sha256', this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  async recvLoop(sock, channel) {
    try {
      for (;;) {
        const frames = await sock.receive();
        const i = frames.findIndex((f) => f.equals(DELIM));
        if (i < 0 || frames.length < i + 6) continue;
        const [sig, h, p, m, c] = frames.slice(i + 1, i + 6);
        if (sig.toString() !== this.sign([h, p, m, c])) { this.badSignatures = (this.badSignatures || 0) + 1; continue; }
        const header = JSON.parse(h);
        const parent = JSON.parse(p);
        let content;
        this.tracker.dispatch({
          channel, msgType: header.msg_type, msgId: header.msg_id, parentId: parent.msg_id, contentBytes: c.length,
          get content() { if (content === undefined) content = JSON.parse(c); return content; },
        });
      }
    } catch (e) {
      if (!this.closing) this.tracker.failAll(new Error(`zmq ${channel} receive failed: ${e.message}`));
    }
  }

  async sendShell(msgType, content) {
    const msg = makeMessage(msgType, content, this.session);
    const parts = jsonParts(msg);
    // zeromq v6 allows only one send in flight per socket; callers await each send.
    await this.shell.send([DELIM, this.sign(parts), ...parts]);
    return msg;
  }

  /** Like jupyter_client: nudge with kernel_info_request until iopub delivers something. */
  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let gotIopub = false;
    const l = (m) => { if (m.channel === 'iopub') gotIopub = true; };
    this.tracker.listeners.add(l);
    try {
      while (!gotIopub) {
        if (Date.now() > deadline) throw new Error(`direct ipykernel not ready after ${timeoutMs} ms: ${this.log.join('').slice(-1000)}`);
        if (this.child.exited) throw new Error(`direct ipykernel exited: ${this.log.join('').slice(-1000)}`);
        await this.sendShell('kernel_info_request', {});
        await sleep(200);
      }
      await sleep(200); // let outstanding nudge replies drain
    } finally {
      this.tracker.listeners.delete(l);
    }
  }

  async request(msgType, content, { timeoutMs = 60000 } = {}) {
    const msg = makeMessage(msgType, content, this.session);
    const parts = jsonParts(msg);
    const { done } = this.tracker.expect(msg.header.msg_id, { timeoutMs, what: `${msgType} over ZeroMQ` });
    await this.shell.send([DELIM, this.sign(parts), ...parts]);
    return done;
  }

  async stop() {
    this.closing = true;
    try { this.shell.close(); } catch { /* ignore */ }
    try { this.iopub.close(); } catch { /* ignore */ }
    await stopGroup(this.child, 3000);
    try { fs.rmSync(this.sandbox.dir, { recursive: true, force: true }); } catch { /* ignore */ }
  }
}

module.exports = { DirectKernel, kernelArgv };
