/**
 * Over a hundred hostile paths through every contents operation: all are
 * refused, and nothing outside the root is read, written, moved or deleted.
 * Requests go out with node:http so URLs reach the server unnormalised.
 */
import { request } from 'node:http';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startTestServer, TestServer, TOKEN } from './testing/harness';

function raw(ts: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const u = new URL(ts.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function snapshot(dir: string): Promise<string> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(`${p} ${(await stat(p)).mtimeMs} ${await readFile(p, 'utf8')}`);
      else out.push(`${p} (link)`);
    }
  };
  await walk(dir);
  return out.join('\n');
}

const SECRET = 'TOP-SECRET-CONTENT-42';

describe('path traversal', () => {
  let ts: TestServer;
  let outside: string;
  let sentinel: string;

  beforeAll(async () => {
    ts = await startTestServer();
    outside = join(dirname(ts.rootDir), 'outside');
    sentinel = join(outside, 'secret.txt');
    await mkdir(outside);
    await writeFile(sentinel, SECRET);
    await mkdir(join(ts.rootDir, 'sub'));
    await writeFile(join(ts.rootDir, 'ok.txt'), 'inside');
    await symlink(outside, join(ts.rootDir, 'link-out'));
    await symlink(sentinel, join(ts.rootDir, 'link-file'));
    await symlink(outside, join(ts.rootDir, 'sub', 'deep-link'));
  });
  afterAll(async () => {
    await ts?.[Symbol.asyncDispose]();
  });

  /** Encoded forms of a path that means "outside/secret.txt" one or more levels up, or otherwise forbidden. */
  function hostilePaths(): string[] {
    const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2E.'];
    const seps = ['/', '%2f', '%2F'];
    const out = new Set<string>();
    for (const d of dots) {
      for (const s of seps) {
        out.add(`${d}${s}outside${s}secret.txt`);
        out.add(`sub${s}${d}${s}${d}${s}outside${s}secret.txt`);
        out.add(`${d}${s}${d}${s}${d}${s}${d}${s}${d}${s}${d}${s}tmp`);
        out.add(`ok.txt${s}${d}${s}${d}${s}outside${s}secret.txt`);
        out.add(`sub${s}deep-link${s}${d}${s}secret.txt`);
      }
    }
    const abs = encodeURIComponent(sentinel);
    for (const p of [abs, `%2F${abs}`, `/${sentinel.slice(1)}`, `%2f%2f${sentinel.slice(1).split('/').join('%2f')}`]) out.add(p);
    for (const p of ['link-out/secret.txt', 'link-out', 'link-file', 'sub/deep-link/secret.txt', 'link-out%2fsecret.txt', 'sub%2fdeep-link%2fsecret.txt']) out.add(p);
    for (const p of ['.git/config', '.git/HEAD', '.git', '%2egit/config', '.secret', 'sub/.hidden', '.~ok.txt.upload']) out.add(p);
    for (const p of ['a%00.txt', 'ok.txt%00.ipynb', '%00', 'sub%00/x']) out.add(p);
    for (const p of ['..%5coutside%5csecret.txt', 'sub%5c..%5c..%5coutside%5csecret.txt', '%5c%5cserver%5cshare']) out.add(p);
    return [...out];
  }

  it('refuses every hostile path in every operation and touches nothing outside the root', async () => {
    const before = await snapshot(outside);
    const paths = hostilePaths();
    expect(paths.length).toBeGreaterThanOrEqual(100);
    const failures: string[] = [];
    const decoded = (p: string) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    };
    for (const p of paths) {
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/contents/${p}`],
        ['GET', `/api/contents/${p}?content=1&format=text`],
        ['GET', `/files/${p}`],
        ['PUT', `/api/contents/${p}`, { type: 'file', format: 'text', content: 'pwned' }],
        ['DELETE', `/api/contents/${p}`],
        ['PATCH', `/api/contents/ok.txt`, { path: decoded(p) }],
        ['PATCH', `/api/contents/${p}`, { path: 'moved-here.txt' }],
        ['POST', `/api/contents/`, { copy_from: decoded(p) }],
        ['GET', `/api/contents/${p}/checkpoints`],
        ['GET', `/api/history?path=${encodeURIComponent(decoded(p))}`],
      ];
      for (const [method, url, body] of attempts) {
        const r = await raw(ts, method, url, body);
        if (r.status < 400 || r.text.includes(SECRET)) failures.push(`${method} ${url} -> ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot(outside)).toBe(before);
    expect(await readFile(sentinel, 'utf8')).toBe(SECRET);
    expect(await readFile(join(ts.rootDir, 'ok.txt'), 'utf8')).toBe('inside');
    // Nothing new next to the root either (the harness keeps its runtime and data dirs there).
    expect((await readdir(dirname(ts.rootDir))).filter((n) => !['outside', 'root', 'runtime', 'jupyter-config', 'data'].includes(n))).toEqual([]);
  });
});
