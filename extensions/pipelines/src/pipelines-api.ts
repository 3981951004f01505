/**
 * How the pipelines API's failures read. Error bodies are
 * `{ message, reason, code }` (`server/http/src/error-table.ts`), read by
 * @workbench/lab-common: "Cannot run sales.pipeline.yaml: ...",
 * "Cannot repair run x: every task succeeded". A YAML the server refuses
 * carries its issues (`details.issues`: line, column, message) when the
 * error table passes them on; `issuesOf` reads them.
 */
import { ApiError, apiErrors, type ApiErrorKind } from '@workbench/lab-common';
import type { SpecIssue } from './types';

export type PipelinesErrorKind = ApiErrorKind;

/** Every failure of the client: `message` is fit to show to the user as is. */
export class PipelinesError extends ApiError {
  override readonly name = 'PipelinesError';
  /** The YAML's issues, when the server refused a file and said where. */
  issues: SpecIssue[] = [];
}

/** errorFromResponse, networkError, errorText (see @workbench/lab-common) building PipelinesError. */
export const pipelinesErrors = apiErrors(PipelinesError);
export const { networkError, errorText } = pipelinesErrors;

/** The error for a non-2xx answer, with the body's `issues` (or `details.issues`) when it lists them. */
export function errorFromResponse(action: string, status: number, bodyText: string): PipelinesError {
  const err = pipelinesErrors.errorFromResponse(action, status, bodyText);
  err.issues = issuesOf(bodyText);
  return err;
}

/** The well-formed issues an error body lists (`issues` or `details.issues`); [] when none. */
export function issuesOf(bodyText: string): SpecIssue[] {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return [];
  }
  if (typeof body !== 'object' || body === null) return [];
  const b = body as { issues?: unknown; details?: { issues?: unknown } };
  const list = Array.isArray(b.issues) ? b.issues : Array.isArray(b.details?.issues) ? b.details.issues : [];
  return list.filter(
    (i): i is SpecIssue =>
      typeof i === 'object' && i !== null && typeof (i as SpecIssue).message === 'string' && Number.isInteger((i as SpecIssue).line) && Number.isInteger((i as SpecIssue).column) && typeof (i as SpecIssue).path === 'string',
  );
}

/** Whether `err` is the abort of a request that was superseded or cancelled (not a failure to show). */
export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
