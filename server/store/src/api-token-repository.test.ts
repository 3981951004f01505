import { createHash } from 'node:crypto';
import { isAppError } from '@workbench/core';
import { ApiTokenRepository, hashApiToken } from './api-token-repository';
import { openStore, type MetadataStore } from './store';
import { STORE_DIALECTS, testDatabases } from './testing';
import { UserRepository, type User } from './user-repository';

describe.each(STORE_DIALECTS)('ApiTokenRepository on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  let now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
  const clock = { now: () => now };
  let tokens: ApiTokenRepository;
  let users: UserRepository;
  let owner: User;
  let other: User;

  beforeAll(async () => {
    store = await openStore(await databases.create());
    users = new UserRepository(store.db, { clock });
    tokens = new ApiTokenRepository(store.db, { clock });
    owner = await users.create({ username: 'owner', roles: ['editor'], source: 'local' });
    other = await users.create({ username: 'other', source: 'local' });
  });
  afterAll(async () => {
    try {
      await store?.[Symbol.asyncDispose]();
    } finally {
      await databases[Symbol.asyncDispose]();
    }
  });

  test('create returns the plaintext once and stores only its sha256', async () => {
    const { token, plaintext } = await tokens.create({ userId: owner.id, name: 'laptop' });
    expect(plaintext).toMatch(/^wbt_[A-Za-z0-9_-]{43}$/);
    expect(token).toEqual({ id: expect.any(String), userId: owner.id, name: 'laptop', prefix: plaintext.slice(0, 12), createdAt: now, lastUsedAt: null, expiresAt: null, revokedAt: null });
    const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(plaintext).digest('hex'));
    expect(Object.values(row)).not.toContain(plaintext);
  });

  test('findByPlaintext finds an active token with its user; unknown tokens are undefined', async () => {
    const { token, plaintext } = await tokens.create({ userId: owner.id, name: 'ci', expiresAt: now + 60_000 });
    expect(await tokens.findByPlaintext(plaintext)).toEqual({ token, user: owner, status: 'active' });
    expect(await tokens.findByPlaintext(plaintext.slice(0, -1))).toBeUndefined();
    expect(await tokens.findByPlaintext('')).toBeUndefined();
  });

  test('listForUser lists newest first without hashes, only that user', async () => {
    const before = await tokens.listForUser(owner.id);
    now += 1;
    const { token } = await tokens.create({ userId: owner.id, name: 'newest' });
    await tokens.create({ userId: other.id, name: 'not mine' });
    const listed = await tokens.listForUser(owner.id);
    expect(listed[0]).toEqual(token);
    expect(listed).toHaveLength(before.length + 1);
    for (const t of listed) {
      expect(Object.keys(t).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'userId']);
      expect(t.userId).toBe(owner.id);
    }
  });

  test('revoke is idempotent, scoped to the user when asked, and makes the token unusable', async () => {
    const { token, plaintext } = await tokens.create({ userId: owner.id, name: 'revoked' });
    await expect(tokens.revoke(token.id, { userId: other.id })).rejects.toMatchObject({ code: 'not_found', message: `Cannot revoke API token ${token.id}: no such token` });
    expect((await tokens.findByPlaintext(plaintext))?.status).toBe('active');
    now += 1000;
    const revokedAt = now;
    expect(await tokens.revoke(token.id, { userId: owner.id })).toEqual({ ...token, revokedAt });
    now += 1000;
    expect((await tokens.revoke(token.id)).revokedAt).toBe(revokedAt);
    expect(await tokens.findByPlaintext(plaintext)).toMatchObject({ status: 'revoked', token: { revokedAt } });
    await expect(tokens.revoke('no-such-token')).rejects.toMatchObject({ code: 'not_found' });
  });

  test('an expired token and a disabled owner are reported, not active', async () => {
    const { plaintext } = await tokens.create({ userId: owner.id, name: 'short', expiresAt: now + 10 });
    now += 9;
    expect((await tokens.findByPlaintext(plaintext))?.status).toBe('active');
    now += 1;
    expect((await tokens.findByPlaintext(plaintext))?.status).toBe('expired');

    const temp = await users.create({ username: 'temp', source: 'local' });
    const { plaintext: tempToken } = await tokens.create({ userId: temp.id, name: 'temp' });
    await users.disable(temp.id);
    expect(await tokens.findByPlaintext(tempToken)).toMatchObject({ status: 'user_disabled', user: { username: 'temp' } });
  });

  test('touch records a use at most once per interval', async () => {
    const { token } = await tokens.create({ userId: owner.id, name: 'touched' });
    expect(await tokens.touch(token.id)).toBe(true);
    const first = now;
    now += 59_999;
    expect(await tokens.touch(token.id)).toBe(false);
    expect((await tokens.get(token.id))?.lastUsedAt).toBe(first);
    now += 1;
    expect(await tokens.touch(token.id)).toBe(true);
    expect((await tokens.get(token.id))?.lastUsedAt).toBe(now);
    expect(await tokens.touch(token.id, { minIntervalMs: 0 })).toBe(true);
    expect(await tokens.touch('no-such-token')).toBe(false);
  });

  test('a token whose hash exists is a conflict; an unknown user is not_found', async () => {
    const fixed = new ApiTokenRepository(store.db, { clock, randomBytes: (n) => Buffer.alloc(n, 7) });
    const { plaintext } = await fixed.create({ userId: owner.id, name: 'first' });
    const err = await fixed.create({ userId: other.id, name: 'second' }).catch((e: unknown) => e);
    expect(isAppError(err, 'conflict')).toBe(true);
    expect((err as Error).message).toBe('Cannot create API token second: a token with the same hash exists');
    expect((await tokens.findByPlaintext(plaintext))?.user.id).toBe(owner.id);
    await expect(tokens.create({ userId: 'nobody', name: 'orphan' })).rejects.toMatchObject({ code: 'not_found', message: 'Cannot create API token orphan: no user nobody' });
  });

  test("deleting the owner deletes the owner's tokens", async () => {
    const gone = await users.create({ username: 'gone', source: 'local' });
    const { plaintext } = await tokens.create({ userId: gone.id, name: 'gone' });
    await store.db.deleteFrom('users').where('id', '=', gone.id).execute();
    expect(await tokens.findByPlaintext(plaintext)).toBeUndefined();
    expect(await tokens.listForUser(gone.id)).toEqual([]);
  });

  test('hashApiToken is sha256 hex', () => {
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
