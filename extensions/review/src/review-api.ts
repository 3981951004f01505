/**
 * How the documents API's failures read. Error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`) plus what
 * an error chose to show: the four-eyes refusal (403) carries
 * `{rule: "four_eyes", limit}`, kept here as `rule` so the page can say
 * which rule refused without reading the message's words.
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';

export type ReviewErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class ReviewError extends ApiError {
  override readonly name = 'ReviewError';
  /** The rule that refused, when the server named one ("four_eyes"). */
  rule: string | null = null;
}

/** errorFromResponse, networkError, errorText (see @workbench/lab-common) building ReviewError. */
export const reviewErrors = apiErrors(ReviewError);
export const { networkError, errorText } = reviewErrors;

/** The error for a non-2xx answer, with the body's `rule` when it names one. */
export function errorFromResponse(action: string, status: number, bodyText: string): ReviewError {
  const err = reviewErrors.errorFromResponse(action, status, bodyText);
  err.rule = ruleOf(bodyText);
  return err;
}

/** The `rule` an error body names, or null. */
export function ruleOf(bodyText: string): string | null {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (typeof body === 'object' && body !== null && typeof (body as { rule?: unknown }).rule === 'string') return (body as { rule: string }).rule;
  } catch {
    // Not JSON: no rule.
  }
  return null;
}

/** Whether `err` is the abort of a request that was superseded or cancelled (not a failure to show). */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
