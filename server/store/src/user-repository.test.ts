import { isAppError } from '@workbench/core';
import { openStore, type MetadataStore } from './store';
import { STORE_DIALECTS, testDatabases } from './testing';
import { UserRepository } from './user-repository';

describe.each(STORE_DIALECTS)('UserRepository on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  let now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
  const clock = { now: () => now };
  let users: UserRepository;

  beforeAll(async () => {
    store = await openStore(await databases.create());
    users = new UserRepository(store.db, { clock });
  });
  afterAll(async () => {
    try {
      await store?.[Symbol.asyncDispose]();
    } finally {
      await databases[Symbol.asyncDispose]();
    }
  });

  test('create, then get by id and by username', async () => {
    const alice = await users.create({ username: 'alice', roles: ['admin', 'editor'], source: 'token', email: 'alice@example.com' });
    expect(alice).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      username: 'alice',
      displayName: 'alice',
      email: 'alice@example.com',
      roles: ['admin', 'editor'],
      rolesSource: 'provider',
      source: 'token',
      oidcIssuer: null,
      oidcSubject: null,
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    });
    expect(await users.getById(alice.id)).toEqual(alice);
    expect(await users.getByUsername('alice')).toEqual(alice);
    expect(await users.getByUsername('Alice')).toBeUndefined();
    expect(await users.getById('no-such-id')).toBeUndefined();
    expect(await store.db.selectFrom('users').select('roles').where('id', '=', alice.id).executeTakeFirst()).toEqual({ roles: '["admin","editor"]' });
  });

  test('a taken username is a conflict', async () => {
    await users.create({ username: 'bob', source: 'local' });
    const err = await users.create({ username: 'bob', source: 'oidc', oidc: { issuer: 'https://idp', subject: 'bob-1' } }).catch((e: unknown) => e);
    expect(isAppError(err, 'conflict')).toBe(true);
    expect((err as Error).message).toBe('Cannot create user bob: the username is taken');
  });

  test('two creates of one username at once: one wins, the other is a conflict', async () => {
    const results = await Promise.allSettled([users.create({ username: 'carol', source: 'local' }), users.create({ username: 'carol', source: 'local' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(isAppError(rejected?.reason, 'conflict')).toBe(true);
    expect((await users.list()).filter((u) => u.username === 'carol')).toHaveLength(1);
  });

  test('OIDC users are found by (issuer, subject), which is unique', async () => {
    const dave = await users.create({ username: 'dave', displayName: 'Dave D.', source: 'oidc', oidc: { issuer: 'https://idp.example', subject: 's-42' } });
    expect(await users.getByOidcSubject('https://idp.example', 's-42')).toEqual(dave);
    expect(await users.getByOidcSubject('https://other.example', 's-42')).toBeUndefined();
    await expect(users.create({ username: 'dave2', source: 'oidc', oidc: { issuer: 'https://idp.example', subject: 's-42' } })).rejects.toMatchObject({
      code: 'conflict',
      message: 'Cannot create user dave2: the OIDC identity is linked to another user',
    });
    // Same subject at another issuer is another person.
    await users.create({ username: 'dave-elsewhere', source: 'oidc', oidc: { issuer: 'https://other.example', subject: 's-42' } });
    await expect(users.create({ username: 'eve', source: 'oidc' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(users.create({ username: '', source: 'local' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  test('roles and profile updates bump updated_at; unknown ids are not_found', async () => {
    const frank = await users.create({ username: 'frank', roles: ['viewer'], source: 'local' });
    now += 1000;
    const promoted = await users.setRoles(frank.id, ['editor', 'viewer']);
    expect(promoted).toEqual({ ...frank, roles: ['editor', 'viewer'], updatedAt: now });
    now += 1000;
    const renamed = await users.updateProfile(frank.id, { displayName: 'Frank F.', email: 'f@example.com' });
    expect(renamed).toEqual({ ...promoted, displayName: 'Frank F.', email: 'f@example.com', updatedAt: now });
    expect(await users.updateProfile(frank.id, { email: null })).toMatchObject({ displayName: 'Frank F.', email: null });
    await expect(users.setRoles('nobody', [])).rejects.toMatchObject({ code: 'not_found', message: 'Cannot set the roles of user nobody: no such user' });
    await expect(users.disable('nobody')).rejects.toMatchObject({ code: 'not_found' });
  });

  test("roles an administrator set survive the provider's updates until handed back", async () => {
    const hana = await users.create({ username: 'hana', roles: ['viewer'], source: 'oidc', oidc: { issuer: 'https://idp.example', subject: 'hana' } });
    now += 1000;
    const promoted = await users.setRolesByAdmin(hana.id, ['engineer']);
    expect(promoted).toEqual({ ...hana, roles: ['engineer'], rolesSource: 'admin', updatedAt: now });
    // The next login brings the provider's roles: they do not replace the administrator's.
    expect((await users.setRoles(hana.id, ['viewer'])).roles).toEqual(['engineer']);
    // Handed back: the provider's last word (viewer) applies at once, and its next one counts.
    expect(await users.setRolesByAdmin(hana.id, null)).toMatchObject({ roles: ['viewer'], rolesSource: 'provider' });
    expect((await users.setRoles(hana.id, ['analyst'])).roles).toEqual(['analyst']);
    await expect(users.setRolesByAdmin('nobody', ['viewer'])).rejects.toMatchObject({ code: 'not_found' });
  });

  test('disable keeps the first time, enable clears it; list can leave disabled users out', async () => {
    const grace = await users.create({ username: 'grace', source: 'local' });
    now += 1000;
    const disabledAt = now;
    expect((await users.disable(grace.id)).disabledAt).toBe(disabledAt);
    now += 1000;
    expect((await users.disable(grace.id)).disabledAt).toBe(disabledAt);
    const names = (await users.list()).map((u) => u.username);
    // By username (in the database's collation: plain lowercase names sort alike everywhere).
    expect(names.filter((n) => /^[a-z]+$/.test(n))).toEqual(['alice', 'bob', 'carol', 'dave', 'frank', 'grace', 'hana']);
    expect((await users.list({ includeDisabled: false })).map((u) => u.username)).not.toContain('grace');
    expect((await users.enable(grace.id)).disabledAt).toBeNull();
    expect((await users.list({ includeDisabled: false })).map((u) => u.username)).toContain('grace');
  });

  test('works inside a transaction and rolls back with it', async () => {
    await expect(
      store.transaction(async (trx) => {
        await new UserRepository(trx, { clock }).create({ username: 'henry', source: 'local' });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await users.getByUsername('henry')).toBeUndefined();
  });
});
