/**
 * Secrets at rest (issue: "Secrets at rest"): named values encrypted with
 * envelope encryption (envelope.ts) under the key ring's active key,
 * stored through a SecretStorage, plus the redactor that keeps their
 * values out of everything that leaves the server.
 *
 * `get` returns plaintext for server-side use only (opening a database
 * connection, say): never put it in a response, a log field, an audit
 * record or a kernel's environment. `list` never returns values.
 */
import { abortError, AppError, AsyncDisposableLike, Clock, describeError, KeyedQueue, Logger, silentLogger, systemClock } from '@workbench/core';
import { envelopeKeyId, openSecret, parseEnvelope, sealSecret } from './envelope';
import { KeyInfo } from './key-file-format';
import { KeyRing } from './key-ring';
import { rewrapAll, RewrapReport } from './key-rotation';
import { RedactorOptions, SecretRedactor } from './redactor';
import { SecretMetadata, SecretStorage } from './secret-storage';

/** Names are identifiers, not data: letters and digits first, then also . _ : @ / - ; at most 200. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;
/** Credentials, keys and service-account files fit easily. */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretStoreOptions {
  storage: SecretStorage;
  keyRing: KeyRing;
  clock?: Clock;
  logger?: Logger;
  redactor?: RedactorOptions;
}

export interface RotationReport extends RewrapReport {
  previousKeyId: string;
}

export interface KeyUsage extends Partial<KeyInfo> {
  id: string;
  /** Secrets whose data key is wrapped with this key. */
  secrets: number;
  /** Secrets name it but the ring does not hold it: they cannot be decrypted. */
  missing: boolean;
}

export class SecretStore implements AsyncDisposableLike {
  private readonly storage: SecretStorage;
  private readonly ring: KeyRing;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly redactorOptions: RedactorOptions;
  /**
   * Every value this process has seen, including replaced and deleted
   * ones: an old password is still somebody's secret.
   */
  private readonly known = new Set<string>();
  private current: SecretRedactor | undefined;
  private readonly keyChanges = new KeyedQueue();
  private readonly lifetime = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private disposing: Promise<void> | undefined;

  constructor(options: SecretStoreOptions) {
    this.storage = options.storage;
    this.ring = options.keyRing;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.redactorOptions = options.redactor ?? {};
  }

  /**
   * A store whose redactor already knows every stored value (decrypting
   * each once). Secrets that cannot be decrypted are logged by name and
   * key id and skipped, so one bad row does not keep the server down.
   */
  static async open(options: SecretStoreOptions, opts: { signal?: AbortSignal } = {}): Promise<SecretStore> {
    const store = new SecretStore(options);
    await store.reloadRedactor(opts);
    return store;
  }

  /** Decrypt every stored secret into the redactor (for values written by another process). */
  async reloadRedactor(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const missingKeys = new Map<string, number>();
    for (const meta of await this.track(this.storage.list())) {
      if (opts.signal?.aborted) throw abortError(opts.signal, 'load secrets');
      try {
        await this.get(meta.name);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') continue;
        if (err instanceof AppError && err.details?.missingKeyId) {
          const id = err.details.missingKeyId as string;
          missingKeys.set(id, (missingKeys.get(id) ?? 0) + 1);
        } else {
          this.logger.error({ secret: meta.name, err: describeError(err) }, 'Cannot decrypt a stored secret');
        }
      }
    }
    for (const [keyId, count] of missingKeys) {
      this.logger.error({ keyId, secrets: count }, 'Stored secrets name a key the key ring does not hold: is this the key file (or WORKBENCH_SECRET_KEY) they were written with?');
    }
  }

  async put(name: string, value: string, by: string): Promise<SecretMetadata> {
    this.assertOpen();
    assertName(name, 'store');
    if (typeof value !== 'string' || value.length === 0) throw new AppError('bad_request', `Cannot store secret ${JSON.stringify(name)}: the value is empty`);
    if (Buffer.from(value, 'utf8').toString('utf8') !== value) {
      throw new AppError('bad_request', `Cannot store secret ${JSON.stringify(name)}: the value is not valid Unicode text`);
    }
    if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
      throw new AppError('payload_too_large', `Cannot store secret ${JSON.stringify(name)}: the value is larger than ${MAX_SECRET_BYTES / 1024} KiB`);
    }
    // Known before it is stored: from here on it may show up somewhere.
    this.remember(value);
    // See another process's rotation before choosing the key.
    await this.track(this.ring.refresh());
    const kek = this.ring.activeKey();
    const now = new Date(this.clock.now()).toISOString();
    return this.track(this.storage.upsert({ name, ciphertext: sealSecret(name, value, kek), keyId: kek.id, createdAt: now, updatedAt: now, createdBy: by }));
  }

  /** The plaintext, for server-side use only. */
  async get(name: string): Promise<string> {
    this.assertOpen();
    assertName(name, 'read');
    const row = await this.track(this.storage.get(name));
    if (!row) throw new AppError('not_found', `Cannot read secret ${JSON.stringify(name)}: there is no such secret`);
    const envelope = parseEnvelope(row.ciphertext, name);
    const kek = await this.track(this.ring.key(envelope.keyId));
    if (!kek) {
      throw new AppError(
        'unavailable',
        `Cannot decrypt secret ${JSON.stringify(name)}: its key ${envelope.keyId} is not in the key ring (it was retired, or this is not the key file or WORKBENCH_SECRET_KEY it was written with)`,
        { details: { missingKeyId: envelope.keyId } },
      );
    }
    const value = openSecret(name, envelope, kek);
    this.remember(value);
    return value;
  }

  /** Names and metadata, never values. */
  list(): Promise<SecretMetadata[]> {
    this.assertOpen();
    return this.track(this.storage.list());
  }

  /** True if it existed. Its value stays in the redactor for this process's life. */
  delete(name: string): Promise<boolean> {
    this.assertOpen();
    assertName(name, 'delete');
    return this.track(this.storage.delete(name));
  }

  /** The redactor for every value this process knows (rebuilt lazily after a change). */
  get redactor(): SecretRedactor {
    this.current ??= new SecretRedactor(this.known, this.redactorOptions);
    return this.current;
  }

  /** `text` with every known secret value replaced by [REDACTED]. Synchronous, for log hooks. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /**
   * Rotate without downtime: a new key, durably in the key file and
   * active, then every secret's data key rewrapped under it one at a time
   * (see key-rotation.ts for why readers never fail meanwhile). Values are
   * not re-encrypted. A secret that cannot be rewrapped is reported and
   * keeps its old key.
   */
  rotateKey(opts: { signal?: AbortSignal } = {}): Promise<RotationReport> {
    this.assertOpen();
    return this.track(
      this.keyChanges.run('keys', async () => {
        const previousKeyId = this.ring.activeId;
        await this.ring.rotate();
        const report = await rewrapAll(this.storage, this.ring, { signal: this.signal(opts.signal), logger: this.logger });
        return { previousKeyId, ...report };
      }),
    );
  }

  /** Rewrap whatever is not yet under the active key: finishes a rotation that was interrupted. */
  rewrap(opts: { signal?: AbortSignal } = {}): Promise<RewrapReport> {
    this.assertOpen();
    return this.track(this.keyChanges.run('keys', () => rewrapAll(this.storage, this.ring, { signal: this.signal(opts.signal), logger: this.logger })));
  }

  /**
   * Delete a key from the key ring for good. Refused while any stored
   * ciphertext names it (checked under the key file lock, on the
   * ciphertexts themselves, not just the key_id column). Database backups
   * taken before the rewrap need the retired key: keep a copy of the old
   * key file with them.
   */
  retireKey(id: string): Promise<void> {
    this.assertOpen();
    return this.track(
      this.keyChanges.run('keys', () =>
        this.ring.retire(id, async () => {
          const users: string[] = [];
          for (const meta of await this.storage.list()) {
            const row = await this.storage.get(meta.name);
            if (!row) continue;
            // Any ciphertext naming the key counts, even one too damaged to decrypt.
            const kid = envelopeKeyId(row.ciphertext) ?? row.ciphertext.split(':')[1];
            if (kid === id || row.keyId === id) users.push(meta.name);
          }
          if (users.length > 0) {
            throw new AppError('conflict', `Cannot retire secret key ${id}: ${users.length} secret(s) still use it; rewrap them first (rotate-key does, and resumes an interrupted rewrap)`, {
              details: { secrets: users.slice(0, 20) },
            });
          }
        }),
      ),
    );
  }

  /** Each key the ring holds or a stored secret names, with how many secrets use it. */
  async keyUsage(): Promise<KeyUsage[]> {
    this.assertOpen();
    const counts = new Map<string, number>();
    for (const meta of await this.track(this.storage.list())) counts.set(meta.keyId, (counts.get(meta.keyId) ?? 0) + 1);
    const usage: KeyUsage[] = this.ring.info().map((k) => ({ ...k, secrets: counts.get(k.id) ?? 0, missing: false }));
    for (const [id, secrets] of counts) if (!usage.some((u) => u.id === id)) usage.push({ id, secrets, missing: true });
    return usage;
  }

  private remember(value: string): void {
    if (this.known.has(value)) return;
    this.known.add(value);
    this.current = undefined;
  }

  private signal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const done = () => this.running.delete(p);
    p.then(done, done);
    return p;
  }

  private assertOpen(): void {
    if (this.disposing) throw new AppError('unavailable', 'Cannot use secrets: the secret store is closed');
  }

  /**
   * Abort a running rewrap (it stops between secrets, leaving every row
   * decryptable), wait for in-flight calls, forget known values. Does not
   * dispose the key ring or the storage, which the caller owns.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      this.lifetime.abort(new AppError('unavailable', 'Cannot finish: the secret store is closing'));
      await Promise.allSettled([...this.running]);
      this.known.clear();
      this.current = undefined;
    })();
    return this.disposing;
  }
}

function assertName(name: string, action: string): void {
  if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name)) {
    throw new AppError('bad_request', `Cannot ${action} secret ${JSON.stringify(String(name).slice(0, 210))}: names are 1 to 200 characters of A-Z a-z 0-9 . _ : @ / - starting with a letter or digit`);
  }
}
