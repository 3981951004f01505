/**
 * The network failures every kind that dials out shares (REST, S3, SFTP,
 * Superset, Odoo),
 * told apart by Node's error codes (the error or one of its causes), never
 * by message text: the host name, the port, the route, TLS.
 */
import type { TestStage } from '../test-result';

/** OpenSSL/Node codes of a certificate the client does not trust or that names another host. */
export const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Codes of a TLS handshake that did not happen: the other side does not speak TLS (plain HTTP on that port), or no common protocol. */
const HANDSHAKE_CODES = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE']);

/** The first `code` along err and its causes (undici wraps the socket's error in `cause`; AggregateError holds several). */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  // undici's UND_ERR_SOCKET wraps the socket's own error when there is one: that one says more.
  let vague: string | undefined;
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof o.code === 'string') {
      if (o.code !== 'UND_ERR_SOCKET' && o.code !== 'ERR_GENERIC_CLIENT') return o.code;
      vague ??= o.code;
    }
    e = o.cause ?? (Array.isArray(o.errors) ? o.errors[0] : undefined);
  }
  return vague;
}

/**
 * A failure to reach `host` (shown as `where`, "host:port" or a URL) as a
 * stage and a message; undefined when the error is not a network one.
 * `action` completes "Cannot <action>", e.g. "connect to sftp.example.com:22";
 * `trust` says how to make a certificate trusted (default: a CA in settings.ca).
 */
export function diagnoseNetwork(err: unknown, host: string, action: string, trust = 'give its CA in settings.ca'): { stage: TestStage; message: string } | undefined {
  const code = errorCode(err);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return { stage: 'dns', message: `Cannot resolve host ${host}: no such host name (DNS)` };
    case 'ECONNREFUSED':
      return { stage: 'network', message: `Cannot ${action}: connection refused (nothing listens there, or a firewall rejects it)` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { stage: 'network', message: `Cannot ${action}: host unreachable` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { stage: 'network', message: `Cannot ${action}: the server closed the connection` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { stage: 'timeout', message: `Cannot ${action}: timed out connecting` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { stage: 'timeout', message: `Cannot ${action}: no answer in time` };
  }
  if (code && CERTIFICATE_CODES.has(code)) return { stage: 'tls', message: `Cannot ${action} over TLS: the server's certificate is not trusted for ${host} (${code}); ${trust}` };
  if (code && HANDSHAKE_CODES.has(code)) return { stage: 'tls', message: `Cannot ${action} over TLS: no TLS handshake (the server does not speak TLS on that port, or no protocol in common)` };
  if (isTimeout(err)) return { stage: 'timeout', message: `Cannot ${action}: no answer in time` };
  return undefined;
}

/** An AbortSignal.timeout() firing (a DOMException named TimeoutError, maybe as a cause). */
export function isTimeout(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    if ((e as { name?: unknown }).name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
