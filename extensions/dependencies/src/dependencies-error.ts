/**
 * How the analyse route's failures read: error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`).
 */
import { ApiError, apiErrors } from '@workbench/lab-common';

/** Every failure of the client: `message` is fit to show to the user as is. */
export class DependenciesError extends ApiError {
  override readonly name = 'DependenciesError';
}

/** errorFromResponse, networkError, errorText (see @workbench/lab-common) building DependenciesError. */
export const dependenciesErrors = apiErrors(DependenciesError);

/** Whether `err` is the abort of a request that was superseded or cancelled (not a failure to show). */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
