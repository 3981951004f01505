/**
 * How Workbench's JSON APIs fail, for their browser clients. Pure (no fetch,
 * no DOM). Error bodies are `{ message, reason, code }`
 * (`server/http/src/error-table.ts`). Each client has its own subclass of
 * `ApiError` (`HistoryError`, `AdminError`) and gets helpers that build it
 * from `apiErrors(ItsErrorClass)`.
 */

export type ApiErrorKind =
  | 'network'
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'server'
  | 'invalid_response';

/** A failure of an API client: `message` is fit to show to the user as is. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** HTTP status, or null when no response arrived (or it was unreadable). */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A subclass of ApiError with the base constructor. */
export type ApiErrorClass<E extends ApiError> = new (kind: ApiErrorKind, message: string, status?: number | null, options?: { cause?: unknown }) => E;

export function kindOfStatus(status: number): ApiErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'bad_request';
    case 401:
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 503:
      return 'unavailable';
    default:
      return 'server';
  }
}

/** The body's own non-blank `message`, if it is JSON carrying one. */
export function serverMessage(bodyText: string): string | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
      return (body as { message: string }).message.trim() || undefined;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): no message.
  }
  return undefined;
}

export interface ApiErrorHelpers<E extends ApiError> {
  /**
   * The error for a non-2xx answer: the server's own `message` when the body
   * carries one (Workbench messages read "Cannot <action>: <state>"), else
   * "Cannot <action>: the server answered <status>".
   */
  errorFromResponse(action: string, status: number, bodyText: string): E;
  /** The error for a request that got no answer (offline, server down, CORS). */
  networkError(action: string, cause: unknown): E;
  /** A failure as text for the UI: the client error's message, else "Cannot <action>: <what happened>". */
  errorText(err: unknown, action: string): string;
}

/** The helpers of one client, building (and recognising) `ErrorClass`. */
export function apiErrors<E extends ApiError>(ErrorClass: ApiErrorClass<E>): ApiErrorHelpers<E> {
  return {
    errorFromResponse: (action, status, bodyText) =>
      new ErrorClass(kindOfStatus(status), serverMessage(bodyText) ?? `Cannot ${action}: the server answered ${status}`, status),
    networkError: (action, cause) => new ErrorClass('network', `Cannot ${action}: the server cannot be reached`, null, { cause }),
    errorText: (err, action) => {
      if (err instanceof ErrorClass) return err.message;
      if (err instanceof Error && err.message) return `Cannot ${action}: ${err.message}`;
      return `Cannot ${action}`;
    },
  };
}
