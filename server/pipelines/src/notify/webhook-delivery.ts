/**
 * One webhook delivery: a signed JSON POST, tried up to 1 + WEBHOOK_RETRIES
 * times. Anything but a 2xx answer (redirects included: they are not
 * followed, a signed body is not re-sent elsewhere), a network error or no
 * answer within the timeout is a failed try. Waits between tries grow
 * (exponential backoff, capped, with added jitter so replicas do not
 * retry in step); a Retry-After header on the answer is honoured: the
 * wait is at least that long, and a receiver asking for more than
 * MAX_RETRY_AFTER_MS is given up on. Each try is signed afresh, so a
 * late retry is not refused as stale.
 */
import { AppError, describeError, type Clock, type Logger } from '@workbench/core';
import type { WebhookEvent } from './notification-payload';
import { SIGNATURE_HEADER, signWebhook } from '@workbench/core';

export const WEBHOOK_RETRIES = 3;
export const WEBHOOK_BASE_DELAY_MS = 1_000;
export const WEBHOOK_MAX_DELAY_MS = 30_000;
export const MAX_RETRY_AFTER_MS = 60_000;
/** Random extra wait, as a fraction of the wait. */
const JITTER = 0.25;

/** The wait before retry number `retry` (1-based): 1 s, 2 s, 4 s, ... up to 30 s, plus up to 25 %. */
export function webhookRetryDelayMs(retry: number, random: () => number): number {
  const base = WEBHOOK_BASE_DELAY_MS * 2 ** (retry - 1);
  return Math.round(Math.min(WEBHOOK_MAX_DELAY_MS, base * (1 + JITTER * random())));
}

/** Retry-After as milliseconds from `now`: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // An HTTP date starts with its day name ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone accepts far too much.
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface WebhookDeliveryContext {
  fetch: typeof fetch;
  clock: Clock;
  timeoutMs: number;
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
  /** Aborted when the notifier shuts down: the delivery stops and fails. */
  signal: AbortSignal;
  logger: Logger;
}

export interface WebhookDelivery {
  url: string;
  event: WebhookEvent;
  /** X-Workbench-Delivery: the same on every try, so a receiver can drop duplicates. */
  deliveryId: string;
  body: string;
  secret: string;
}

type TryOutcome = { ok: true } | { ok: false; failure: string; retryAfterMs?: number };

/** Resolves with the number of tries when a 2xx answer came; rejects with an AppError saying why not. */
export async function deliverWebhook(delivery: WebhookDelivery, context: WebhookDeliveryContext): Promise<number> {
  const origin = safeOrigin(delivery.url);
  for (let attempt = 1; ; attempt++) {
    if (context.signal.aborted) throw shutDown();
    const outcome = await tryOnce(delivery, context);
    if (outcome.ok) return attempt;
    const tries = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
    if (context.signal.aborted) throw shutDown();
    if (attempt > WEBHOOK_RETRIES) throw new AppError('unavailable', `Cannot deliver webhook: ${outcome.failure} (${tries})`);
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > MAX_RETRY_AFTER_MS) {
      throw new AppError('unavailable', `Cannot deliver webhook: ${outcome.failure}, asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s (${tries})`);
    }
    const wait = Math.max(webhookRetryDelayMs(attempt, context.random), outcome.retryAfterMs ?? 0);
    context.logger.debug({ origin, event: delivery.event, delivery: delivery.deliveryId, attempt, failure: outcome.failure, wait_ms: wait }, 'Webhook delivery failed; trying again');
    try {
      await context.delay(wait, context.signal);
    } catch (err) {
      if (context.signal.aborted) throw shutDown();
      throw err;
    }
  }
}

async function tryOnce(delivery: WebhookDelivery, context: WebhookDeliveryContext): Promise<TryOutcome> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  let res: Response;
  try {
    res = await context.fetch(delivery.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Workbench-Webhooks/1',
        'X-Workbench-Event': delivery.event,
        'X-Workbench-Delivery': delivery.deliveryId,
        [SIGNATURE_HEADER]: signWebhook(delivery.secret, delivery.body, Math.floor(context.clock.now() / 1000)),
      },
      body: delivery.body,
      signal: AbortSignal.any([context.signal, timeout]),
    });
  } catch (err) {
    if (timeout.aborted && !context.signal.aborted) return { ok: false, failure: `no answer within ${context.timeoutMs} ms` };
    return { ok: false, failure: networkFailure(err) };
  }
  // The answer's body is not read: only the status counts.
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { ok: true };
  return { ok: false, failure: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), context.clock.now()) };
}

/** fetch's "fetch failed" says nothing; its cause (ECONNREFUSED, a TLS error) does. */
function networkFailure(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : describeError(cause);
}

function shutDown(): AppError {
  return new AppError('unavailable', 'Cannot deliver webhook: the notifier shut down');
}

/** For logs: a webhook URL's path or query may hold a token. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
