/**
 * @workbench/admin: client and widgets for Workbench's identity and audit
 * screens (`{base}api/me`, `api/tokens`, `api/users`, `api/audit`). The
 * JupyterLab wiring lives in @workbench/admin-extension.
 */
export * from './types';
export { AdminError, apiUrl, errorFromResponse, errorText, networkError } from './admin-api';
export type { AdminErrorKind } from './admin-api';
export { AdminClient } from './admin-client';
export type { AdminClientOptions, RequestOptions } from './admin-client';
export { readAuditPage, readCreatedToken, readMe, readToken, readTokenList, readUser, readUserList, readVerifyResult } from './validate';
export * from './format'; // display rules: times, token status, role edits, audit filters
export { AdminScreen, dateTimeElement, headRow, timeElement } from './screen';
export type { ScreenState } from './screen';
export { confirmRevoke, showTokenDialog } from './token-dialog';
export { TokensPanel } from './tokens-panel';
export type { TokensPanelOptions } from './tokens-panel';
export { UserRow } from './user-row';
export type { UserRowOptions, UserRowState } from './user-row';
export { UsersPanel } from './users-panel';
export type { UsersPanelOptions } from './users-panel';
export { AuditPanel } from './audit-panel';
export type { AuditPanelOptions, VerifyState } from './audit-panel';
