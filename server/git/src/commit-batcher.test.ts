/**
 * CommitBatcher against a real repository, with time driven by fake timers:
 * debounce and deadline, author credit, transform, retry after failure,
 * flush and dispose. No sleeps: tests wait on onDidCommit/onDidFail.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError, waitForEvent } from '@workbench/core';
import { BatcherTimers, CommitBatcher, CommitBatcherOptions } from './commit-batcher';
import { GitRepository } from './git-repository';

const SERVER = { name: 'Workbench', email: 'workbench@example.org' };
const ALICE = { name: 'Alice', email: 'alice@example.org' };
const BOB = { name: 'Bob', email: 'bob@example.org' };

function git(cwd: string, args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', args, { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, encoding: 'utf8' });
}

/** Timers on a virtual clock: `advance` runs whatever falls due, in order. */
class FakeTimers implements BatcherTimers {
  now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  get size(): number {
    return this.timers.size;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

describe('CommitBatcher', () => {
  let dir: string;
  let repo: GitRepository;
  let timers: FakeTimers;
  let batcher: CommitBatcher;

  function makeBatcher(options: Partial<CommitBatcherOptions> = {}): CommitBatcher {
    return new CommitBatcher({ repository: repo, debounceMs: 30_000, maxDelayMs: 300_000, timers, ...options });
  }
  const write = (path: string, text: string) => writeFile(join(dir, path), text);
  const commitCount = () => Number(git(dir, ['rev-list', '--count', '--all']).trim() || 0);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-batcher-'));
    repo = await GitRepository.open({ root: dir, committer: SERVER });
    timers = new FakeTimers();
    batcher = makeBatcher();
  });
  afterEach(async () => {
    await batcher[Symbol.asyncDispose]();
    await repo[Symbol.asyncDispose]();
    expect(timers.size).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('commits after the debounce, crediting every author of the batch', async () => {
    await write('notebook.ipynb', 'v1');
    batcher.record('notebook.ipynb', ALICE);
    timers.advance(20_000);
    batcher.record('notebook.ipynb', BOB);
    batcher.record('notebook.ipynb', ALICE);
    timers.advance(29_999);
    expect(batcher.pendingPaths).toEqual(['notebook.ipynb']); // the second change restarted the debounce

    const committed = waitForEvent(batcher.onDidCommit);
    timers.advance(1);
    const event = await committed;
    expect(event).toMatchObject({ path: 'notebook.ipynb', authors: [ALICE, BOB] });
    expect(event.version).toBe(git(dir, ['rev-parse', 'HEAD']).trim());
    expect(git(dir, ['log', '--format=%an%n%cn%n%s%n%(trailers)'])).toBe('Alice\nWorkbench\nAutosave notebook.ipynb\nCo-authored-by: Bob <bob@example.org>\n\n');
    expect(batcher.pendingPaths).toEqual([]);
    expect(timers.size).toBe(0);
  });

  it('commits at the deadline even while changes keep coming', async () => {
    batcher = makeBatcher({ debounceMs: 30_000, maxDelayMs: 60_000 });
    await write('a.txt', 'a');
    const committed = waitForEvent(batcher.onDidCommit);
    batcher.record('a.txt', ALICE);
    for (let t = 0; t < 2; t++) {
      timers.advance(20_000);
      batcher.record('a.txt', BOB);
    }
    expect(batcher.pendingPaths).toEqual(['a.txt']);
    timers.advance(20_000); // 60 s after the first change
    expect((await committed).authors).toEqual([ALICE, BOB]);
    expect(commitCount()).toBe(1);
  });

  it('flush commits one path or all of them at once', async () => {
    await write('a.txt', 'a');
    await write('b.txt', 'b');
    batcher.record('a.txt', ALICE);
    batcher.record('b.txt', BOB);
    await batcher.flush('a.txt');
    expect(git(dir, ['ls-tree', '--name-only', 'HEAD'])).toBe('a.txt\n');
    expect(batcher.pendingPaths).toEqual(['b.txt']);
    await batcher.flush();
    expect(git(dir, ['ls-tree', '--name-only', 'HEAD'])).toBe('a.txt\nb.txt\n');
    expect(git(dir, ['log', '-1', '--format=%an'])).toBe('Bob\n');
    await batcher.flush(); // nothing pending: resolves
    expect(commitCount()).toBe(2);
    expect(timers.size).toBe(0);
  });

  it('commits a deletion recorded for a file that is gone', async () => {
    await write('a.txt', 'a');
    batcher.record('a.txt', ALICE);
    await batcher.flush();
    await rm(join(dir, 'a.txt'));
    batcher.record('a.txt', BOB);
    await batcher.flush('a.txt');
    expect((await repo.log('a.txt')).map((v) => [v.change, v.author.name])).toEqual([
      ['deleted', 'Bob'],
      ['added', 'Alice'],
    ]);
  });

  it('stages transformed content and leaves the working tree alone', async () => {
    batcher = makeBatcher({ transform: (_path, content) => Buffer.from(content.toString().replace(/ \+ outputs$/, '')) });
    await write('nb.ipynb', 'source + outputs');
    batcher.record('nb.ipynb', ALICE);
    await batcher.flush('nb.ipynb');
    expect(git(dir, ['show', 'HEAD:nb.ipynb'])).toBe('source');
    expect(await readFile(join(dir, 'nb.ipynb'), 'utf8')).toBe('source + outputs');
  });

  it('keeps a failed batch and retries it at the next flush, never throwing into the saver', async () => {
    let failures = 1;
    batcher = makeBatcher({
      transform: (_path, content) => {
        if (failures-- > 0) throw new Error('notebook is half written');
        return content;
      },
    });
    await write('nb.ipynb', '{}');
    const failed = waitForEvent(batcher.onDidFail);
    batcher.record('nb.ipynb', ALICE);
    await batcher.flush(); // resolves despite the failure
    expect(((await failed).error as Error).message).toBe('notebook is half written');
    expect(batcher.pendingPaths).toEqual(['nb.ipynb']);
    expect(commitCount()).toBe(0);

    batcher.record('nb.ipynb', BOB);
    await batcher.flush('nb.ipynb');
    expect(git(dir, ['log', '--format=%an%n%(trailers)'])).toBe('Alice\nCo-authored-by: Bob <bob@example.org>\n\n');
    expect(batcher.pendingPaths).toEqual([]);
  });

  it('keeps changes recorded while a commit is under way for the next commit', async () => {
    let saves = 0;
    batcher = makeBatcher({ transform: () => Buffer.from(`save ${++saves}`) }); // content fixed by the call, not by timing
    await write('a.txt', 'a');
    batcher.record('a.txt', ALICE);
    const first = batcher.flush('a.txt');
    batcher.record('a.txt', BOB);
    await first;
    expect(batcher.pendingPaths).toEqual(['a.txt']);
    await batcher.flush('a.txt');
    expect(git(dir, ['log', '--format=%an %s'])).toBe('Bob Autosave a.txt\nAlice Autosave a.txt\n');
    expect(git(dir, ['show', 'HEAD:a.txt'])).toBe('save 2');
  });

  it('dispose commits everything pending, clears its timers and refuses new records', async () => {
    await write('a.txt', 'a');
    await write('b.txt', 'b');
    batcher.record('a.txt', ALICE);
    batcher.record('b.txt', BOB);
    expect(timers.size).toBe(4);
    await batcher[Symbol.asyncDispose]();
    expect(timers.size).toBe(0);
    expect(git(dir, ['ls-tree', '--name-only', 'HEAD'])).toBe('a.txt\nb.txt\n');
    let thrown: unknown;
    try {
      batcher.record('a.txt', ALICE);
    } catch (err) {
      thrown = err;
    }
    expect(isAppError(thrown, 'unavailable')).toBe(true);
    await batcher[Symbol.asyncDispose](); // idempotent
  });

  it('rejects bad paths and authors at record time', () => {
    for (const path of ['../x', '/abs', '.git/HEAD']) {
      expect(() => batcher.record(path, ALICE)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
    expect(() => batcher.record('a.txt', { name: '', email: 'x' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(batcher.pendingPaths).toEqual([]);
  });
});
