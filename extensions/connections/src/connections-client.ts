/**
 * REST client for Workbench's connections API (`api/connections`). Requests
 * go through `ServerConnection.makeRequest`, which adds the token, the
 * `_xsrf` header and the cookie policy JupyterLab uses everywhere, under
 * `settings.baseUrl`. Credentials are sent, never kept: the client holds no
 * state but its settings.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type ApiErrorHelpers } from '@workbench/lab-common';
import { ConnectionsError, connectionsErrors } from './connections-api';
import type { ActivatedRotation, ConnectionAbilities, ConnectionCredential, ConnectionDraft, ConnectionModel, ConnectionPatch, ListedConnection, NewConnection, StagedRotation, TestResult } from './types';
import { readAbilities, readActivatedRotation, readConnection, readConnectionList, readRefusalTest, readStagedRotation, readTestResult } from './validate';

export interface ConnectionsClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

const PATH = 'api/connections';

/** connectionsErrors, keeping the failed test a refusal carries on the error (`ConnectionsError.test`). */
const refusalErrors: ApiErrorHelpers<ConnectionsError> = {
  ...connectionsErrors,
  errorFromResponse(action, status, bodyText) {
    const err = connectionsErrors.errorFromResponse(action, status, bodyText);
    const test = status === 409 ? readRefusalTest(bodyText) : undefined;
    if (test) err.test = test;
    return err;
  },
};

export class ConnectionsClient {
  readonly serverSettings: ServerConnection.ISettings;

  constructor(options: ConnectionsClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** What the signed-in user may do with connections, by the server's own role policy. */
  async abilities(options: RequestOptions = {}): Promise<ConnectionAbilities> {
    const permissions = JSON.stringify({ connections: ['read', 'execute', 'write'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET', undefined, options));
  }

  async list(options: RequestOptions = {}): Promise<ListedConnection[]> {
    return readConnectionList(await this.request('load the connections', this.url(), 'GET', undefined, options));
  }

  async create(input: NewConnection, options: RequestOptions = {}): Promise<ConnectionModel> {
    return readConnection(await this.request(`add connection ${input.name}`, this.url(), 'POST', input, options));
  }

  async update(name: string, patch: ConnectionPatch, options: RequestOptions = {}): Promise<ConnectionModel> {
    return readConnection(await this.request(`change connection ${name}`, this.url(name), 'PATCH', patch, options));
  }

  async remove(name: string, options: RequestOptions = {}): Promise<void> {
    await this.request(`delete connection ${name}`, this.url(name), 'DELETE', undefined, options);
  }

  /** Tests the saved connection with the credential in use. */
  async test(name: string, options: RequestOptions = {}): Promise<TestResult> {
    return readTestResult(await this.request(`test connection ${name}`, this.url(name, 'test'), 'POST', undefined, options));
  }

  /** Tests settings (and a credential) that are not saved. */
  async testDraft(draft: ConnectionDraft, options: RequestOptions = {}): Promise<TestResult> {
    return readTestResult(await this.request('test the connection', this.url('test'), 'POST', draft, options));
  }

  /** Stages a new credential and tests it; the one in use keeps serving. */
  async stageRotation(name: string, credential: ConnectionCredential, options: RequestOptions = {}): Promise<StagedRotation> {
    return readStagedRotation(await this.request(`stage a new credential for ${name}`, this.url(name, 'rotate'), 'POST', { credential }, options));
  }

  /**
   * Switches to the staged credential; a 409 (ConnectionsError kind
   * `conflict`, the failed test in its `test`) when it fails its test, the
   * old one staying.
   */
  async activateRotation(name: string, options: RequestOptions = {}): Promise<ActivatedRotation> {
    return readActivatedRotation(await this.request(`activate the new credential of ${name}`, this.url(name, 'rotate', 'activate'), 'POST', undefined, options, refusalErrors));
  }

  async cancelRotation(name: string, options: RequestOptions = {}): Promise<ConnectionModel> {
    return readConnection(await this.request(`cancel the rotation of ${name}`, this.url(name, 'rotate'), 'DELETE', undefined, options));
  }

  private url(...segments: string[]): string {
    return apiUrl(this.serverSettings.baseUrl, PATH, segments);
  }

  private request(action: string, url: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', body: unknown, options: RequestOptions, errors = connectionsErrors): Promise<unknown> {
    const send = (u: string, init: RequestInit) => ServerConnection.makeRequest(u, init, this.serverSettings);
    return requestJson(send, errors, ConnectionsError, { action, url, method, body, signal: options.signal });
  }
}
