import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFileFs, readKeyFile, withKeyFileLock, writeKeyFile } from './key-file';
import { deriveKeyId, generateKek, KeySet, parseKeyFile, serializeKeyFile } from './key-file-format';
import { caught, rejection } from './testing';



const k1 = generateKek(new Date('2026-01-01T00:00:00Z'));
const k2 = generateKek(new Date('2026-02-01T00:00:00Z'));
const SET: KeySet = { active: k2.id, keys: [k1, k2] };

describe('key file format', () => {
  it('round-trips the documented version 1 layout', () => {
    const text = serializeKeyFile(SET);
    const doc = JSON.parse(text);
    expect(doc).toEqual({
      version: 1,
      active: k2.id,
      keys: [
        { id: k1.id, key: k1.key.toString('base64'), created: '2026-01-01T00:00:00.000Z' },
        { id: k2.id, key: k2.key.toString('base64'), created: '2026-02-01T00:00:00.000Z' },
      ],
    });
    const back = parseKeyFile(text, 'f');
    expect(back.active).toBe(k2.id);
    expect(back.keys.map((k) => [k.id, k.key.equals(SET.keys.find((s) => s.id === k.id)!.key)])).toEqual([
      [k1.id, true],
      [k2.id, true],
    ]);
  });

  it('derives short stable ids from the key', () => {
    expect(k1.id).toMatch(/^k[0-9a-f]{8}$/);
    expect(deriveKeyId(k1.key)).toBe(k1.id);
    expect(deriveKeyId(k2.key)).not.toBe(k1.id);
  });

  it('refuses malformed files with a clear error that never echoes key material', () => {
    const good = (over: object = {}, key: object = {}) =>
      JSON.stringify({ version: 1, active: 'a', keys: [{ id: 'a', key: k1.key.toString('base64'), created: '2026-01-01T00:00:00Z', ...key }], ...over });
    const short = randomBytes(16).toString('base64');
    const long = randomBytes(33).toString('base64');
    const cases: [string, RegExp][] = [
      [`{"version":1,"keys":[{"key":"${k1.key.toString('base64')}"`, /not valid JSON/],
      ['[]', /not a JSON object/],
      [good({ version: 2 }), /unsupported version 2 \(this server reads version 1\)/],
      [good({ version: undefined }), /unsupported version null/],
      [good({ extra: true }), /unknown field "extra"/],
      [good({ keys: [] }), /"keys" must be a non-empty array/],
      [good({ keys: 'x' }), /"keys" must be a non-empty array/],
      [good({ active: 'b' }), /"active" must name one of the keys/],
      [good({}, { id: 'has:colon' }), /keys\[0\]\.id must be/],
      [good({}, { id: 'x'.repeat(33) }), /keys\[0\]\.id must be/],
      [good({}, { key: short }), /key "a": it decodes to 16 bytes, not 32/],
      [good({}, { key: long }), /key "a": it decodes to 33 bytes, not 32/],
      [good({}, { key: 'not base64!' }), /key "a": it is not base64/],
      [good({}, { key: 42 }), /key "a" has no "key" string/],
      [good({}, { created: 'yesterday' }), /"created" must be an ISO 8601 date/],
      [good({}, { note: 'hi' }), /keys\[0\] has unknown field "note"/],
      [
        JSON.stringify({ version: 1, active: 'a', keys: [0, 1].map(() => ({ id: 'a', key: k1.key.toString('base64'), created: '2026-01-01T00:00:00Z' })) }),
        /key id "a" appears twice/,
      ],
    ];
    for (const [text, problem] of cases) {
      const err = caught(() => parseKeyFile(text, '/etc/wb/keys.json'));
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(/^Cannot load secret keys from \/etc\/wb\/keys\.json: /);
      expect(err.message).toMatch(problem);
      for (const material of [k1.key.toString('base64'), short, long]) expect(err.message).not.toContain(material);
      expect(err.cause).toBeUndefined();
    }
  });
});

describe('key file I/O', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(join(tmpdir(), 'wb-key-file-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('writes a 0600 file (creating its folder 0700) and reads it back', async () => {
    const path = join(dir, 'sub', 'keys.json');
    expect(await writeKeyFile(path, SET)).toBe(true);
    expect((await fsp.stat(path)).mode & 0o777).toBe(0o600);
    expect((await fsp.stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    const loaded = await readKeyFile(path);
    expect(loaded!.set.active).toBe(k2.id);
    expect(await fsp.readdir(join(dir, 'sub'))).toEqual(['keys.json']); // no temp file left
  });

  it('returns undefined for a missing file', async () => {
    expect(await readKeyFile(join(dir, 'nope.json'))).toBeUndefined();
  });

  it('refuses a file group or others can access, naming the fix', async () => {
    const path = join(dir, 'keys.json');
    await writeKeyFile(path, SET);
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o601, 0o660]) {
      await fsp.chmod(path, mode);
      const err = await rejection(readKeyFile(path));
      expect(err.code).toBe('unavailable');
      expect(err.message).toContain(`its permissions 0${mode.toString(8)} let group or others access it`);
      expect(err.message).toContain(`run: chmod 600 ${path}`);
    }
    for (const mode of [0o600, 0o400]) {
      await fsp.chmod(path, mode);
      expect((await readKeyFile(path))!.set.keys).toHaveLength(2);
    }
  });

  it('refuses a directory and an oversized file', async () => {
    await fsp.mkdir(join(dir, 'd'), { mode: 0o700 });
    expect((await rejection(readKeyFile(join(dir, 'd')))).message).toMatch(/not a regular file/);
    const big = join(dir, 'big.json');
    await fsp.writeFile(big, ' '.repeat(1024 * 1024 + 1), { mode: 0o600 });
    expect((await rejection(readKeyFile(big))).message).toMatch(/larger than 1 MiB/);
  });

  it('exclusive write does not clobber an existing file', async () => {
    const path = join(dir, 'keys.json');
    await writeKeyFile(path, SET);
    const other: KeySet = { active: k1.id, keys: [k1] };
    expect(await writeKeyFile(path, other, { exclusive: true })).toBe(false);
    expect((await readKeyFile(path))!.set.active).toBe(k2.id);
    expect(await fsp.readdir(dir)).toEqual(['keys.json']);
  });

  it('a write that fails before the rename leaves the old file intact and no temp file', async () => {
    const path = join(dir, 'keys.json');
    await writeKeyFile(path, SET);
    const before = await fsp.readFile(path, 'utf8');
    const failingFs: KeyFileFs = { ...fsp, rename: async () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) };
    const err = await rejection(writeKeyFile(path, { active: k1.id, keys: [k1] }, { fs: failingFs }));
    expect(err.message).toBe(`Cannot write secret key file ${path}: EIO; the previous file, if any, is unchanged`);
    expect(await fsp.readFile(path, 'utf8')).toBe(before);
    expect(await fsp.readdir(dir)).toEqual(['keys.json']);
  });

  it('the lock serializes changes and is released after success and failure', async () => {
    const path = join(dir, 'keys.json');
    const inner = await withKeyFileLock(path, async () => {
      expect((await fsp.readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(process.pid));
      const err = await rejection(withKeyFileLock(path, async () => 'never'));
      expect(err.code).toBe('conflict');
      expect(err.message).toContain(`${path}.lock exists`);
      expect(err.message).toContain(`delete ${path}.lock`);
      return 'done';
    });
    expect(inner).toBe('done');
    await expect(withKeyFileLock(path, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await fsp.readdir(dir)).toEqual([]);
  });
});
