/** parseLog on hand-written `git log -z --follow --name-status` output, including hostile file names. */
import { isAppError } from '@workbench/core';
import { parseLog } from './version-info';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const header = (id: string, subject: string) => [id, 'Ann', 'ann@example.org', '2025-01-02T03:04:05+01:00', subject].join('\0') + '\0';

describe('parseLog', () => {
  it('tracks the path back through renames, whatever the file names look like', () => {
    // Names that look like status tokens or commit ids are consumed by count, never misread.
    const output =
      header(A, 'Delete') + '\nD\0' + `new ${B}\0` +
      header(B, 'Rename') + '\nR087\0M\0' + `new ${B}\0` +
      header(C, 'Add') + '\nA\0M\0';
    expect(parseLog(output, `new ${B}`)).toEqual([
      { id: A, short: 'aaaaaaa', author: { name: 'Ann', email: 'ann@example.org' }, time: '2025-01-02T03:04:05+01:00', message: 'Delete', path: `new ${B}`, change: 'deleted' },
      expect.objectContaining({ id: B, message: 'Rename', path: `new ${B}`, change: 'renamed' }),
      expect.objectContaining({ id: C, message: 'Add', path: 'M', change: 'added' }),
    ]);
  });

  it('reads commits without a diff of their own (merges) and an empty history', () => {
    expect(parseLog(header(A, '') + header(B, 'Edit') + '\nM\0f\0', 'f').map((v) => [v.message, v.change, v.path])).toEqual([
      ['', 'modified', 'f'],
      ['Edit', 'modified', 'f'],
    ]);
    expect(parseLog(Buffer.alloc(0), 'f')).toEqual([]);
  });

  it('rejects output it does not understand', () => {
    expect(() => parseLog('not a commit\0x\0', 'f')).toThrow(expect.objectContaining({ code: 'internal' }));
    let err: unknown;
    try {
      parseLog(header(A, 'x') + '\nR100\0only-one\0', 'f');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'internal')).toBe(true);
  });
});
