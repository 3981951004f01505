/**
 * REST client for Workbench's catalog API (`api/catalog`). Requests go
 * through `ServerConnection.makeRequest` (the token, `_xsrf` and cookie
 * policy JupyterLab uses everywhere, under `settings.baseUrl`), each path
 * part percent-encoded as one segment: sources, schemas, tables and
 * columns may hold '/', quotes, dots or any Unicode. Every answer is
 * validated (`validate.ts`); every failure is a CatalogError with the
 * server's message.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, requestJson } from '@workbench/lab-common';
import { CatalogError, catalogErrors } from './catalog-api';
import { qualifiedName } from './keys';
import type { CatalogAbilities, ClassifyResult, GlossaryTerm, LineageGraph, Note, Preview, PreviewMode, RefreshRun, SearchParams, SearchResult, SourceInfo, TableInfo, TableRef, TableSummary, UsageSummary } from './types';
import {
  readAbilities,
  readClassifyResults,
  readGlossary,
  readLineage,
  readNote,
  readPreview,
  readRefreshRun,
  readSearchResult,
  readSources,
  readTable,
  readTableList,
  readUsage,
} from './validate';

export interface CatalogClientOptions {
  /** Defaults to `ServerConnection.makeSettings()` (the page's base URL and token). */
  serverSettings?: ServerConnection.ISettings;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class CatalogClient {
  readonly serverSettings: ServerConnection.ISettings;

  constructor(options: CatalogClientOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** What the signed-in user may do with the catalog and personal data, by the server's own role policy. */
  async abilities(options: RequestOptions = {}): Promise<CatalogAbilities> {
    const permissions = JSON.stringify({ catalog: ['read', 'execute', 'write'], pii: ['read'] });
    return readAbilities(await this.request('find out what you may do', apiUrl(this.serverSettings.baseUrl, 'api/me', [], { permissions }), 'GET', undefined, options));
  }

  async sources(options: RequestOptions = {}): Promise<SourceInfo[]> {
    return readSources(await this.request('load the catalog sources', this.url(['sources']), 'GET', undefined, options));
  }

  /** Discovers `source` again; the run says whether it worked (a source that cannot be reached is status `error`, not a thrown error). */
  async refresh(source: string, options: RequestOptions = {}): Promise<RefreshRun> {
    return readRefreshRun(await this.request(`refresh ${source}`, this.url(['sources', source, 'refresh']), 'POST', undefined, options));
  }

  async search(params: SearchParams, options: RequestOptions = {}): Promise<SearchResult> {
    const query = {
      q: params.q,
      kind: params.kinds?.length ? params.kinds.join(',') : undefined,
      source: params.source,
      tag: params.tags?.length ? params.tags.join(',') : undefined,
      limit: params.limit === undefined ? undefined : String(params.limit),
    };
    return readSearchResult(await this.request('search the catalog', this.url(['search'], query), 'GET', undefined, options));
  }

  async tables(source: string, schema?: string, options: RequestOptions = {}): Promise<TableSummary[]> {
    return readTableList(await this.request(`list the tables of ${source}`, this.url(['tables', source], { schema }), 'GET', undefined, options));
  }

  async table(t: TableRef, options: RequestOptions = {}): Promise<TableInfo> {
    return readTable(await this.request(`load ${qualifiedName(t)}`, this.tableUrl(t), 'GET', undefined, options));
  }

  async preview(t: TableRef, params: { mode: PreviewMode; limit: number }, options: RequestOptions = {}): Promise<Preview> {
    return readPreview(await this.request(`preview ${qualifiedName(t)}`, this.tableUrl(t, ['preview'], { mode: params.mode, limit: String(params.limit) }), 'GET', undefined, options));
  }

  async usage(t: TableRef, options: RequestOptions = {}): Promise<UsageSummary> {
    return readUsage(await this.request(`load the usage of ${qualifiedName(t)}`, this.tableUrl(t, ['usage']), 'GET', undefined, options));
  }

  async lineage(t: TableRef, depth: number, options: RequestOptions = {}): Promise<LineageGraph> {
    return readLineage(await this.request(`load the lineage of ${qualifiedName(t)}`, this.tableUrl(t, ['lineage'], { depth: String(depth) }), 'GET', undefined, options));
  }

  /** Describes the table, or one of its columns (`column`); the owner is for tables only. Answers the note as saved. */
  async describe(t: TableRef, column: string | undefined, change: { description?: string | null; owner?: string | null }, options: RequestOptions = {}): Promise<Note> {
    return readNote(await this.request(`describe ${qualifiedName(t, column)}`, this.tableUrl(t, [], { column }), 'PATCH', change, options));
  }

  /** Confirms or rejects a (suggested) tag of the table or a column; a new tag is added confirmed. */
  async setTag(t: TableRef, column: string | undefined, tag: string, state: 'confirmed' | 'rejected', options: RequestOptions = {}): Promise<void> {
    await this.request(`tag ${qualifiedName(t, column)}`, this.tableUrl(t, ['tags'], { column }), 'POST', { tag, state }, options);
  }

  async removeTag(t: TableRef, column: string | undefined, tag: string, options: RequestOptions = {}): Promise<void> {
    await this.request(`untag ${qualifiedName(t, column)}`, this.tableUrl(t, ['tags', tag], { column }), 'DELETE', undefined, options);
  }

  /** Runs the personal-data detectors on a sample; what they find is stored as suggested tags. */
  async classify(t: TableRef, options: RequestOptions = {}): Promise<ClassifyResult[]> {
    return readClassifyResults(await this.request(`classify ${qualifiedName(t)}`, this.tableUrl(t, ['classify']), 'POST', undefined, options));
  }

  async linkTerm(t: TableRef, term: string, options: RequestOptions = {}): Promise<void> {
    await this.request(`link ${qualifiedName(t)} to ${term}`, this.tableUrl(t, ['terms']), 'POST', { term }, options);
  }

  async glossary(options: RequestOptions = {}): Promise<GlossaryTerm[]> {
    return readGlossary(await this.request('load the glossary', this.url(['glossary']), 'GET', undefined, options));
  }

  async defineTerm(term: string, definition: string, options: RequestOptions = {}): Promise<void> {
    await this.request(`define ${term}`, this.url(['glossary', term]), 'PUT', { definition }, options);
  }

  private url(segments: string[], params: Record<string, string | undefined> = {}): string {
    return apiUrl(this.serverSettings.baseUrl, 'api/catalog', segments, params);
  }

  private tableUrl(t: TableRef, tail: string[] = [], params: Record<string, string | undefined> = {}): string {
    return this.url(['tables', t.source, t.schema, t.name, ...tail], params);
  }

  private request(action: string, url: string, method: Method, body: unknown, options: RequestOptions): Promise<unknown> {
    const send = (u: string, init: RequestInit) => ServerConnection.makeRequest(u, init, this.serverSettings);
    return requestJson(send, catalogErrors, CatalogError, { action, url, method, body, signal: options.signal });
  }
}
