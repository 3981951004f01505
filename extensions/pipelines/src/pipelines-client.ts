/**
 * REST client for Workbench's pipelines API (`api/pipelines`, `api/runs`).
 * Requests go through `ServerConnection.makeRequest` (the token, `_xsrf`
 * and cookie policy JupyterLab uses everywhere, under
 * `settings.baseUrl`), each path part percent-encoded as one segment.
 * Every answer is validated (`validate.ts`); every failure is a
 * PipelinesError with the server's message. `follow()` opens a run's
 * event stream through the same request function.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type SendRequest } from '@workbench/lab-common';
import { errorFromResponse, PipelinesError, pipelinesErrors } from './pipelines-api';
import { RunEventStream, type RunEventStreamOptions } from './run-events';
import type { PipelineDetail, PipelineRecord, PipelinesAbilities, PipelineSummary, Run, RunDetail, RunRow, RunStatus, SpecIssue } from './types';
import { readAbilities, readIssues, readPipeline, readPipelineRecord, readPipelines, readRepair, readRun, readRunDetail, readRunRows, readRuns } from './validate';

export interface PipelinesClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
  /** How requests are sent; default `ServerConnection.makeRequest` with the settings (tests pass node's fetch). */
  send?: SendRequest;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class PipelinesClient {
  readonly serverSettings: ServerConnection.ISettings;
  private readonly send: SendRequest;

  constructor(options: PipelinesClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.send = options.send ?? ((url, init) => ServerConnection.makeRequest(url, init, this.serverSettings));
  }

  /** What the signed-in user may do with pipelines, by the server's own role policy. */
  async abilities(options: RequestOptions = {}): Promise<PipelinesAbilities> {
    const permissions = JSON.stringify({ pipelines: ['read', 'execute', 'write'], schedules: ['write'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET', undefined, options));
  }

  async pipelines(options: RequestOptions = {}): Promise<PipelineSummary[]> {
    return readPipelines(await this.request('list the pipelines', this.url(['pipelines']), 'GET', undefined, options));
  }

  async pipeline(id: string, options: RequestOptions = {}): Promise<PipelineDetail> {
    return readPipeline(await this.request('load the pipeline', this.url(['pipelines', id]), 'GET', undefined, options));
  }

  /** Checks a pipeline file's text without saving it. */
  async validate(path: string, content: string, options: RequestOptions = {}): Promise<SpecIssue[]> {
    return readIssues(await this.request(`check ${path}`, this.url(['pipelines', 'validate']), 'POST', { path, content }, options));
  }

  /** Writes a new pipeline file; a file with errors is refused (the error's `issues` say where, when the server lists them). */
  async create(path: string, content: string, options: RequestOptions = {}): Promise<PipelineRecord> {
    return readPipelineRecord(await this.request(`create ${path}`, this.url(['pipelines']), 'POST', { path, content }, options));
  }

  async setPaused(id: string, paused: boolean, options: RequestOptions = {}): Promise<PipelineRecord> {
    return readPipelineRecord(await this.request(paused ? 'pause the pipeline' : 'resume the pipeline', this.url(['pipelines', id]), 'PATCH', { paused }, options));
  }

  /** The pipeline's runs, newest first, each with its tasks' statuses. */
  async runs(pipelineId: string, params: { limit?: number } = {}, options: RequestOptions = {}): Promise<RunRow[]> {
    const query = { limit: params.limit === undefined ? undefined : String(params.limit) };
    return readRunRows(await this.request('list the runs', this.url(['pipelines', pipelineId, 'runs'], query), 'GET', undefined, options));
  }

  /** Runs the pipeline now; `parameters` are overrides (text from a form is fine: the server reads it by type). */
  async runNow(pipelineId: string, input: { parameters?: Record<string, unknown>; logicalDate?: string } = {}, options: RequestOptions = {}): Promise<Run> {
    const body = { ...(input.parameters && Object.keys(input.parameters).length > 0 && { parameters: input.parameters }), ...(input.logicalDate && { logical_date: input.logicalDate }) };
    return readRun(await this.request('run the pipeline', this.url(['pipelines', pipelineId, 'runs']), 'POST', body, options));
  }

  /** One run per period from..to (`YYYY-MM` or `YYYY-MM-DD`). */
  async backfill(pipelineId: string, input: { from: string; to: string; parallel: boolean; parameters?: Record<string, unknown> }, options: RequestOptions = {}): Promise<Run[]> {
    const body = { from: input.from, to: input.to, parallel: input.parallel, ...(input.parameters && Object.keys(input.parameters).length > 0 && { parameters: input.parameters }) };
    return readRuns(await this.request('backfill the pipeline', this.url(['pipelines', pipelineId, 'backfill']), 'POST', body, options));
  }

  /** Runs of every pipeline, newest first. */
  async allRuns(params: { statuses?: readonly RunStatus[]; limit?: number } = {}, options: RequestOptions = {}): Promise<Run[]> {
    const query = { status: params.statuses?.join(','), limit: params.limit === undefined ? undefined : String(params.limit) };
    return readRuns(await this.request('list the runs', this.url(['runs'], query), 'GET', undefined, options));
  }

  async run(runId: string, options: RequestOptions = {}): Promise<RunDetail> {
    return readRunDetail(await this.request('load the run', this.url(['runs', runId]), 'GET', undefined, options));
  }

  async cancel(runId: string, options: RequestOptions = {}): Promise<RunDetail> {
    return readRunDetail(await this.request('cancel the run', this.url(['runs', runId, 'cancel']), 'POST', undefined, options));
  }

  /** Reruns the tasks that did not succeed and what depends on them; answers which tasks run again. */
  async repair(runId: string, options: RequestOptions = {}): Promise<{ run: Run; tasks: string[] }> {
    return readRepair(await this.request('repair the run', this.url(['runs', runId, 'repair']), 'POST', undefined, options));
  }

  /** Undoes a run that succeeded: the pipeline's rollback task runs alone (a new run, trigger `rollback`); `reason` is required and audited. */
  async rollback(runId: string, reason: string, options: RequestOptions = {}): Promise<Run> {
    return readRun(await this.request('roll back the run', this.url(['runs', runId, 'rollback']), 'POST', { reason }, options));
  }


  /** A run's event stream (not started: call `start()`; `dispose()` closes it). */
  follow(runId: string, handlers: Pick<RunEventStreamOptions, 'onEvent' | 'onState' | 'random' | 'sleep'>): RunEventStream {
    return new RunEventStream({ ...handlers, send: this.send, url: this.url(['runs', runId, 'events']) });
  }

  private url(segments: string[], params: Record<string, string | undefined> = {}): string {
    return apiUrl(this.serverSettings.baseUrl, 'api', segments, params);
  }

  private request(action: string, url: string, method: Method, body: unknown, options: RequestOptions): Promise<unknown> {
    // lab-common's helpers, with the YAML issues an error body may carry.
    return requestJson(this.send, { ...pipelinesErrors, errorFromResponse }, PipelinesError, { action, url, method, body, signal: options.signal });
  }
}
