/**
 * REST client for Workbench's History API. Requests go through
 * `ServerConnection.makeRequest`, which adds the token, the `_xsrf` header
 * and the cookie policy JupyterLab uses everywhere, under `settings.baseUrl`.
 */
import { ServerConnection } from '@jupyterlab/services';
import { errorFromResponse, historyUrl, HistoryError, networkError, type HistoryEndpoint } from './history-api';
import type { DiffResponse, RestoredModel, VersionContent, VersionList } from './types';
import { WORKING } from './types';
import { readDiffResponse, readRestoredModel, readVersionContent, readVersionList } from './validate';

export interface HistoryClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class HistoryClient {
  readonly serverSettings: ServerConnection.ISettings;

  constructor(options: HistoryClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Versions of `path`, newest first (following renames). */
  async versions(path: string, options: RequestOptions & { limit?: number } = {}): Promise<VersionList> {
    const params = { path, limit: options.limit === undefined ? undefined : String(options.limit) };
    return readVersionList(await this.request('load the version history', 'versions', params, { method: 'GET', signal: options.signal }));
  }

  /** Content of `path` at `version` (a commit id or "working"). */
  async content(path: string, version: string, options: RequestOptions = {}): Promise<VersionContent> {
    return readVersionContent(await this.request('load the version', 'content', { path, version }, { method: 'GET', signal: options.signal }));
  }

  /** What changed in `path` from `from` to `to` (default: the file on disk). */
  async diff(path: string, from: string, to: string = WORKING, options: RequestOptions = {}): Promise<DiffResponse> {
    return readDiffResponse(await this.request('load the changes', 'diff', { path, from, to }, { method: 'GET', signal: options.signal }));
  }

  /** Writes `version` over `path` as a new commit; nothing is lost. */
  async restore(path: string, version: string, options: RequestOptions = {}): Promise<RestoredModel> {
    const init: RequestInit = {
      method: 'POST',
      body: JSON.stringify({ path, version }),
      headers: { 'Content-Type': 'application/json' },
      signal: options.signal,
    };
    return readRestoredModel(await this.request('restore the version', 'restore', {}, init));
  }

  private async request(action: string, endpoint: HistoryEndpoint, params: Record<string, string | undefined>, init: RequestInit): Promise<unknown> {
    const url = historyUrl(this.serverSettings.baseUrl, endpoint, params);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw networkError(action, err);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(action, response.status, text);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new HistoryError('invalid_response', `Cannot ${action}: the server's answer is not JSON`, response.status, { cause: err });
    }
  }
}
