/** GitRunner: the isolated environment, abort of a running process, a missing binary. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError, silentLogger } from '@workbench/core';
import { GitRunner, gitEnvironment } from './git-runner';

describe('GitRunner', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-git-runner-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('drops inherited GIT_* variables and ignores global and system configuration', () => {
    const env = gitEnvironment({ PATH: '/bin', GIT_DIR: '/x', GIT_INDEX_FILE: '/y', GIT_CONFIG_GLOBAL: '/home/u/.gitconfig' }, '/srv/ws');
    expect(env).toMatchObject({ PATH: '/bin', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: '/srv', GIT_LITERAL_PATHSPECS: '1' });
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GIT_INDEX_FILE).toBeUndefined();
  });

  it('kills the process on abort and rejects with the reason once it has exited', async () => {
    // A stand-in for a git that never finishes.
    const binary = join(dir, 'hanging-git');
    await writeFile(binary, '#!/bin/sh\nexec tail -f /dev/null\n');
    await chmod(binary, 0o755);
    const runner = new GitRunner({ root: dir, binary, env: process.env, logger: silentLogger });
    const controller = new AbortController();
    const run = runner.run(['log'], { action: 'read history', signal: controller.signal });
    const reason = new AppError('timeout', 'Cannot read history: timed out');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });

  it('reports a missing binary as unavailable', async () => {
    const runner = new GitRunner({ root: dir, binary: join(dir, 'no-such-git'), env: process.env, logger: silentLogger });
    const err = await runner.run(['status'], { action: 'read status' }).catch((e: unknown) => e);
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot read status: git binary .* not found$/);
  });

  it('reports a failing git with its exit code and last stderr line', async () => {
    const runner = new GitRunner({ root: dir, binary: 'git', env: process.env, logger: silentLogger });
    const err = await runner.run(['rev-parse', '--verify', 'HEAD'], { action: 'resolve HEAD' }).catch((e: unknown) => e);
    expect(isAppError(err, 'internal')).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot resolve HEAD: git rev-parse exited with code 128 \(fatal: /);
  });
});
