/** The hash chain alone: canonical form, hashes, and what verify names. */
import { AuditRecord, canonicalJson, GENESIS_HASH, recordHash, verifyChain } from './chain';

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields = { ts: 1_700_000_000_000 + i, actor: 'ann', actorRole: 'analyst', via: 'token' as const, resource: 'kernels', action: 'execute', target: `k${i}`, ip: '127.0.0.1', userAgent: 'jest', outcome: 'ok' as const, detail: { code_sha256: `h${i}`, nested: { b: 1, a: 2 } } };
    const hash = recordHash(prev, fields);
    out.push({ seq: i, ...fields, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('serialises objects with sorted keys at every depth, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
    const [r] = chain(1);
    const reordered = { ...r!, detail: { nested: { a: 2, b: 1 }, code_sha256: 'h1' } };
    expect(recordHash(GENESIS_HASH, reordered)).toBe(r!.hash);
  });

  it('accepts an intact chain and reports its head', async () => {
    const records = chain(5);
    await expect(verifyChain(records)).resolves.toEqual({ ok: true, count: 5, head: { seq: 5, hash: records[4]!.hash } });
    await expect(verifyChain([])).resolves.toEqual({ ok: true, count: 0, head: null });
  });

  it('names an edited record', async () => {
    const records = chain(5);
    records[2] = { ...records[2]!, target: 'something else' };
    await expect(verifyChain(records)).resolves.toMatchObject({ ok: false, seq: 3, problem: 'edited' });
  });

  it('names the record after a removed one, and a removed first record', async () => {
    const records = chain(5);
    await expect(verifyChain(records.filter((r) => r.seq !== 3))).resolves.toMatchObject({ ok: false, seq: 4, problem: 'removed' });
    await expect(verifyChain(records.slice(1))).resolves.toMatchObject({ ok: false, seq: 2, problem: 'removed' });
  });

  it('names the first of two records that swapped places', async () => {
    const records = chain(5);
    const swapped = [records[0]!, records[1]!, { ...records[3]!, seq: 3 }, { ...records[2]!, seq: 4 }, records[4]!];
    const hashes = new Set(records.map((r) => r.hash));
    await expect(verifyChain(swapped, async (h) => hashes.has(h))).resolves.toMatchObject({ ok: false, seq: 3, problem: 'reordered' });
  });

  it('names a record whose sequence number was changed', async () => {
    const records = chain(3);
    records[1] = { ...records[1]!, seq: 7 };
    await expect(verifyChain(records)).resolves.toMatchObject({ ok: false, seq: 7, problem: 'edited' });
  });

  it('names a record whose hash was recomputed after an edit, by the record after it', async () => {
    const records = chain(4);
    const edited = { ...records[1]!, actor: 'mallory' };
    records[1] = { ...edited, hash: recordHash(edited.prevHash, edited) };
    await expect(verifyChain(records)).resolves.toMatchObject({ ok: false, seq: 3, problem: 'removed' });
  });
});
