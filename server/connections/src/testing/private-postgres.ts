/**
 * A PostgreSQL server of the test's own: initdb into a temporary folder and
 * start Debian's `postgres` binary on 127.0.0.1 with password logins
 * (scram-sha-256) and TLS (a self-signed certificate made with openssl), so
 * the tests can see a wrong password, an untrusted certificate and a
 * password changed under a connection. (The machine's shared server trusts
 * every local login and has no TLS.) Run as the `postgres` account when the
 * tests run as root, which PostgreSQL refuses.
 *
 * The port is probed free just before the start; a clash fails the start
 * with PostgreSQL's own message (never retried).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface PrivatePostgres extends AsyncDisposable {
  host: '127.0.0.1';
  port: number;
  /** The superuser `postgres` and its password. */
  superuserPassword: string;
  /** The server's self-signed certificate (PEM), to trust it in verify-full tests. */
  certificate: string;
  /** A connected superuser client (closed at dispose). */
  admin(): Promise<Client>;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('Cannot start a private PostgreSQL: no server binaries under /usr/lib/postgresql (Debian package postgresql)');
  return join(base, versions[0]!, 'bin');
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

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'wb-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const superuserPassword = `su-${process.pid}-secret`;
  writeFileSync(join(dir, 'pw'), superuserPassword);
  // TLS: a self-signed certificate for localhost/127.0.0.1.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt')], { stdio: 'ignore' });
  if (ids) for (const f of [dir, join(dir, 'pw'), join(dir, 'server.key'), join(dir, 'server.crt')]) chownSync(f, ids.uid, ids.gid);
  const run = (cmd: string, args: string[]) => execFileSync(join(bin, cmd), args, { ...(ids ?? {}), stdio: 'pipe', env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '-E', 'UTF8', '--no-sync']);
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n');
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nssl = on\nssl_cert_file = '${join(dir, 'server.crt')}'\nssl_key_file = '${join(dir, 'server.key')}'\nfsync = off\nshared_buffers = 16MB\nmax_connections = 40\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'], { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`Cannot start a private PostgreSQL (exit ${code}):\n${log}`)));
  });
  const clients: Client[] = [];
  const certificate = readFileSync(join(dir, 'server.crt'), 'utf8');
  return {
    host: '127.0.0.1',
    port,
    superuserPassword,
    certificate,
    async admin() {
      const c = new Client({ host: '127.0.0.1', port, user: 'postgres', password: superuserPassword, database: 'postgres' });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      child.kill('SIGINT'); // fast shutdown: ends every session, then exits
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
