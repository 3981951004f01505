/**
 * TLS for tests: a self-signed certificate for localhost and 127.0.0.1
 * (made with openssl, as private-postgres.ts does), and a TLS front that
 * terminates TLS with it and passes the bytes on to a plain TCP server, so
 * a plain test server (the S3 one) can be reached over https.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export interface TestCertificate {
  /** PEM private key and certificate. */
  key: string;
  cert: string;
}

export function makeSelfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'wb-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsFront extends AsyncDisposable {
  port: number;
}

/** Listen on 127.0.0.1 (port 0) with TLS and forward each connection to 127.0.0.1:`targetPort`. */
export async function startTlsFront(targetPort: number, certificate: TestCertificate): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (tls: TLSSocket) => {
    const plain = connect(targetPort, '127.0.0.1');
    sockets.add(tls);
    sockets.add(plain);
    const end = () => {
      tls.destroy();
      plain.destroy();
      sockets.delete(tls);
      sockets.delete(plain);
    };
    tls.on('error', end).on('close', end);
    plain.on('error', end).on('close', end);
    tls.pipe(plain).pipe(tls);
  });
  // A client that refuses the certificate aborts the handshake: that is the test, not a server fault.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
