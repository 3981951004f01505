/**
 * REST client for projects' Python environments (`api/environments`,
 * server/environments/README.md) through `ServerConnection.makeRequest`;
 * answers validated, failures EnvironmentsErrors with the server's message.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type SendRequest } from '@workbench/lab-common';
import { EnvironmentsError, environmentsErrors } from './environments-api';
import type { EnvironmentInfo, EnvironmentsAbilities } from './types';
import { readAbilities, readEnvironments, readPruned } from './validate';

export interface EnvironmentsClientOptions {
  serverSettings?: ServerConnection.ISettings;
  /** Default `ServerConnection.makeRequest` (tests pass node's fetch). */
  send?: SendRequest;
}

export class EnvironmentsClient {
  readonly serverSettings: ServerConnection.ISettings;
  private readonly send: SendRequest;

  constructor(options: EnvironmentsClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.send = options.send ?? ((url, init) => ServerConnection.makeRequest(url, init, this.serverSettings));
  }

  async list(signal?: AbortSignal): Promise<EnvironmentInfo[]> {
    return readEnvironments(await this.request('list the environments', this.url([]), 'GET', undefined, signal));
  }

  async remove(id: string): Promise<void> {
    await this.request(`delete environment ${id}`, this.url([id]), 'DELETE');
  }

  /** Deletes the environments no project needs that were unused for `keepDays`; answers their ids. */
  async prune(keepDays: number): Promise<string[]> {
    return readPruned(await this.request('delete the unused environments', this.url(['prune']), 'POST', { keep_days: keepDays }));
  }

  async abilities(): Promise<EnvironmentsAbilities> {
    const permissions = JSON.stringify({ environments: ['read', 'write'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET'));
  }

  private url(segments: readonly string[]): string {
    return apiUrl(this.serverSettings.baseUrl, 'api/environments', segments);
  }

  private request(action: string, url: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown, signal?: AbortSignal): Promise<unknown> {
    return requestJson(this.send, environmentsErrors, EnvironmentsError, { action, url, method, body, signal });
  }
}
