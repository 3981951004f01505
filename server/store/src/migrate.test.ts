import { isUniqueViolation } from './db-errors';
import { isAppError } from '@workbench/core';
import type { Kysely } from './kysely';
import { recordedMigrations } from './migrate';
import { MIGRATIONS, type StoreMigration } from './migrations';
import { openStore, type MetadataStore, type StoreOptions } from './store';
import { STORE_DIALECTS, testDatabases } from './testing';

const ALL = MIGRATIONS.map((m) => m.name);

/** The store's tables before 0012, which dropped template_files (the current schema type has no such table). */
const before0012 = (store: MetadataStore) => store.db as unknown as Kysely<any>;

/** A later migration, as a newer Workbench would ship it. */
const probe: StoreMigration = {
  async up(db) {
    await db.schema.createTable('probe').addColumn('id', 'text', (c) => c.primaryKey()).execute();
  },
};
const NEWER = [...MIGRATIONS, { name: '9000_probe', migration: probe }];

async function withStore<T>(options: StoreOptions, fn: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await openStore(options);
  try {
    return await fn(store);
  } finally {
    await store[Symbol.asyncDispose]();
  }
}

describe.each(STORE_DIALECTS)('migrations on %s', (dialect) => {
  const databases = testDatabases(dialect);
  afterAll(() => databases[Symbol.asyncDispose]());

  test('a new database gets every migration once, recorded by name', async () => {
    const options = await databases.create();
    await withStore(options, async (store) => {
      expect(store.dialect).toBe(dialect);
      expect(store.migrationsApplied).toEqual(ALL);
      expect(await recordedMigrations(store.db, dialect)).toEqual(ALL);
      for (const table of ['users', 'api_tokens', 'sessions', 'audit_log', 'secrets'] as const) {
        expect(await store.db.selectFrom(table).selectAll().execute()).toEqual([]);
      }
    });
  });

  test('reopening a current database is a no-op', async () => {
    const options = await databases.create();
    const first = await withStore(options, (store) => store.db.selectFrom('kysely_migration' as never).selectAll().execute());
    await withStore(options, async (store) => {
      expect(store.migrationsApplied).toEqual([]);
      expect(await store.db.selectFrom('kysely_migration' as never).selectAll().execute()).toEqual(first);
    });
  });

  test('an upgrade applies only the migrations added since', async () => {
    const options = await databases.create();
    await withStore(options, async () => {});
    await withStore({ ...options, migrations: NEWER }, async (store) => {
      expect(store.migrationsApplied).toEqual(['9000_probe']);
      expect(await recordedMigrations(store.db, dialect)).toEqual([...ALL, '9000_probe']);
    });
  });

  test('a database migrated by a newer Workbench is refused and left untouched', async () => {
    const options = await databases.create();
    await withStore({ ...options, migrations: NEWER }, async () => {});
    const err: unknown = await openStore(options).then(
      async (store) => {
        await store[Symbol.asyncDispose]();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isAppError(err, 'unavailable')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^Cannot open the metadata store: its schema is newer than this Workbench \\(it has 9000_probe; this version knows up to ${ALL.at(-1)}\\)`));
    await withStore({ ...options, migrations: NEWER }, async (store) => {
      expect(store.migrationsApplied).toEqual([]);
      expect(await recordedMigrations(store.db, dialect)).toEqual([...ALL, '9000_probe']);
    });
  });

  test('0008_check_impacts gives the checks recorded before it a null impacts column, and takes JSON text', async () => {
    const options = await databases.create();
    const through0007 = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === '0008_check_impacts'));
    expect(through0007.at(-1)!.name).toBe('0007_quality');
    const row = { run_id: 'r1', task_id: 'checks', attempt: 1, severity: 'fail', status: 'failed', violations: 3, impact: '5', materiality: '1', sample: '{"columns":[],"rows":[]}', message: null, sql_sha256: null, at: 1 };
    await withStore({ ...options, migrations: through0007 }, async (store) => {
      await store.db.insertInto('quality_results').values({ ...row, check_name: 'before' }).execute();
    });
    await withStore(options, async (store) => {
      expect(store.migrationsApplied).toEqual(ALL.slice(through0007.length));
      const impacts = JSON.stringify([{ currency: 'JPY', impact: '5', materiality: '1', exceeded: true }]);
      await store.db.insertInto('quality_results').values({ ...row, check_name: 'after', impacts }).execute();
      const read = await store.db.selectFrom('quality_results').select(['check_name', 'impacts']).orderBy('check_name').execute();
      expect(read).toEqual([
        { check_name: 'after', impacts },
        { check_name: 'before', impacts: null },
      ]);
    });
  });

  test('0009_documents keeps one document per file and one posting per key, and fills the JSON columns with empty lists', async () => {
    const options = await databases.create();
    await withStore(options, async (store) => {
      const doc = { sha256: 'a'.repeat(64), filename: 'bill.pdf', media_type: 'application/pdf', size_bytes: 10, pages: 1, source: 'upload', uploaded_by: 'anna', received_at: 1, status: 'received', updated_at: 1 };
      await store.db.insertInto('documents').values({ ...doc, id: 'd1', posting_key: 'k1' }).execute();
      await expect(store.db.insertInto('documents').values({ ...doc, id: 'd2' }).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
      await expect(store.db.insertInto('documents').values({ ...doc, id: 'd3', sha256: 'b'.repeat(64), posting_key: 'k1' }).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
      const row = await store.db.selectFrom('documents').select(['issues', 'review_reasons', 'duplicates', 'corrected_by', 'posting_attempts', 'version']).where('id', '=', 'd1').executeTakeFirstOrThrow();
      expect(row).toEqual({ issues: '[]', review_reasons: '[]', duplicates: '[]', corrected_by: '[]', posting_attempts: 0, version: 1 });
      await store.db.insertInto('intake_signatures').values({ signature: 's', at: 1 }).execute();
      await expect(store.db.insertInto('intake_signatures').values({ signature: 's', at: 2 }).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
    });
  });

  test('0010_templates keeps one template per name and one file per path in it', async () => {
    const options = await databases.create();
    // template_files is 0010's until 0012 moves the files into the versions.
    await withStore({ ...options, migrations: MIGRATIONS.slice(0, ALL.indexOf('0012_template_versions')) }, async (store) => {
      const t = { name: 'recon', title: 'Reconciliation', folder: 'recon', open: null, file_count: 1, size_bytes: 2, created_by: 'anna', created_at: 1, updated_by: 'anna', updated_at: 1 };
      await store.db.insertInto('templates').values(t).execute();
      await expect(store.db.insertInto('templates').values(t).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
      await before0012(store).insertInto('template_files').values({ template: 'recon', path: 'a.ipynb', content: '{}' }).execute();
      await expect(before0012(store).insertInto('template_files').values({ template: 'recon', path: 'a.ipynb', content: '{}' }).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
      const row = await store.db.selectFrom('templates').select(['description', 'parameters', 'version']).executeTakeFirstOrThrow();
      expect(row).toEqual({ description: '', parameters: '[]', version: 1 });
    });
  });

  test('0012_template_versions starts the history of templates saved before it with their current version', async () => {
    const options = await databases.create();
    const before = MIGRATIONS.slice(0, ALL.indexOf('0012_template_versions'));
    await withStore({ ...options, migrations: before }, async (store) => {
      const t = { name: 'recon', title: 'Reconciliation', description: 'Bank to ledger', folder: 'recon', open: 'a.ipynb', parameters: '[{"name":"month","type":"month"}]', file_count: 2, size_bytes: 5, created_by: 'anna', created_at: 1, updated_by: 'ben', updated_at: 7, version: 3 };
      await store.db.insertInto('templates').values(t).execute();
      await before0012(store).insertInto('template_files').values([{ template: 'recon', path: 'a.ipynb', content: '{}' }, { template: 'recon', path: 'q.sql', content: 'x' }]).execute();
    });
    await withStore(options, async (store) => {
      expect(store.migrationsApplied).toEqual(ALL.slice(ALL.indexOf('0012_template_versions')));
      const v = await store.db.selectFrom('template_versions').selectAll().execute();
      expect(v.map((r) => ({ ...r, size_bytes: Number(r.size_bytes), saved_at: Number(r.saved_at) }))).toEqual([
        { template: 'recon', version: 3, title: 'Reconciliation', description: 'Bank to ledger', folder: 'recon', open: 'a.ipynb', parameters: '[{"name":"month","type":"month"}]', file_count: 2, size_bytes: 5, saved_by: 'ben', saved_at: 7, restored_from: null },
      ]);
      const files = await store.db.selectFrom('template_version_files').selectAll().orderBy('path').execute();
      expect(files).toEqual([
        { template: 'recon', version: 3, path: 'a.ipynb', content: '{}' },
        { template: 'recon', version: 3, path: 'q.sql', content: 'x' },
      ]);
      await expect(store.db.insertInto('template_version_files').values(files[0]!).execute().then(() => 'inserted', (e: unknown) => isUniqueViolation(e))).resolves.toBe(true);
    });
  });

  test('a failing migration rolls back and is not recorded', async () => {
    const options = await databases.create();
    const broken: StoreMigration = {
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'text').execute();
        await db.schema.createTable('users').addColumn('id', 'text').execute(); // exists: fails
      },
    };
    await withStore(options, async () => {});
    await expect(openStore({ ...options, migrations: [...MIGRATIONS, { name: '9001_broken', migration: broken }] })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^Cannot migrate the metadata store: migration 9001_broken failed: /),
    });
    await withStore(options, async (store) => {
      expect(await recordedMigrations(store.db, dialect)).toEqual(ALL);
      const tables = (await store.db.introspection.getTables()).map((t) => t.name);
      expect(tables).not.toContain('half_done');
    });
  });

  if (dialect === 'postgres') {
    test('replicas opening one new database at once all succeed, and each migration runs once', async () => {
      const options = await databases.create();
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(options)));
      try {
        expect(stores.flatMap((s) => s.migrationsApplied).sort()).toEqual(ALL);
        expect(stores.filter((s) => s.migrationsApplied.length > 0)).toHaveLength(1);
        expect(await recordedMigrations(stores[0]!.db, dialect)).toEqual(ALL);
      } finally {
        await Promise.all(stores.map((s) => s[Symbol.asyncDispose]()));
      }
    });

    test('replicas upgrading one database at once apply the new migration once', async () => {
      const options = await databases.create();
      await withStore(options, async () => {});
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ ...options, migrations: NEWER })));
      try {
        expect(stores.flatMap((s) => s.migrationsApplied)).toEqual(['9000_probe']);
      } finally {
        await Promise.all(stores.map((s) => s[Symbol.asyncDispose]()));
      }
    });
  }
});
