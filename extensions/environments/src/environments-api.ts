/** The environments API's failures: an EnvironmentsError (an ApiError of @workbench/lab-common) with the server's message. */
import { ApiError, apiErrors } from '@workbench/lab-common';

export class EnvironmentsError extends ApiError {
  override readonly name = 'EnvironmentsError';
}

export const environmentsErrors = apiErrors(EnvironmentsError);
export const { errorFromResponse, networkError, errorText } = environmentsErrors;
