/**
 * Seeded randomized convergence: 5 y-websocket clients make random edits
 * (cells inserted, deleted, moved; sources typed and cut; metadata set)
 * while they randomly disconnect and reconnect, and the server restarts
 * twice (every socket closed, the service disposed and rebuilt on the same
 * data dir and port). Seeds: COLLAB_SEEDS="7,8" reproduces given runs.
 *
 * "Lost" and "duplicated", precisely, with I = cell ids inserted (the
 * initial cells and every client insert), D = ids some client deleted,
 * M = ids some client moved (@jupyter/ydoc moves by delete + re-insert, so a
 * move concurrent with a delete may legitimately bring the cell back):
 *   - no id appears twice in the final document;
 *   - every id in I \ D is present (not lost);
 *   - no id in D \ M is present (a delete is not undone);
 *   - no id outside I is present.
 */
import { join } from 'node:path';
import { normalizedText } from './room';
import { Client, connectClient, Harness, quietYjsConsole, readNotebook, resynced, sampleNotebook, startHarness, synced, until, validateWithNbformat, writeNotebook } from './test-harness';
import { toYjsJSON, YTypes } from './yjs';

const SEEDS = (process.env.COLLAB_SEEDS ?? '1,2,3').split(',').map(Number);
const OPS = Number(process.env.COLLAB_OPS ?? 2000);
const CLIENTS = 5;

/** mulberry32: a small, well-known seeded PRNG. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

let restoreConsole: () => void;
beforeAll(() => {
  restoreConsole = quietYjsConsole();
});
afterAll(() => restoreConsole());

describe.each(SEEDS)('random collaboration, seed %i', (seed) => {
  let h: Harness;
  const clients: Client[] = [];
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await h.close();
  });

  it(`converges without losing or duplicating a cell (COLLAB_SEEDS=${seed})`, async () => {
    const rnd = prng(seed);
    const initial = Array.from({ length: 5 }, (_, i) => ({ id: `init-${i}`, source: `cell ${i}` }));
    await writeNotebook(h.root, 'r.ipynb', sampleNotebook(initial));
    const s = await h.service.openSession('r.ipynb', 'json', 'notebook', { name: 'u0', email: 'u0@x' });
    const room = `json:notebook:${s.fileId}`;
    for (let i = 0; i < CLIENTS; i++) clients.push(connectClient(h, room, s.sessionId, `u${i}`));
    await Promise.all(clients.map(synced));

    const inserted = new Set(initial.map((c) => c.id));
    const deleted = new Set<string>();
    const moved = new Set<string>();
    // No astral characters: a random index could split a surrogate pair, which no editor does.
    const alphabet = 'abcxyz =()\n#é';
    const text = () => Array.from({ length: 1 + rnd(5) }, () => [...alphabet][rnd([...alphabet].length)]).join('');

    for (let k = 0; k < OPS; k++) {
      if (k === Math.floor(OPS / 3) || k === Math.floor((2 * OPS) / 3)) {
        const back = clients.filter((c) => c.provider.shouldConnect && c.provider.synced).map(resynced);
        await h.restart();
        await Promise.all(back); // the connected clients resume on the new server (with what they typed meanwhile)
      }
      const c = clients[rnd(CLIENTS)]!;
      if (rnd(100) < 2) {
        if (c.provider.shouldConnect) c.provider.disconnect();
        else c.provider.connect();
      }
      const nb = c.nb;
      const n = nb.cells.length;
      const op = rnd(100);
      if (op < 12 || n === 0) {
        const id = `s${seed}-${k}`;
        const markdown = rnd(3) === 0;
        nb.insertCell(rnd(n + 1), toYjsJSON(markdown ? { id, cell_type: 'markdown', source: text(), metadata: {} } : { id, cell_type: 'code', source: text(), metadata: {} }) as never);
        inserted.add(id);
      } else if (op < 20 && n > 1) {
        const i = rnd(n);
        deleted.add(nb.getCell(i).id);
        nb.deleteCell(i);
      } else if (op < 28 && n > 1) {
        const from = rnd(n);
        moved.add(nb.getCell(from).id);
        nb.moveCell(from, rnd(n));
      } else if (op < 40) {
        nb.getCell(rnd(n)).setMetadata('tags', toYjsJSON([`t${rnd(4)}`]));
      } else if (op < 55) {
        const cell = nb.getCell(rnd(n));
        const len = cell.ysource.length;
        if (len > 0) {
          const at = rnd(len);
          cell.ysource.delete(at, Math.min(1 + rnd(3), len - at));
        }
      } else {
        const cell = nb.getCell(rnd(n));
        cell.ysource.insert(rnd(cell.ysource.length + 1), text());
      }
      if (k % 10 === 9) await new Promise((resolve) => setImmediate(resolve)); // let the sockets interleave with the edits
    }

    for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect();
    await Promise.all(clients.map(synced));
    const [shared] = await h.service.loadedRooms('r.ipynb');
    const docs = [shared!.doc, ...clients.map((c) => c.nb.ydoc as YTypes.Doc)];
    const serverJSON = () => JSON.stringify(shared!.content());
    await until(docs, () => clients.every((c) => JSON.stringify(c.nb.toJSON()) === serverJSON()), `all ${CLIENTS} clients to converge (seed ${seed})`, 30_000);

    const ids = (shared!.content() as { cells: { id: string }[] }).cells.map((c) => c.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect({ seed, dupes }).toEqual({ seed, dupes: [] });
    const lost = [...inserted].filter((id) => !deleted.has(id) && !ids.includes(id));
    expect({ seed, lost }).toEqual({ seed, lost: [] });
    const undeleted = ids.filter((id) => deleted.has(id) && !moved.has(id));
    expect({ seed, undeleted }).toEqual({ seed, undeleted: [] });
    expect(ids.filter((id) => !inserted.has(id))).toEqual([]);

    expect(await shared!.save()).toBe('success');
    const file = await readNotebook(h.root, 'r.ipynb');
    expect(normalizedText('notebook', file)).toBe(normalizedText('notebook', shared!.content()));
    await validateWithNbformat(join(h.root, 'r.ipynb'));
  });
});
