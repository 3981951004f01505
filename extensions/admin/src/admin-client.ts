/**
 * REST client for Workbench's identity and audit APIs (`api/me`,
 * `api/tokens`, `api/users`, `api/audit`). Requests go through
 * `ServerConnection.makeRequest`, which adds the token, the `_xsrf` header
 * and the cookie policy JupyterLab uses everywhere, under `settings.baseUrl`.
 */
import { ServerConnection } from '@jupyterlab/services';
import { requestJson } from '@workbench/lab-common';
import { AdminError, adminErrors, apiUrl } from './admin-api';
import type { ApiToken, AuditPage, AuditQuery, CreatedApiToken, ExportFormat, Me, NewApiToken, UserList, UserModel, UserPatch, VerifyResult } from './types';
import { readAuditPage, readCreatedToken, readMe, readToken, readTokenList, readUser, readUserList, readVerifyResult } from './validate';

export interface AdminClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

interface Call {
  action: string;
  path: string;
  segments?: readonly string[];
  params?: Record<string, string | undefined>;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

const auditParams = (q: AuditQuery): Record<string, string | undefined> => ({ since: q.since, until: q.until, user: q.user, action: q.action, resource: q.resource });

export class AdminClient {
  readonly serverSettings: ServerConnection.ISettings;

  constructor(options: AdminClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Who the page acts as, with the roles that decide what it may see. */
  async me(options: RequestOptions = {}): Promise<Me> {
    return readMe(await this.request({ action: 'find out who you are', path: 'api/me', signal: options.signal }));
  }

  /** Your API tokens (active, expired and revoked). */
  async tokens(options: RequestOptions = {}): Promise<ApiToken[]> {
    return readTokenList(await this.request({ action: 'load your API tokens', path: 'api/tokens', signal: options.signal }));
  }

  /** Creates a token; the answer carries the token itself, which is never shown again. */
  async createToken(input: NewApiToken, options: RequestOptions = {}): Promise<CreatedApiToken> {
    return readCreatedToken(await this.request({ action: 'create the API token', path: 'api/tokens', method: 'POST', body: input, signal: options.signal }));
  }

  async revokeToken(id: string, options: RequestOptions = {}): Promise<ApiToken> {
    return readToken(await this.request({ action: 'revoke the API token', path: 'api/tokens', segments: [id], method: 'DELETE', signal: options.signal }));
  }

  /** Every user and the roles there are (admins only). */
  async users(options: RequestOptions = {}): Promise<UserList> {
    return readUserList(await this.request({ action: 'load the users', path: 'api/users', signal: options.signal }));
  }

  async updateUser(username: string, patch: UserPatch, options: RequestOptions = {}): Promise<UserModel> {
    return readUser(await this.request({ action: `update user ${username}`, path: 'api/users', segments: [username], method: 'PATCH', body: patch, signal: options.signal }));
  }

  /** One page of audit records, oldest first; `after` is the previous page's `next_after`. */
  async audit(query: AuditQuery & { limit?: number; after?: number }, options: RequestOptions = {}): Promise<AuditPage> {
    const params = { ...auditParams(query), limit: query.limit === undefined ? undefined : String(query.limit), after: query.after === undefined ? undefined : String(query.after) };
    return readAuditPage(await this.request({ action: 'load the audit log', path: 'api/audit', params, signal: options.signal }));
  }

  /** Walks the whole hash chain on the server. */
  async verifyAudit(options: RequestOptions = {}): Promise<VerifyResult> {
    return readVerifyResult(await this.request({ action: 'verify the audit log', path: 'api/audit/verify', signal: options.signal }));
  }

  /**
   * The export's URL, for a link the browser downloads itself (it is not
   * fetched here): the request carries the page's login cookie, so no token
   * is put in the URL.
   */
  exportUrl(format: ExportFormat, query: AuditQuery = {}): string {
    return apiUrl(this.serverSettings.baseUrl, 'api/audit/export', [], { format, ...auditParams(query) });
  }

  private request(call: Call): Promise<unknown> {
    const url = apiUrl(this.serverSettings.baseUrl, call.path, call.segments, call.params);
    // requestJson asks with 'no-cache' (revalidate every time) instead of JupyterLab's default 'no-store', for which
    // makeRequest appends a cache-busting "&<time>" parameter that /api/audit refuses as unknown (400).
    const send = (u: string, init: RequestInit) => ServerConnection.makeRequest(u, init, this.serverSettings);
    return requestJson(send, adminErrors, AdminError, { action: call.action, url, method: call.method, body: call.body, signal: call.signal });
  }
}
