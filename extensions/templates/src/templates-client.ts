/**
 * REST client for the templates library (`api/templates`,
 * server/templates/README.md), plus the two things its dialogs need from
 * elsewhere: the connections a connection parameter may name
 * (`api/connections`) and what the signed-in user may do (`api/me`).
 * Requests go through `ServerConnection.makeRequest` (token, `_xsrf`,
 * cookies, under `settings.baseUrl`); answers are validated
 * (`validate.ts`); failures are TemplatesErrors with the server's message.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type SendRequest } from '@workbench/lab-common';
import { TemplatesError, templatesErrors } from './templates-api';
import type { ConnectionChoice, InstallResult, ParameterValue, SaveRequest, TemplateAbilities, TemplateDiff, TemplateInfo, TemplateVersion } from './types';
import { readAbilities, readConnections, readInstall, readTemplate, readTemplateDiff, readTemplates, readVersions } from './validate';

export interface TemplatesClientOptions {
  /** Defaults to `ServerConnection.makeSettings()`. */
  serverSettings?: ServerConnection.ISettings;
  /** How requests are sent; default `ServerConnection.makeRequest` (tests pass node's fetch). */
  send?: SendRequest;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export class TemplatesClient {
  readonly serverSettings: ServerConnection.ISettings;
  private readonly send: SendRequest;

  constructor(options: TemplatesClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.send = options.send ?? ((url, init) => ServerConnection.makeRequest(url, init, this.serverSettings));
  }

  async list(options: RequestOptions = {}): Promise<TemplateInfo[]> {
    return readTemplates(await this.request('list the templates', this.url([]), 'GET', undefined, options));
  }

  /** A template as it is now, or as it was at `version` (a user's template). */
  async get(name: string, options: RequestOptions & { version?: number } = {}): Promise<TemplateInfo> {
    const url = options.version === undefined ? this.url([name]) : apiUrl(this.serverSettings.baseUrl, 'api/templates', [name], { version: String(options.version) });
    return readTemplate(await this.request(`load template ${name}`, url, 'GET', undefined, options));
  }

  /** Copies the template (its current version, or `version`) into `folder` with `values` for its parameters; nothing is overwritten. */
  async install(name: string, folder: string, values: Record<string, ParameterValue>, options: RequestOptions & { version?: number } = {}): Promise<InstallResult> {
    const body = options.version === undefined ? { folder, values } : { folder, values, version: options.version };
    return readInstall(await this.request(`install template ${name}`, this.url([name, 'install']), 'POST', body, options));
  }

  /** Saves workspace files or a folder as a template (`replace`: the version it replaces). */
  async save(request: SaveRequest, options: RequestOptions = {}): Promise<TemplateInfo> {
    return readTemplate(await this.request(`save template ${request.name}`, this.url([]), 'POST', request, options));
  }

  /** Every saved version of a user's template, newest first. */
  async versions(name: string, options: RequestOptions = {}): Promise<TemplateVersion[]> {
    return readVersions(await this.request(`load the versions of template ${name}`, this.url([name, 'versions']), 'GET', undefined, options));
  }

  /** What changed from version `from` to `to` (default: the current one). */
  async diff(name: string, from: number, to?: number, options: RequestOptions = {}): Promise<TemplateDiff> {
    const query: Record<string, string> = { from: String(from) };
    if (to !== undefined) query.to = String(to);
    return readTemplateDiff(await this.request(`compare versions of template ${name}`, apiUrl(this.serverSettings.baseUrl, 'api/templates', [name, 'diff'], query), 'GET', undefined, options));
  }

  /** Makes `version` current again, saved as a new version over `replace` (the current one). */
  async restore(name: string, version: number, replace: number, options: RequestOptions = {}): Promise<TemplateInfo> {
    return readTemplate(await this.request(`restore version ${version} of template ${name}`, this.url([name, 'restore']), 'POST', { version, replace }, options));
  }

  async remove(name: string, options: RequestOptions = {}): Promise<void> {
    await this.request(`delete template ${name}`, this.url([name]), 'DELETE', undefined, options);
  }

  /** The connections the server has (names and kinds). */
  async connections(options: RequestOptions = {}): Promise<ConnectionChoice[]> {
    return readConnections(await this.request('list the connections', apiUrl(this.serverSettings.baseUrl, 'api/connections'), 'GET', undefined, options));
  }

  async abilities(options: RequestOptions = {}): Promise<TemplateAbilities> {
    const permissions = JSON.stringify({ templates: ['execute', 'write'], 'templates-curate': ['write'], pipelines: ['write'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET', undefined, options));
  }

  private url(segments: readonly string[]): string {
    return apiUrl(this.serverSettings.baseUrl, 'api/templates', segments);
  }

  private request(action: string, url: string, method: 'GET' | 'POST' | 'DELETE', body: unknown, options: RequestOptions): Promise<unknown> {
    return requestJson(this.send, templatesErrors, TemplatesError, { action, url, method, body, signal: options.signal });
  }
}
