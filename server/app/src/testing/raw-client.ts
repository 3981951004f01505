/**
 * A bare WebSocket kernel client (v1 framing) for tests that need control
 * @jupyterlab/services hides: dropping the connection mid-output, sending
 * malformed frames, observing close codes.
 */
import WebSocket from 'ws';
import { createMessage, decodeWsV1, encodeWsV1, fromRaw, JupyterMessage, toRaw, V1_SUBPROTOCOL } from '@workbench/protocol';
import { TOKEN } from './harness';

export interface Received {
  channel: string;
  msg: JupyterMessage;
}

export class RawKernelClient {
  readonly ws: WebSocket;
  readonly received: Received[] = [];
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(baseUrl: string, kernelId: string, readonly session: string | undefined, protocols: string[] = [V1_SUBPROTOCOL]) {
    const q = session ? `?session_id=${session}` : '';
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}api/kernels/${kernelId}/channels${q}`, protocols, { headers: { Authorization: `token ${TOKEN}` } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data: Buffer, isBinary) => {
      let r: Received;
      if (isBinary && this.ws.protocol === V1_SUBPROTOCOL) {
        const { channel, msg } = decodeWsV1(data);
        r = { channel, msg: fromRaw(msg) };
      } else {
        const o = JSON.parse(data.toString());
        r = { channel: o.channel, msg: o };
      }
      this.received.push(r);
      this.waiters = this.waiters.filter((w) => (w.pred(r) ? (w.resolve(r), false) : true));
    });
  }

  /** Resolve with the first message (already received or future) that matches. */
  waitFor(pred: (r: Received) => boolean): Promise<Received> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  execute(code: string): string {
    const msg = createMessage({ msgType: 'execute_request', session: this.session ?? '', content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true } });
    this.ws.send(encodeWsV1('shell', toRaw(msg)));
    return msg.header.msg_id;
  }

  idleFor(msgId: string): Promise<Received> {
    return this.waitFor((r) => r.channel === 'iopub' && r.msg.header.msg_type === 'status' && (r.msg.parent_header as { msg_id?: string }).msg_id === msgId && (r.msg.content as { execution_state: string }).execution_state === 'idle');
  }

  streamText(msgId: string): string {
    return this.received
      .filter((r) => r.msg.header.msg_type === 'stream' && (r.msg.parent_header as { msg_id?: string }).msg_id === msgId)
      .map((r) => (r.msg.content as { text: string }).text)
      .join('');
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
