/**
 * The identity and audit APIs' URLs and how their failures read. Pure (no
 * fetch, no DOM) so the rules are testable in node; `AdminClient` does the
 * I/O. Error bodies are `{ message, reason, code }`
 * (`server/http/src/error-table.ts`), read by @workbench/lab-common.
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';

/** `{baseUrl}{path}/{segment}?k=v`, each part percent-encoded (a username may hold `/`, `@`, spaces): lab-common's. */
export { apiUrl } from '@workbench/lab-common';

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
export const adminErrors = apiErrors(AdminError);
export const { errorFromResponse, networkError, errorText } = adminErrors;
