/**
 * A server killed (SIGKILL) in the middle of a run never loses,
 * duplicates or strands it: after a restart the lost attempt is recorded
 * and retried once, and the run completes with one output per task. With
 * PostgreSQL as the store, two servers share the queue without running a
 * task twice, and when one is killed the other takes over its tasks.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunDetail } from '@workbench/pipelines';
import { testDatabases } from '@workbench/store/testing';
import { notebookJson } from './testing/pipelines';
import { killLeftovers, startServerProcess, type ServerProcess } from './testing/server-process';

const TOKEN = 'crash-token-0123456789';

async function call<T>(s: ServerProcess, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(s.url + path, { method, headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Reads a run's event stream until `until` says stop (or the stream ends); answers what it saw. */
async function watch(s: ServerProcess, runId: string, until: (events: { event: string; data: Record<string, unknown> }[]) => boolean): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const stop = new AbortController();
  const res = await fetch(`${s.url}api/runs/${runId}/events`, { headers: { Authorization: `token ${TOKEN}` }, signal: stop.signal });
  const seen: { event: string; data: Record<string, unknown> }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
        seen.push({ event, data });
        if (until(seen)) return seen;
      }
    }
  } finally {
    stop.abort();
  }
  return seen;
}

const started = (task: string, attempt: number) => (events: { event: string; data: Record<string, unknown> }[]) => events.some((e) => e.event === 'log' && e.data.taskId === task && e.data.attempt === attempt && e.data.text === 'cell 2 started');

describe('a server killed during a run', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-pipecrash-'));
  });
  afterEach(async () => {
    killLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('completes the run after a restart: the lost attempt is retried exactly once, one output per task', async () => {
    const root = join(dir, 'ws');
    await mkdir(join(root, 'crash'), { recursive: true });
    await writeFile(join(root, 'crash', 'quick.ipynb'), notebookJson('python3', [{ source: 'print("quick")' }]));
    // The first attempt of "slow" blocks (the server is killed meanwhile); a retry finishes at once.
    await writeFile(join(root, 'crash', 'slow.ipynb'), notebookJson('python3', [{ source: 'import os\nattempt = os.environ["WORKBENCH_ATTEMPT"]' }, { source: 'import time\nif attempt == "1":\n    time.sleep(600)\nprint("done", attempt)' }]));
    await writeFile(join(root, 'crash', 'k.pipeline.yaml'), 'name: Crash\ntasks:\n  quick: { notebook: crash/quick.ipynb }\n  slow: { notebook: crash/slow.ipynb, depends_on: [quick], retries: 1, retry_delay: 1s }\n');
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ pipelines: { lease_seconds: 2, poll_ms: 200 } }));
    const opts = { dir, root, config, token: TOKEN, runtime: join(dir, 'rt1') };

    const first = await startServerProcess(opts);
    let runId: string;
    try {
      const [p] = await call<{ id: string }[]>(first, 'GET', 'api/pipelines');
      runId = (await call<{ id: string }>(first, 'POST', `api/pipelines/${p!.id}/runs`, {})).id;
      await watch(first, runId, started('slow', 1));
    } finally {
      await first.kill();
    }
    killLeftovers(join(dir, 'rt1'));

    const second = await startServerProcess({ ...opts, runtime: join(dir, 'rt2') });
    try {
      const events = await watch(second, runId, (e) => e.some((x) => x.event === 'end'));
      expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'succeeded' } });
      const run = await call<RunDetail>(second, 'GET', `api/runs/${runId}`);
      expect(run.tasks.map((t) => [t.taskId, t.status, t.attempts.map((a) => `${a.status}/${a.errorKind ?? ''}`)])).toEqual([
        ['quick', 'succeeded', ['succeeded/']],
        ['slow', 'succeeded', ['failed/worker_lost', 'succeeded/']],
      ]);
      expect(await call<unknown[]>(second, 'GET', `api/pipelines/${run.pipelineId}/runs`)).toHaveLength(1);
      const outDir = join(root, run.tasks[1]!.outputPath!, '..');
      expect((await readdir(outDir)).sort()).toEqual(['quick.ipynb', 'slow.ipynb']);
    } finally {
      await second.kill();
    }
  });
});

describe('two servers on one PostgreSQL store', () => {
  const databases = testDatabases('postgres');
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-replicas-'));
  });
  afterEach(async () => {
    killLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(() => databases[Symbol.asyncDispose]());

  it('share the queue without running a task twice; the survivor takes over the killed one\'s tasks', async () => {
    const { url } = await databases.create();
    const root = join(dir, 'ws');
    await mkdir(join(root, 'fan'), { recursive: true });
    // Each task blocks until the test releases it (its workload, not a test wait), so both servers hold tasks when one dies.
    await writeFile(join(root, 'fan', 'work.ipynb'), notebookJson('python3', [{ source: 'print("working", flush=True)' }, { source: 'import os, time\nwhile not os.path.exists("release"):\n    time.sleep(0.05)\nprint("released")' }]));
    const tasks = ['t1', 't2', 't3', 't4', 't5', 't6'];
    await writeFile(join(root, 'fan', 'f.pipeline.yaml'), `name: Fan\nmax_parallel: 6\ntasks:\n${tasks.map((t) => `  ${t}: { notebook: fan/work.ipynb, retries: 1, retry_delay: 1s }`).join('\n')}\n`);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ database: { url }, contents: { versioning: false }, pipelines: { lease_seconds: 2, poll_ms: 200, slots: 3 }}));
    const a = await startServerProcess({ dir, root, config, token: TOKEN, runtime: join(dir, 'rtA') });
    const b = await startServerProcess({ dir, root, config, token: TOKEN, runtime: join(dir, 'rtB') });
    try {
      const [p] = await call<{ id: string }[]>(a, 'GET', 'api/pipelines');
      const runId = (await call<{ id: string }>(a, 'POST', `api/pipelines/${p!.id}/runs`, {})).id;
      await watch(b, runId, (e) => tasks.every((t) => started(t, 1)(e)));
      const before = await call<RunDetail>(b, 'GET', `api/runs/${runId}`);
      const workers = new Set(before.tasks.map((t) => t.attempts[0]!.worker));
      expect(workers.size).toBe(2);
      await a.kill();
      killLeftovers(join(dir, 'rtA'));
      await writeFile(join(root, 'fan', 'release'), 'go');
      const events = await watch(b, runId, (e) => e.some((x) => x.event === 'end'));
      expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'succeeded' } });
      const run = await call<RunDetail>(b, 'GET', `api/runs/${runId}`);
      const survivor = run.tasks.find((t) => t.attempts.length === 1)!.attempts[0]!.worker;
      for (const t of run.tasks) {
        expect(t.status).toBe('succeeded');
        // Exactly one successful attempt per task; the killed server's tasks have a lost attempt first.
        expect(t.attempts.filter((x) => x.status === 'succeeded')).toHaveLength(1);
        if (t.attempts[0]!.worker === survivor) expect(t.attempts.map((x) => x.status)).toEqual(['succeeded']);
        else expect(t.attempts.map((x) => `${x.status}/${x.errorKind ?? ''}/${x.worker === survivor}`)).toEqual(['failed/worker_lost/false', 'succeeded//true']);
      }
    } finally {
      await a.kill();
      await b.kill();
    }
  });
});
