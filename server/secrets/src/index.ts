/**
 * @workbench/secrets: secrets at rest. AES-256-GCM envelope encryption
 * under key-encryption keys with ids, rotation without downtime, and a
 * redactor that keeps secret values out of logs, audit records and
 * responses. Formats and threat model: ../README.md.
 */
export { SecretStore, SECRET_NAME_PATTERN, MAX_SECRET_BYTES } from './secret-store';
export type { SecretStoreOptions, RotationReport, KeyUsage } from './secret-store';
export type { RewrapReport } from './key-rotation';
export type { SecretStorage, SecretRecord, SecretMetadata } from './secret-storage';
export { MemorySecretStorage } from './memory-secret-storage';
export { KeyRing } from './key-ring';
export type { KeyRingOptions } from './key-ring';
export { resolveKeySource, ENV_SECRET_KEY, ENV_SECRET_DECRYPT_KEYS, ENV_SECRET_KEY_FILE } from './key-source';
export type { KeySource, KeySourceInput } from './key-source';
export { KEY_FILE_VERSION, KEY_BYTES, KEY_ID_PATTERN, parseKeyFile, serializeKeyFile, deriveKeyId } from './key-file-format';
export type { Kek, KeySet, KeyInfo } from './key-file-format';
export type { KeyFileFs } from './key-file';
export { ENVELOPE_VERSION, envelopeKeyId } from './envelope';
export { SecretRedactor, REDACTED, MIN_REDACT_LENGTH } from './redactor';
export type { RedactorOptions } from './redactor';
export { redactDeep, redactingLogger, pinoRedaction, PINO_REDACT_PATHS } from './redacting-logger';
export type { Redact } from './redacting-logger';
export { StoreSecretStorage } from './store-secret-storage';
export { sealField, openField, rewrapField } from './field-cipher';
