/**
 * Test support (not exported from the package): a real HTTP + ws server on
 * port 0 in front of a CollaborationService over a real ContentsManager in a
 * temp folder, and real y-websocket 1.5 clients holding @jupyter/ydoc
 * YNotebooks, as JupyterLab's docprovider does.
 */
import { createServer, Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import WebSocket, { WebSocketServer } from 'ws';
import { ContentsManager } from '@workbench/contents';
import { CollaborationService, CollaborationServiceOptions } from './collaboration-service';
import { contentsPortFor } from './contents-port';
import { jupyterYDoc, loadEsm, YDocTypes, YTypes } from './yjs';
import type * as YWs from 'y-websocket' with { 'resolution-mode': 'import' };

export type Provider = YWs.WebsocketProvider;
const yws = () => loadEsm<typeof YWs>('y-websocket', 'src/y-websocket.js');

export interface Harness {
  root: string;
  dataDir: string;
  url: string;
  service: CollaborationService;
  contents: ContentsManager;
  /**
   * Close every socket, dispose the service and start a new one on the same data dir (and port).
   * A client that reconnects meanwhile waits, as in the listen backlog of a restarting process,
   * and is served by the new service, never by the one shutting down.
   * `loseState`: 'all' wipes the data dir, 'documents' only the Yjs store (file ids survive).
   */
  restart(opts?: { loseState?: 'all' | 'documents' }): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<CollaborationServiceOptions> = {}): Promise<Harness> {
  const base = await mkdtemp(join(tmpdir(), 'collab-'));
  const root = join(base, 'root');
  const dataDir = join(base, 'data');
  await mkdir(root);
  const contents = new ContentsManager({ root, maxFileBytes: 50_000_000 });
  const make = () => new CollaborationService({ dataDir, contents: contentsPortFor(contents), saveDelayMs: 20, ...options });
  let service = make();
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  // Upgrades wait while a restart is under way (see Harness.restart).
  let serving: Promise<void> = Promise.resolve();
  http.on('upgrade', (req, socket, head) => {
    const onError = () => socket.destroy(); // the socket's owner until the upgrade completes
    socket.on('error', onError);
    void serving.then(() => {
      socket.off('error', onError);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
  });
  wss.on('connection', (ws, req) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const room = decodeURIComponent(u.pathname.replace(/^\/api\/collaboration\/room\//, ''));
    const name = u.searchParams.get('user') ?? 'anon';
    void service.handleConnection(ws, room, u.searchParams.get('sessionId') ?? undefined, { name, email: `${name}@example.org` }, { readOnly: u.searchParams.get('readOnly') === '1' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  const h: Harness = {
    root,
    dataDir,
    url: `ws://127.0.0.1:${port}/api/collaboration/room`,
    get service() {
      return service;
    },
    contents,
    async restart(opts) {
      let restarted!: () => void;
      serving = new Promise((resolve) => (restarted = resolve));
      try {
        for (const ws of wss.clients) ws.terminate();
        await service[Symbol.asyncDispose]();
        if (opts?.loseState === 'all') await rm(dataDir, { recursive: true, force: true });
        if (opts?.loseState === 'documents') for (const f of ['documents.db', 'documents.db-wal', 'documents.db-shm']) await rm(join(dataDir, f), { force: true });
        service = make();
      } finally {
        restarted();
      }
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await service[Symbol.asyncDispose]();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  } as Harness;
  return h;
}

export interface Client {
  nb: YDocTypes.YNotebook;
  provider: Provider;
  closes: { code: number; reason: string }[];
  destroy(): void;
}

export function connectClient(h: Harness, room: string, sessionId: string, user: string, extra: Record<string, string> = {}): Client {
  const nb = new (jupyterYDoc().YNotebook)();
  const provider = new (yws().WebsocketProvider)(h.url, room, nb.ydoc as never, {
    WebSocketPolyfill: WebSocket as never,
    disableBc: true,
    params: { sessionId, user, ...extra },
    awareness: nb.awareness as never,
    maxBackoffTime: 200,
  });
  const closes: Client['closes'] = [];
  provider.on('connection-close', (event: { code: number; reason: string } | null) => {
    if (event) closes.push({ code: event.code, reason: String(event.reason) });
  });
  return {
    nb,
    provider,
    closes,
    destroy() {
      provider.destroy();
      nb.dispose();
    },
  };
}

/** Resolve when `cond()` holds, re-checking after every update of the given docs; reject after `ms`. */
export function until(docs: YTypes.Doc[], cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!cond()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out waiting for ${what}`));
    }, ms);
    const cleanup = () => {
      clearTimeout(timer);
      for (const d of docs) d.off('update', check);
    };
    for (const d of docs) d.on('update', check);
    check();
  });
}

/**
 * The close of the client's next connection (create before causing the disconnect): the close
 * event of the first socket the client opens after its current one is gone. After `h.restart()`
 * that socket is served by the new service, so this is the restarted server's answer to the
 * client's session; the drop of the current socket (1006) is the restart's own doing.
 */
export function nextConnectionClose(c: Client): Promise<{ code: number; reason: string }> {
  const current = c.provider.ws;
  if (!current) throw new Error('Cannot wait for the next connection: the client is not connected');
  return new Promise((resolve) => {
    current.addEventListener(
      'close',
      () => {
        // y-websocket's own close handler ran first (it was added when the socket was made) and
        // scheduled the reconnect, which announces the new socket with status "connecting".
        const onStatus = ({ status }: { status: string }) => {
          if (status !== 'connecting') return;
          c.provider.off('status', onStatus);
          c.provider.ws!.addEventListener('close', (e: { code: number; reason: string }) => resolve({ code: e.code, reason: String(e.reason) }), { once: true });
        };
        c.provider.on('status', onStatus);
      },
      { once: true },
    );
  });
}

/** Resolve when the client has lost its connection and synced again (create before causing the disconnect). */
export function resynced(c: Client): Promise<void> {
  return new Promise((resolve) => {
    let lost = false;
    const onStatus = ({ status }: { status: string }) => {
      if (status === 'disconnected') lost = true;
    };
    const onSync = (s: boolean) => {
      if (!s || !lost) return;
      c.provider.off('status', onStatus);
      c.provider.off('sync', onSync);
      resolve();
    };
    c.provider.on('status', onStatus);
    c.provider.on('sync', onSync);
  });
}

/** Resolve on the provider's next `sync` (or at once when it is synced). */
export function synced(c: Client): Promise<void> {
  if (c.provider.synced) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (s: boolean) => {
      if (!s) return;
      c.provider.off('sync', on);
      resolve();
    };
    c.provider.on('sync', on);
  });
}

export async function writeNotebook(root: string, path: string, nb: unknown): Promise<void> {
  await writeFile(join(root, path), JSON.stringify(nb, null, 1) + '\n');
}

export async function readNotebook(root: string, path: string): Promise<{ cells: { id: string; source: string | string[] }[] } & Record<string, unknown>> {
  return JSON.parse(await readFile(join(root, path), 'utf8'));
}

/** nbformat's own validator (Python), the referee for "the saved file is a valid notebook". */
export function validateWithNbformat(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file], (err, _out, stderr) =>
      err ? reject(new Error(`nbformat rejects ${file}: ${stderr}`)) : resolve(),
    );
  });
}

export const sampleNotebook = (cells: { id: string; source: string; cell_type?: string }[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: cells.map((c) =>
    (c.cell_type ?? 'code') === 'code'
      ? { id: c.id, cell_type: 'code', source: c.source, metadata: {}, outputs: [], execution_count: null }
      : { id: c.id, cell_type: c.cell_type, source: c.source, metadata: {} },
  ),
});

/** The silent outer console: @jupyter/ydoc's premature-access notices go there (it runs in Node's realm). */
export function quietYjsConsole(): () => void {
  const outer = process.getBuiltinModule('node:vm').runInThisContext('console') as Console;
  const warn = outer.warn;
  outer.warn = (...args: unknown[]) => {
    if (String(args[0]).startsWith('Invalid access')) return;
    warn.apply(outer, args);
  };
  return () => {
    outer.warn = warn;
  };
}

/** Timers driven by the test: `advance(ms)` runs what falls due, in order. */
export class FakeTimers {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; cb: () => void }>();
  private waiters: { ms: number; resolve: () => void }[] = [];
  setTimeout(cb: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, cb });
    for (const w of this.waiters.filter((w) => w.ms === ms)) w.resolve();
    this.waiters = this.waiters.filter((w) => w.ms !== ms);
    return id;
  }
  /** Resolve when a timer of `ms` is next set. */
  nextTimer(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ ms, resolve }));
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get size(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].cb();
    }
    this.now = end;
  }
}
