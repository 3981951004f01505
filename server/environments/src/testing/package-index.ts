/**
 * A PEP 503 "simple" package index on a real loopback socket, serving wheels
 * built here (tests cannot reach PyPI). Wheels are written by Python's
 * zipfile: `<pkg>/__init__.py` and a `.dist-info` with METADATA, WHEEL and
 * RECORD (PEP 427), all a wheel needs to be installed by pip.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const BUILD = `
import sys, zipfile, hashlib, base64
out, dist, version, pkg, source = sys.argv[1:6]
info = f"{dist}-{version}.dist-info"
files = {
    f"{pkg}/__init__.py": source,
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {dist}\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: workbench-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def rec(name, data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={h},{len(data)}"
record = "\\n".join([rec(n, d.encode()) for n, d in files.items()] + [f"{info}/RECORD,,"]) + "\\n"
with zipfile.ZipFile(out, "w") as z:
    for n, d in files.items():
        z.writestr(n, d)
    z.writestr(f"{info}/RECORD", record)
`;

/** Build `<dist>-<version>-py3-none-any.whl` in `dir` with one module `pkg` holding `source`. */
export async function buildWheel(dir: string, w: { dist: string; version: string; pkg: string; source: string }, python = '/usr/bin/python3'): Promise<string> {
  const file = join(dir, `${w.dist.replace(/-/g, '_')}-${w.version}-py3-none-any.whl`);
  await run(python, ['-c', BUILD, file, w.dist.replace(/-/g, '_'), w.version, w.pkg, w.source]);
  return file;
}

export interface PackageIndex extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/simple/` */
  url: string;
  /** Requests for wheel files so far (to tell a cached environment from a rebuilt one). */
  downloads: number;
}

/** Serve `wheels` as a PEP 503 index: /simple/<normalized name>/ lists links with sha256 fragments. */
export async function servePackageIndex(wheels: readonly string[]): Promise<PackageIndex> {
  const byProject = new Map<string, { name: string; data: Buffer }[]>();
  for (const w of wheels) {
    const name = basename(w);
    const project = name.split('-')[0]!.toLowerCase().replace(/[-_.]+/g, '-');
    byProject.set(project, [...(byProject.get(project) ?? []), { name, data: await readFile(w) }]);
  }
  const state = { downloads: 0 };
  const server: Server = createServer((req, res) => {
    const parts = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    if (parts[0] === 'simple' && parts.length === 1) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>${[...byProject.keys()].map((p) => `<a href="/simple/${p}/">${p}</a>`).join('\n')}</body></html>`);
      return;
    }
    if (parts[0] === 'simple' && parts.length === 2) {
      const files = byProject.get(parts[1]!.toLowerCase().replace(/[-_.]+/g, '-'));
      if (!files) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>${files.map((f) => `<a href="/files/${f.name}#sha256=${createHash('sha256').update(f.data).digest('hex')}">${f.name}</a>`).join('\n')}</body></html>`);
      return;
    }
    if (parts[0] === 'files' && parts.length === 2) {
      const f = [...byProject.values()].flat().find((x) => x.name === parts[1]);
      if (!f) return void res.writeHead(404).end('not found');
      state.downloads++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.data.length });
      res.end(f.data);
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    get downloads() {
      return state.downloads;
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
