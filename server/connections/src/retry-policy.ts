/**
 * When a REST call is tried again, and after how long. Pure: no sockets,
 * no timers.
 *
 * - Only idempotent calls are retried: GET, HEAD, PUT, DELETE, OPTIONS
 *   (RFC 9110 9.2.2), and a POST or PATCH only when the caller says it is
 *   idempotent (an idempotency key, say). A POST may have been carried out
 *   even when its answer was lost.
 * - Retried: a connection that failed or was reset, a call that timed out,
 *   and the answers 429, 502, 503 and 504.
 * - The wait before retry n (1-based) is exponential with "equal jitter":
 *   half of min(cap, base * 2^(n-1)) plus a random part of the other half,
 *   so clients that failed together do not come back together, yet never
 *   retry at once.
 * - 429 and 503 may carry Retry-After (RFC 9110 10.2.3: seconds or an HTTP
 *   date): that wait is used as given; one longer than the policy allows
 *   is not waited for, and the answer goes to the caller.
 */

export interface RetryPolicy {
  /** Tries in all, the first included (1: no retry). */
  attempts: number;
  base_ms: number;
  cap_ms: number;
  /** The longest Retry-After waited for. */
  max_retry_after_s: number;
}

export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Answers worth another try (of an idempotent call). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Answers whose Retry-After is honoured. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export function mayRetry(method: string, markedIdempotent: boolean | undefined): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || markedIdempotent === true;
}

/** The wait before retry `n` (1-based), `random` in [0, 1). */
export function backoffDelay(n: number, policy: Pick<RetryPolicy, 'base_ms' | 'cap_ms'>, random: () => number): number {
  const ceiling = Math.min(policy.cap_ms, policy.base_ms * 2 ** Math.max(0, n - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After in milliseconds from `now` (ms since the epoch); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would read "-3" as a year.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
