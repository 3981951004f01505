/**
 * @workbench/lab-common: what Workbench's JupyterLab packages
 * (@workbench/history, @workbench/admin, @workbench/connections-ui) share. Its style (style/index.js)
 * holds `.wb-sr-only`, text for screen readers only. The submit dialog is
 * `@workbench/lab-common/submit-dialog` (not here: it needs @jupyterlab/apputils,
 * which the packages' node tests do not load).
 */
export { h, replaceChildren } from './dom';
export type { Child, ElementProps } from './dom';
export { ApiError, apiErrors, kindOfStatus, serverMessage } from './api-error';
export type { ApiErrorClass, ApiErrorHelpers, ApiErrorKind } from './api-error';
export { JsonReader } from './json-reader';
export type { Json } from './json-reader';
export { apiUrl, requestJson } from './api-request';
export type { JsonRequest, SendRequest } from './api-request';
export { formatBytes, formatRelative } from './format';
