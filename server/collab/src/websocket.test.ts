import WebSocket from 'ws';
import { CLOSE_BAD_REQUEST, GLOBAL_AWARENESS_ROOM } from './collaboration-service';
import { Client, connectClient, FakeTimers, Harness, quietYjsConsole, sampleNotebook, startHarness, synced, writeNotebook } from './test-harness';
import { MESSAGE_RAW } from './websocket';
import { decoding, encoding, toYjsJSON } from './yjs';

let restoreConsole: () => void;
beforeAll(() => {
  restoreConsole = quietYjsConsole();
});
afterAll(() => restoreConsole());

/** A bare socket speaking to the room, for what y-websocket does not expose. */
function raw(h: Harness, room: string, sessionId: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(`${h.url}/${room}?sessionId=${sessionId}&user=raw`, options);
  const messages: Uint8Array[] = [];
  const waiters: { pred: (m: Uint8Array) => boolean; resolve: (m: Uint8Array) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const m = new Uint8Array(data);
    messages.push(m);
    for (const w of waiters.filter((w) => w.pred(m))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    ws,
    opened,
    closed,
    next: (pred: (m: Uint8Array) => boolean) => {
      const hit = messages.find(pred);
      return hit ? Promise.resolve(hit) : new Promise<Uint8Array>((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

describe('collaboration socket protocol', () => {
  let h: Harness;
  let timers: FakeTimers | undefined;
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of sockets.splice(0)) s.terminate();
    await h.close();
    timers = undefined;
  });
  const setup = async (opts: { fakeTimers?: boolean } = {}) => {
    if (opts.fakeTimers) timers = new FakeTimers();
    h = await startHarness(timers ? { timers, pingIntervalMs: 30_000 } : {});
    await writeNotebook(h.root, 'a.ipynb', sampleNotebook([{ id: 'c1', source: 'x = 1' }]));
    const s = await h.service.openSession('a.ipynb', 'json', 'notebook', { name: 'ann', email: 'a@x' });
    return { room: `json:notebook:${s.fileId}`, sessionId: s.sessionId };
  };

  it('answers the Jupyter RAW "save" request with a JSON reply naming the request', async () => {
    const { room, sessionId } = await setup();
    const c = raw(h, room, sessionId);
    sockets.push(c.ws);
    await c.opened;
    const enc = encoding().createEncoder();
    encoding().writeVarUint(enc, MESSAGE_RAW);
    encoding().writeVarString(enc, 'save');
    encoding().writeVarUint(enc, 7);
    c.ws.send(encoding().toUint8Array(enc));
    const reply = await c.next((m) => m[0] === MESSAGE_RAW);
    const dec = decoding().createDecoder(reply);
    decoding().readVarUint(dec);
    expect(JSON.parse(decoding().readVarString(dec))).toEqual({ type: 'save', responseTo: 7, status: 'success' });
  });

  it('closes a socket that sends a malformed message with 4400', async () => {
    const { room, sessionId } = await setup();
    const c = raw(h, room, sessionId);
    sockets.push(c.ws);
    await c.opened;
    c.ws.send(new Uint8Array([0, 2, 0xff, 0xff, 0xff]));
    expect((await c.closed).code).toBe(CLOSE_BAD_REQUEST);
  });

  it('drops a peer that stops answering pings', async () => {
    const { room, sessionId } = await setup({ fakeTimers: true });
    const c = raw(h, room, sessionId, { autoPong: false });
    sockets.push(c.ws);
    await c.opened;
    await c.next((m) => m[0] === 0); // served (sync step 1 arrived)
    const pinged = new Promise<void>((resolve) => c.ws.once('ping', () => resolve()));
    timers!.advance(30_000);
    await pinged;
    timers!.advance(30_000); // no pong came back
    expect((await c.closed).code).toBe(1006);
  });

  it("removes a client's awareness state from the others when it disconnects, in document rooms and the global awareness room", async () => {
    const { room, sessionId } = await setup();
    for (const name of [room, GLOBAL_AWARENESS_ROOM]) {
      const ann = connectClient(h, name, sessionId, 'ann');
      const bob = connectClient(h, name, sessionId, 'bob');
      clients.push(ann, bob);
      await Promise.all([synced(ann), synced(bob)]);
      const seen = (c: Client, other: Client, present: boolean) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (c.nb.awareness.getStates().has(other.nb.awareness.clientID) === present) {
              c.nb.awareness.off('change', check);
              resolve();
            }
          };
          c.nb.awareness.on('change', check);
          check();
        });
      const annSeesBob = seen(ann, bob, true);
      bob.nb.awareness.setLocalStateField('user', toYjsJSON({ name: 'bob' }));
      await annSeesBob;
      const gone = seen(ann, bob, false);
      clients.splice(clients.indexOf(bob), 1);
      bob.destroy();
      await gone;
    }
  });
});
