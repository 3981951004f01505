/**
 * Parsers of git's NUL-terminated listings: `git ls-tree -z` (a version's
 * tree) and `git ls-files -z --stage` (an index). Pure: bytes in, entries out.
 */

export interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  path: string;
}

export interface IndexEntry {
  mode: string;
  oid: string;
  path: string;
}

/** `git ls-tree -z`: "<mode> SP <type> SP <oid> TAB <path> NUL". */
export function parseTreeEntries(output: Buffer): TreeEntry[] {
  return splitRecords(output).map((record) => {
    const tab = record.indexOf('\t');
    const [mode = '', type = '', oid = ''] = record.slice(0, tab).split(' ');
    return { mode, type, oid, path: record.slice(tab + 1) };
  });
}

/** `git ls-files -z --stage`: "<mode> SP <oid> SP <stage> TAB <path> NUL". */
export function parseIndexEntries(output: Buffer): IndexEntry[] {
  return splitRecords(output).map((record) => {
    const tab = record.indexOf('\t');
    const [mode = '', oid = ''] = record.slice(0, tab).split(' ');
    return { mode, oid, path: record.slice(tab + 1) };
  });
}

function splitRecords(output: Buffer): string[] {
  return output
    .toString('utf8')
    .split('\0')
    .filter((r) => r.includes('\t'));
}
