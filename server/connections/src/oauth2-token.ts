/**
 * OAuth2 client credentials (RFC 6749 4.4): an access token for the
 * client itself, asked for at the token endpoint with the client secret
 * and kept until shortly before it expires (expires_in less a tenth of its
 * life, at most 30 s). Concurrent callers share one token request. A token
 * the API refuses (401) is dropped by the client, which then asks once for
 * a new one.
 *
 * Failures are RestErrors with a stage: the token endpoint's host, port,
 * TLS, a timeout, or the endpoint refusing the client ("auth", with its
 * `error` code: invalid_client, invalid_scope, unauthorized_client...).
 */
import type { RestAuth } from './kinds/rest';
import { RestError } from './rest-error';

type OAuth2Settings = Extract<RestAuth, { type: 'oauth2_client_credentials' }>;

/** Sends the token request (the REST client's dispatcher, timeouts and retry policy). */
export type TokenSender = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ status: number; statusText: string; text(): Promise<string> }>;

interface Cached {
  token: string;
  /** When to ask again (ms, the clock's). */
  renewAt: number;
}

/** RFC 6749 2.3.1: client id and secret are form-encoded before Basic encoding. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

export class OAuth2ClientCredentials {
  private cached: Cached | undefined;
  private pending: Promise<Cached> | undefined;
  /** How many tokens were asked for (for logs and tests). */
  requested = 0;

  constructor(
    private readonly settings: OAuth2Settings,
    private readonly clientSecret: string,
    private readonly send: TokenSender,
    private readonly now: () => number,
    private readonly redact: (text: string) => string,
  ) {}

  /** A token valid now: the cached one, or a new one. */
  async token(signal?: AbortSignal): Promise<string> {
    const c = this.cached;
    if (c && this.now() < c.renewAt) return c.token;
    this.pending ??= this.request(signal).finally(() => {
      this.pending = undefined;
    });
    const fresh = await this.pending;
    this.cached = fresh;
    return fresh.token;
  }

  /** Forget `token` (the API refused it), so the next call asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async request(signal: AbortSignal | undefined): Promise<Cached> {
    const s = this.settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (s.scopes.length > 0) form.set('scope', s.scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (s.token_auth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${formEncode(s.client_id)}:${formEncode(this.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', s.client_id);
      form.set('client_secret', this.clientSecret);
    }
    const action = `get an OAuth2 token from ${s.token_url}`;
    const started = this.now();
    this.requested++;
    const res = await this.send(s.token_url, { method: 'POST', headers, body: form.toString(), signal });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // not JSON: said below
    }
    if (res.status < 200 || res.status >= 300) {
      const error = typeof body.error === 'string' ? body.error.slice(0, 100) : undefined;
      const description = typeof body.error_description === 'string' ? `: ${this.redact(body.error_description.slice(0, 300))}` : '';
      const refusal =
        error === 'invalid_client' || res.status === 401
          ? `the token endpoint refused client ${s.client_id} (${error ?? res.status}${description}); check client_id and the client secret`
          : error === 'invalid_scope'
            ? `the token endpoint refused the scopes ${JSON.stringify(s.scopes.join(' '))} (invalid_scope${description})`
            : `the token endpoint answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${error ? ` (${error}${description})` : ''}`;
      throw new RestError('unavailable', `Cannot ${action}: ${refusal}`, { stage: res.status >= 500 ? 'query' : 'auth', status: res.status });
    }
    const token = body.access_token;
    if (typeof token !== 'string' || token.length === 0) throw new RestError('unavailable', `Cannot ${action}: the answer has no access_token`, { stage: 'auth', status: res.status });
    const tokenType = typeof body.token_type === 'string' ? body.token_type : 'Bearer';
    if (tokenType.toLowerCase() !== 'bearer') throw new RestError('unavailable', `Cannot ${action}: the token is of type ${JSON.stringify(tokenType.slice(0, 40))}, not Bearer`, { stage: 'auth', status: res.status });
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : undefined;
    // Without expires_in the token is kept until the API refuses it.
    const renewAt = lifetime === undefined ? Number.POSITIVE_INFINITY : started + lifetime - Math.min(30_000, lifetime / 10);
    return { token, renewAt };
  }
}
