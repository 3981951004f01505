'use strict';
// Kernel channels over WebSocket (/api/kernels/{id}/channels), either framing.
const crypto = require('crypto');
const WebSocket = require('ws');
const { V1, makeMessage, jsonParts, encodeV1, decodeV1, decodeLegacy, Tracker } = require('./protocol');
const { withTimeout } = require('./util');

class KernelWs {
  /** framing: 'v1' (offer the v1 subprotocol) or 'legacy' (offer none). */
  static async open(server, kernelId, framing = 'v1', { timeoutMs = 30000 } = {}) {
    const c = new KernelWs();
    c.session = crypto.randomUUID();
    c.tracker = new Tracker();
    const url = `ws://127.0.0.1:${server.port}/api/kernels/${kernelId}/channels?session_id=${c.session}`;
    const ws = new WebSocket(url, framing === 'v1' ? [V1] : [], {
      headers: { Authorization: `token ${server.token}` },
      perMessageDeflate: false,
      maxPayload: 512 * 1024 * 1024,
    });
    c.ws = ws;
    c.errors = [];
    ws.on('message', (data, isBinary) => {
      let m;
      try {
        m = c.framing === 'v1' ? decodeV1(data) : decodeLegacy(data, isBinary);
      } catch (e) {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
        c.errors.push(`undecodable ${isBinary ? 'binary' : 'text'} frame (${buf.length} bytes, starts ${buf.subarray(0, 48).toString('hex')}): ${e.message}`);
        if (process.env.BENCH_DUMP_BAD_FRAMES) require('fs').writeFileSync(`${process.env.BENCH_DUMP_BAD_FRAMES}.${c.errors.length}`, buf);
        return;
      }
      c.tracker.dispatch(m);
    });
    ws.on('close', (code, reason) => {
      c.closed = true;
      c.tracker.failAll(new Error(`websocket closed (${code} ${reason})`));
    });
    await withTimeout(new Promise((resolve, reject) => {
      // Decide the framing in the 'open' handler itself: a server may send a frame
      // (e.g. a status message) before an awaiting caller would resume.
      ws.once('open', () => { c.framing = ws.protocol === V1 ? 'v1' : 'legacy'; resolve(); });
      ws.once('error', reject);
      ws.once('unexpected-response', (req, res) => reject(new Error(`websocket upgrade refused: HTTP ${res.statusCode}`)));
    }), timeoutMs, `websocket open ${url}`);
    if (framing === 'v1' && c.framing !== 'v1') c.errors.push('server did not accept the v1 subprotocol');
    return c;
  }

  send(channel, msg) {
    if (this.framing === 'v1') this.ws.send(encodeV1(channel, jsonParts(msg)));
    else this.ws.send(JSON.stringify({ channel, ...msg, buffers: [] }));
  }

  /** Send a request; resolves with timings once its reply and iopub idle both arrived. */
  request(channel, msgType, content, { timeoutMs = 60000 } = {}) {
    const msg = makeMessage(msgType, content, this.session);
    const { done } = this.tracker.expect(msg.header.msg_id, { timeoutMs, what: `${msgType} over WebSocket` });
    this.send(channel, msg);
    return done;
  }

  close() {
    return new Promise((resolve) => {
      if (this.closed || this.ws.readyState === WebSocket.CLOSED) return resolve();
      const t = setTimeout(() => { this.ws.terminate(); resolve(); }, 2000);
      this.ws.once('close', () => { clearTimeout(t); resolve(); });
      this.ws.close();
    });
  }
}

module.exports = { KernelWs };
