/**
 * openid-client's failures, as Workbench's AppError taxonomy:
 *
 * | what went wrong                                        | code            |
 * |--------------------------------------------------------|-----------------|
 * | provider unreachable, timed out, 5xx, bad discovery    | unavailable     |
 * | provider refused our client credentials                | internal        |
 * | callback carries `error=`, wrong state, bad cookie     | bad_request     |
 * | code/refresh token refused (invalid_grant: PKCE, reuse)| unauthenticated |
 * | ID token: wrong aud / nonce / iss / azp, expired, sig  | unauthenticated |
 * | UserInfo for another sub, malformed token response     | unauthenticated |
 *
 * Messages read "Cannot <action>: <state>" and never carry a token: the
 * library's error is kept only as a sanitised `cause` (its name, code and
 * fixed message) and `details` ({ oauthCode, claim, providerError }).
 */
import { AppError, type ErrorCode } from '@workbench/core';

/** Thrown by our fetch wrapper for transport failures, so they are told apart from protocol errors without reading messages. */
export class ProviderFetchError extends Error {
  override readonly name = 'ProviderFetchError';
  constructor(
    readonly kind: 'timeout' | 'aborted' | 'network',
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind} on ${new URL(url).origin}${new URL(url).pathname}`, options);
  }
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  error?: unknown;
  error_description?: unknown;
  status?: unknown;
}

function causes(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = err;
  for (let i = 0; i < 8 && typeof e === 'object' && e !== null; i++) {
    out.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An OAuth error code or description as it may appear in a message: printable, bounded. */
function printable(v: unknown, max = 200): string | undefined {
  const s = str(v);
  return s === undefined ? undefined : s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

function sanitisedCause(err: unknown): Error {
  const chain = causes(err)
    .filter((c) => c instanceof Error || typeof c.message === 'string')
    .map((c) => `${str(c.name) ?? 'Error'}${str(c.code) ? ` [${str(c.code)}]` : ''}: ${str(c.message) ?? ''}`);
  return new Error(chain.join(' <- ') || String(err));
}

const CLAIM_PROBLEMS: Record<string, string> = {
  aud: 'the ID token was issued to another client (audience mismatch)',
  azp: 'the ID token was issued to another client (authorized party mismatch)',
  nonce: 'the ID token does not belong to this login (nonce mismatch)',
  iss: 'the ID token comes from another issuer',
  sub: 'the identity provider returned another user',
};

/**
 * `err` (thrown by openid-client, our fetch wrapper or our own checks) as
 * an AppError. `action` completes "Cannot <action>: ..."; `phase` says
 * whether a bad response means "provider unusable" (discovery) or "login
 * refused" (grant).
 */
export function oidcError(err: unknown, action: string, issuer: string, phase: 'discovery' | 'grant'): AppError {
  if (err instanceof AppError) return err;
  const chain = causes(err);
  const make = (code: ErrorCode, state: string, details: Record<string, unknown> = {}) =>
    new AppError(code, `Cannot ${action}: ${state}`, { cause: sanitisedCause(err), details: { issuer, ...details } });

  const transport = chain.find((c): c is ProviderFetchError => c instanceof ProviderFetchError);
  if (transport) {
    const state = {
      timeout: `the identity provider at ${issuer} did not answer in time`,
      aborted: 'the request to the identity provider was cancelled',
      network: `cannot reach the identity provider at ${issuer}`,
    }[transport.kind];
    return make('unavailable', state, { transport: transport.kind });
  }

  const top = chain[0] ?? {};
  const oauthCode = chain.map((c) => str(c.code)).find((c) => c?.startsWith('OAUTH_'));
  const claim = chain.map((c) => str((c as { claim?: unknown }).claim)).find((c) => c !== undefined);

  // An `error=` in the authorization response (the user cancelled, the provider refused).
  if (str(top.name) === 'AuthorizationResponseError') {
    const e = printable(top.error) ?? 'error';
    const d = printable(top.error_description);
    return make('bad_request', `the identity provider returned ${e}${d ? ` (${d})` : ''}`, { providerError: e });
  }

  // A JSON error body from the token endpoint.
  if (str(top.name) === 'ResponseBodyError') {
    const e = printable(top.error) ?? 'error';
    const status = typeof top.status === 'number' ? top.status : 0;
    if (status >= 500) return make('unavailable', `the identity provider failed (HTTP ${status}, ${e})`, { providerError: e });
    if (e === 'invalid_client' || e === 'unauthorized_client') {
      return make('internal', `the identity provider refused Workbench's client credentials (${e}); check the OIDC client id and secret`, { providerError: e });
    }
    const what = action.includes('refresh') ? 'the refresh token' : 'the authorization code';
    return make('unauthenticated', `the identity provider refused ${what} (${e})`, { providerError: e });
  }

  if (phase === 'discovery') {
    switch (oauthCode) {
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      case 'OAUTH_RESPONSE_IS_NOT_JSON':
      case 'OAUTH_PARSE_ERROR':
      case 'OAUTH_INVALID_RESPONSE':
        return make('unavailable', `the identity provider at ${issuer} did not serve a valid discovery document (/.well-known/openid-configuration)`, { oauthCode });
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        return make('unavailable', `the discovery document at ${issuer} names another issuer; auth.oidc.issuer must match it exactly`, { oauthCode });
      case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
        return make('unavailable', `the issuer ${issuer} is not HTTPS`, { oauthCode });
      default:
        return make('unavailable', `discovery at ${issuer} failed`, { oauthCode });
    }
  }

  switch (oauthCode) {
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
      return make('unauthenticated', (claim && CLAIM_PROBLEMS[claim]) ?? `the identity provider's response failed validation (${claim ?? 'claim'})`, { oauthCode, claim });
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return make('unauthenticated', `the ID token is expired or not yet valid (${claim ?? 'time'}); check the server clock`, { oauthCode, claim });
    case 'OAUTH_INVALID_RESPONSE':
      // oauth4webapi's "JWT signature verification failed" carries {key, data, signature}: told apart by shape, not by message.
      if (chain.some((c) => 'signature' in c && 'key' in c)) return make('unauthenticated', "the ID token's signature does not verify", { oauthCode });
      return make('unauthenticated', "the identity provider's response failed validation", { oauthCode, claim });
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
      return make('unavailable', 'the identity provider gave an unexpected response', { oauthCode });
    case 'OAUTH_TIMEOUT':
      return make('unavailable', `the identity provider at ${issuer} did not answer in time`, { oauthCode });
    case undefined:
      break;
    default:
      return make('unauthenticated', "the identity provider's response failed validation", { oauthCode, claim });
  }
  return make('internal', 'unexpected error talking to the identity provider');
}
