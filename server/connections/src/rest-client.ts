/**
 * The client of a REST connection, which connectors (Superset, OCR,
 * agents) get from the manager by connection name. It adds the base URL,
 * the static headers and the credential (bearer, basic, API key header or
 * an OAuth2 client-credentials token, cached until it expires), bounds
 * every try by the connection's timeouts, and retries by the policy of
 * ./retry-policy.ts: idempotent calls only, exponential backoff with
 * jitter and a cap, Retry-After honoured on 429 and 503.
 *
 * Every call takes `{ signal }`. Errors are RestErrors (AppError
 * `timeout`, `not_found` for a 404 from json(), else `unavailable`) with
 * the stage that failed and the HTTP status when there was one; messages
 * never hold the credential or a token.
 *
 * Get it from the manager for each use rather than keeping it: the manager
 * closes it when the connection's settings or credential change (calls in
 * flight finish; later ones are refused) and at shutdown.
 */
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch, type BodyInit, type FormData, type Response } from 'undici';
import { AppError, abortError, silentLogger, type Logger } from '@workbench/core';
import type { TestStage } from './test-result';
import { diagnoseNetwork, isTimeout } from './kinds/network-errors';
import type { RestCredential, RestSettings } from './kinds/rest';
import { OAuth2ClientCredentials } from './oauth2-token';
import { RestError } from './rest-error';
import { RETRY_AFTER_STATUSES, RETRY_STATUSES, backoffDelay, mayRetry, parseRetryAfter } from './retry-policy';

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

export interface RestRequestOptions {
  /** Default GET. */
  method?: string;
  query?: Readonly<Record<string, QueryValue>>;
  headers?: Readonly<Record<string, string>>;
  /** A body sent as it is (replayable: no streams, since a try may be repeated). Multipart: undici's FormData (exported here). */
  body?: string | Uint8Array | URLSearchParams | FormData;
  /** A body sent as JSON (content-type application/json). */
  json?: unknown;
  /** Retry this POST or PATCH too: the caller knows repeating it is harmless (an idempotency key, say). */
  idempotent?: boolean;
  /** Per-try limit in ms instead of settings.timeouts.request_s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RestClientOptions {
  /** The connection's name, for logs. */
  name?: string;
  logger?: Logger;
  /** Milliseconds since the epoch: Retry-After dates and token expiry. */
  clock?: () => number;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
  /** Waits between tries. */
  delay?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const defaultDelay = (ms: number, signal: AbortSignal | undefined) => sleep(ms, undefined, { signal });

export class RestClient implements AsyncDisposable {
  readonly baseUrl: string;
  private readonly settings: RestSettings;
  private readonly credential: RestCredential | undefined;
  private readonly agent: Agent;
  private readonly oauth2: OAuth2ClientCredentials | undefined;
  private readonly logger: Logger;
  private readonly name: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly delay: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  private readonly secrets: string[];
  private closing: Promise<void> | undefined;

  constructor(settings: RestSettings, credential: RestCredential | undefined, options: RestClientOptions = {}) {
    this.settings = settings;
    this.credential = credential;
    this.baseUrl = settings.base_url.replace(/\/+$/, '');
    this.logger = options.logger ?? silentLogger;
    this.name = options.name ?? this.baseUrl;
    this.now = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.delay = options.delay ?? defaultDelay;
    const requestMs = settings.timeouts.request_s * 1000;
    this.agent = new Agent({
      // A private CA is trusted besides the system's (a token endpoint may be public while the API is not).
      connect: { timeout: settings.timeouts.connect_s * 1000, ...(settings.ca ? { ca: [...rootCertificates, settings.ca] } : {}) },
      headersTimeout: requestMs,
      bodyTimeout: requestMs,
    });
    const c = credential ?? {};
    this.secrets = [c.token, c.password, c.api_key, c.client_secret].filter((v): v is string => v !== undefined);
    if (settings.auth.type === 'basic' && c.password !== undefined) this.secrets.push(Buffer.from(`${settings.auth.username}:${c.password}`).toString('base64'));
    const auth = settings.auth;
    this.oauth2 =
      auth.type === 'oauth2_client_credentials' && c.client_secret !== undefined
        ? new OAuth2ClientCredentials(
            auth,
            c.client_secret,
            (url, init) => this.exchange('POST', url, async () => ({ headers: init.headers, body: init.body }), true, init.signal, { action: `get an OAuth2 token from ${url}`, connect: `reach the OAuth2 token endpoint ${url}` }),
            this.now,
            (text) => this.redact(text),
          )
        : undefined;
  }

  /** Tokens asked for so far (OAuth2; 0 otherwise). */
  get tokenRequests(): number {
    return this.oauth2?.requested ?? 0;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** The URL of `path` (relative to the base URL, leading slash or not) with `query`. */
  url(path: string, query?: Readonly<Record<string, QueryValue>>): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) throw new AppError('bad_request', `Cannot call ${this.name}: ${JSON.stringify(path.slice(0, 100))} is not a path under ${this.baseUrl}`);
    const url = new URL(path === '' ? this.baseUrl : `${this.baseUrl}/${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    return url.toString();
  }

  /**
   * One call, with retries by the policy; resolves with the answer whatever
   * its status (after retries), rejects when none came (RestError) or the
   * signal aborted. The caller reads or cancels the body.
   */
  async request(path: string, options: RestRequestOptions = {}): Promise<Response> {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { ...this.settings.headers, ...(options.headers ?? {}) };
    let body: BodyInit | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    let reauthorized = false;
    for (;;) {
      let token: string | undefined;
      const res = await this.exchange(
        method,
        url,
        async (signal) => {
          const h = { ...headers };
          token = await this.authorize(h, signal);
          return { headers: h, body };
        },
        mayRetry(method, options.idempotent),
        options.signal,
        { action: `${method} ${url}`, connect: `connect to ${new URL(url).origin}`, timeoutMs: options.timeoutMs },
      );
      // A refused OAuth2 token (revoked, or expired early): ask for a new one, once.
      if (res.status === 401 && this.oauth2 && token !== undefined && !reauthorized) {
        reauthorized = true;
        this.oauth2.invalidate(token);
        await res.body?.cancel().catch(() => undefined);
        continue;
      }
      return res;
    }
  }

  /** GET (or `method`) and parse the JSON answer; a non-2xx answer is a RestError. Validate T at the caller's trust boundary. */
  async json<T = unknown>(path: string, options: RestRequestOptions = {}): Promise<T> {
    const method = (options.method ?? 'GET').toUpperCase();
    const res = await this.request(path, { ...options, headers: { accept: 'application/json', ...(options.headers ?? {}) } });
    const url = this.url(path, options.query);
    if (res.status < 200 || res.status >= 300) {
      const text = await res.text().catch(() => '');
      const excerpt = text ? `: ${this.redact(text.slice(0, 300))}` : '';
      const stage: TestStage = res.status === 401 || res.status === 403 ? 'auth' : res.status === 404 ? 'not_found' : 'query';
      throw new RestError(res.status === 404 ? 'not_found' : 'unavailable', `Cannot ${method} ${url}: ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt}`, { stage, status: res.status });
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new RestError('unavailable', `Cannot ${method} ${url}: the answer is not JSON`, { stage: 'query', status: res.status, cause: err });
    }
  }

  /** `text` without the credential, its Basic encoding, or a token. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Calls in flight finish; new ones are refused.
    this.closing ??= this.agent.close().catch(() => undefined);
    await this.closing;
  }

  /** Set the credential's headers; returns the OAuth2 token used, if any. */
  private async authorize(headers: Record<string, string>, signal: AbortSignal | undefined): Promise<string | undefined> {
    const auth = this.settings.auth;
    const c = this.credential;
    switch (auth.type) {
      case 'none':
        return undefined;
      case 'bearer':
        if (c?.token !== undefined) headers.authorization = `Bearer ${c.token}`;
        return undefined;
      case 'basic':
        if (c?.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${c.password}`).toString('base64')}`;
        return undefined;
      case 'api_key':
        if (c?.api_key !== undefined) headers[auth.header] = c.api_key;
        return undefined;
      case 'oauth2_client_credentials': {
        if (!this.oauth2) throw new RestError('unavailable', `Cannot call ${this.name}: no client secret is stored for OAuth2 client ${auth.client_id}`, { stage: 'auth' });
        const token = await this.oauth2.token(signal);
        if (!this.secrets.includes(token)) this.secrets.push(token);
        headers.authorization = `Bearer ${token}`;
        return token;
      }
    }
  }

  /** Tries of one request by the retry policy. */
  private async exchange(
    method: string,
    url: string,
    prepare: (signal: AbortSignal | undefined) => Promise<{ headers: Record<string, string>; body: BodyInit | undefined }>,
    retryable: boolean,
    signal: AbortSignal | undefined,
    what: { action: string; connect: string; timeoutMs?: number },
  ): Promise<Response> {
    const { action, timeoutMs } = what;
    if (this.closing) throw new AppError('unavailable', `Cannot call ${this.name}: this client was closed (the connection changed, or the server is shutting down); get it again from the manager`);
    const policy = this.settings.retry;
    const perTry = timeoutMs ?? this.settings.timeouts.request_s * 1000;
    const host = new URL(url).hostname;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError(signal, action);
      const init = await prepare(signal);
      const timeout = AbortSignal.timeout(perTry);
      let res: Response;
      try {
        res = await fetch(url, { method, headers: init.headers, body: init.body, dispatcher: this.agent, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (err) {
        if (signal?.aborted) throw abortError(signal, action);
        const failure = this.failure(err, timeout.aborted, host, what, perTry);
        const transient = failure.stage === 'network' || failure.stage === 'timeout';
        if (!(retryable && transient && attempt < policy.attempts)) throw failure;
        const wait = backoffDelay(attempt, policy, this.random);
        this.logger.debug({ connection: this.name, method, url: stripQuery(url), attempt, failure: failure.stage, wait_ms: wait }, 'REST call failed; trying again');
        await this.wait(wait, signal, action);
        continue;
      }
      if (retryable && attempt < policy.attempts && RETRY_STATUSES.has(res.status)) {
        let wait = RETRY_AFTER_STATUSES.has(res.status) ? parseRetryAfter(res.headers.get('retry-after'), this.now()) : undefined;
        // Asked to wait longer than the policy allows: the answer goes to the caller.
        if (wait !== undefined && wait > policy.max_retry_after_s * 1000) return res;
        wait ??= backoffDelay(attempt, policy, this.random);
        await res.body?.cancel().catch(() => undefined);
        this.logger.debug({ connection: this.name, method, url: stripQuery(url), attempt, status: res.status, wait_ms: wait }, 'REST call answered with a retryable status; trying again');
        await this.wait(wait, signal, action);
        continue;
      }
      return res;
    }
  }

  private async wait(ms: number, signal: AbortSignal | undefined, action: string): Promise<void> {
    try {
      await this.delay(ms, signal);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal, action);
      throw err;
    }
  }

  private failure(err: unknown, timedOut: boolean, host: string, what: { action: string; connect: string }, perTry: number): RestError {
    const action = what.action;
    if (timedOut) return new RestError('timeout', `Cannot ${action}: no answer within ${Math.round(perTry / 100) / 10} s`, { stage: 'timeout', cause: err });
    const d = diagnoseNetwork(err, host, what.connect);
    if (d) return new RestError(d.stage === 'timeout' ? 'timeout' : 'unavailable', d.message, { stage: d.stage, cause: err });
    if (isTimeout(err)) return new RestError('timeout', `Cannot ${action}: no answer in time`, { stage: 'timeout', cause: err });
    const text = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return new RestError('unavailable', `Cannot ${action}: ${this.redact(text)}`, { stage: 'network', cause: err });
  }
}

const stripQuery = (url: string) => url.split('?')[0];
