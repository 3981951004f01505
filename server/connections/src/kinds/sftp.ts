/**
 * SFTP servers (bank statement drops, auditors' exchanges): host, port,
 * user, the folder the connection is for, and the server's host key
 * pinned by its SHA256 fingerprint as `ssh-keygen -lf` prints it. The
 * credential is a password or a private key (OpenSSH or PEM, with its
 * passphrase when encrypted).
 *
 * A pinned key that does not match refuses the connection before logging
 * in, so the credential never reaches an impostor. Without a pin any key
 * is accepted, and `test` shows the server's fingerprint to pin.
 *
 * `test` connects, then stats and lists the root folder, and tells apart:
 * the host name, a refused connection, a timeout (no SSH handshake), the
 * host key, the login, the key itself, no such folder, and permission.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { utils as ssh2Utils, type Client as Ssh2Client } from 'ssh2';
import { z } from 'zod';
import { AppError, silentLogger, type Logger } from '@workbench/core';
import { startTest, type TestOptions, type TestResult, type TestStage } from '../test-result';
import type { KindDriver } from './driver';
import { diagnoseNetwork } from './network-errors';

/** "SHA256:" and 43 characters of unpadded base64 (a SHA-256 digest), the form `ssh-keygen -lf` prints. */
const FINGERPRINT = /^(?:SHA256:)?([A-Za-z0-9+/]{43})=?$/;

export const sftpSettingsSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(255),
    /** The folder the connection is for, absolute or relative to the login folder. */
    root: z.string().min(1).max(4096).default('.'),
    /** The server's host key, "SHA256:<base64>" as `ssh-keygen -lf <key>.pub` prints it. Absent: any key is accepted (test shows it). */
    host_key_fingerprint: z
      .string()
      .regex(FINGERPRINT, 'must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:<43 base64 characters>)')
      .transform((v) => `SHA256:${FINGERPRINT.exec(v)![1]}`)
      .optional(),
    timeouts: z
      .object({
        /** Until logged in (TCP, SSH handshake, authentication). */
        connect_s: z.number().int().min(1).max(120).default(10),
      })
      .strict()
      .default({ connect_s: 10 }),
  })
  .strict();
export type SftpSettings = z.infer<typeof sftpSettingsSchema>;

export const sftpCredentialSchema = z
  .object({
    password: z.string().min(1).max(1024).optional(),
    /** OpenSSH or PEM private key. */
    private_key: z.string().min(1).max(65536).optional(),
    passphrase: z.string().min(1).max(1024).optional(),
  })
  .strict()
  .refine((c) => (c.password === undefined) !== (c.private_key === undefined), 'must hold a password or a private_key (not both)')
  .refine((c) => c.passphrase === undefined || c.private_key !== undefined, 'passphrase goes with a private_key');
export type SftpCredential = z.infer<typeof sftpCredentialSchema>;

/** The fingerprint of a host key (its wire-format blob) as `ssh-keygen -lf` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A logged-in SFTP session; whoever got it ends it. */
export class SftpConnection implements AsyncDisposable {
  private ending: Promise<void> | undefined;
  constructor(
    /** The ssh2-sftp-client client (stat, list, get, put, ...). */
    readonly client: SftpClient,
    /** The connection's folder. */
    readonly root: string,
    readonly hostKeyFingerprint: string,
    private readonly onEnd: (c: SftpConnection) => void = () => undefined,
  ) {}

  /** `name` under the root folder. */
  path(name: string): string {
    return posix.join(this.root, name);
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  end(): Promise<void> {
    this.ending ??= this.client
      .end()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.onEnd(this));
    return this.ending;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.end();
  }
}

type Dialed = { ok: true; client: SftpClient; fingerprint: string } | { ok: false; stage: TestStage; message: string; fingerprint?: string };

interface Ssh2Error {
  level?: string;
  code?: string;
  message?: string;
}

/** Connect and log in; never throws. */
async function dial(s: SftpSettings, c: SftpCredential | undefined, signal: AbortSignal | undefined, logger: Logger, name: string): Promise<Dialed> {
  const where = `${s.host}:${s.port}`;
  const login = `log in to ${where} as ${s.username}`;
  if (!c) return { ok: false, stage: 'auth', message: `Cannot ${login}: no credential is stored (a password or a private key)` };
  if (c.private_key !== undefined) {
    // Read here first so that a bad key or passphrase is told apart from a refused login.
    const parsed = ssh2Utils.parseKey(c.private_key, c.passphrase);
    if (parsed instanceof Error) {
      // ssh2 says this only in text.
      const encrypted = /encrypted|passphrase|integrity check failed/i.test(parsed.message);
      return { ok: false, stage: 'auth', message: `Cannot use the private key for ${s.username}: ${encrypted ? (c.passphrase ? 'the passphrase is wrong' : 'it is encrypted and no passphrase is stored') : 'it is not a private key in a format that can be read (OpenSSH or PEM)'}` };
    }
  }
  const client = new SftpClient(name, {
    error: (err: unknown) => logger.warn({ connection: name, err: err instanceof Error ? err.message : String(err) }, 'SFTP connection failed'),
    end: () => undefined,
    close: () => undefined,
  });
  let sshError: Ssh2Error | undefined;
  // ssh2-sftp-client keeps ssh2's error code but not its level (authentication, timeout): listen to ssh2 itself.
  (client as unknown as { client: Ssh2Client }).client.on('error', (err: Ssh2Error) => {
    sshError ??= err;
  });
  let fingerprint: string | undefined;
  let mismatch = false;
  const abort = () => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect({
      host: s.host,
      port: s.port,
      username: s.username,
      ...(c.password !== undefined ? { password: c.password } : { privateKey: c.private_key, ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}) }),
      readyTimeout: s.timeouts.connect_s * 1000,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        fingerprint = fingerprintOf(key);
        mismatch = s.host_key_fingerprint !== undefined && fingerprint !== s.host_key_fingerprint;
        return !mismatch;
      },
    });
    return { ok: true, client, fingerprint: fingerprint ?? '' };
  } catch (err) {
    await client.end().catch(() => undefined);
    const seen = fingerprint === undefined ? {} : { fingerprint };
    if (signal?.aborted) return { ok: false, stage: 'timeout', message: `Cannot ${login}: cancelled`, ...seen };
    if (mismatch) {
      return {
        ok: false,
        stage: 'hostkey',
        message: `Cannot trust ${where}: its host key is ${fingerprint}, not the pinned ${s.host_key_fingerprint}; the server's key changed or another machine answers (check with its administrator before pinning the new one)`,
        ...seen,
      };
    }
    const e: Ssh2Error = sshError ?? (err as Ssh2Error);
    const net = diagnoseNetwork(e.code ? e : err, s.host, `connect to ${where}`);
    if (net) return { ok: false, ...net, ...seen };
    if (e.level === 'client-timeout') return { ok: false, stage: 'timeout', message: `Cannot connect to ${where}: no SSH handshake within ${s.timeouts.connect_s} s (is it an SSH server?)`, ...seen };
    if (e.level === 'client-authentication') {
      const why = c.password !== undefined ? 'the password is wrong, or the account may not log in' : 'the key is not authorized for this user, or the account may not log in';
      return { ok: false, stage: 'auth', message: `Cannot ${login}: ${why}`, ...seen };
    }
    const text = (e.message ?? String(err)).replace(/^getConnection: /, '');
    return { ok: false, stage: 'network', message: `Cannot connect to ${where}: ${text}`, ...seen };
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

const code = (err: unknown) => (err as { code?: unknown }).code;
const isMissing = (err: unknown) => code(err) === 'ENOENT' || code(err) === 2;
const isDenied = (err: unknown) => code(err) === 'EACCES' || code(err) === 3;

export async function testSftp(s: SftpSettings, c: SftpCredential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  const where = `${s.host}:${s.port}`;
  const d = await dial(s, c, options.signal, silentLogger, 'workbench-test');
  if (!d.ok) return done(d.stage, d.message, d.fingerprint ? { host_key_fingerprint: d.fingerprint } : {});
  const key = { host_key_fingerprint: d.fingerprint };
  const abort = () => void d.client.end().catch(() => undefined);
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    let isDir: boolean;
    try {
      isDir = (await d.client.stat(s.root)).isDirectory;
    } catch (err) {
      if (isMissing(err)) return done('not_found', `Cannot find ${s.root} on ${where}: no such file or folder`, key);
      if (isDenied(err)) return done('permission', `Cannot see ${s.root} on ${where} as ${s.username}: permission denied`, key);
      throw err;
    }
    if (!isDir) return done('not_found', `Cannot list ${s.root} on ${where}: it is a file, not a folder`, key);
    let entries: number;
    try {
      entries = (await d.client.list(s.root)).length;
    } catch (err) {
      if (isDenied(err)) return done('permission', `Cannot list ${s.root} on ${where} as ${s.username}: permission denied`, key);
      if (isMissing(err)) return done('not_found', `Cannot find ${s.root} on ${where}: no such folder`, key);
      throw err;
    }
    const pin = s.host_key_fingerprint ? '' : `; its host key is not pinned: ${d.fingerprint} (check it with the server's administrator, then put it in settings.host_key_fingerprint)`;
    return done('ok', `Connected to ${where} as ${s.username}: ${s.root} has ${entries} entr${entries === 1 ? 'y' : 'ies'}${pin}`, key);
  } catch (err) {
    if (options.signal?.aborted) return done('timeout', `Cannot check ${s.root} on ${where}: cancelled`, key);
    return done('query', `Cannot check ${s.root} on ${where}: ${err instanceof Error ? err.message : String(err)}`, key);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await d.client.end().catch(() => undefined);
  }
}

/** Connect and log in; the caller ends the connection. A failure is an AppError ('unavailable', or 'timeout') saying why, as `test` would. */
export async function connectSftp(s: SftpSettings, c: SftpCredential | undefined, options: { signal?: AbortSignal; logger?: Logger; name?: string; onEnd?: (c: SftpConnection) => void } = {}): Promise<SftpConnection> {
  const logger = options.logger ?? silentLogger;
  const name = options.name ?? `${s.host}:${s.port}`;
  const d = await dial(s, c, options.signal, logger, name);
  if (!d.ok) throw new AppError(d.stage === 'timeout' ? 'timeout' : 'unavailable', d.message, { details: { stage: d.stage } });
  if (!s.host_key_fingerprint) logger.warn({ connection: name, host_key_fingerprint: d.fingerprint }, 'SFTP host key not pinned: any key is accepted');
  return new SftpConnection(d.client, s.root, d.fingerprint, options.onEnd);
}

export const sftpDriver: KindDriver<'sftp', SftpSettings, SftpCredential> = {
  kind: 'sftp',
  settingsSchema: sftpSettingsSchema,
  credentialSchema: sftpCredentialSchema,
  test: testSftp,
};
