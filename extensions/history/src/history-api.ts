/**
 * The History API's URLs and how its failures read. Pure (no fetch, no DOM)
 * so the rules are testable in node; `HistoryClient` does the I/O.
 * Server side: `server/http/src/routes/history.ts`; error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`), read by
 * @workbench/lab-common.
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';

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

export type HistoryErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class HistoryError extends ApiError {
  override readonly name = 'HistoryError';
}

/**
 * `errorFromResponse(action, status, bodyText)`: the server's own `message`
 * ("Cannot find x.ipynb: no such file and no history"), else "Cannot
 * <action>: the server answered <status>"; `networkError(action, cause)`:
 * "Cannot <action>: the server cannot be reached"; `errorText(err, action)`:
 * a failure as text for the panel.
 */
export const { errorFromResponse, networkError, errorText } = apiErrors(HistoryError);
