/**
 * @workbench/connections-ui: client and widgets for Workbench's Connections
 * screen (`{base}api/connections`). The server package is
 * @workbench/connections; the JupyterLab wiring lives in
 * @workbench/connections-extension.
 */
export * from './types';
export { ConnectionsError, errorFromResponse, errorText, networkError } from './connections-api';
export type { ConnectionsErrorKind } from './connections-api';
export { ConnectionsClient } from './connections-client';
export type { ConnectionsClientOptions, RequestOptions } from './connections-client';
export { readAbilities, readActivatedRotation, readConnection, readConnectionList, readRefusalTest, readStagedRotation, readTestResult } from './validate';
export * from './format'; // display rules
export * from './form-values'; // the form's fields and defaults per kind
export * from './read-form'; // the form's checks
export { TestResultView } from './test-result-view';
export type { ResultState, ShowOptions } from './test-result-view';
export { FieldSet } from './field-set';
export type { Control, FieldSetOptions } from './field-set';
export { ConnectionForm } from './connection-form';
export type { ConnectionFormOptions } from './connection-form';
export { ConnectionRow } from './connection-row';
export type { RowAction } from './connection-row';
export { confirmDelete, credentialWord, RotateBody, showRotateDialog } from './rotate-dialog';
export type { RotateOptions, RotateState } from './rotate-dialog';
export { ConnectionsPanel } from './connections-panel';
export type { ConnectionsPanelOptions, PanelState } from './connections-panel';
