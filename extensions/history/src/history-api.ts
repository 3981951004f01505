/**
 * The History API's URLs and how its failures read. Pure (no fetch, no DOM)
 * so the rules are testable in node; `HistoryClient` does the I/O.
 * Server side: `server/http/src/routes/history.ts`; error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`).
 */

export type HistoryEndpoint = 'versions' | 'content' | 'diff' | 'restore';

const PATHS: Record<HistoryEndpoint, string> = {
  versions: 'api/history',
  content: 'api/history/content',
  diff: 'api/history/diff',
  restore: 'api/history/restore',
};

/**
 * `{baseUrl}api/history[/...]?k=v`: parameters are percent-encoded (a path
 * may hold spaces, `#`, `?`, `&`, `+`), undefined ones are left out.
 */
export function historyUrl(baseUrl: string, endpoint: HistoryEndpoint, params: Record<string, string | undefined> = {}): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}${PATHS[endpoint]}${query ? `?${query}` : ''}`;
}

export type HistoryErrorKind =
  | 'network'
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'server'
  | 'invalid_response';

/** Every failure of the client: `message` is fit to show to the user as is. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(
    readonly kind: HistoryErrorKind,
    message: string,
    /** HTTP status, or null when no response arrived (or it was unreadable). */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function kindOfStatus(status: number): HistoryErrorKind {
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
export function errorFromResponse(action: string, status: number, bodyText: string): HistoryError {
  let message: string | undefined;
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
      message = (body as { message: string }).message.trim() || undefined;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall through to the generic text.
  }
  return new HistoryError(kindOfStatus(status), message ?? `Cannot ${action}: the server answered ${status}`, status);
}

/** The error for a request that got no answer (offline, server down, CORS). */
export function networkError(action: string, cause: unknown): HistoryError {
  return new HistoryError('network', `Cannot ${action}: the server cannot be reached`, null, { cause });
}
