/**
 * Chunked upload (jupyter_server: chunk 1..n, -1 = last). Chunks go to a
 * hidden temp file beside the target that replaces it only when the last
 * chunk arrives, so a broken upload never leaves a half file under the
 * real name.
 */
import { appendFile, open, rename, rm, stat } from 'node:fs/promises';
import { AppError } from '@workbench/core';
import { fsyncDir } from './atomic-write';
import { mimeFor } from './mime';
import type { ContentsModel } from './model';
import { ResolvedPath, splitPath } from './paths';

export function uploadTemp(r: ResolvedPath): string {
  const [dir, name] = splitPath(r.osPath);
  return `${dir}/.~${name}.upload`;
}

/** Store one chunk; true when the upload is complete and the target replaced. */
export async function saveChunk(r: ResolvedPath, chunk: number, bytes: Buffer, io: { checkSize(total: number): void; write(data: Buffer): Promise<void> }): Promise<boolean> {
  if (!Number.isInteger(chunk) || chunk === 0 || chunk < -1) throw new AppError('bad_request', `Cannot save ${r.apiPath}: chunk must be 1, 2, ... or -1 for the last`);
  const tmp = uploadTemp(r);
  if (chunk === 1) {
    await rm(tmp, { force: true });
    await appendFile(tmp, bytes);
    return false;
  }
  let size: number;
  try {
    size = (await stat(tmp)).size;
  } catch {
    if (chunk !== -1) throw new AppError('bad_request', `Cannot continue upload of ${r.apiPath}: chunk 1 was never received`);
    size = -1;
  }
  if (size < 0) {
    // A one-chunk upload (-1 only).
    io.checkSize(bytes.length);
    await io.write(bytes);
    return true;
  }
  io.checkSize(size + bytes.length);
  await appendFile(tmp, bytes);
  if (chunk !== -1) return false;
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, r.osPath);
  await fsyncDir(splitPath(r.osPath)[0] || '/');
  return true;
}

/** The model of a file still being uploaded (jupyter_server answers each chunk with one). */
export async function uploadProgressModel(r: ResolvedPath): Promise<ContentsModel> {
  const st = await stat(uploadTemp(r));
  const [, name] = splitPath(r.apiPath);
  return { name, path: r.apiPath, type: 'file', writable: true, created: st.birthtime.toISOString(), last_modified: st.mtime.toISOString(), size: st.size, mimetype: mimeFor(name) ?? null, content: null, format: null };
}
