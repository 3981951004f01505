/**
 * GitRepository against the real git binary in temporary directories:
 * staging and commit semantics, history across renames and deletions,
 * error codes, and serialisation of concurrent operations.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename as move, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError } from '@workbench/core';
import { GitRepository } from './git-repository';

const SERVER = { name: 'Workbench', email: 'workbench@example.org' };
const ALICE = { name: 'Alice Ångström', email: 'alice@example.org' };
const BOB = { name: 'Bob', email: 'bob@example.org' };

/** Run real git to check what GitRepository did, isolated from the user's configuration. */
function git(cwd: string, args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', args, { cwd, env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, encoding: 'utf8' });
}

async function expectAppError(promise: Promise<unknown>, code: AppError['code'], message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(err, code)).toBe(true);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('GitRepository', () => {
  let dir: string;
  let repo: GitRepository;
  const opened: GitRepository[] = [];

  async function open(root = dir, env?: NodeJS.ProcessEnv): Promise<GitRepository> {
    const r = await GitRepository.open({ root, committer: SERVER, env });
    opened.push(r);
    return r;
  }
  const write = (path: string, text: string) => writeFile(join(dir, path), text);
  const save = (path: string, message = `Save ${path}`) => repo.commit([{ path }], { author: ALICE, message });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-git-'));
    repo = await open();
  });
  afterEach(async () => {
    for (const r of opened.splice(0)) await r[Symbol.asyncDispose]();
    // No private index is left behind in any repository a test made.
    expect(git(dir, ['rev-parse', '--is-inside-work-tree']).trim()).toBe('true');
    expect((await readdir(join(dir, '.git'))).filter((f) => f.startsWith('workbench-index'))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  describe('open', () => {
    it('initialises the root on branch main and reuses an existing repository', async () => {
      expect(git(dir, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/main');
      await write('a.txt', 'a');
      const first = await save('a.txt');
      const again = await open();
      expect(await again.headVersion('a.txt')).toMatchObject({ id: first, change: 'added' });
    });

    it('creates its own repository in a directory inside another work tree', async () => {
      await write('a.txt', 'a');
      await save('a.txt');
      await mkdir(join(dir, 'sub'));
      const sub = await open(join(dir, 'sub'));
      expect(existsSync(join(dir, 'sub', '.git'))).toBe(true);
      expect(await sub.log('a.txt')).toEqual([]);
    });

    it("ignores the user's global configuration and inherited GIT_* variables", async () => {
      const home = join(dir, 'home');
      await mkdir(home);
      await writeFile(join(home, 'ignore'), '*.ipynb\n');
      await writeFile(join(home, 'gitconfig'), `[core]\n\texcludesFile = ${join(home, 'ignore')}\n[init]\n\tdefaultBranch = trunk\n`);
      const ws = join(dir, 'ws');
      await mkdir(ws);
      const env = { ...process.env, HOME: home, GIT_CONFIG_GLOBAL: join(home, 'gitconfig'), GIT_DIR: join(dir, 'elsewhere'), GIT_INDEX_FILE: join(dir, 'idx') };
      const r = await open(ws, env);
      await writeFile(join(ws, 'nb.ipynb'), '{}');
      expect(await r.commit([{ path: 'nb.ipynb' }], { author: ALICE, message: 'Save' })).toMatch(/^[0-9a-f]{40}$/);
      expect(git(ws, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/main');
      expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    });

    it('rejects a root that does not exist', async () => {
      await expectAppError(GitRepository.open({ root: join(dir, 'missing'), committer: SERVER }), 'not_found', /^Cannot open repository: /);
    });
  });

  describe('commit', () => {
    it('credits the author, co-authors as trailers, and the server as committer', async () => {
      await write('nb.ipynb', '{"cells": []}');
      const sha = await repo.commit([{ path: 'nb.ipynb' }], { author: ALICE, coAuthors: [BOB, ALICE], message: 'Save notebook' });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(git(dir, ['rev-parse', 'HEAD']).trim()).toBe(sha);
      expect(git(dir, ['log', '-1', '--format=%an%n%ae%n%cn%n%ce%n%s%n%(trailers)'])).toBe(
        `${ALICE.name}\n${ALICE.email}\n${SERVER.name}\n${SERVER.email}\nSave notebook\nCo-authored-by: Bob <bob@example.org>\n\n`,
      );
      expect(git(dir, ['status', '--porcelain'])).toBe('');
    });

    it('commits given content without touching the working tree', async () => {
      await write('nb.ipynb', 'with outputs');
      const sha = await repo.commit([{ path: 'nb.ipynb', content: Buffer.from('stripped') }], { author: ALICE, message: 'Save' });
      expect(await readFile(join(dir, 'nb.ipynb'), 'utf8')).toBe('with outputs');
      expect(git(dir, ['show', 'HEAD:nb.ipynb'])).toBe('stripped');
      expect((await repo.show('nb.ipynb', sha!)).toString()).toBe('stripped');
      // The index matches HEAD: only the working tree differs.
      expect(git(dir, ['status', '--porcelain'])).toBe(' M nb.ipynb\n');
    });

    it('returns undefined when nothing changed', async () => {
      expect(await repo.commit([{ path: 'never-existed.txt' }], { author: ALICE, message: 'Nothing' })).toBeUndefined();
      await write('a.txt', 'a');
      expect(await save('a.txt')).toBeDefined();
      expect(await save('a.txt')).toBeUndefined();
      expect(await repo.commit([{ path: 'a.txt', content: Buffer.from('a') }], { author: ALICE, message: 'Same' })).toBeUndefined();
      expect(git(dir, ['rev-list', '--count', 'HEAD']).trim()).toBe('1');
    });

    it('stages exactly the given paths, never what a user staged by hand or ignored files', async () => {
      await write('a.txt', 'a');
      await write('b.txt', 'b');
      await write('c.txt', 'c');
      await write('.gitignore', '*.log\n');
      await write('x.log', 'log');
      git(dir, ['add', 'c.txt']);
      const sha = await repo.commit([{ path: 'a.txt' }, { path: 'x.log' }, { path: '.gitignore' }], { author: ALICE, message: 'Save a' });
      expect(git(dir, ['ls-tree', '-r', '--name-only', sha!])).toBe('.gitignore\na.txt\n');
      expect(git(dir, ['diff', '--cached', '--name-only'])).toBe('c.txt\n');
    });

    it('stages a deletion from the working tree (content undefined) or explicitly (null)', async () => {
      await write('a.txt', 'a');
      await write('b.txt', 'b');
      await repo.commit([{ path: 'a.txt' }, { path: 'b.txt' }], { author: ALICE, message: 'Add' });
      await rm(join(dir, 'a.txt'));
      const sha = await repo.commit([{ path: 'a.txt' }, { path: 'b.txt', content: null }], { author: ALICE, message: 'Delete' });
      expect(git(dir, ['ls-tree', '-r', '--name-only', sha!])).toBe('');
      expect(await readFile(join(dir, 'b.txt'), 'utf8')).toBe('b');
    });

    it('rejects paths outside the work tree, bad authors and empty messages', async () => {
      const author = ALICE;
      for (const path of ['../x', '/etc/passwd', 'a/../../x', '.git/config', '', '.']) {
        await expectAppError(repo.commit([{ path }], { author, message: 'm' }), 'bad_request', /^Cannot commit: /);
      }
      await expectAppError(repo.commit([{ path: 'a' }], { author: { name: 'Eve <x>', email: 'e' }, message: 'm' }), 'bad_request');
      await expectAppError(repo.commit([{ path: 'a' }], { author, message: '  \n' }), 'bad_request', /message is empty/);
      await expectAppError(repo.rename('a', '../b', { author, message: 'm' }), 'bad_request', /leaves the workspace root/);
    });

    it('serialises concurrent commits: ten at once all land', async () => {
      const paths = Array.from({ length: 10 }, (_, i) => `file ${i}.txt`);
      await Promise.all(paths.map((p) => write(p, p)));
      const shas = await Promise.all(paths.map((p, i) => (i % 2 ? save(p) : repo.commit([{ path: p, content: Buffer.from(`staged ${p}`) }], { author: BOB, message: `Stage ${p}` }))));
      expect(new Set(shas).size).toBe(10);
      expect(shas.every((s) => /^[0-9a-f]{40}$/.test(s ?? ''))).toBe(true);
      expect(git(dir, ['rev-list', '--count', 'HEAD']).trim()).toBe('10');
      expect(git(dir, ['ls-tree', '--name-only', 'HEAD']).split('\n').filter(Boolean).sort()).toEqual([...paths].sort());
    });

    it('does not run an operation whose signal aborts while it waits in the queue', async () => {
      await write('a.txt', 'a');
      await write('b.txt', 'b');
      const first = save('a.txt');
      const controller = new AbortController();
      const second = repo.commit([{ path: 'b.txt' }], { author: ALICE, message: 'b', signal: controller.signal });
      controller.abort(new AppError('timeout', 'Cannot commit: timed out'));
      await expectAppError(second, 'timeout');
      await first;
      await expectAppError(repo.log('a.txt', { signal: AbortSignal.abort(new AppError('unavailable', 'Cannot log: shutting down')) }), 'unavailable');
      expect(git(dir, ['ls-tree', '--name-only', 'HEAD'])).toBe('a.txt\n');
    });
  });

  describe('log and show', () => {
    it('follows a rename and reports the path each version had', async () => {
      await write('old name.ipynb', 'v1\n');
      const v1 = await save('old name.ipynb', 'First');
      await write('old name.ipynb', 'v1\nv2\n');
      const v2 = await save('old name.ipynb', 'Second');
      await mkdir(join(dir, 'dir'));
      const newPath = 'dir/nouveau nom é.ipynb';
      await move(join(dir, 'old name.ipynb'), join(dir, newPath));
      const v3 = await repo.rename('old name.ipynb', newPath, { author: BOB, message: 'Rename' });

      const log = await repo.log(newPath);
      expect(log.map((v) => [v.id, v.path, v.change, v.message])).toEqual([
        [v3, newPath, 'renamed', 'Rename'],
        [v2, 'old name.ipynb', 'modified', 'Second'],
        [v1, 'old name.ipynb', 'added', 'First'],
      ]);
      expect(log[0]).toMatchObject({ short: v3!.slice(0, 7), author: BOB });
      expect(log[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      expect((await repo.show(log[2]!.path, log[2]!.id)).toString()).toBe('v1\n');
      expect((await repo.show(newPath, 'HEAD')).toString()).toBe('v1\nv2\n');
      expect(await repo.log(newPath, { limit: 2 })).toHaveLength(2);
    });

    it('moves committed content on rename, so transformed content stays transformed', async () => {
      await write('a.ipynb', 'with outputs');
      await repo.commit([{ path: 'a.ipynb', content: Buffer.from('stripped') }], { author: ALICE, message: 'Save' });
      await move(join(dir, 'a.ipynb'), join(dir, 'b.ipynb'));
      const sha = await repo.rename('a.ipynb', 'b.ipynb', { author: ALICE, message: 'Rename' });
      expect((await repo.show('b.ipynb', sha!)).toString()).toBe('stripped');
      expect(git(dir, ['ls-tree', '-r', '--name-only', sha!])).toBe('b.ipynb\n');
    });

    it('renames a directory, and stages the working tree when the source was never committed', async () => {
      await mkdir(join(dir, 'src'));
      await write('src/x.txt', 'x');
      await write('src/y.txt', 'y');
      await repo.commit([{ path: 'src' }], { author: ALICE, message: 'Add src' });
      await move(join(dir, 'src'), join(dir, 'dst'));
      const sha = await repo.rename('src', 'dst', { author: ALICE, message: 'Move src' });
      expect(git(dir, ['ls-tree', '-r', '--name-only', sha!])).toBe('dst/x.txt\ndst/y.txt\n');
      expect((await repo.log('dst/y.txt')).map((v) => v.path)).toEqual(['dst/y.txt', 'src/y.txt']);

      await write('new.txt', 'n');
      await move(join(dir, 'new.txt'), join(dir, 'newer.txt'));
      const fresh = await repo.rename('new.txt', 'newer.txt', { author: ALICE, message: 'Move new' });
      expect(git(dir, ['ls-tree', '-r', '--name-only', fresh!])).toBe('dst/x.txt\ndst/y.txt\nnewer.txt\n');
    });

    it('keeps the history of a deleted file reachable', async () => {
      await write('gone.txt', 'content');
      const added = await save('gone.txt');
      await rm(join(dir, 'gone.txt'));
      const deleted = await save('gone.txt');
      const log = await repo.log('gone.txt');
      expect(log.map((v) => [v.id, v.change])).toEqual([
        [deleted, 'deleted'],
        [added, 'added'],
      ]);
      expect(await repo.headVersion('gone.txt')).toMatchObject({ id: deleted, change: 'deleted', path: 'gone.txt' });
      expect((await repo.show('gone.txt', added!)).toString()).toBe('content');
      expect((await repo.show('gone.txt', added!.slice(0, 7))).toString()).toBe('content');
      await expectAppError(repo.show('gone.txt', deleted!), 'not_found', /does not exist in that version/);
    });

    it('answers an empty history and rejects bad or unknown versions', async () => {
      expect(await repo.log('a.txt')).toEqual([]);
      expect(await repo.headVersion('a.txt')).toBeUndefined();
      await expectAppError(repo.show('a.txt', 'HEAD'), 'not_found', /no such version/);
      await write('a.txt', 'a');
      const sha = (await save('a.txt'))!;
      expect(await repo.log('other.txt')).toEqual([]);
      await expectAppError(repo.show('a.txt', 'deadbeef'), 'not_found', /^Cannot show a.txt at deadbeef: no such version$/);
      await expectAppError(repo.show('missing.txt', sha), 'not_found', /does not exist in that version/);
      for (const version of ['--output=/tmp/x', 'HEAD~1', 'main', 'abc', 'a'.repeat(41), 'HEAD:a.txt']) {
        await expectAppError(repo.show('a.txt', version), 'bad_request', /is not a commit id/);
      }
      await mkdir(join(dir, 'd'));
      await write('d/f.txt', 'f');
      await save('d');
      await expectAppError(repo.show('d', 'HEAD'), 'not_found', /directory, not a file/);
      await expectAppError(repo.log('a.txt', { limit: 0 }), 'bad_request', /limit/);
    });
  });

  describe('dispose', () => {
    it('waits for queued operations, then refuses new ones', async () => {
      await write('a.txt', 'a');
      const pending = save('a.txt');
      await repo[Symbol.asyncDispose]();
      // The queued commit finished before dispose resolved.
      const head = git(dir, ['rev-parse', 'HEAD']).trim();
      expect(await pending).toBe(head);
      await expectAppError(save('a.txt'), 'unavailable', /^Cannot commit: the repository is closed$/);
      await expectAppError(repo.log('a.txt'), 'unavailable');
      await repo[Symbol.asyncDispose](); // idempotent
    });
  });
});
