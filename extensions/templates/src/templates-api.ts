/**
 * The templates API's failures: a TemplatesError (an ApiError of
 * @workbench/lab-common) with the server's own message ("Cannot install
 * template ap-aging: parameter entity needs a value").
 */
import { ApiError, apiErrors } from '@workbench/lab-common';

export class TemplatesError extends ApiError {
  override readonly name = 'TemplatesError';
}

export const templatesErrors = apiErrors(TemplatesError);
export const { errorFromResponse, networkError, errorText } = templatesErrors;
