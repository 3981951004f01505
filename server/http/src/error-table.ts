/**
 * The one place where error codes become HTTP statuses and WebSocket close
 * codes. Unknown errors become a generic 500 that leaks nothing.
 */
import { AppError, ErrorCode } from '@workbench/core';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 403, // jupyter_server answers 403 to unauthenticated API calls
  forbidden: 403,
  xsrf: 403,
  not_found: 404,
  conflict: 409,
  resource_limit: 403, // Enterprise Gateway's "Resource Limit"
  payload_too_large: 413,
  unsupported_media_type: 415,
  insufficient_storage: 507,
  kernel_launch_failed: 500,
  kernel_dead: 409,
  timeout: 504,
  unavailable: 503,
  internal: 500,
};

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

/** WebSocket close codes: 1000/1001 tell JupyterLab not to reconnect; others make it reconnect. */
export const WS_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  invalidPayload: 1007,
  messageTooBig: 1009,
  internal: 1011,
  tryAgainLater: 1013,
} as const;

export interface ErrorBody {
  message: string;
  reason: string | null;
  code: ErrorCode;
  /** What an error chose to show the client beyond its message (AppError details.public), e.g. a failed connection test. */
  [extra: string]: unknown;
}

export function toErrorBody(err: unknown): { status: number; body: ErrorBody; known: boolean } {
  if (err instanceof AppError) {
    // Only `details.public` reaches the client; the rest of `details` is for logs and callers in the server.
    const extra = err.details?.public;
    const shown = typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {};
    return { status: httpStatus(err.code), body: { ...shown, message: err.message, reason: err.code === 'resource_limit' ? 'Resource Limit' : null, code: err.code }, known: true };
  }
  return { status: 500, body: { message: 'Internal server error: see the server log', reason: null, code: 'internal' }, known: false };
}
