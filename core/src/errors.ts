/**
 * The one error taxonomy. Deep code throws AppError with a closed code;
 * only server/http maps codes to HTTP statuses and WebSocket close codes.
 * Messages read "Cannot <action>: <state>".
 */
export type ErrorCode =
  | 'bad_request' // malformed input from a client
  | 'unauthenticated' // no or bad credentials
  | 'forbidden' // authenticated but not allowed
  | 'xsrf' // cookie-authenticated write without a valid XSRF token
  | 'not_found'
  | 'conflict'
  | 'resource_limit' // kernel limits (Enterprise Gateway's 403 "Resource Limit")
  | 'payload_too_large'
  | 'unsupported_media_type' // a body whose type is not one the endpoint takes
  | 'insufficient_storage' // disk full: nothing was written
  | 'kernel_launch_failed'
  | 'kernel_dead'
  | 'timeout'
  | 'unavailable' // shutting down, dependency missing
  | 'internal';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A short human-readable description of any thrown value, for logs and error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
