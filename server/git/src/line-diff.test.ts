import { diffLines, longestIncreasing, matchSequences, splitLines, withContext, type LineDiff } from './line-diff';

/** Reference LCS length by dynamic programming, for the property tests. */
function lcsLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    }
    prev = row;
  }
  return prev[b.length];
}

/** mulberry32: seeded, so every run sees the same sequences. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rebuilds both texts from a diff: the diff must be a faithful edit script
 * with consecutive line numbers. Joined strings keep big comparisons cheap.
 */
function sides(diff: LineDiff[]): { old: string; new: string; badNumbers: number } {
  const old: string[] = [];
  const neu: string[] = [];
  let badNumbers = 0;
  for (const d of diff) {
    if (d.op !== 'insert') {
      if (d.oldLine !== old.length + 1) badNumbers++;
      old.push(d.text);
    } else if (d.oldLine !== null) badNumbers++;
    if (d.op !== 'delete') {
      if (d.newLine !== neu.length + 1) badNumbers++;
      neu.push(d.text);
    } else if (d.newLine !== null) badNumbers++;
  }
  return { old: old.join('\n'), new: neu.join('\n'), badNumbers };
}

describe('splitLines', () => {
  it('splits on \\n only and keeps a trailing empty line', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a')).toEqual(['a']);
    expect(splitLines('a\nb\n')).toEqual(['a', 'b', '']);
    expect(splitLines('a\r\nb')).toEqual(['a\r', 'b']);
  });
});

describe('diffLines', () => {
  it('reports an edit with 1-based line numbers, deletions before insertions', () => {
    const diff = diffLines('a\nb\nc\nd', 'a\nB\nc\nd\ne');
    expect(diff).toEqual([
      { op: 'equal', oldLine: 1, newLine: 1, text: 'a' },
      { op: 'delete', oldLine: 2, newLine: null, text: 'b' },
      { op: 'insert', oldLine: null, newLine: 2, text: 'B' },
      { op: 'equal', oldLine: 3, newLine: 3, text: 'c' },
      { op: 'equal', oldLine: 4, newLine: 4, text: 'd' },
      { op: 'insert', oldLine: null, newLine: 5, text: 'e' },
    ]);
  });

  it('handles empty sides', () => {
    expect(diffLines('', '')).toEqual([]);
    expect(diffLines('', 'x\ny')).toEqual([
      { op: 'insert', oldLine: null, newLine: 1, text: 'x' },
      { op: 'insert', oldLine: null, newLine: 2, text: 'y' },
    ]);
    expect(diffLines('x', '')).toEqual([{ op: 'delete', oldLine: 1, newLine: null, text: 'x' }]);
  });

  it('is a minimal, faithful edit script on seeded random texts', () => {
    const next = rng(42);
    for (let round = 0; round < 300; round++) {
      const alphabet = 1 + Math.floor(next() * 6);
      const gen = (): number[] => Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * alphabet));
      const a = gen();
      const b = next() < 0.5 ? gen() : a.map((x) => (next() < 0.2 ? Math.floor(next() * alphabet) : x));
      const diff = diffLines(a.join('\n'), b.join('\n'));
      const rebuilt = sides(diff);
      expect(rebuilt.badNumbers).toBe(0);
      expect(rebuilt.old).toBe(a.join('\n'));
      expect(rebuilt.new).toBe(b.join('\n'));
      const equal = diff.filter((d) => d.op === 'equal').length;
      // "" is zero lines, so compare against the line arrays splitLines sees.
      const la = splitLines(a.join('\n')).map(Number);
      const lb = splitLines(b.join('\n')).map(Number);
      expect(equal).toBe(lcsLength(la, lb));
    }
  });

  it('diffs 10k-line sources: one edit, and a full rewrite', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `x${i} = compute(${i})`);
    const edited = lines.slice();
    edited[5000] = 'x5000 = compute(-1)';
    edited.splice(7000, 0, 'print("inserted")');
    const diff = diffLines(lines.join('\n'), edited.join('\n'));
    expect(diff.filter((d) => d.op !== 'equal')).toEqual([
      { op: 'delete', oldLine: 5001, newLine: null, text: 'x5000 = compute(5000)' },
      { op: 'insert', oldLine: null, newLine: 5001, text: 'x5000 = compute(-1)' },
      { op: 'insert', oldLine: null, newLine: 7001, text: 'print("inserted")' },
    ]);
    const rewritten = lines.map((l) => `# ${l}`).join('\n');
    const all = diffLines(lines.join('\n'), rewritten);
    expect(all).toHaveLength(20_000);
    expect(all.filter((d) => d.op === 'equal')).toHaveLength(0);
  });

  it('diffs 10k lines drawn from a small alphabet (many repeated lines)', () => {
    const next = rng(7);
    const a = Array.from({ length: 10_000 }, () => `line ${Math.floor(next() * 20)}`);
    const b = a.map((l) => (next() < 0.05 ? `line ${Math.floor(next() * 20)}` : l));
    const rebuilt = sides(diffLines(a.join('\n'), b.join('\n')));
    expect(rebuilt).toEqual({ old: a.join('\n'), new: b.join('\n'), badNumbers: 0 });
  });

  it('stays bounded on 10k repetitive lines that differ everywhere, still matching unique lines', () => {
    const next = rng(11);
    const noise = (): string[] => Array.from({ length: 10_000 }, () => `    ${'}'.repeat(1 + Math.floor(next() * 8))}`);
    const a = noise();
    const b = noise();
    // Ten markers, in the same order on both sides: the patience fallback must keep them.
    for (let k = 0; k < 10; k++) {
      a[k * 1000 + 500] = `# section ${k}`;
      b[k * 1000 + 250] = `# section ${k}`;
    }
    const diff = diffLines(a.join('\n'), b.join('\n'));
    expect(sides(diff)).toEqual({ old: a.join('\n'), new: b.join('\n'), badNumbers: 0 });
    const markers = diff.filter((d) => d.text.startsWith('# section'));
    expect(markers.map((d) => [d.op, d.oldLine, d.newLine])).toEqual(
      Array.from({ length: 10 }, (_, k) => ['equal', k * 1000 + 501, k * 1000 + 251]),
    );
    const backwards = a.slice().reverse().join('\n');
    expect(sides(diffLines(a.join('\n'), backwards))).toEqual({ old: a.join('\n'), new: backwards, badNumbers: 0 });
  });
});

describe('longestIncreasing', () => {
  it('returns the indices of a longest strictly increasing run, skipping negatives', () => {
    expect(longestIncreasing([])).toEqual([]);
    expect(longestIncreasing([3, -1, 0, 1, 7, 2, 5])).toEqual([2, 3, 5, 6]);
    expect(longestIncreasing([1, 0])).toHaveLength(1);
  });
});

describe('matchSequences', () => {
  it('matches increasing pairs only', () => {
    const m = matchSequences(Int32Array.from([1, 2, 3, 4]), Int32Array.from([4, 1, 3, 9]));
    expect(Array.from(m)).toEqual([1, -1, 2, -1]);
  });
});

describe('withContext', () => {
  const diff = diffLines(
    Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n'),
    Array.from({ length: 20 }, (_, i) => (i === 9 ? 'changed' : `l${i + 1}`)).join('\n'),
  );

  it('keeps n lines of context around each change', () => {
    const kept = withContext(diff, 2);
    expect(kept.map((d) => `${d.op[0]}${d.oldLine ?? '-'}:${d.newLine ?? '-'}`)).toEqual([
      'e8:8',
      'e9:9',
      'd10:-',
      'i-:10',
      'e11:11',
      'e12:12',
    ]);
  });

  it('keeps only the changes with 0 and everything with Infinity', () => {
    expect(withContext(diff, 0).map((d) => d.op)).toEqual(['delete', 'insert']);
    expect(withContext(diff, Infinity)).toHaveLength(21);
  });
});
