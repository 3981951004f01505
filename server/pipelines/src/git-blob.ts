/**
 * The id git gives a file's content (its blob): SHA-1 of `blob <bytes>\0`
 * followed by the content. A run records it as the version of the
 * notebook it ran; `git log --find-object=<id>` lists the commits that
 * hold that version, and `git cat-file -p <id>` prints it.
 */
import { createHash } from 'node:crypto';

export function gitBlobId(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}
