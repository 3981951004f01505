/**
 * How the catalog API's failures read. Error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`), read by
 * @workbench/lab-common: "Cannot find table odoo.public.x in the catalog
 * (refresh the source if it is new)", "Cannot preview: limit must be ...".
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';

export type CatalogErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class CatalogError extends ApiError {
  override readonly name = 'CatalogError';
}

/** errorFromResponse, networkError, errorText (see @workbench/lab-common) building CatalogError. */
export const catalogErrors = apiErrors(CatalogError);
export const { errorFromResponse, networkError, errorText } = catalogErrors;

/** Whether `err` is the abort of a request that was superseded or cancelled (not a failure to show). */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
