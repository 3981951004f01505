import { createHash } from 'node:crypto';
import { hashSource } from '@workbench/dependencies/metadata';
import { hashCellSource, sha256Hex, SourceHashes } from './source-hash';

describe('sha256Hex (for pages without WebCrypto)', () => {
  it('agrees with node:crypto and WebCrypto on empty, multi-block and non-ASCII sources', async () => {
    const sources = ['', 'a = 1', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'print("héllo wörld ✓ 日本")\n'.repeat(40)];
    for (const s of sources) {
      const bytes = new TextEncoder().encode(s);
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(sha256Hex(bytes)).toBe(expected);
      await expect(hashSource(s)).resolves.toBe(expected);
      await expect(hashCellSource(s)).resolves.toBe(expected);
    }
  });
});

describe('SourceHashes', () => {
  it('hashes a cell again only when its source changed, and forgets cells that are gone', async () => {
    const calls: string[] = [];
    const hashes = new SourceHashes(async (s) => (calls.push(s), `h(${s})`));
    await expect(hashes.of('c1', 'a = 1')).resolves.toBe('h(a = 1)');
    await hashes.of('c1', 'a = 1');
    await hashes.of('c2', 'b = 2');
    await expect(hashes.of('c1', 'a = 10')).resolves.toBe('h(a = 10)');
    expect(calls).toEqual(['a = 1', 'b = 2', 'a = 10']);
    hashes.retain(['c1']);
    await hashes.of('c2', 'b = 2');
    expect(calls).toEqual(['a = 1', 'b = 2', 'a = 10', 'b = 2']);
  });
});
