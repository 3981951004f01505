/**
 * The identity and audit APIs' URLs and how their failures read. Pure (no
 * fetch, no DOM) so the rules are testable in node; `AdminClient` does the
 * I/O. Error bodies are `{ message, reason, code }`
 * (`server/http/src/error-table.ts`).
 */

/**
 * `{baseUrl}{path}?k=v`: `path` is relative to the base URL ("api/tokens");
 * each of `segments` is percent-encoded as one path segment (a username
 * may hold `/`, `@`, spaces); parameters are percent-encoded and undefined
 * or empty ones are left out.
 */
export function apiUrl(baseUrl: string, path: string, segments: readonly string[] = [], params: Record<string, string | undefined> = {}): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const tail = segments.map((s) => `/${encodeURIComponent(s)}`).join('');
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}${path}${tail}${query ? `?${query}` : ''}`;
}

export type AdminErrorKind =
  | 'network'
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'server'
  | 'invalid_response';

/** Every failure of the client: `message` is fit to show to the user as is. */
export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly kind: AdminErrorKind,
    message: string,
    /** HTTP status, or null when no response arrived (or it was unreadable). */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function kindOfStatus(status: number): AdminErrorKind {
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

/**
 * The error for a non-2xx answer: the server's own `message` when the body
 * carries one (Workbench messages read "Cannot <action>: <state>"), else
 * "Cannot <action>: the server answered <status>".
 */
export function errorFromResponse(action: string, status: number, bodyText: string): AdminError {
  let message: string | undefined;
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
      message = (body as { message: string }).message.trim() || undefined;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall through to the generic text.
  }
  return new AdminError(kindOfStatus(status), message ?? `Cannot ${action}: the server answered ${status}`, status);
}

/** The error for a request that got no answer (offline, server down, CORS). */
export function networkError(action: string, cause: unknown): AdminError {
  return new AdminError('network', `Cannot ${action}: the server cannot be reached`, null, { cause });
}

/** A failure as text for a screen: the AdminError's message, else "Cannot <action>: <what happened>". */
export function errorText(err: unknown, action: string): string {
  if (err instanceof AdminError) return err.message;
  if (err instanceof Error && err.message) return `Cannot ${action}: ${err.message}`;
  return `Cannot ${action}`;
}
