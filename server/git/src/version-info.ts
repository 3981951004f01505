/**
 * One entry of a file's history, and the parser for the `git log -z
 * --follow --name-status` output it is read from.
 *
 * With `-z` and the format below, each commit is five NUL-terminated header
 * fields (sha, author name, author email, ISO author date, subject); when the
 * commit touched the file, a "\n" follows and then name-status entries, each
 * a status token (`M`, `A`, `D`, `T`, `R100`, `C075`, ...) and one path, or
 * two (old, new) for renames and copies, every token NUL-terminated. Status
 * tokens never look like a commit id, which is how a header is told apart
 * from a further entry; paths are consumed by count, so any file name parses.
 */
import { AppError } from '@workbench/core';

export type VersionChange = 'added' | 'modified' | 'renamed' | 'deleted';

export interface VersionInfo {
  /** Full commit id. */
  id: string;
  /** Abbreviated commit id (first 7 hex digits), for display. */
  short: string;
  author: { name: string; email: string };
  /** Author date, ISO 8601 with offset. */
  time: string;
  /** The commit subject (first line of the message). */
  message: string;
  /** The file's path in that commit; differs from the requested path before a rename. */
  path: string;
  change: VersionChange;
}

/** `git log` arguments that produce the format `parseLog` reads. */
export const LOG_FORMAT_ARGS: readonly string[] = ['-z', '--name-status', '--format=%H%x00%an%x00%ae%x00%aI%x00%s'];

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const STATUS = /^([ACDMRTUXB])\d*$/;

interface Entry {
  status: string;
  oldPath: string | undefined;
  newPath: string;
}

/**
 * Parse the log of `path` (newest first). `path` is the name the history was
 * requested under; each rename seen moves the name to use for older commits.
 */
export function parseLog(output: Buffer | string, path: string): VersionInfo[] {
  const tokens = (typeof output === 'string' ? output : output.toString('utf8')).split('\0');
  if (tokens[tokens.length - 1] === '') tokens.pop();
  const versions: VersionInfo[] = [];
  let current = path;
  let i = 0;
  const malformed = (why: string) => new AppError('internal', `Cannot read history of ${path}: unexpected git log output (${why} at token ${i})`);

  while (i < tokens.length) {
    if (tokens.length - i < 5) throw malformed('truncated commit header');
    const [id, name, email, time, subject] = tokens.slice(i, i + 5) as [string, string, string, string, string];
    if (!COMMIT_ID.test(id)) throw malformed('expected a commit id');
    i += 5;

    const entries: Entry[] = [];
    if (i < tokens.length && tokens[i]!.startsWith('\n')) {
      tokens[i] = tokens[i]!.slice(1);
      while (i < tokens.length) {
        const m = STATUS.exec(tokens[i]!);
        if (!m) break;
        const twoPaths = m[1] === 'R' || m[1] === 'C';
        const need = twoPaths ? 2 : 1;
        if (tokens.length - i - 1 < need) throw malformed('truncated name-status entry');
        entries.push({
          status: m[1]!,
          oldPath: twoPaths ? tokens[i + 1] : undefined,
          newPath: tokens[i + need]!,
        });
        i += 1 + need;
      }
    }

    // --follow leaves one entry; take the one for the name we are following if there are several.
    const entry = entries.find((e) => e.newPath === current) ?? entries[0];
    const version: VersionInfo = {
      id,
      short: id.slice(0, 7),
      author: { name, email },
      time,
      message: subject,
      path: entry?.newPath ?? current,
      change: entry ? toChange(entry.status) : 'modified', // a merge that brought the file in without a diff of its own
    };
    versions.push(version);
    if (entry?.oldPath !== undefined) current = entry.oldPath;
    else if (entry) current = entry.newPath;
  }
  return versions;
}

function toChange(status: string): VersionChange {
  switch (status) {
    case 'A':
      return 'added';
    case 'D':
      return 'deleted';
    case 'R':
    case 'C': // only with copy detection, which we do not ask for; the path changed, as with a rename
      return 'renamed';
    default:
      return 'modified';
  }
}
