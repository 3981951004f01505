/**
 * SecretStorage in memory: the reference implementation of the contract
 * (tests, embedding). Records are copied in and out, as a database would.
 */
import { SecretMetadata, SecretRecord, SecretStorage } from './secret-storage';

function metadata(r: SecretRecord): SecretMetadata {
  return { name: r.name, keyId: r.keyId, createdAt: r.createdAt, updatedAt: r.updatedAt, createdBy: r.createdBy };
}

export class MemorySecretStorage implements SecretStorage {
  private readonly rows = new Map<string, SecretRecord>();

  async get(name: string): Promise<SecretRecord | undefined> {
    const row = this.rows.get(name);
    return row && { ...row };
  }

  async list(): Promise<SecretMetadata[]> {
    return [...this.rows.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(metadata);
  }

  async upsert(record: SecretRecord): Promise<SecretMetadata> {
    const existing = this.rows.get(record.name);
    const row = existing
      ? { ...existing, ciphertext: record.ciphertext, keyId: record.keyId, updatedAt: record.updatedAt }
      : { ...record };
    this.rows.set(record.name, row);
    return metadata(row);
  }

  async delete(name: string): Promise<boolean> {
    return this.rows.delete(name);
  }

  async replaceCiphertext(name: string, expected: string, next: { ciphertext: string; keyId: string }): Promise<boolean> {
    const row = this.rows.get(name);
    if (!row || row.ciphertext !== expected) return false;
    this.rows.set(name, { ...row, ciphertext: next.ciphertext, keyId: next.keyId });
    return true;
  }

  /** Raw rows, for tests that inspect or tamper with what is "in the database". */
  dump(): SecretRecord[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  /** Overwrite a raw row (tests: tampering, copying a ciphertext to another name). */
  setRaw(record: SecretRecord): void {
    this.rows.set(record.name, { ...record });
  }
}
