/**
 * Received files by their sha256, and their page images: written to a
 * temporary name, flushed, then renamed, so a file is either whole under
 * its name or not there (a crash or a full disk mid-write leaves at most a
 * `.tmp-*` file, removed on the next start). The same bytes twice are one
 * file.
 *
 *   <dir>/blobs/<sha[0..2]>/<sha>          the original
 *   <dir>/pages/<sha>/<n>.<jpg|png>        page n's image for the review screen
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@workbench/core';

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const SHA = /^[0-9a-f]{64}$/;

export class BlobStore {
  constructor(private readonly dir: string) {}

  /** Removes temporary files a crash left behind. */
  async sweep(): Promise<void> {
    for (const sub of ['blobs', 'pages']) {
      const root = join(this.dir, sub);
      const firsts = await readdir(root).catch(() => [] as string[]);
      for (const f of firsts) {
        const names = await readdir(join(root, f)).catch(() => [] as string[]);
        for (const n of names) if (n.startsWith('.tmp-')) await rm(join(root, f, n), { force: true });
      }
    }
  }

  private blobPath(sha: string): string {
    if (!SHA.test(sha)) throw new AppError('bad_request', 'Cannot read the document: bad content hash');
    return join(this.dir, 'blobs', sha.slice(0, 2), sha);
  }

  async putBlob(sha: string, bytes: Buffer): Promise<void> {
    await writeAtomic(this.blobPath(sha), bytes);
  }

  getBlob(sha: string): Promise<Buffer> {
    return readFile(this.blobPath(sha)).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new AppError('not_found', 'Cannot read the document: its file is missing from the store') : err;
    });
  }

  async putPage(sha: string, page: number, ext: 'jpg' | 'png', bytes: Buffer): Promise<void> {
    this.blobPath(sha);
    await writeAtomic(join(this.dir, 'pages', sha, `${page}.${ext}`), bytes);
  }

  async getPage(sha: string, page: number): Promise<{ bytes: Buffer; mediaType: string } | undefined> {
    this.blobPath(sha);
    for (const [ext, mediaType] of [['jpg', 'image/jpeg'], ['png', 'image/png']] as const) {
      try {
        return { bytes: await readFile(join(this.dir, 'pages', sha, `${page}.${ext}`)), mediaType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return undefined;
  }

  /** Forgets a blob and its pages (a document refused after its bytes were written). */
  async remove(sha: string): Promise<void> {
    await rm(this.blobPath(sha), { force: true });
    await rm(join(this.dir, 'pages', sha), { recursive: true, force: true });
  }
}

async function writeAtomic(path: string, bytes: Buffer): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new AppError('insufficient_storage', 'Cannot store the document: the disk is full; nothing was kept', { cause: err });
    throw err;
  }
}
