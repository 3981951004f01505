/**
 * The answer shapes the simulator gives, each from the code that makes it
 * in Superset or its libraries (pure).
 */

export interface SimAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

/** Flask-AppBuilder's BaseApi.response / response_4xx: {message} (flask_appbuilder/api/__init__.py). */
export function fab(status: number, message: unknown): SimAnswer {
  return { status, body: { message } };
}

export const NOT_AUTHORIZED = fab(401, 'Not authorized'); // response_401
export const FORBIDDEN = fab(403, 'Forbidden'); // response_403
export const NOT_FOUND = fab(404, 'Not found'); // response_404
export const FATAL = fab(500, 'Fatal error'); // @safe's response_500 without FAB_API_SHOW_STACKTRACE

/** flask_jwt_extended's callbacks: {msg} (default_callbacks.py, JWT_ERROR_MESSAGE_KEY = "msg"). */
export function jwt(status: number, msg: string): SimAnswer {
  return { status, body: { msg } };
}

const ISSUE_CODES: Readonly<Record<string, readonly { code: number; message: string }[]>> = {
  // superset/errors.py, ERROR_TYPES_TO_ISSUE_CODES_MAPPING
  GENERIC_BACKEND_ERROR: [{ code: 1011, message: 'Issue 1011 - Superset encountered an unexpected error.' }],
  INVALID_PAYLOAD_FORMAT_ERROR: [{ code: 1019, message: 'Issue 1019 - The submitted payload has the incorrect format.' }],
};

/**
 * json_errors_response of one SupersetError at level "error"
 * (superset/views/error_handling.py; extra.issue_codes from
 * SupersetError.__post_init__, superset/errors.py).
 */
export function supersetErrors(status: number, message: string, errorType: keyof typeof ISSUE_CODES): SimAnswer {
  return { status, body: { errors: [{ message, error_type: errorType, level: 'error', extra: { issue_codes: ISSUE_CODES[errorType] } }] } };
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Request Entity Too Large' };

/**
 * A werkzeug HTTPException as Superset's show_http_exception answers it
 * (superset/views/error_handling.py): message "<code> <name>: <description>"
 * (str() of the exception, via error_msg_from_exception), level "error".
 */
export function httpException(status: number, description: string): SimAnswer {
  return supersetErrors(status, `${status} ${REASONS[status] ?? 'Error'}: ${description}`, 'GENERIC_BACKEND_ERROR');
}

/** werkzeug.exceptions.NotFound / MethodNotAllowed descriptions. */
export const ROUTE_NOT_FOUND = httpException(404, 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
export const METHOD_NOT_ALLOWED = httpException(405, 'The method is not allowed for the requested URL.');

/** marshmallow's default error messages (marshmallow/fields.py, validate.py). */
export const MARSHMALLOW = {
  required: 'Missing data for required field.',
  null: 'Field may not be null.',
  unknown: 'Unknown field.',
  string: 'Not a valid string.',
  integer: 'Not a valid integer.',
  boolean: 'Not a valid boolean.',
  list: 'Not a valid list.',
  uuid: 'Not a valid UUID.',
  length: (min: number, max: number) => `Length must be between ${min} and ${max}.`,
  shorter: (min: number) => `Shorter than minimum length ${min}.`,
  oneOf: (choices: readonly string[]) => `Must be one of: ${choices.join(', ')}.`,
} as const;
