/**
 * REST client for Workbench's documents API (`api/documents`,
 * server/documents/README.md). Requests go through
 * `ServerConnection.makeRequest` (the token, `_xsrf` and cookie policy
 * JupyterLab uses everywhere, under `settings.baseUrl`), each path part
 * percent-encoded as one segment. Every answer is validated
 * (`validate.ts`); every failure is a ReviewError with the server's
 * message ("Cannot approve document …: four-eyes rule: …").
 *
 * Uploads send the file itself as the body with its own Content-Type (the
 * server sniffs the bytes anyway); page images come back as Blobs, so
 * they are fetched with the same credentials as everything else.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson, type SendRequest } from '@workbench/lab-common';
import { errorFromResponse, networkError, ReviewError, reviewErrors } from './review-api';
import type { Correction, DocumentDetail, DocumentStatus, DocumentSummary, DocumentView, Partner, ReplayResult, ReviewAbilities, UploadResult } from './types';
import { mediaTypeOf } from './upload-check';
import { readAbilities, readDetail, readDocument, readPartners, readReplay, readSummaries, readUpload } from './validate';

export interface ReviewClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
  /** How requests are sent; default `ServerConnection.makeRequest` with the settings (tests pass node's fetch). */
  send?: SendRequest;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST';

export class ReviewClient {
  readonly serverSettings: ServerConnection.ISettings;
  private readonly send: SendRequest;

  constructor(options: ReviewClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.send = options.send ?? ((url, init) => ServerConnection.makeRequest(url, init, this.serverSettings));
  }

  /** What the signed-in user may do with documents, by the server's own role policy, and who they are. */
  async abilities(options: RequestOptions = {}): Promise<ReviewAbilities> {
    const permissions = JSON.stringify({ documents: ['read', 'write'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET', undefined, options));
  }

  /** Documents, newest first; `statuses` empty or absent: every status. */
  async list(params: { statuses?: readonly DocumentStatus[]; limit?: number } = {}, options: RequestOptions = {}): Promise<DocumentSummary[]> {
    const query = { status: params.statuses?.join(','), limit: params.limit === undefined ? undefined : String(params.limit) };
    return readSummaries(await this.request('list the documents', this.url([], query), 'GET', undefined, options));
  }

  /** Documents whose posting to Odoo failed (replay may work), as opposed to a reading that failed. */
  async deadLetters(options: RequestOptions = {}): Promise<DocumentSummary[]> {
    return readSummaries(await this.request('list the failed postings', this.url(['dead-letter']), 'GET', undefined, options));
  }

  /** The whole document and its history. */
  async get(id: string, options: RequestOptions = {}): Promise<DocumentDetail> {
    return readDetail(await this.request('load the document', this.url([id]), 'GET', undefined, options));
  }

  /** Page `page` (from 1) as an image. */
  async page(id: string, page: number, options: RequestOptions = {}): Promise<Blob> {
    const action = `load page ${page}`;
    let response: Response;
    try {
      response = await this.send(this.url([id, 'pages', String(page)]), { method: 'GET', signal: options.signal, cache: 'default' });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw networkError(action, err);
    }
    if (!response.ok) throw errorFromResponse(action, response.status, await response.text());
    return response.blob();
  }

  /** Sends a file (PDF, PNG, JPEG, TIFF) as it is; the same file twice answers the document already there (`duplicate`). */
  async upload(file: Blob & { name?: string }, options: RequestOptions = {}): Promise<UploadResult> {
    const name = file.name ?? '';
    const action = `upload ${name || 'the file'}`;
    const url = this.url([], { filename: name || undefined });
    let response: Response;
    try {
      response = await this.send(url, { method: 'POST', body: file, headers: { 'Content-Type': mediaTypeOf(file) ?? 'application/octet-stream' }, signal: options.signal, cache: 'no-cache' });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw networkError(action, err);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(action, response.status, text);
    try {
      return readUpload(JSON.parse(text));
    } catch (err) {
      if (err instanceof ReviewError) throw err;
      throw new ReviewError('invalid_response', `Cannot ${action}: the server's answer is not JSON`, response.status, { cause: err });
    }
  }

  /**
   * Odoo partners whose name or VAT number contains `q` (2 to 100
   * characters; the server answers at most 20, by name), for choosing a
   * document's vendor. Refused with 400 for a shorter `q`, 503 when no Odoo
   * connection is configured.
   */
  async partners(q: string, options: RequestOptions = {}): Promise<Partner[]> {
    return readPartners(await this.request('search Odoo partners', this.url(['partners'], { q }), 'GET', undefined, options));
  }

  /** Corrects fields (only the ones given), lines (all of them) or the Odoo vendor; answers the document checked again. */
  async correct(id: string, change: Correction, options: RequestOptions = {}): Promise<DocumentView> {
    return readDocument(await this.request('save the corrections', this.url([id, 'correct']), 'POST', change, options));
  }

  /** Approves it for posting; refused (403, `rule: four_eyes`) when over the limit and you uploaded or corrected it. */
  async approve(id: string, version: number | undefined, options: RequestOptions = {}): Promise<DocumentView> {
    return readDocument(await this.request('approve the document', this.url([id, 'approve']), 'POST', version === undefined ? {} : { version }, options));
  }

  async reject(id: string, reason: string, options: RequestOptions = {}): Promise<DocumentView> {
    return readDocument(await this.request('reject the document', this.url([id, 'reject']), 'POST', { reason }, options));
  }

  /** Posts one failed posting again. */
  async replay(id: string, options: RequestOptions = {}): Promise<ReplayResult> {
    return readReplay(await this.request('replay the posting', this.url([id, 'replay']), 'POST', undefined, options));
  }

  /** Posts every dead letter again; documents already posted are skipped. */
  async replayAll(options: RequestOptions = {}): Promise<ReplayResult> {
    return readReplay(await this.request('replay the failed postings', this.url(['replay']), 'POST', {}, options));
  }

  private url(segments: string[], params: Record<string, string | undefined> = {}): string {
    return apiUrl(this.serverSettings.baseUrl, 'api/documents', segments, params);
  }

  private request(action: string, url: string, method: Method, body: unknown, options: RequestOptions): Promise<unknown> {
    return requestJson(this.send, { ...reviewErrors, errorFromResponse }, ReviewError, { action, url, method, body, signal: options.signal });
  }
}
