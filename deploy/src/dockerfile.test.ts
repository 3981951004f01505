/**
 * The Dockerfile parser and linter, then the repository's four images
 * (deploy/docker/*.Dockerfile) checked with them, since no Docker engine
 * builds them in these tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerignoreMatcher, lintDockerfile, parseDockerfile, splitWords } from './dockerfile';

const ROOT = join(__dirname, '..', '..');
const DOCKER = join(ROOT, 'deploy', 'docker');
const read = (name: string) => readFileSync(join(DOCKER, name), 'utf8');

describe('parser', () => {
  test('directives, comments, continuations, flags and the exec form', () => {
    const df = parseDockerfile(
      ['# syntax=docker/dockerfile:1', '# a comment', 'FROM node:20 AS Build', 'RUN --mount=type=cache,target=/c apt-get update \\', '  # inside', '  && echo hi', 'COPY --from=build --chown=1000 /a /b', 'CMD ["node", "x.js"]', 'cmd echo shell'].join('\n'),
    );
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(df.instructions.map((i) => [i.line, i.keyword])).toEqual([[3, 'FROM'], [4, 'RUN'], [7, 'COPY'], [8, 'CMD'], [9, 'CMD']]);
    expect(df.instructions[1]).toMatchObject({ flags: { mount: 'type=cache,target=/c' }, args: 'apt-get update    && echo hi' });
    expect(df.instructions[2]!.flags).toEqual({ from: 'build', chown: '1000' });
    expect(df.instructions[3]!.json).toEqual(['node', 'x.js']);
    expect(df.instructions[4]!.json).toBeUndefined();
    expect(df.stages).toEqual([expect.objectContaining({ image: 'node:20', name: 'build' })]);
  });

  test('the escape directive changes the continuation character', () => {
    const df = parseDockerfile('# escape=`\nFROM windows:1\nRUN a `\n b');
    expect(df.instructions[1]!.args).toBe('a   b');
  });

  test('heredocs and dangling continuations are refused', () => {
    expect(() => parseDockerfile('FROM a:1\nRUN <<EOF\necho\nEOF')).toThrow('heredocs are not supported');
    expect(() => parseDockerfile('FROM a:1\nRUN a \\')).toThrow('ends inside a continued line');
  });

  test('shell words keep quoted spaces', () => {
    expect(splitWords(`A="x y" B='z' C=a\\ b`)).toEqual(['A=x y', "B=z", 'C=a b']);
  });
});

describe('linter', () => {
  const ok = 'FROM debian:bookworm-slim\nUSER 1000:1000\nCMD ["true"]\n';

  test('a minimal good file passes', () => {
    expect(lintDockerfile(ok)).toEqual([]);
  });

  test.each([
    ['RUN true\nFROM a:1\nUSER 1000', 'the first instruction (after ARGs) must be FROM'],
    ['FROM a:1\nUSER root', 'the final stage runs as root: USER must not be root'],
    ['FROM a:1\nUSER 0:0', 'the final stage runs as 0:0: USER must not be root'],
    ['FROM a:1 AS b\nUSER 1000\nFROM b\nRUN x', 'the final stage must set USER (a non-root user)'],
    ['FROM a\nUSER 1000', 'line 1: base image a must be pinned with a tag or digest'],
    ['FROM a:latest\nUSER 1000', 'line 1: base image a:latest must not use the latest tag'],
    ['FROM a:1\nENV API_TOKEN=x\nUSER 1000', 'line 2: ENV API_TOKEN looks like a secret'],
    ['FROM a:1\nARG DB_PASSWORD\nUSER 1000', 'line 2: ARG DB_PASSWORD looks like a secret'],
    ['FROM a:1\nUSER 1000\nCMD node x.js', 'line 3: CMD must use the exec form (a JSON array) so the process gets signals'],
    ['FROM a:1\nUSER 1000\nENTRYPOINT ["node", x]', 'line 3: ENTRYPOINT must use the exec form (a JSON array) so the process gets signals'],
    ['FROM a:1\nCOPY --from=nowhere /a /b\nUSER 1000', 'line 2: COPY --from=nowhere names no earlier stage (nor a pinned image)'],
    ['FROM a:1 AS x\nFROM b:1 AS x\nUSER 1000', 'line 2: duplicate stage name x'],
    ['FROM a:1\nADD https://example.com/x /x\nUSER 1000', 'line 2: use COPY (ADD also fetches URLs and unpacks archives)'],
    ['FROM a:1\nFETCH x\nUSER 1000', 'line 2: unknown instruction FETCH'],
    ['FROM a:1\nEXPOSE http\nUSER 1000', 'line 2: EXPOSE http is not a port'],
    ['FROM a:1\nWORKDIR app\nUSER 1000', 'line 2: WORKDIR must be an absolute path'],
  ])('%j is reported', (text, error) => {
    expect(lintDockerfile(text)).toContainEqual(expect.stringContaining(error));
  });

  test('ARG may precede FROM; a stage may copy from an earlier one; an expected user is enforced', () => {
    expect(lintDockerfile('ARG V=1\nFROM a:1 AS build\nFROM b:2\nCOPY --from=build /x /y\nCOPY --from=0 /x /y\nUSER 1000:1000')).toEqual([]);
    expect(lintDockerfile(ok, { user: '1000' })).toEqual(['the final stage runs as 1000:1000, expected USER 1000']);
    expect(lintDockerfile(ok, { multiStage: true })).toEqual(['expected a multi-stage build, found 1 stage(s)']);
  });

  test('COPY sources must exist in the context and not be ignored', () => {
    const text = 'FROM a:1\nCOPY package.json bin/ ./\nCOPY nope.txt server/*.md ./\nCOPY ../etc /x\nUSER 1000';
    expect(lintDockerfile(text, { contextDir: ROOT, ignore: 'bin\n' })).toEqual([
      'line 2: COPY source bin is excluded by the ignore file',
      'line 3: COPY source nope.txt does not exist in the build context',
      'line 3: COPY source server/*.md does not exist in the build context',
      'line 4: COPY source ../etc is outside the build context',
    ]);
  });

  test('ignore rules: anchored at the root, ** for any depth, ! exceptions, later rules win', () => {
    const ignored = dockerignoreMatcher('# comment\nnode_modules\n**/lib\n*.log\n!keep.log\n/docs/*.md\n');
    expect(['node_modules', 'node_modules/x', 'server/lib', 'server/core/lib/a.js', 'lib', 'a.log', 'docs/a.md'].map(ignored)).toEqual([true, true, true, true, true, true, true]);
    expect(['server/node_modules', 'keep.log', 'sub/a.log', 'docs/sub/a.md', 'library'].map(ignored)).toEqual([false, false, false, false, false]);
  });
});

describe('the repository images', () => {
  const images = [
    { file: 'gateway.Dockerfile', multiStage: true },
    { file: 'kernel-python.Dockerfile', multiStage: false },
    { file: 'kernel-typescript.Dockerfile', multiStage: true },
    { file: 'kernel-sql.Dockerfile', multiStage: true },
  ];

  test.each(images)('$file passes the lint with the repository root as context, as uid 1000', ({ file, multiStage }) => {
    const ignoreFile = join(DOCKER, `${file}.dockerignore`);
    expect(existsSync(ignoreFile)).toBe(true);
    expect(lintDockerfile(read(file), { contextDir: ROOT, ignore: readFileSync(ignoreFile, 'utf8'), multiStage, user: '1000:1000' })).toEqual([]);
  });

  test.each(images)('$file uses Node 20 / Debian bookworm bases', ({ file }) => {
    for (const stage of parseDockerfile(read(file)).stages) expect(stage.image).toMatch(/^(node:20-bookworm(-slim)?|debian:bookworm-slim)$/);
  });

  const cmd = (file: string) => parseDockerfile(read(file)).instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT').map((i) => i.json!);

  test('the gateway runs bin/workbench.js with the arguments and config path the chart passes', () => {
    const [entrypoint, args] = cmd('gateway.Dockerfile');
    expect(entrypoint).toEqual(['tini', '--', 'node', '/opt/workbench/bin/workbench.js']);
    expect(existsSync(join(ROOT, 'bin', 'workbench.js'))).toBe(true);
    const deployment = readFileSync(join(ROOT, 'helm', 'workbench', 'templates', 'deployment.yaml'), 'utf8');
    expect(deployment).toContain(`args: ${JSON.stringify(args).replace(/","/g, '", "')}`);
    expect(args).toEqual(['--ip', '0.0.0.0', '--no-browser', '--config', '/etc/workbench/config.json']);
  });

  test('kernel images run the kernels at the paths the gateway registers them with', () => {
    const sqlPkg = JSON.parse(readFileSync(join(ROOT, 'kernels', 'sql', 'package.json'), 'utf8'));
    expect(cmd('kernel-sql.Dockerfile')[1]).toEqual(['node', '--expose-gc', `/opt/workbench/kernels/sql/${sqlPkg.bin['workbench-sql-kernel']}`, '-f', '/var/run/workbench/connection.json']);
    expect(existsSync(join(ROOT, 'kernels', 'sql', sqlPkg.bin['workbench-sql-kernel']))).toBe(true);
    const appPkg = JSON.parse(readFileSync(join(ROOT, 'server', 'app', 'package.json'), 'utf8'));
    expect(read('kernel-typescript.Dockerfile')).toContain(`tslab@${appPkg.dependencies.tslab}`);
    expect(cmd('kernel-typescript.Dockerfile')[1]!.slice(0, 3)).toEqual(['node', '/opt/workbench/node_modules/tslab/bin/tslab', 'kernel']);
    expect(cmd('kernel-python.Dockerfile')[1]).toEqual(['python3', '-m', 'ipykernel_launcher', '-f', '/var/run/workbench/connection.json']);
  });

  test('the python3 kernelspec shipped in the gateway is one the kernel manager accepts', () => {
    const manager = require('@workbench/manager') as { assertKernelSpecFile(v: unknown, where: string): void };
    const spec = JSON.parse(read(join('kernelspecs', 'python3', 'kernel.json')));
    expect(() => manager.assertKernelSpecFile(spec, 'python3')).not.toThrow();
    expect(spec.argv).toEqual(['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}']);
  });
});
