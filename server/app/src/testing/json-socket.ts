/**
 * A WebSocket test client for JSON text frames (terminals, events): keeps
 * every message and resolves waiters on the first match, past or future.
 */
import WebSocket from 'ws';
import { TOKEN } from './harness';

export class JsonSocket<T = unknown> {
  readonly ws: WebSocket;
  readonly received: T[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (m: T) => boolean; resolve: (m: T) => void }[] = [];

  constructor(url: string, headers: Record<string, string> = { Authorization: `token ${TOKEN}` }) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as T;
      this.received.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
  }

  waitFor(pred: (m: T) => boolean): Promise<T> {
    const found = this.received.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Resolve once `check()` holds, checked now and after every message (for output that arrives in pieces). */
  waitUntil(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred: () => check(), resolve: () => resolve() }));
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** The HTTP status a refused upgrade answered with. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}
