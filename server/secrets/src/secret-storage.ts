/**
 * What SecretStore needs from the metadata database: rows of the
 * `secrets` table (name pk, ciphertext, key_id, created_at, updated_at,
 * created_by). It only ever sees ciphertexts. server/app wires it to
 * server/store; MemorySecretStorage is the reference implementation.
 */

/** Everything about a secret except its ciphertext: safe to show. */
export interface SecretMetadata {
  name: string;
  /** The KEK id that wraps the data key (the same id the ciphertext names). */
  keyId: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: when the value last changed (a rewrap during rotation does not count). */
  updatedAt: string;
  createdBy: string;
}

export interface SecretRecord extends SecretMetadata {
  /** A wb1 envelope (see envelope.ts). */
  ciphertext: string;
}

export interface SecretStorage {
  get(name: string): Promise<SecretRecord | undefined>;
  /** Every secret's metadata (no ciphertexts), ordered by name. */
  list(): Promise<SecretMetadata[]>;
  /**
   * Insert, or replace the value of an existing name. On replace, keep the
   * row's createdAt and createdBy and take ciphertext, keyId and updatedAt
   * from `record` (SQL: INSERT ... ON CONFLICT (name) DO UPDATE SET
   * ciphertext, key_id, updated_at). Returns the row as stored.
   */
  upsert(record: SecretRecord): Promise<SecretMetadata>;
  /** True if a row was deleted. */
  delete(name: string): Promise<boolean>;
  /**
   * Compare-and-set used by key rotation: replace ciphertext and keyId
   * only if the row still holds `expected` (SQL: UPDATE ... WHERE name = ?
   * AND ciphertext = ?). False when the row changed or is gone, so a
   * rewrap never overwrites a value written concurrently. A single-row
   * update, atomic in any SQL database.
   */
  replaceCiphertext(name: string, expected: string, next: { ciphertext: string; keyId: string }): Promise<boolean>;
}
