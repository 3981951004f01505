import { MIN_REDACT_LENGTH, REDACTED, SecretRedactor } from './redactor';
import { seeded } from './testing';


/** The obvious definition: mask every character covered by any occurrence of any pattern, merging runs. */
function naive(text: string, patterns: string[], mark = '#'): string {
  const covered = new Array<boolean>(text.length).fill(false);
  for (const p of patterns) {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) for (let j = i; j < i + p.length; j++) covered[j] = true;
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += mark;
  }
  return out;
}

describe('SecretRedactor', () => {
  it('replaces every occurrence of every value', () => {
    const r = new SecretRedactor(['hunter22', 'correct horse']);
    expect(r.redact('pw=hunter22; again hunter22, phrase "correct horse battery"')).toBe(`pw=${REDACTED}; again ${REDACTED}, phrase "${REDACTED} battery"`);
    expect(r.redact('nothing here')).toBe('nothing here');
    expect(r.redact('')).toBe('');
    expect(r.redact('hunter2')).toBe('hunter2');
  });

  it('covers overlapping, nested and adjacent occurrences with one marker', () => {
    const r = new SecretRedactor(['abcdef', 'defghi', 'cdefgh'.slice(0, 4), 'xyzw']);
    expect(r.redact('--abcdefghi--')).toBe(`--${REDACTED}--`);
    expect(r.redact('abcdefabcdef')).toBe(REDACTED);
    expect(r.redact('xyzwxyzw.xyzw')).toBe(`${REDACTED}.${REDACTED}`);
    const nested = new SecretRedactor(['password123', 'word']);
    expect(nested.redact('my password123 and a word')).toBe(`my ${REDACTED} and a ${REDACTED}`);
  });

  it('matches the JSON-escaped and URI-encoded forms of a value', () => {
    const value = 'p@ss "w/rd"\\ 100%';
    const r = new SecretRedactor([value]);
    expect(r.redact(JSON.stringify({ password: value }))).toBe(`{"password":"${REDACTED}"}`);
    expect(r.redact(`postgres://u:${encodeURIComponent(value)}@h/db`)).toBe(`postgres://u:${REDACTED}@h/db`);
    expect(r.size).toBe(3);
  });

  it(`skips values shorter than ${MIN_REDACT_LENGTH} characters (configurable)`, () => {
    expect(new SecretRedactor(['abc', 'ab', '']).size).toBe(0);
    expect(new SecretRedactor(['abc']).redact('abcabc')).toBe('abcabc');
    expect(new SecretRedactor(['abcd']).redact('abcabcd')).toBe(`abc${REDACTED}`);
    expect(new SecretRedactor(['ab'], { minLength: 2, replacement: '***' }).redact('cab')).toBe('c***');
  });

  it('handles any UTF-16 text, including astral characters and lone surrogates', () => {
    const r = new SecretRedactor(['🔑key🔑', 'ünïcödé', 'a\uD800bc']);
    expect(r.redact('x🔑key🔑y ünïcödé a\uD800bc')).toBe(`x${REDACTED}y ${REDACTED} ${REDACTED}`);
  });

  it('agrees with the obvious definition on seeded random inputs', () => {
    const rand = seeded(42);
    const alphabet = 'abcd';
    const word = (min: number, max: number) => Array.from({ length: min + Math.floor(rand() * (max - min + 1)) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    for (let round = 0; round < 300; round++) {
      const values = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => word(4, 7));
      const text = word(0, 80);
      const r = new SecretRedactor(values, { replacement: '#' });
      expect(r.redact(text)).toBe(naive(text, values));
    }
  });

  it('scans once however many secrets there are', () => {
    const rand = seeded(7);
    const secrets = Array.from({ length: 5000 }, (_, i) => `s${i}-${Math.floor(rand() * 1e12).toString(36)}`);
    const r = new SecretRedactor(secrets);
    const pieces: string[] = [];
    for (let i = 0; i < 20_000; i++) pieces.push(i % 97 === 0 ? secrets[i % secrets.length]! : `log line ${i} with ordinary words`);
    const text = pieces.join('\n');
    const out = r.redact(text);
    expect(out).not.toMatch(/s\d+-[0-9a-z]+/);
    expect(out.split('\n').filter((l) => l === REDACTED)).toHaveLength(pieces.filter((_, i) => i % 97 === 0).length);
    expect(out).toContain('log line 1 with ordinary words');
  });
});
