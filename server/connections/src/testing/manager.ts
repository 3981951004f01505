/**
 * A ConnectionManager for tests: a metadata store (SQLite) and a secret
 * store with a fresh key in a temp folder of its own, all disposed (and the
 * folder removed) together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type MetadataStore } from '@workbench/store';
import { KeyRing, SecretStore, StoreSecretStorage } from '@workbench/secrets';
import { ConnectionManager, type ConnectionManagerOptions } from '../connection-manager';

export interface TestConnections extends AsyncDisposable {
  /** The temp folder (the store's file is in it; tests may put their own files there). */
  dir: string;
  store: MetadataStore;
  secrets: SecretStore;
  connections: ConnectionManager;
}

export async function openTestConnections(options: { prefix?: string; dir?: string } & Omit<ConnectionManagerOptions, 'store' | 'secrets'> = {}): Promise<TestConnections> {
  const { prefix, dir: given, ...managerOptions } = options;
  const dir = given ?? mkdtempSync(join(tmpdir(), prefix ?? 'wb-conn-'));
  const store = await openStore({ sqlitePath: join(dir, 'workbench.db') });
  const secrets = await SecretStore.open({ storage: new StoreSecretStorage(store), keyRing: KeyRing.generate() });
  const connections = new ConnectionManager({ store, secrets, ...managerOptions });
  return {
    dir,
    store,
    secrets,
    connections,
    async [Symbol.asyncDispose]() {
      await connections[Symbol.asyncDispose]();
      await secrets[Symbol.asyncDispose]();
      await store[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
