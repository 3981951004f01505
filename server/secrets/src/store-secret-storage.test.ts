/**
 * Secrets in the real metadata store, on both dialects: what the table
 * holds is ciphertext only, the SecretStore round-trips through it, and a
 * key rotation (key file on disk) re-wraps every row while reads go on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases, type TestDatabases } from '@workbench/store/testing';
import { KeyRing } from './key-ring';
import { SecretStore } from './secret-store';
import { StoreSecretStorage } from './store-secret-storage';

const PASSWORD = 'odoo-Pa55word-"quoted"-and/slashed';

describe.each(STORE_DIALECTS)('secrets in the metadata store (%s)', (dialect) => {
  let dbs: TestDatabases;
  let db: MetadataStore;
  let dir: string;
  let keyRing: KeyRing;
  let secrets: SecretStore;

  beforeAll(() => {
    dbs = testDatabases(dialect);
  });
  beforeEach(async () => {
    db = await openStore(await dbs.create());
    dir = await mkdtemp(join(tmpdir(), 'wb-secret-keys-'));
    keyRing = await KeyRing.fromFile(join(dir, 'secret-keys.json'), { createIfMissing: true });
    secrets = await SecretStore.open({ storage: new StoreSecretStorage(db), keyRing });
  });
  afterEach(async () => {
    await secrets[Symbol.asyncDispose]();
    await keyRing[Symbol.asyncDispose]();
    await db[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await dbs[Symbol.asyncDispose]();
  });

  it('stores ciphertext only, lists metadata only, and round-trips the value', async () => {
    await secrets.put('odoo/password', PASSWORD, 'admin');
    const rows = await db.db.selectFrom('secrets').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(rows[0]!.ciphertext).toMatch(/^wb1:/);
    expect(await secrets.get('odoo/password')).toBe(PASSWORD);
    const list = await secrets.list();
    expect(list).toEqual([expect.objectContaining({ name: 'odoo/password', createdBy: 'admin', keyId: keyRing.activeId })]);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
    expect(secrets.redact(`connect failed for password=${PASSWORD}`)).not.toContain(PASSWORD);
  });

  it('replaces a value keeping who created it; delete removes the row', async () => {
    await secrets.put('s3/secret-key', 'first-value', 'ann');
    await secrets.put('s3/secret-key', 'second-value', 'bob');
    expect(await secrets.get('s3/secret-key')).toBe('second-value');
    expect((await secrets.list())[0]).toMatchObject({ createdBy: 'ann' });
    await secrets.delete('s3/secret-key');
    expect(await db.db.selectFrom('secrets').selectAll().execute()).toEqual([]);
  });

  it('rotates the key: every row is re-wrapped under the new key, reads succeed throughout, the old key can then be retired', async () => {
    for (let i = 0; i < 20; i++) await secrets.put(`conn/${i}`, `${PASSWORD}-${i}`, 'admin');
    const oldKey = keyRing.activeId;
    const reads: Promise<string>[] = [];
    const rotation = secrets.rotateKey();
    for (let i = 0; i < 20; i++) reads.push(secrets.get(`conn/${i}`));
    await rotation;
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 20 }, (_, i) => `${PASSWORD}-${i}`));
    expect(keyRing.activeId).not.toBe(oldKey);
    const keyIds = new Set((await db.db.selectFrom('secrets').select('key_id').execute()).map((r) => r.key_id));
    expect([...keyIds]).toEqual([keyRing.activeId]);
    await secrets.retireKey(oldKey);
    expect(await secrets.get('conn/7')).toBe(`${PASSWORD}-7`);
  });
});
