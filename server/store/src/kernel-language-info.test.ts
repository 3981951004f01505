import { KernelLanguageInfoRepository } from './kernel-language-info';
import { openStore, type MetadataStore } from './store';
import { STORE_DIALECTS, testDatabases } from './testing';

describe.each(STORE_DIALECTS)('KernelLanguageInfoRepository on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  afterAll(() => databases[Symbol.asyncDispose]());
  beforeEach(async () => {
    store = await openStore(await databases.create());
  });
  afterEach(() => store[Symbol.asyncDispose]());

  test('keeps the last language_info per kernelspec, across reopening the store', async () => {
    const repo = new KernelLanguageInfoRepository(store.db, () => 5);
    expect(await repo.get('python3')).toBeUndefined();
    await repo.put('python3', { name: 'python', version: '3.11.2', codemirror_mode: { name: 'ipython', version: 3 } });
    await repo.put('python3', { name: 'python', version: '3.12.1' });
    await repo.put('sql', { name: 'sql' });
    expect(await repo.get('python3')).toEqual({ name: 'python', version: '3.12.1' });
    expect(await repo.get('sql')).toEqual({ name: 'sql' });
    expect(await store.db.selectFrom('kernel_language_info').select(['kernelspec', 'updated_at']).orderBy('kernelspec').execute()).toEqual([
      { kernelspec: 'python3', updated_at: 5 },
      { kernelspec: 'sql', updated_at: 5 },
    ]);
  });

  test('a row that is not a JSON object reads as none', async () => {
    const repo = new KernelLanguageInfoRepository(store.db);
    await store.db.insertInto('kernel_language_info').values([{ kernelspec: 'a', language_info: 'not json', updated_at: 1 }, { kernelspec: 'b', language_info: '[1]', updated_at: 1 }]).execute();
    expect(await repo.get('a')).toBeUndefined();
    expect(await repo.get('b')).toBeUndefined();
  });
});
