import { randomBytes } from 'node:crypto';
import { deriveKeyId } from './key-file-format';
import { resolveKeySource } from './key-source';
import { caught } from './testing';

const DEFAULT = '/data/workbench/secret-keys.json';
const keyA = randomBytes(32);
const keyB = randomBytes(32);


describe('resolveKeySource', () => {
  it('defaults to the data-dir key file, created when missing', () => {
    expect(resolveKeySource({ env: {}, defaultFile: DEFAULT })).toEqual({ kind: 'file', path: DEFAULT, createIfMissing: true });
    expect(resolveKeySource({ env: { WORKBENCH_SECRET_KEY: '  ' }, defaultFile: DEFAULT })).toEqual({ kind: 'file', path: DEFAULT, createIfMissing: true });
  });

  it('a configured key file (config, then WORKBENCH_SECRET_KEY_FILE) must exist', () => {
    expect(resolveKeySource({ env: { WORKBENCH_SECRET_KEY_FILE: '/run/keys.json' }, defaultFile: DEFAULT })).toEqual({
      kind: 'file',
      path: '/run/keys.json',
      createIfMissing: false,
    });
    expect(resolveKeySource({ env: { WORKBENCH_SECRET_KEY_FILE: '/run/keys.json' }, configuredFile: '/etc/wb/keys.json', defaultFile: DEFAULT })).toEqual({
      kind: 'file',
      path: '/etc/wb/keys.json',
      createIfMissing: false,
    });
    expect(caught(() => resolveKeySource({ env: { WORKBENCH_SECRET_KEY_FILE: 'keys.json' }, defaultFile: DEFAULT })).message).toMatch(/must be absolute/);
  });

  it('WORKBENCH_SECRET_KEY wins over the default, with a derived or given id', () => {
    const derived = resolveKeySource({ env: { WORKBENCH_SECRET_KEY: keyA.toString('base64') }, defaultFile: DEFAULT });
    expect(derived.kind).toBe('env');
    if (derived.kind !== 'env') return;
    expect(derived.active.id).toBe(deriveKeyId(keyA));
    expect(derived.active.key.equals(keyA)).toBe(true);
    expect(derived.decryptOnly).toEqual([]);

    const given = resolveKeySource({ env: { WORKBENCH_SECRET_KEY: `prod-2026:${keyA.toString('base64url')}` }, defaultFile: DEFAULT });
    expect(given.kind === 'env' && given.active.id).toBe('prod-2026');
    // Unpadded standard base64 works too.
    const unpadded = resolveKeySource({ env: { WORKBENCH_SECRET_KEY: keyA.toString('base64').replace(/=+$/, '') }, defaultFile: DEFAULT });
    expect(unpadded.kind === 'env' && unpadded.active.key.equals(keyA)).toBe(true);
  });

  it('WORKBENCH_SECRET_DECRYPT_KEYS adds decrypt-only keys', () => {
    const src = resolveKeySource({
      env: { WORKBENCH_SECRET_KEY: keyA.toString('base64'), WORKBENCH_SECRET_DECRYPT_KEYS: `old:${keyB.toString('base64')}, ${randomBytes(32).toString('base64')} ,` },
      defaultFile: DEFAULT,
    });
    expect(src.kind === 'env' && src.decryptOnly.map((k) => k.id)[0]).toBe('old');
    expect(src.kind === 'env' && src.decryptOnly).toHaveLength(2);
  });

  it('refuses ambiguous or broken settings without echoing key material', () => {
    const a = keyA.toString('base64');
    const short = randomBytes(24).toString('base64');
    const cases: [Record<string, string>, string | undefined, RegExp][] = [
      [{ WORKBENCH_SECRET_KEY: a, WORKBENCH_SECRET_KEY_FILE: '/k.json' }, undefined, /WORKBENCH_SECRET_KEY is set and so is a key file \(\/k\.json\); unset one/],
      [{ WORKBENCH_SECRET_KEY: a }, '/etc/k.json', /so is a key file \(\/etc\/k\.json\)/],
      [{ WORKBENCH_SECRET_KEY: short }, undefined, /^Cannot use WORKBENCH_SECRET_KEY: it decodes to 24 bytes, not 32 \(generate one with: openssl rand -base64 32\)$/],
      [{ WORKBENCH_SECRET_KEY: `bad id:${a}` }, undefined, /key id before ':' must be/],
      [{ WORKBENCH_SECRET_KEY: 'hunter2hunter2!' }, undefined, /not base64/],
      [{ WORKBENCH_SECRET_KEY: a, WORKBENCH_SECRET_DECRYPT_KEYS: `x:${short}` }, undefined, /WORKBENCH_SECRET_DECRYPT_KEYS entry 1: it decodes to 24 bytes/],
      [{ WORKBENCH_SECRET_KEY: a, WORKBENCH_SECRET_DECRYPT_KEYS: a }, undefined, /appears twice/],
      [{ WORKBENCH_SECRET_DECRYPT_KEYS: a }, undefined, /without WORKBENCH_SECRET_KEY/],
    ];
    for (const [env, configuredFile, problem] of cases) {
      const err = caught(() => resolveKeySource({ env, configuredFile, defaultFile: DEFAULT }));
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(problem);
      for (const v of [a, short, 'hunter2hunter2!']) expect(err.message).not.toContain(v);
    }
  });
});
