/**
 * Serving a build folder (the JupyterLab bundle, its themes) to signed-in
 * browsers:
 *  - content-hashed names (`name.<hex>.ext`, as webpack writes them) are
 *    cached for a year (`private, immutable`: behind auth, never in shared
 *    caches); everything else is revalidated (`no-cache`, ETag,
 *    Last-Modified, 304);
 *  - text assets are sent brotli- or gzip-compressed when the browser
 *    accepts it: a precompressed `.br`/`.gz` file beside the asset if the
 *    build made one, else compressed once here and kept in a bounded cache;
 *  - a path cannot leave the folder (`..`, encoded separators, symlinks
 *    pointing out): such a request is a 404, like any missing file.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { AppError } from '@workbench/core';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = /^(text\/|application\/(json|javascript)|image\/svg\+xml)/;
const HASHED = /\.[0-9a-f]{8,}\.[A-Za-z0-9]+$/;

export const IMMUTABLE_CACHE = 'private, max-age=31536000, immutable';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

type Encoding = 'br' | 'gzip';

/** Which encoding to send, from Accept-Encoding (brotli preferred; q=0 refuses). */
export function pickEncoding(header: string | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined;
}

export class StaticFiles {
  /** Compressed bodies by path+version+encoding, oldest first; bounded by total bytes. */
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private cachedBytes = 0;

  constructor(private readonly maxCacheBytes = 128 * 1024 * 1024) {}

  /** Send `relPath` (URL-decoded, "/"-separated) from `root`, or throw not_found. */
  async serve(req: Request, res: Response, root: string, relPath: string): Promise<void> {
    const file = await this.resolve(root, relPath);
    const st = await stat(file);
    if (!st.isFile()) throw notFound(relPath);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    res.setHeader('Content-Type', /^text\/|json|svg/.test(type) ? `${type}; charset=utf-8` : type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', HASHED.test(file) ? IMMUTABLE_CACHE : 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    const compressible = COMPRESSIBLE.test(type) && st.size >= 1024;
    if (compressible) res.setHeader('Vary', 'Accept-Encoding');
    if (notModified(req, etag, st)) {
      res.status(304).end();
      return;
    }
    const encoding = compressible ? pickEncoding(req.headers['accept-encoding']) : undefined;
    if (encoding) {
      const body = await this.compressed(file, st, encoding);
      res.setHeader('Content-Encoding', encoding);
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.setHeader('Content-Length', st.size);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file);
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  private async resolve(root: string, relPath: string): Promise<string> {
    const segments = relPath.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('\\'))) throw notFound(relPath);
    let realRoot: string;
    let real: string;
    try {
      realRoot = await realpath(root);
      real = await realpath(join(root, ...segments));
    } catch {
      throw notFound(relPath);
    }
    if (!real.startsWith(realRoot + sep)) throw notFound(relPath);
    return real;
  }

  private async compressed(file: string, st: Stats, encoding: Encoding): Promise<Buffer> {
    const sibling = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
    try {
      const s = await stat(sibling);
      if (s.isFile() && s.mtimeMs >= st.mtimeMs) return await readFile(sibling);
    } catch {
      /* none precompressed: compress here */
    }
    const key = `${file}\0${st.size}\0${st.mtimeMs}\0${encoding}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = readFile(file).then((raw) =>
        encoding === 'br' ? brotli(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : gz(raw, { level: 6 }),
      );
      this.cache.set(key, pending);
      pending.then(
        (buf) => this.account(key, buf.length),
        () => this.cache.delete(key),
      );
    } else {
      // Refresh its place: the cache drops the least recently used first.
      this.cache.delete(key);
      this.cache.set(key, pending);
    }
    return pending;
  }

  private account(key: string, bytes: number): void {
    if (!this.cache.has(key)) return;
    this.sizes.set(key, bytes);
    this.cachedBytes += bytes;
    for (const k of this.cache.keys()) {
      if (this.cachedBytes <= this.maxCacheBytes) break;
      const size = this.sizes.get(k);
      if (size === undefined) continue; // still compressing
      this.cache.delete(k);
      this.sizes.delete(k);
      this.cachedBytes -= size;
    }
  }
}

function notFound(relPath: string): AppError {
  return new AppError('not_found', `Cannot find ${relPath}: no such file`);
}

function notModified(req: Request, etag: string, st: Stats): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(st.mtimeMs / 1000) * 1000 <= since;
}
