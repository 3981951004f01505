/**
 * How the connections API's failures read. Error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`), read by
 * @workbench/lab-common; a 400 names the field ("Cannot create connection:
 * settings: port: ..."), a 409 on activate says why the staged credential
 * was refused and carries the failed test (`test`, kept on the error).
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';
import type { TestResult } from './types';

export type ConnectionsErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class ConnectionsError extends ApiError {
  override readonly name = 'ConnectionsError';
  /** The test that made the server refuse (a 409 from rotate/activate), when the answer carried one. */
  test?: TestResult;
}

/** errorFromResponse, networkError, errorText (see @workbench/lab-common) building ConnectionsError. */
export const connectionsErrors = apiErrors(ConnectionsError);
export const { errorFromResponse, networkError, errorText } = connectionsErrors;
