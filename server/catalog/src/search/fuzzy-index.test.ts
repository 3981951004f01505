import { boundedDamerau, typoBudget } from './edit-distance';
import { FuzzyIndex, type FuzzyEntry } from './fuzzy-index';
import { SortedKeys } from './sorted-keys';

/** Plain optimal-string-alignment distance, for comparison. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('boundedDamerau', () => {
  test('edits, swaps, and the bound', () => {
    expect(boundedDamerau('jornal', 'journal', 1)).toBe(1);
    expect(boundedDamerau('blaance', 'balance', 1)).toBe(1);
    expect(boundedDamerau('acount_move', 'account_move', 2)).toBe(1);
    expect(boundedDamerau('jorunl', 'journal', 1)).toBe(2);
    expect(boundedDamerau('abc', 'xyzabc', 2)).toBe(3);
    expect(boundedDamerau('', 'ab', 2)).toBe(2);
  });

  test('agrees with the unbounded distance on seeded random pairs', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 16807) % 2147483647), seed % n);
    const word = (): string => Array.from({ length: 1 + rand(9) }, () => 'abcd'[rand(4)]).join('');
    for (let i = 0; i < 2000; i++) {
      const a = word();
      const b = word();
      const max = rand(4);
      expect(boundedDamerau(a, b, max)).toBe(Math.min(osa(a, b), max + 1));
    }
  });

  test('typo budget by query word length', () => {
    expect([3, 4, 7, 8, 20].map(typoBudget)).toEqual([0, 1, 1, 2, 2]);
  });
});

class Word implements FuzzyEntry {
  alive = true;
  fzStamp = 0;
  fzCount = 0;
  constructor(readonly text: string) {}
}

describe('FuzzyIndex', () => {
  const near = (index: FuzzyIndex<Word>, q: string, max: number): string[] => {
    const out: string[] = [];
    index.forEachNear(q, max, (e, d) => out.push(`${e.text}:${d}`));
    return out.sort();
  };

  test('finds every word within the budget that a full scan finds, and skips removed words', () => {
    const vocab = ['journal', 'journals', 'jornal', 'account', 'accounts', 'amount', 'balance', 'balances', 'partner', 'parent', 'debit', 'credit', 'date', 'data', 'rate', 'ab', 'aaaa', 'aaab'];
    const index = new FuzzyIndex<Word>();
    const entries = vocab.map((w) => new Word(w));
    for (const e of entries) index.add(e);
    for (const q of ['journal', 'acount', 'blaance', 'partenr', 'date', 'aaaa', 'credti', 'journalss']) {
      const max = typoBudget(q.length);
      const scan = vocab.filter((w) => w !== q && osa(q, w) <= max).map((w) => `${w}:${osa(q, w)}`).sort();
      expect(near(index, q, max)).toEqual(scan);
    }
    const jornal = entries.find((e) => e.text === 'jornal')!;
    jornal.alive = false;
    index.remove(jornal);
    expect(near(index, 'journal', 1)).toEqual(['journals:1']);
  });
});

describe('SortedKeys', () => {
  test('prefix lookups stay right through small and bulk changes', () => {
    const keys = new SortedKeys();
    const model = new Set<string>();
    const check = (prefix: string): void => {
      const got: string[] = [];
      keys.forEachWithPrefix(prefix, (k) => got.push(k));
      expect(got).toEqual([...model].filter((k) => k.startsWith(prefix)).sort());
    };
    let seed = 3;
    const rand = (n: number): number => ((seed = (seed * 16807) % 2147483647), seed % n);
    for (let round = 0; round < 30; round++) {
      const changes = round % 3 === 0 ? 500 : 5;
      for (let i = 0; i < changes; i++) {
        const key = Array.from({ length: 1 + rand(4) }, () => 'abc'[rand(3)]).join('');
        if (model.has(key)) (keys.delete(key), model.delete(key));
        else (keys.add(key), model.add(key));
      }
      check('');
      check('a');
      check('bc');
    }
    expect(keys.size).toBe(model.size);
  });
});
