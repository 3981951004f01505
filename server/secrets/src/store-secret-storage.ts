/**
 * SecretStorage over the metadata store's `secrets` table (SQLite or
 * PostgreSQL through kysely). Times are epoch ms in the table and ISO 8601
 * in the SecretStorage contract. Only ciphertexts ever reach the table.
 */
import type { MetadataStore, Selectable, SecretsTable } from '@workbench/store';
import { SecretMetadata, SecretRecord, SecretStorage } from './secret-storage';

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoText: string) => {
  const t = Date.parse(isoText);
  if (Number.isNaN(t)) throw new TypeError(`Cannot store secret: ${JSON.stringify(isoText)} is not an ISO 8601 time`);
  return t;
};

function metadata(row: Pick<Selectable<SecretsTable>, 'name' | 'key_id' | 'created_at' | 'updated_at' | 'created_by'>): SecretMetadata {
  return { name: row.name, keyId: row.key_id, createdAt: iso(Number(row.created_at)), updatedAt: iso(Number(row.updated_at)), createdBy: row.created_by ?? '' };
}

export class StoreSecretStorage implements SecretStorage {
  constructor(private readonly store: MetadataStore) {}

  async get(name: string): Promise<SecretRecord | undefined> {
    const row = await this.store.db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { ...metadata(row), ciphertext: row.ciphertext };
  }

  async list(): Promise<SecretMetadata[]> {
    const rows = await this.store.db.selectFrom('secrets').select(['name', 'key_id', 'created_at', 'updated_at', 'created_by']).orderBy('name').execute();
    return rows.map(metadata);
  }

  async upsert(record: SecretRecord): Promise<SecretMetadata> {
    const row = await this.store.db
      .insertInto('secrets')
      .values({ name: record.name, ciphertext: record.ciphertext, key_id: record.keyId, created_at: ms(record.createdAt), updated_at: ms(record.updatedAt), created_by: record.createdBy || null })
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ ciphertext: eb.ref('excluded.ciphertext'), key_id: eb.ref('excluded.key_id'), updated_at: eb.ref('excluded.updated_at') })))
      .returning(['name', 'key_id', 'created_at', 'updated_at', 'created_by'])
      .executeTakeFirstOrThrow();
    return metadata(row);
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.store.db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async replaceCiphertext(name: string, expected: string, next: { ciphertext: string; keyId: string }): Promise<boolean> {
    const r = await this.store.db.updateTable('secrets').set({ ciphertext: next.ciphertext, key_id: next.keyId }).where('name', '=', name).where('ciphertext', '=', expected).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
