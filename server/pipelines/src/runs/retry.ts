/**
 * Retry delays: exponential backoff with a cap and jitter (AWS's
 * "exponential backoff and jitter": the jitter only adds, so the n-th
 * delay never undercuts the (n-1)-th when backoff >= 1 + jitter).
 */
import type { RetryPolicy } from '../spec/pipeline-spec';
import type { ErrorKind } from './run-model';

/** The delay before attempt `failed + 1`, after attempt number `failed` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, failed: number, random: () => number = Math.random): number {
  const base = policy.delayMs * Math.pow(policy.backoff, Math.max(0, failed - 1));
  const withJitter = base * (1 + policy.jitter * random());
  return Math.round(Math.min(policy.maxDelayMs, withJitter));
}

/** Whether a failure of this kind is retried under the policy (a lost worker counts as a kernel death). */
export function isRetryable(policy: RetryPolicy, kind: ErrorKind): boolean {
  if (kind === 'cancelled' || kind === 'bad_input') return false;
  const as = kind === 'worker_lost' ? 'kernel_death' : kind;
  return policy.retryOn.includes(as);
}
