/**
 * Who is on the other end, and over what, when a TLS-terminating proxy may
 * stand in between. Like jupyter_server's `trust_xheaders` (tornado's
 * xheaders): off by default, the socket's own address and encryption
 * count; on, the proxy's headers do: X-Real-Ip or else the last
 * X-Forwarded-For entry (the one the proxy itself appended; earlier entries
 * come from the client and prove nothing), and X-Scheme or the last
 * X-Forwarded-Proto. Turn it on only behind a proxy that sets them.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

function lastOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').pop()?.trim();
  return last ? last : undefined;
}

export function clientIp(req: IncomingMessage, trustXheaders: boolean): string | null {
  if (trustXheaders) {
    const real = lastOf(req.headers['x-real-ip']) ?? lastOf(req.headers['x-forwarded-for']);
    if (real && real.length <= 64) return real;
  }
  return req.socket.remoteAddress ?? null;
}

/** Did the browser reach us over TLS? Decides the Secure attribute of cookies. */
export function isSecureRequest(req: IncomingMessage, trustXheaders: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted === true) return true;
  if (!trustXheaders) return false;
  const scheme = lastOf(req.headers['x-scheme']) ?? lastOf(req.headers['x-forwarded-proto']);
  return scheme?.toLowerCase() === 'https';
}
