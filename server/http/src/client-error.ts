/**
 * What the HTTP server does with a connection whose request never became
 * a request: a parse error (garbage bytes, a TLS ClientHello on the plain
 * port, a request line or headers over the limit), a header timeout
 * (slowloris), or a reset before the request was complete. Node's default
 * is kept (answer 400/408/431 when the socket can still be written, then
 * destroy it), with one debug line naming what happened. Only that
 * connection is affected.
 */
import type { Duplex } from 'node:stream';
import type { HttpDeps } from './deps';

const STATUS_FOR: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_TIMEOUT: '408 Request Timeout',
};

export function onClientError(deps: Pick<HttpDeps, 'logger'>) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    deps.logger.debug({ code: err.code, err: err.message }, 'client connection error; connection closed');
    const reply = err.code === 'ECONNRESET' ? undefined : (STATUS_FOR[err.code ?? ''] ?? '400 Bad Request');
    // Once the socket carries a response of ours, a second status line would corrupt it.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    // As Node's own handler: write the status (the kernel takes a few bytes at once), then destroy.
    if (reply && socket.writable && !inFlight) socket.write(`HTTP/1.1 ${reply}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };
}
