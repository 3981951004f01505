/**
 * Durability and versioning options: a server killed with SIGKILL in the
 * middle of saves leaves each file old or new, never truncated; output
 * stripping keeps outputs on disk but not in git.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentsManager } from '@jupyterlab/services';
import { startTestServer, TestServer } from './testing/harness';
import { git, nbformatValidate } from './testing/nbvalidate';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'workbench.js');
const bigNotebook = (i: number) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ id: `v${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: `# version ${i}\n` + 'data = [1, 2, 3]\n'.repeat(200_000) }],
});

describe('a server killed mid-save', () => {
  /** One round: start a server, put the notebook, fire many large saves, SIGKILL after `landed` of them completed. */
  async function killDuringSaves(landed: number): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'wb-kill-'));
    const env = { ...process.env, JUPYTER_CONFIG_DIR: join(dir, 'cfg'), JUPYTER_RUNTIME_DIR: join(dir, 'rt'), WORKBENCH_DATA_DIR: join(dir, 'data') };
    const child = spawn(process.execPath, [BIN, '--port', '0', '--no-browser', '--token', 't', '--root-dir', join(dir, 'ws')], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)lab/.exec(out);
          if (m) resolve(m[1]!);
        });
      });
      const put = (i: number) => fetch(`${url}api/contents/victim.ipynb`, { method: 'PUT', headers: { Authorization: 'token t' }, body: JSON.stringify({ type: 'notebook', format: 'json', content: bigNotebook(i) }) });
      expect((await put(0)).status).toBe(201);
      // Many large saves in flight; kill the server hard once `landed` of them are done.
      let done = 0;
      const finished = new Promise<void>((resolve) => {
        for (let i = 1; i <= 8; i++)
          void put(i)
            .catch(() => undefined)
            .finally(() => {
              if (++done === landed) resolve();
            });
      });
      await finished;
      child.kill('SIGKILL');
      await exited;
      const text = await readFile(join(dir, 'ws', 'victim.ipynb'), 'utf8');
      const nb = JSON.parse(text); // never truncated: parses
      expect(nb.cells[0].id).toMatch(/^v\d$/);
      expect(nb.cells[0].source.join('')).toBe(bigNotebook(Number(nb.cells[0].id.slice(1))).cells[0]!.source);
      expect(nbformatValidate(join(dir, 'ws', 'victim.ipynb'))).toBe('');
    } finally {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }

  it.each([1, 2, 3, 4, 5, 6])('leaves the notebook old or new, never truncated (round %i)', async (round) => {
    await killDuringSaves(round % 3 === 0 ? 1 : round % 3);
  });
});

describe('strip outputs on commit', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer([], process.env, { contents: { strip_outputs: true } });
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  it('keeps outputs in the file but commits the notebook without them', async () => {
    const cm = new ContentsManager({ serverSettings: ts.settings });
    await cm.save('out.ipynb', {
      type: 'notebook',
      format: 'json',
      content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'code', metadata: {}, source: 'print(1)', execution_count: 1, outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }] }] },
    });
    await cm.createCheckpoint('out.ipynb');
    expect(JSON.parse(await readFile(join(ts.rootDir, 'out.ipynb'), 'utf8')).cells[0].outputs).toHaveLength(1);
    const committed = JSON.parse(git(ts.rootDir, 'show', 'HEAD:out.ipynb'));
    expect(committed.cells[0].outputs).toEqual([]);
    expect(committed.cells[0].execution_count).toBeNull();
    expect((await readdir(ts.rootDir)).filter((f) => f.startsWith('.~'))).toEqual([]);
    cm.dispose();
  });
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('a full disk', () => {
  // A real full filesystem: a 1 MiB tmpfs as the workspace (mounting needs root, as CI runs).
  const maybe = isRoot ? it : it.skip;
  maybe('answers 507 with a clear message, keeps the previous version and leaves no temp file (needs root to mount a tmpfs)', async () => {
    const mnt = await mkdtemp(join(tmpdir(), 'wb-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    let ts: TestServer | undefined;
    try {
      ts = await startTestServer(['--root-dir', join(mnt, 'ws')], process.env, { contents: { autosave_debounce_s: 3600 } });
      const cm = new ContentsManager({ serverSettings: ts.settings });
      await cm.save('keep.txt', { type: 'file', format: 'text', content: 'precious' });
      const r = await fetch(`${ts.baseUrl}api/contents/keep.txt`, { method: 'PUT', headers: { Authorization: 'token test-token-0123456789' }, body: JSON.stringify({ type: 'file', format: 'text', content: 'y'.repeat(2 * 1024 * 1024) }) });
      expect(r.status).toBe(507);
      expect(((await r.json()) as { message: string }).message).toBe('Cannot save keep.txt: the disk is full; the previous version is untouched');
      expect(await readFile(join(mnt, 'ws', 'keep.txt'), 'utf8')).toBe('precious');
      expect((await readdir(join(mnt, 'ws'))).filter((f) => f.startsWith('.~'))).toEqual([]);
      expect((await cm.get('keep.txt')).content).toBe('precious'); // and the server keeps serving
      cm.dispose();
    } finally {
      await ts?.[Symbol.asyncDispose]();
      execFileSync('umount', [mnt]);
      await rm(mnt, { recursive: true, force: true });
    }
  });
});
