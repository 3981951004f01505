/**
 * The client of `POST api/dependencies/analyze` (server/http
 * routes/dependencies.ts, server/dependencies/README.md "Route"): the
 * cells' sources in, each cell's names out. Requests go through
 * `ServerConnection.makeRequest` (the token, `_xsrf` and cookie policy
 * JupyterLab uses everywhere, under `settings.baseUrl`); the answer is
 * checked (validate.ts); every failure is a DependenciesError with the
 * server's message.
 *
 * Only the names are read from the answer: the notebook builds its graph
 * itself, from every cell's metadata (execution records included), with
 * @workbench/dependencies/graph.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type SendRequest } from '@workbench/lab-common';
import { DependenciesError, dependenciesErrors } from './dependencies-error';
import type { AnalyzedCell, AnalyzeRequestCell } from './types';
import { readAnalyzeResponse } from './validate';

export interface DependenciesClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
  /** How requests are sent; default `ServerConnection.makeRequest` with the settings (tests pass node's fetch). */
  send?: SendRequest;
}

export class DependenciesClient {
  readonly serverSettings: ServerConnection.ISettings;
  private readonly send: SendRequest;

  constructor(options: DependenciesClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.send = options.send ?? ((url, init) => ServerConnection.makeRequest(url, init, this.serverSettings));
  }

  /**
   * The names each cell defines and reads, in the order given. `path`: the
   * notebook's path in the workspace (the server reads `%build_models`
   * folders relative to it).
   */
  async analyze(cells: readonly AnalyzeRequestCell[], options: { path?: string; signal?: AbortSignal } = {}): Promise<AnalyzedCell[]> {
    const body = await requestJson(this.send, dependenciesErrors, DependenciesError, {
      action: 'analyse the cell dependencies',
      url: apiUrl(this.serverSettings.baseUrl, 'api/dependencies/analyze'),
      method: 'POST',
      body: { cells, ...(options.path !== undefined ? { path: options.path } : {}) },
      signal: options.signal,
    });
    return readAnalyzeResponse(body, cells.map((c) => c.id));
  }
}

