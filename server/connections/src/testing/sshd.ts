/**
 * An SSH server of the test's own: Debian's OpenSSH `sshd` (package
 * openssh-server) run in the foreground (`-D -e`) on 127.0.0.1 with a
 * configuration, host key and authorized_keys in a temporary folder, and
 * SFTP served in-process (`internal-sftp`). Nothing of the machine's own
 * SSH setup (/etc/ssh) is used.
 *
 * Logins need a real account (sshd checks passwords against
 * /etc/shadow), so a dedicated user `wb-sftp-<pid>` is made with
 * useradd/chpasswd for the test's life and removed at dispose; a user left
 * behind by a test process that died is removed at the next start. This
 * needs root, as the tests run here and in CI (sshd also needs root to
 * switch to the user).
 *
 * Ready is sshd's own "Server listening on" line on stderr, never a sleep.
 * The port is probed free just before the start; a clash fails the start
 * with sshd's message (never retried).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const SSHD = '/usr/sbin/sshd';
const USER_PREFIX = 'wb-sftp-';

export interface TestSshd extends AsyncDisposable {
  host: '127.0.0.1';
  port: number;
  /** The login that may use it, with its password. */
  username: string;
  password: string;
  /** A private key authorized for the user (OpenSSH format, unencrypted), and one encrypted with `passphrase`. */
  privateKey: string;
  encryptedKey: { privateKey: string; passphrase: string };
  /** A key that is not authorized. */
  strangerKey: string;
  /** The host key's fingerprint exactly as `ssh-keygen -lf` prints it ("SHA256:..."). */
  hostKeyFingerprint: string;
  /** The user's home (owned by the user): `data/` with files, `locked/` that only root may read. */
  home: string;
  /** sshd's log so far (stderr), for a failing test to show. */
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Users made by test processes that are gone. */
function removeStaleUsers(): void {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const name = line.split(':')[0] ?? '';
    if (!name.startsWith(USER_PREFIX)) continue;
    const pid = Number(name.slice(USER_PREFIX.length));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) execFileSync('userdel', ['--force', name], { stdio: 'ignore' });
  }
}

function keygen(file: string, type: 'ed25519' | 'rsa', passphrase = ''): string {
  // Few KDF rounds for an encrypted key (default 16): the test decrypts it often, in ssh2's JavaScript bcrypt.
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), ...(passphrase ? ['-a', '2'] : []), '-N', passphrase, '-C', 'workbench-test', '-f', file], { stdio: 'ignore' });
  return readFileSync(file, 'utf8');
}

export async function startTestSshd(): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`Cannot start a test sshd: ${SSHD} is missing (Debian package openssh-server; scripts/setup.js --test installs it)`);
  if (process.getuid?.() !== 0) throw new Error('Cannot start a test sshd: it needs root (to add a test user and let sshd switch to it), as in CI');
  removeStaleUsers();
  const dir = mkdtempSync(join(tmpdir(), 'wb-sshd-'));
  chmodSync(dir, 0o755); // the user's home is inside
  const username = `${USER_PREFIX}${process.pid}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  let userMade = false;
  let child: ChildProcess | undefined;
  // sshd wants its privilege separation folder (made by the service unit, which does not run here).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
  const cleanup = () => {
    if (userMade) execFileSync('userdel', ['--force', username], { stdio: 'ignore' });
    userMade = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const home = join(dir, 'home');
    execFileSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', username], { stdio: 'pipe' });
    userMade = true;
    execFileSync('chpasswd', [], { input: `${username}:${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    const uid = Number(execFileSync('id', ['-u', username]).toString());
    const gid = Number(execFileSync('id', ['-g', username]).toString());
    mkdirSync(join(home, 'data', 'exports'), { recursive: true });
    writeFileSync(join(home, 'data', 'exports', 'trial-balance.csv'), 'account,balance\n1000,12.50\n');
    writeFileSync(join(home, 'data', 'readme.txt'), 'files for the workbench\n');
    for (const p of [home, join(home, 'data'), join(home, 'data', 'exports'), join(home, 'data', 'exports', 'trial-balance.csv'), join(home, 'data', 'readme.txt')]) chownSync(p, uid, gid);
    mkdirSync(join(home, 'locked'), { mode: 0o700 }); // root's: the user may not list it
    chmodSync(join(home, 'locked'), 0o700);

    const privateKey = keygen(join(dir, 'user_key'), 'ed25519');
    const passphrase = `phrase-${randomBytes(6).toString('hex')}`;
    const encrypted = keygen(join(dir, 'user_key_enc'), 'rsa', passphrase);
    const strangerKey = keygen(join(dir, 'stranger_key'), 'ed25519');
    mkdirSync(join(dir, 'authorized_keys'));
    writeFileSync(join(dir, 'authorized_keys', username), readFileSync(join(dir, 'user_key.pub'), 'utf8') + readFileSync(join(dir, 'user_key_enc.pub'), 'utf8'));
    keygen(join(dir, 'host_key'), 'ed25519');
    // "256 SHA256:... comment (ED25519)"
    const hostKeyFingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')]).toString().split(' ')[1]!;

    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      'PidFile none',
      'UsePAM no',
      // The temporary folder sits in /tmp (world-writable), which StrictModes refuses for authorized_keys.
      'StrictModes no',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys', '%u')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      'MaxStartups 50',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
    const proc = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('Server listening on')) resolve();
      });
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`Cannot start a test sshd (exit ${code}):\n${log}`)));
    });
    const exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    let disposed: Promise<void> | undefined;
    return {
      host: '127.0.0.1',
      port,
      username,
      password,
      privateKey,
      encryptedKey: { privateKey: encrypted, passphrase },
      strangerKey,
      hostKeyFingerprint,
      home,
      log: () => log,
      [Symbol.asyncDispose]() {
        disposed ??= (async () => {
          proc.kill('SIGTERM');
          await exited;
          cleanup();
        })();
        return disposed;
      },
    };
  } catch (err) {
    child?.kill('SIGKILL');
    cleanup();
    throw err;
  }
}
