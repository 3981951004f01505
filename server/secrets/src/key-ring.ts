/**
 * The key-encryption keys (KEKs) this process can use: one active key
 * that wraps new data keys, plus older (or, from the environment,
 * upcoming) keys that still unwrap. Backed by a key file, the
 * environment, or memory (tests, embedding).
 *
 * With a key file, another process (`workbench secrets rotate-key`) may
 * change the keys while this one runs: a ciphertext naming a key id this
 * ring does not know makes it re-read the file once, and `refresh()`
 * (called before every encryption) picks up a new active key, so a
 * rotation needs no restart. A key is made active only after the file
 * holding it is durably on disk, so nothing is ever encrypted under a key
 * a crash could lose.
 */
import { AppError, AsyncDisposableLike, Clock, KeyedQueue, Logger, silentLogger, systemClock } from '@workbench/core';
import { KeyFileFs, KeyFileVersion, readKeyFile, sameVersion, statKeyFile, withKeyFileLock, writeKeyFile } from './key-file';
import { generateKek, Kek, KeyInfo, KeySet } from './key-file-format';
import { ENV_SECRET_KEY, KeySource } from './key-source';

export interface KeyRingOptions {
  clock?: Clock;
  /** Filesystem calls for the key file; tests inject failures. */
  fs?: KeyFileFs;
  logger?: Logger;
}

type Backing = { kind: 'file'; path: string; version: KeyFileVersion | undefined } | { kind: 'env' } | { kind: 'memory' };

export class KeyRing implements AsyncDisposableLike {
  private state: KeySet;
  private byId = new Map<string, Kek>();
  private refreshing: Promise<void> | undefined;
  private reloading: Promise<void> | undefined;
  /** Bumped on every adopt, so a slow re-read never replaces a newer state. */
  private generation = 0;
  private readonly changes = new KeyedQueue();
  private disposed = false;
  private readonly clock: Clock;
  private readonly fs: KeyFileFs | undefined;
  private readonly logger: Logger;

  private constructor(
    private readonly backing: Backing,
    state: KeySet,
    options: KeyRingOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.fs = options.fs;
    this.logger = options.logger ?? silentLogger;
    this.state = state;
    this.adopt(state);
  }

  /** Open the ring a resolved KeySource describes (see key-source.ts for precedence). */
  static async open(source: KeySource, options: KeyRingOptions = {}): Promise<KeyRing> {
    if (source.kind === 'env') return new KeyRing({ kind: 'env' }, { active: source.active.id, keys: [source.active, ...source.decryptOnly] }, options);
    return KeyRing.fromFile(source.path, { ...options, createIfMissing: source.createIfMissing });
  }

  /**
   * Load a key file. When it does not exist and `createIfMissing`, a new
   * one with one fresh key is created (mode 0600, atomically; if another
   * process creates it at the same moment, that one is used).
   */
  static async fromFile(path: string, options: KeyRingOptions & { createIfMissing?: boolean } = {}): Promise<KeyRing> {
    const logger = options.logger ?? silentLogger;
    let loaded = await readKeyFile(path, options.fs);
    if (!loaded) {
      if (!options.createIfMissing) {
        throw new AppError(
          'unavailable',
          `Cannot load secret key file ${path}: it does not exist (a configured key file is never created implicitly; restore it, or unset the setting to use the default key file under the data directory)`,
        );
      }
      const kek = generateKek(new Date((options.clock ?? systemClock).now()));
      if (await writeKeyFile(path, { active: kek.id, keys: [kek] }, { exclusive: true, fs: options.fs })) {
        logger.info({ path, keyId: kek.id }, 'Created a new secret key file');
      }
      loaded = await readKeyFile(path, options.fs);
      if (!loaded) throw new AppError('unavailable', `Cannot load secret key file ${path}: it vanished right after it was created`);
    }
    return new KeyRing({ kind: 'file', path, version: loaded.version }, loaded.set, options);
  }

  /** A ring held only in memory (tests, embedding); rotation works but is not persisted. */
  static fromKeys(set: KeySet, options: KeyRingOptions = {}): KeyRing {
    return new KeyRing({ kind: 'memory' }, set, options);
  }

  /** A memory ring with one fresh key. */
  static generate(options: KeyRingOptions = {}): KeyRing {
    const kek = generateKek(new Date((options.clock ?? systemClock).now()));
    return new KeyRing({ kind: 'memory' }, { active: kek.id, keys: [kek] }, options);
  }

  /** Where the keys come from, for status output. */
  get source(): 'file' | 'env' | 'memory' {
    return this.backing.kind;
  }

  get activeId(): string {
    this.assertOpen();
    return this.state.active;
  }

  /** Key ids and dates, never key material. */
  info(): KeyInfo[] {
    this.assertOpen();
    return this.state.keys.map((k) => ({ id: k.id, ...(k.created ? { created: k.created } : {}), active: k.id === this.state.active }));
  }

  /** The key new data keys are wrapped with. Call `refresh()` first to see another process's rotation. */
  activeKey(): Kek {
    this.assertOpen();
    return this.byId.get(this.state.active)!;
  }

  /**
   * The key with this id. An id this ring does not know makes a
   * file-backed ring re-read its file once (another process may have
   * rotated); undefined when the key is still unknown.
   */
  async key(id: string): Promise<Kek | undefined> {
    this.assertOpen();
    const known = this.byId.get(id);
    if (known || this.backing.kind !== 'file') return known;
    // A forced read: a stat could miss a replacement with the same size and times.
    await this.refresh(true);
    return this.byId.get(id);
  }

  /**
   * Re-read the key file if it changed on disk (a stat when it did not;
   * `force` reads it regardless). Concurrent calls share one read. Fails
   * if the file is gone or broken: better to refuse new secrets than to
   * encrypt under keys no file holds.
   */
  refresh(force = false): Promise<void> {
    this.assertOpen();
    const backing = this.backing;
    if (backing.kind !== 'file') return Promise.resolve();
    const run = async () => {
      const generation = this.generation;
      if (!force && sameVersion(backing.version, await statKeyFile(backing.path, this.fs))) return;
      const loaded = await readKeyFile(backing.path, this.fs);
      if (!loaded) throw new AppError('unavailable', `Cannot load secret key file ${backing.path}: it no longer exists`);
      // A rotation in this process adopted a newer file meanwhile: what was read may be older.
      if (this.generation !== generation) return;
      const before = this.state.active;
      backing.version = loaded.version;
      this.adopt(loaded.set);
      if (loaded.set.active !== before) this.logger.info({ path: backing.path, keyId: loaded.set.active }, 'Secret key file changed: new active key');
    };
    if (force) return (this.reloading ??= run().finally(() => (this.reloading = undefined)));
    return (this.refreshing ??= run().finally(() => (this.refreshing = undefined)));
  }

  /**
   * Add a new random key and make it active. With a key file, the file is
   * re-read and rewritten under its lock (so a concurrent rotation in
   * another process cannot lose a key) and the new key becomes active here
   * only once the file holding it is durable. Stored secrets are not
   * touched: SecretStore.rotateKey rewraps them afterwards.
   */
  rotate(): Promise<KeyInfo> {
    return this.change('rotate the secret key', (set) => {
      const kek = generateKek(new Date(this.clock.now()), new Set(set.keys.map((k) => k.id)));
      return { active: kek.id, keys: [...set.keys, kek] };
    }).then((set) => this.info().find((k) => k.id === set.active)!);
  }

  /**
   * Remove a key for good. `assertUnused` runs under the key file lock
   * just before the write, and should throw if any ciphertext still
   * names the key. The active key cannot be retired.
   */
  async retire(id: string, assertUnused: () => Promise<void>): Promise<void> {
    await this.change(`retire secret key ${id}`, async (set) => {
      if (!set.keys.some((k) => k.id === id)) throw new AppError('not_found', `Cannot retire secret key ${id}: there is no such key`);
      if (set.active === id) throw new AppError('conflict', `Cannot retire secret key ${id}: it is the active key; rotate first`);
      await assertUnused();
      return { active: set.active, keys: set.keys.filter((k) => k.id !== id) };
    });
  }

  private change(what: string, edit: (set: KeySet) => KeySet | Promise<KeySet>): Promise<KeySet> {
    this.assertOpen();
    const backing = this.backing;
    if (backing.kind === 'env') {
      return Promise.reject(
        new AppError('unavailable', `Cannot ${what}: the keys come from ${ENV_SECRET_KEY}; change the environment instead (see @workbench/secrets README, "Keys from the environment")`),
      );
    }
    return this.changes.run('keys', async () => {
      if (backing.kind === 'memory') {
        const next = await edit(this.state);
        this.adopt(next);
        return next;
      }
      return withKeyFileLock(
        backing.path,
        async () => {
          const current = await readKeyFile(backing.path, this.fs);
          if (!current) throw new AppError('unavailable', `Cannot ${what}: the key file ${backing.path} no longer exists`);
          const next = await edit(current.set);
          await writeKeyFile(backing.path, next, { fs: this.fs });
          backing.version = await statKeyFile(backing.path, this.fs);
          this.adopt(next);
          return next;
        },
        this.fs,
      );
    });
  }

  private adopt(set: KeySet): void {
    this.generation++;
    // Own copies: dispose zeroes them, and must not zero a caller's buffers.
    set = { active: set.active, keys: set.keys.map((k) => ({ ...k, key: Buffer.from(k.key) })) };
    this.state = set;
    this.byId = new Map(set.keys.map((k) => [k.id, k]));
  }

  private assertOpen(): void {
    if (this.disposed) throw new AppError('unavailable', 'Cannot use secret keys: the key ring is closed');
  }

  /** Forget the keys (zeroing the buffers this ring holds). Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      for (const k of this.state.keys) k.key.fill(0);
      this.byId.clear();
    }
    return Promise.resolve();
  }
}
