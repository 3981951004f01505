/**
 * The identity and audit APIs' URLs and how their failures read. Pure (no
 * fetch, no DOM) so the rules are testable in node; `AdminClient` does the
 * I/O. Error bodies are `{ message, reason, code }`
 * (`server/http/src/error-table.ts`), read by @workbench/lab-common.
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';

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

export type AdminErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class AdminError extends ApiError {
  override readonly name = 'AdminError';
}

/**
 * `errorFromResponse(action, status, bodyText)`: the server's own `message`,
 * else "Cannot <action>: the server answered <status>"; `networkError(action,
 * cause)`: "Cannot <action>: the server cannot be reached"; `errorText(err,
 * action)`: a failure as text for a screen, the AdminError's message, else
 * "Cannot <action>: <what happened>".
 */
export const { errorFromResponse, networkError, errorText } = apiErrors(AdminError);
