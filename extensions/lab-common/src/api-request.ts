/**
 * One JSON request to a Workbench API, failures as the client's ApiError
 * subclass. The sending comes in as a function (in the browser
 * `ServerConnection.makeRequest` with the application's settings, which adds
 * the token, `_xsrf` and the cookie policy), so this file has no
 * dependencies and runs under node's fetch in tests.
 */
import type { ApiError, ApiErrorClass, ApiErrorHelpers } from './api-error';

/**
 * `{baseUrl}{path}/{segment}...?k=v`: `path` is relative to the base URL
 * ("api/connections"); each segment is percent-encoded as one path segment;
 * parameters are percent-encoded, undefined and empty ones left out.
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

export type SendRequest = (url: string, init: RequestInit) => Promise<Response>;

export interface JsonRequest {
  /** For messages: "Cannot <action>: ...". */
  action: string;
  url: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Sends `request` and returns its JSON (undefined for an empty 2xx body,
 * e.g. 204). A non-2xx answer throws `errors.errorFromResponse` (the
 * server's message), no answer `errors.networkError`, a body that is not
 * JSON `ErrorClass('invalid_response')`. An abort through `signal` rethrows
 * the AbortError as is. Requests go with `cache: 'no-cache'` (revalidate),
 * not JupyterLab's `no-store`, for which makeRequest appends a cache-busting
 * `&<time>` parameter that strict endpoints refuse.
 */
export async function requestJson<E extends ApiError>(send: SendRequest, errors: ApiErrorHelpers<E>, ErrorClass: ApiErrorClass<E>, request: JsonRequest): Promise<unknown> {
  const init: RequestInit = { method: request.method ?? 'GET', signal: request.signal, cache: 'no-cache' };
  if (request.body !== undefined) {
    init.body = JSON.stringify(request.body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await send(request.url, init);
  } catch (err) {
    if (request.signal?.aborted) throw err;
    throw errors.networkError(request.action, err);
  }
  const text = await response.text();
  if (!response.ok) throw errors.errorFromResponse(request.action, response.status, text);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ErrorClass('invalid_response', `Cannot ${request.action}: the server's answer is not JSON`, response.status, { cause: err });
  }
}
