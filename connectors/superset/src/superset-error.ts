/**
 * What a Superset call fails with: an AppError carrying the HTTP status (if
 * an answer came) and Superset's own message, read from whichever of its
 * error shapes the answer had:
 *
 *   {message: "..."}                     Flask-AppBuilder's response_4xx (flask_appbuilder/api/__init__.py)
 *   {message: {field: ["...", ...]}}     marshmallow and command validation errors
 *                                        (superset/datasets/api.py post/put: response_422(ex.normalized_messages()))
 *   {msg: "..."}                         flask_jwt_extended's callbacks (default_callbacks.py, JWT_ERROR_MESSAGE_KEY)
 *   {errors: [{message, error_type, ...}]}  Superset's SIP-40 errors (superset/views/error_handling.py)
 */
import { AppError, type ErrorCode } from '@workbench/core';

export type SupersetMessage = string | Readonly<Record<string, unknown>>;

export class SupersetError extends AppError {
  /** The HTTP status of Superset's answer; undefined when none came (network failure). */
  readonly status: number | undefined;
  /** Superset's message as it sent it: a string, or field -> messages. */
  readonly supersetMessage: SupersetMessage | undefined;
  /** The parsed answer body (or its text when it was not JSON). */
  readonly body: unknown;

  constructor(action: string, options: { status?: number; body?: unknown; cause?: unknown; reason?: string }) {
    const message = options.body === undefined ? undefined : supersetMessageOf(options.body);
    const state =
      options.status === undefined
        ? (options.reason ?? 'no answer')
        : `Superset answered ${options.status}${message === undefined ? '' : `: ${formatSupersetMessage(message)}`}`;
    super(codeForStatus(options.status), `Cannot ${action}: ${state}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.supersetMessage = message;
    this.body = options.body;
  }
}

export function isSupersetError(err: unknown): err is SupersetError {
  return err instanceof SupersetError;
}

function codeForStatus(status: number | undefined): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'bad_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    default:
      return 'unavailable';
  }
}

/** Superset's message from any of the shapes in the header; the raw text when none fits. */
export function supersetMessageOf(body: unknown): SupersetMessage | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim().slice(0, 500);
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { message?: unknown; msg?: unknown; errors?: unknown };
  if (typeof b.message === 'string') return b.message;
  if (typeof b.message === 'object' && b.message !== null && !Array.isArray(b.message)) return b.message as Record<string, unknown>;
  if (typeof b.msg === 'string') return b.msg;
  if (Array.isArray(b.errors)) {
    const texts = b.errors.map((e) => (typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined)).filter((m): m is string => typeof m === 'string');
    if (texts.length > 0) return texts.join('; ');
  }
  return undefined;
}

/** "field: first; second | other: ..." for field messages; the string as is otherwise. */
export function formatSupersetMessage(message: SupersetMessage): string {
  if (typeof message === 'string') return message;
  return Object.entries(message)
    .map(([field, v]) => `${field}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ') : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' | ');
}
