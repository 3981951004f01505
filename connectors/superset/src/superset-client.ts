/**
 * The Superset REST API client the month-end close publishes with: it logs
 * in, finds the serving database and each gold table's dataset, creates the
 * dataset or refreshes its columns from the table, and says per table what
 * it did.
 *
 * Authentication (Flask-AppBuilder's SecurityApi, flask_appbuilder/security/api.py):
 * POST /api/v1/security/login {username, password, provider, refresh: true}
 * answers {access_token, refresh_token}; every other call carries
 * `Authorization: Bearer <access_token>`. A call rejected for its token
 * (401, or flask_jwt_extended's 422 {msg} for a token it cannot decode:
 * default_callbacks.py) is renewed once, with POST /api/v1/security/refresh
 * and the refresh token, or by logging in again when that fails, and
 * repeated once: Superset checks the token before the handler runs, so the
 * repeat cannot apply a write twice.
 *
 * CSRF: Superset's model APIs set `csrf_exempt = False`
 * (superset/views/base_api.py) and Flask-WTF checks POST/PUT/PATCH/DELETE
 * before authentication (flask_wtf/csrf.py, CSRFProtect.init_app). So before
 * the first write the client GETs /api/v1/security/csrf_token/, keeps the
 * session cookie that answer sets (the raw token lives in Flask's session)
 * and sends `X-CSRFToken` with that cookie on every write, plus a Referer
 * of the base URL, which Flask-WTF requires over HTTPS (WTF_CSRF_SSL_STRICT).
 * The token is kept for the client's life (Superset's WTF_CSRF_TIME_LIMIT is
 * a week): make a client per publish run.
 *
 * Every call takes `{ signal }`; each HTTP request is also bounded by
 * `timeoutMs`, and by the client's `signal` and disposal. Redirects are not
 * followed. Errors are SupersetErrors (superset-error.ts) with the status and
 * Superset's message, or AppError `timeout` for timeouts and aborts.
 */
import { AppError, abortError, describeError } from '@workbench/core';
import { risonEncode, type RisonValue } from './rison';
import { SessionCookies } from './session-cookies';
import { SupersetError, isSupersetError } from './superset-error';
import {
  readCreatedId,
  readCsrfToken,
  readList,
  readShow,
  readTokens,
  toDatabase,
  toDataset,
  toDatasetSummary,
  type SupersetDatabase,
  type SupersetDataset,
  type SupersetDatasetSummary,
} from './superset-responses';

export interface SupersetClientOptions {
  /** Superset's root URL, e.g. https://bi.example.com (no /api/v1). */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** Flask-AppBuilder's login provider: 'db' (default) or 'ldap'. */
  readonly provider?: 'db' | 'ldap';
  readonly fetch?: typeof fetch;
  /** Aborts every call of this client (shutdown). */
  readonly signal?: AbortSignal;
  /** Limit of each HTTP request; default 30 s. */
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch, for cookie expiry. */
  readonly clock?: () => number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface NewDataset {
  /** The Superset database id. */
  readonly database: number;
  readonly schema: string;
  readonly table_name: string;
}

/** Fields of DatasetPutSchema (superset/datasets/schemas.py) the close sets; Superset accepts more. */
export interface DatasetUpdate {
  readonly description?: string | null;
  readonly main_dttm_col?: string | null;
  readonly cache_timeout?: number | null;
  readonly default_endpoint?: string | null;
  readonly extra?: string | null;
  readonly template_params?: string | null;
  readonly owners?: readonly number[];
}

export interface PublishTarget {
  /** The Superset database's name (database_name), e.g. "serving". */
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  /** Set as the dataset's description after the create or refresh. */
  readonly description?: string;
}

export type PublishResult =
  | { readonly target: PublishTarget; readonly outcome: 'created' | 'refreshed'; readonly datasetId: number }
  | { readonly target: PublishTarget; readonly outcome: 'failed'; readonly error: AppError };

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface RequestSpec {
  readonly query?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly bearer?: string;
  /** A write: send the CSRF token, the session cookie and a JSON content type. */
  readonly csrf?: string;
}

export class SupersetClient implements AsyncDisposable {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private readonly cookies = new SessionCookies();
  private readonly lifetime = new AbortController();
  private tokens: { access: string; refresh: string | undefined } | undefined;
  private loggingIn: Promise<void> | undefined;
  private renewing: Promise<void> | undefined;
  private csrf: Promise<string> | undefined;

  constructor(private readonly options: SupersetClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Log in (again): new access and refresh tokens. Other calls log in by themselves when needed. */
  async login(options: CallOptions = {}): Promise<void> {
    const action = `log in to Superset as ${this.options.username}`;
    const a = await this.send('POST', '/api/v1/security/login', { json: { username: this.options.username, password: this.options.password, provider: this.options.provider ?? 'db', refresh: true } }, action, options.signal);
    if (a.status !== 200) throw new SupersetError(action, { status: a.status, body: a.body });
    this.tokens = readTokens(action, a.body);
  }

  /** The database named `name` (database_name, exact), or undefined. */
  async findDatabase(name: string, options: CallOptions = {}): Promise<SupersetDatabase | undefined> {
    const action = `find the Superset database ${name}`;
    const a = await this.call('GET', '/api/v1/database/', action, { query: { q: risonEncode({ filters: [{ col: 'database_name', opr: 'eq', value: name }] }) } }, options.signal);
    const found = readList(action, a.body).result.map((item) => toDatabase(action, item));
    return found.find((d) => d.database_name === name);
  }

  /** The dataset over `schema.table` in the database, or undefined. */
  async findDataset(where: { databaseId: number; schema: string; table: string }, options: CallOptions = {}): Promise<SupersetDatasetSummary | undefined> {
    const action = `find the Superset dataset ${where.schema}.${where.table}`;
    const filters: RisonValue[] = [
      { col: 'database', opr: 'rel_o_m', value: where.databaseId },
      { col: 'schema', opr: 'eq', value: where.schema },
      { col: 'table_name', opr: 'eq', value: where.table },
    ];
    const a = await this.call('GET', '/api/v1/dataset/', action, { query: { q: risonEncode({ filters }) } }, options.signal);
    const found = readList(action, a.body).result.map((item) => toDatasetSummary(action, item));
    return found.find((d) => d.table_name === where.table && d.schema === where.schema && d.database.id === where.databaseId);
  }

  async getDataset(id: number, options: CallOptions = {}): Promise<SupersetDataset> {
    const action = `read the Superset dataset ${id}`;
    const a = await this.call('GET', `/api/v1/dataset/${id}`, action, {}, options.signal);
    return toDataset(action, readShow(action, a.body));
  }

  /** Create a physical dataset over the table; Superset reads its columns from the table. Returns its id. */
  async createDataset(dataset: NewDataset, options: CallOptions = {}): Promise<number> {
    const action = `create the Superset dataset ${dataset.schema}.${dataset.table_name}`;
    const body = { database: dataset.database, schema: dataset.schema, table_name: dataset.table_name };
    const a = await this.call('POST', '/api/v1/dataset/', action, { json: body, write: true }, options.signal);
    return readCreatedId(action, a.body);
  }

  /** Re-sync the dataset's columns from its table (PUT /api/v1/dataset/<pk>/refresh). */
  async refreshDataset(id: number, options: CallOptions = {}): Promise<void> {
    await this.call('PUT', `/api/v1/dataset/${id}/refresh`, `refresh the Superset dataset ${id}`, { write: true }, options.signal);
  }

  async updateDataset(id: number, changes: DatasetUpdate, options: CallOptions = {}): Promise<void> {
    await this.call('PUT', `/api/v1/dataset/${id}`, `update the Superset dataset ${id}`, { json: changes, write: true }, options.signal);
  }

  /**
   * Create or refresh the dataset of each target, in order. A failure is
   * recorded for its table and the next one is tried; an abort (the call's
   * or the client's signal, a disposal) ends the run by throwing.
   */
  async publishDatasets(targets: readonly PublishTarget[], options: CallOptions = {}): Promise<PublishResult[]> {
    const databases = new Map<string, SupersetDatabase | undefined>();
    const results: PublishResult[] = [];
    for (const target of targets) {
      try {
        results.push(await this.publishOne(target, databases, options.signal));
      } catch (err) {
        if (options.signal?.aborted || this.options.signal?.aborted || this.lifetime.signal.aborted || !(err instanceof AppError)) throw err;
        results.push({ target, outcome: 'failed', error: err });
      }
    }
    return results;
  }

  private async publishOne(target: PublishTarget, databases: Map<string, SupersetDatabase | undefined>, signal: AbortSignal | undefined): Promise<PublishResult> {
    if (!databases.has(target.database)) databases.set(target.database, await this.findDatabase(target.database, { signal }));
    const database = databases.get(target.database);
    if (!database) throw new AppError('not_found', `Cannot publish ${target.schema}.${target.table}: Superset has no database named ${target.database}`);
    const where = { databaseId: database.id, schema: target.schema, table: target.table };
    let outcome: 'created' | 'refreshed';
    let id: number;
    const existing = await this.findDataset(where, { signal });
    if (existing) {
      await this.refreshDataset(existing.id, { signal });
      [outcome, id] = ['refreshed', existing.id];
    } else {
      try {
        id = await this.createDataset({ database: database.id, schema: target.schema, table_name: target.table }, { signal });
        outcome = 'created';
      } catch (err) {
        // Another publisher may have created it between our look and our create (Superset answers 422): refresh theirs.
        const theirs = isSupersetError(err) && err.status === 422 ? await this.findDataset(where, { signal }) : undefined;
        if (!theirs) throw err;
        await this.refreshDataset(theirs.id, { signal });
        [outcome, id] = ['refreshed', theirs.id];
      }
    }
    if (target.description !== undefined) await this.updateDataset(id, { description: target.description }, { signal });
    return { target, outcome, datasetId: id };
  }

  /** Ends every call in flight and refuses later ones. Idempotent. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.lifetime.signal.aborted) this.lifetime.abort(new AppError('unavailable', 'Cannot call Superset: this client was closed'));
    this.tokens = undefined;
    this.cookies.clear();
  }

  /** An authenticated call, renewed and repeated once when Superset rejects the token (see the header). */
  private async call(method: string, path: string, action: string, spec: { query?: Record<string, string>; json?: unknown; write?: boolean }, signal: AbortSignal | undefined): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      if (!this.tokens) await this.loginOnce(signal);
      const access = this.tokens?.access;
      if (access === undefined) throw abortError(this.lifetime.signal, action); // disposed meanwhile
      const csrf = spec.write ? await this.csrfToken(signal) : undefined;
      const a = await this.send(method, path, { query: spec.query, json: spec.json, bearer: access, csrf }, action, signal);
      if (attempt === 0 && tokenRejected(a)) {
        await this.renew(access, signal);
        continue;
      }
      if (a.status < 200 || a.status > 299) throw new SupersetError(action, { status: a.status, body: a.body });
      return a;
    }
  }

  private loginOnce(signal: AbortSignal | undefined): Promise<void> {
    this.loggingIn ??= this.login({ signal }).finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  /** New tokens, unless another call already replaced the rejected one. */
  private async renew(rejected: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.tokens?.access !== rejected) return;
    this.renewing ??= (async () => {
      const refresh = this.tokens?.refresh;
      if (refresh) {
        const action = 'refresh the Superset access token';
        const a = await this.send('POST', '/api/v1/security/refresh', { bearer: refresh }, action, signal);
        if (a.status === 200) {
          this.tokens = { access: readTokens(action, a.body).access, refresh };
          return;
        }
        // The refresh token expired or was refused too: log in again.
      }
      await this.login({ signal });
    })().finally(() => (this.renewing = undefined));
    await this.renewing;
  }

  private csrfToken(signal: AbortSignal | undefined): Promise<string> {
    this.csrf ??= (async () => {
      const action = 'get a CSRF token from Superset';
      const a = await this.call('GET', '/api/v1/security/csrf_token/', action, {}, signal);
      return readCsrfToken(action, a.body);
    })().catch((err: unknown) => {
      this.csrf = undefined;
      throw err;
    });
    return this.csrf;
  }

  /** One HTTP exchange; any status is an answer. Throws only when no answer came. */
  private async send(method: string, path: string, spec: RequestSpec, action: string, signal: AbortSignal | undefined): Promise<Answer> {
    const signals = [this.lifetime.signal, AbortSignal.timeout(this.timeoutMs), ...(this.options.signal ? [this.options.signal] : []), ...(signal ? [signal] : [])];
    const already = signals.find((s) => s.aborted);
    if (already) throw abortError(already, action);
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.bearer) headers.authorization = `Bearer ${spec.bearer}`;
    if (spec.json !== undefined || spec.csrf !== undefined) headers['content-type'] = 'application/json';
    if (spec.csrf !== undefined) {
      headers['x-csrftoken'] = spec.csrf;
      headers.referer = `${this.base}/`;
    }
    const cookie = this.cookies.header();
    if (cookie) headers.cookie = cookie;
    try {
      const res = await this.fetch(url, { method, headers, body: spec.json === undefined ? undefined : JSON.stringify(spec.json), redirect: 'manual', signal: AbortSignal.any(signals) });
      const text = await res.text();
      this.cookies.update(res.headers.getSetCookie(), this.clock());
      return { status: res.status, body: parseBody(text) };
    } catch (err) {
      const aborted = signals.find((s) => s.aborted);
      if (aborted) throw abortError(aborted, action);
      throw new SupersetError(action, { cause: err, reason: describeError((err as { cause?: unknown }).cause ?? err) });
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** 401, or flask_jwt_extended's 422 for an undecodable token: {msg} where Superset's own answers say {message}. */
function tokenRejected(a: Answer): boolean {
  if (a.status === 401) return true;
  const b = a.body as { msg?: unknown; message?: unknown } | undefined;
  return a.status === 422 && typeof b === 'object' && b !== null && typeof b.msg === 'string' && b.message === undefined;
}
