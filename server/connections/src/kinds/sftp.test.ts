/**
 * SFTP connections against a real OpenSSH sshd of the test's own (a
 * dedicated user with a password and authorized keys; see
 * ../testing/sshd.ts): host key pinning as `ssh-keygen -lf` prints it,
 * each way the test can fail, no credential in any message, and the
 * sessions the manager hands out.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isAppError } from '@workbench/core';
import { ConnectionManager } from '../connection-manager';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { startTestSshd, type TestSshd } from '../testing/sshd';
import { sftpSettingsSchema, testSftp, type SftpCredential } from './sftp';

jest.setTimeout(60_000);

let sshd: TestSshd;
let silent: Server;
const silentSockets = new Set<Socket>();
let managed: TestConnections;
let connections: ConnectionManager;

const settings = (extra: object = {}) => sftpSettingsSchema.parse({ host: sshd.host, port: sshd.port, username: sshd.username, root: join(sshd.home, 'data'), host_key_fingerprint: sshd.hostKeyFingerprint, timeouts: { connect_s: 5 }, ...extra });
const password = (): SftpCredential => ({ password: sshd.password });

beforeAll(async () => {
  sshd = await startTestSshd();
  // Accepts TCP and never says a word: no SSH handshake.
  silent = createServer((s) => {
    silentSockets.add(s);
    s.on('error', () => undefined).on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  managed = await openTestConnections({ prefix: 'wb-conn-sftp-' });
  ({ connections } = managed);
});

afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  if (silent) {
    for (const s of silentSockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
  await sshd?.[Symbol.asyncDispose]();
});

describe('sftp test', () => {
  it('logs in with a password, a key or an encrypted key, checks the pinned host key, and lists the root', async () => {
    for (const credential of [password(), { private_key: sshd.privateKey }, { private_key: sshd.encryptedKey.privateKey, passphrase: sshd.encryptedKey.passphrase }]) {
      const r = await testSftp(settings(), credential);
      expect(r).toMatchObject({ ok: true, stage: 'ok', message: `Connected to 127.0.0.1:${sshd.port} as ${sshd.username}: ${join(sshd.home, 'data')} has 2 entries`, host_key_fingerprint: sshd.hostKeyFingerprint });
    }
  });

  it('shows the host key to pin when none is pinned; takes a pin with or without "SHA256:"', async () => {
    const r = await testSftp(settings({ host_key_fingerprint: undefined }), password());
    expect(r).toMatchObject({ ok: true, host_key_fingerprint: sshd.hostKeyFingerprint });
    expect(r.message).toContain(`its host key is not pinned: ${sshd.hostKeyFingerprint} (check it with the server's administrator, then put it in settings.host_key_fingerprint)`);
    expect(settings({ host_key_fingerprint: sshd.hostKeyFingerprint.slice('SHA256:'.length) }).host_key_fingerprint).toBe(sshd.hostKeyFingerprint);
  });

  it('says exactly what failed: host name, port, handshake, host key, login, key, path, permission', async () => {
    const otherKey = `SHA256:${'A'.repeat(43)}`;
    const wrong = 'Wrong-Password-Value-42';
    const cases: [object, SftpCredential | undefined, string, RegExp][] = [
      [{ host: 'no-such-host.invalid' }, password(), 'dns', /^Cannot resolve host no-such-host\.invalid: no such host name \(DNS\)$/],
      [{ port: 1 }, password(), 'network', /^Cannot connect to 127\.0\.0\.1:1: connection refused/],
      [{ port: (silent.address() as { port: number }).port, timeouts: { connect_s: 1 } }, password(), 'timeout', /^Cannot connect to 127\.0\.0\.1:\d+: no SSH handshake within 1 s \(is it an SSH server\?\)$/],
      [{ host_key_fingerprint: otherKey }, password(), 'hostkey', new RegExp(`^Cannot trust 127\\.0\\.0\\.1:${sshd.port}: its host key is ${escape(sshd.hostKeyFingerprint)}, not the pinned ${otherKey}; `)],
      [{}, { password: wrong }, 'auth', new RegExp(`^Cannot log in to 127\\.0\\.0\\.1:${sshd.port} as ${sshd.username}: the password is wrong, or the account may not log in$`)],
      [{ username: 'nobody-here' }, password(), 'auth', /^Cannot log in to .* as nobody-here: the password is wrong/],
      [{}, { private_key: sshd.strangerKey }, 'auth', /: the key is not authorized for this user, or the account may not log in$/],
      [{}, { private_key: sshd.encryptedKey.privateKey, passphrase: wrong }, 'auth', /^Cannot use the private key for .*: the passphrase is wrong$/],
      [{}, { private_key: sshd.encryptedKey.privateKey }, 'auth', /^Cannot use the private key for .*: it is encrypted and no passphrase is stored$/],
      [{}, { private_key: 'not a key at all' }, 'auth', /^Cannot use the private key for .*: it is not a private key in a format that can be read/],
      [{}, undefined, 'auth', /: no credential is stored \(a password or a private key\)$/],
      [{ root: join(sshd.home, 'nope') }, password(), 'not_found', /^Cannot find .*\/nope on .*: no such file or folder$/],
      [{ root: join(sshd.home, 'data', 'readme.txt') }, password(), 'not_found', /^Cannot list .*readme\.txt on .*: it is a file, not a folder$/],
      [{ root: join(sshd.home, 'locked') }, password(), 'permission', new RegExp(`^Cannot list .*/locked on .* as ${sshd.username}: permission denied$`)],
    ];
    for (const [s, credential, stage, message] of cases) {
      const r = await testSftp(settings(s), credential);
      expect([s, r.ok, r.stage, r.message]).toEqual([s, false, stage, expect.stringMatching(message)]);
      for (const secret of [wrong, sshd.password, sshd.encryptedKey.passphrase]) expect(r.message).not.toContain(secret);
    }
  });
});

describe('sftp connections', () => {
  it('hands out sessions the caller ends; rotates from a password to a key; ends what is open at dispose', async () => {
    await connections.create({ name: 'bank-drop', kind: 'sftp', settings: settings(), credential: password() }, 'emil');
    expect(JSON.stringify(await connections.get('bank-drop'))).not.toContain(sshd.password);
    expect(await connections.test('bank-drop')).toMatchObject({ ok: true });
    const names = await connections.withSftp('bank-drop', async (session) => (await session.client.list(session.root)).map((e) => e.name).sort());
    expect(names).toEqual(['exports', 'readme.txt']);
    const session = await connections.sftp('bank-drop');
    expect(String(await session.client.get(session.path('exports/trial-balance.csv')))).toBe('account,balance\n1000,12.50\n');
    await session.end();
    expect(session.ended).toBe(true);

    // A key instead of the password: staged, tested, switched.
    const staged = await connections.stageRotation('bank-drop', { private_key: sshd.privateKey }, 'emil');
    expect(staged.test).toMatchObject({ ok: true });
    await connections.activateRotation('bank-drop', 'emil');
    expect(await connections.withSftp('bank-drop', async (s) => (await s.client.stat(s.root)).isDirectory)).toBe(true);

    // A pin that does not match: refused before logging in, with the reason.
    await connections.update('bank-drop', { settings: settings({ host_key_fingerprint: `SHA256:${'B'.repeat(43)}` }) }, 'emil');
    const refused = await connections.sftp('bank-drop').catch((e: unknown) => e);
    expect(isAppError(refused, 'unavailable') && refused.message).toMatch(/^Cannot trust 127\.0\.0\.1:\d+: its host key is SHA256:/);
    await connections.update('bank-drop', { settings: settings() }, 'emil');

    // Disposal ends a session its user left open.
    const other = new ConnectionManager({ store: managed.store, secrets: managed.secrets });
    const left = await other.sftp('bank-drop');
    await other[Symbol.asyncDispose]();
    expect(left.ended).toBe(true);
    await expect(other.sftp('bank-drop')).rejects.toThrow(/the server is shutting down/);
    await connections.delete('bank-drop');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
